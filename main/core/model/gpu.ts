/**
 * What the kernel says about NVIDIA GPUs (Linux /proc), without loading any GPU library, so the
 * status bar can say why a machine with a GPU runs the model on its CPU.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The NVIDIA GPUs and driver the kernel reports (Linux /proc), or null where it reports none. */
export interface NvidiaGpu {
  models: string[];
  driver: string | null;
}

export function nvidiaGpu(procDir = '/proc/driver/nvidia'): NvidiaGpu | null {
  if (!existsSync(procDir)) return null;
  const models: string[] = [];
  try {
    for (const id of readdirSync(join(procDir, 'gpus'))) {
      const model = /^Model:\s*(.+)$/m.exec(readFileSync(join(procDir, 'gpus', id, 'information'), 'utf8'))?.[1]?.trim();
      if (model) models.push(model);
    }
  } catch {
    // a driver without per-GPU entries still says it is there
  }
  let driver: string | null = null;
  try {
    driver = /Kernel Module\s+(?:for \S+\s+)?([\d.]+)/.exec(readFileSync(join(procDir, 'version'), 'utf8'))?.[1] ?? null;
  } catch {
    driver = null;
  }
  return { models, driver };
}
