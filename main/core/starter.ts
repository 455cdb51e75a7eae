/**
 * First start: a project with no captures gets the built-in sample (100k generated NF-BoT-IoT
 * v1 flows, seed 1), so a new user sees a real workbench, not an empty one.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaptureInfo } from '../../preload/contract.ts';
import { importCapture } from './capture/import.ts';
import { mindflowHome } from './paths.ts';
import type { Project } from './project.ts';
import { generateSample } from './sample/generator.ts';

export const BUILTIN_SAMPLE_ROWS = 100_000;
export const BUILTIN_SAMPLE_SEED = 1;

export async function ensureSampleCapture(project: Project, log: (msg: string) => void = () => {}): Promise<CaptureInfo | null> {
  const captures = await project.listCaptures();
  if (captures.length > 0) return null;
  const home = mindflowHome();
  const file = join(home, `builtin-sample-${BUILTIN_SAMPLE_ROWS}-seed${BUILTIN_SAMPLE_SEED}.csv`);
  if (!existsSync(file)) {
    log(`generating the built-in sample (${BUILTIN_SAMPLE_ROWS.toLocaleString('en-US')} flows) at ${file}`);
    // the desktop app keeps its project elsewhere, so on a first launch nothing has made the
    // folder yet; and a generation cut short must not leave a truncated sample to import later
    await mkdir(home, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    try {
      await generateSample({ rows: BUILTIN_SAMPLE_ROWS, seed: BUILTIN_SAMPLE_SEED, out: partial });
      await rename(partial, file);
    } finally {
      await rm(partial, { force: true });
    }
  }
  log(`importing the built-in sample into ${project.path}`);
  const { capture } = await importCapture(project, file);
  return capture;
}
