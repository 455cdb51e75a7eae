/**
 * GPU facts for the backend status, without loading TensorFlow or any GPU library: what the
 * kernel says about NVIDIA GPUs (Linux /proc), so the status bar can say why a machine with a GPU
 * runs the model on its CPU, and how a native backend is labelled.
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

/** what libtensorflow 2.9.1 (tfjs-node-gpu 4.22) opens to run on a GPU */
export const CUDA_LIBRARIES = 'the CUDA 11.2 and cuDNN 8.1 libraries';

export const NO_CUDA_DEVICE = 'no CUDA device found: TensorFlow runs on the CPU';

/**
 * A native backend's label. libtensorflow's GPU build runs on the CPU when it cannot open the
 * CUDA libraries, and tfjs-node-gpu says so only through `isUsingGpuDevice`: the label does too.
 */
export function nativeLabel(kind: 'gpu' | 'node', backend: { isUsingGpuDevice?: boolean }): string {
  if (kind === 'node') return 'tfjs-node (native CPU)';
  return backend.isUsingGpuDevice === false ? `tfjs-node-gpu (${NO_CUDA_DEVICE})` : 'tfjs-node-gpu (CUDA)';
}
