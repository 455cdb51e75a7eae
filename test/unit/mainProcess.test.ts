/**
 * The main process (Electron's main, the web host, the CLI) never loads TensorFlow.js: only the
 * model worker runs the model. Loading it costs every CLI command about a second of start-up and
 * the main process its memory, for listings, imports and queries that never touch a model.
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The @tensorflow modules a fresh Node process holds after importing `modules` (paths from the repo root). */
function tensorflowLoadedBy(modules: string[]): string[] {
  const probe = `
    import { createRequire } from 'node:module';
    for (const m of ${JSON.stringify(modules)}) await import(m);
    const loaded = Object.keys(createRequire(process.cwd() + '/').cache).filter((p) => p.includes('@tensorflow'));
    console.log(JSON.stringify(loaded));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as string[];
}

describe('the main process', () => {
  it('imports the workbench, the web host, the CLI flags and the detector service without TensorFlow.js', () => {
    expect(tensorflowLoadedBy(['./main/core/workbench.ts', './main/web/server.ts', './main/cli/flags.ts', './main/core/detector/service.ts', './main/core/detector/store.ts', './main/core/triage/explain.ts', './main/core/model/dataset.ts', './main/core/model/package.ts'])).toEqual([]);
  }, 120_000);

  it('(the probe sees TensorFlow.js where the model worker loads it)', () => {
    expect(tensorflowLoadedBy(['./main/core/model/packageModel.ts']).length).toBeGreaterThan(0);
  }, 120_000);
});
