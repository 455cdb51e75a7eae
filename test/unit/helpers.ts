import { spawnSync } from 'node:child_process';
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { V1_FIELDS, V2_EXTRA_FIELDS, V3_EXTRA_FIELDS } from '../../main/core/capture/schema.ts';
import { importCapture } from '../../main/core/capture/import.ts';
import { Workbench } from '../../main/core/workbench.ts';
import type { CaptureInfo } from '../../preload/contract.ts';

export const REAL_SAMPLE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/nf-bot-iot-v2-sample-a.csv.gz');
export const hasRealSample = existsSync(REAL_SAMPLE);
export const REAL_SAMPLE_SKIP = `real NF-BoT-IoT sample not found at ${REAL_SAMPLE}: skipped (place ../shared beside the repo)`;

export function tempDir(prefix = 'mindflow-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const V1_HEADER = [...V1_FIELDS, 'Label', 'Attack'];

/** One v1 row per class, values shaped like the real data (see dataset.md). */
export const V1_ROWS: Record<string, (string | number)[]> = {
  Benign: ['192.168.100.3', 52000, '192.168.100.1', 53, 17, 5.0, 74, 120, 1, 1, 0, 0, 0, 'Benign'],
  Reconnaissance: ['192.168.100.147', 40000, '192.168.100.3', 1883, 6, 0.0, 44, 40, 1, 1, 22, 0, 1, 'Reconnaissance'],
  DDoS: ['192.168.100.148', 41000, '192.168.100.3', 80, 17, 0.0, 56, 0, 1, 0, 0, 4294967, 1, 'DDoS'],
  DoS: ['192.168.100.149', 42000, '192.168.100.3', 80, 6, 7.0, 280, 0, 5, 0, 2, 4294967, 1, 'DoS'],
  Theft: ['192.168.100.150', 4444, '192.168.100.6', 4433, 6, 0.0, 250000, 4000, 200, 50, 24, 1200, 1, 'Theft'],
};

export function v1Csv(classes: string[], header = V1_HEADER): string {
  return [header.join(','), ...classes.map((c) => V1_ROWS[c]!.join(','))].join('\n') + '\n';
}

export const CYCLE_CLASSES = ['Benign', 'Reconnaissance', 'DDoS', 'DoS', 'Theft'];

/**
 * Writes `n` v1 flows to `path` in which flow i has class CYCLE_CLASSES[i % 5] and IN_BYTES = i,
 * so filters, sorts and ranges have answers a test can compute.
 */
export function writeCycleCsv(path: string, n: number): string {
  const lines = Array.from({ length: n }, (_, i) => {
    const row = [...V1_ROWS[CYCLE_CLASSES[i % 5]!]!];
    row[6] = i;
    return row.join(',');
  });
  writeFileSync(path, [V1_HEADER.join(','), ...lines].join('\n'));
  return path;
}

/**
 * A workbench on a fresh project holding one capture of `n` cycle flows (writeCycleCsv), in a
 * temporary folder that `cleanup` removes after closing it.
 */
export async function cycleWorkbench(n: number): Promise<{ wb: Workbench; capture: CaptureInfo; dir: string; cleanup: () => void }> {
  const { dir, cleanup } = tempDir();
  const wb = await Workbench.open(join(dir, 'p.duckdb'), { host: 'web' });
  const { capture } = await importCapture(wb.project, writeCycleCsv(join(dir, 'q.csv'), n));
  return {
    wb,
    capture,
    dir,
    cleanup: () => {
      wb.close();
      cleanup();
    },
  };
}

export function v2Header(): string[] {
  return [...V1_FIELDS, ...V2_EXTRA_FIELDS, 'Label', 'Attack', 'Dataset'];
}

export function v3Header(): string[] {
  return [...V1_FIELDS, ...V2_EXTRA_FIELDS, ...V3_EXTRA_FIELDS, 'Label', 'Attack'];
}

/** Opens a DuckDB file in another process, as another MindFlow would: 'opened' or DuckDB's error. */
export function openElsewhere(path: string): string {
  const script = `import { DuckDBInstance } from '@duckdb/node-api';
    DuckDBInstance.create(process.argv[1]).then((d) => { d.closeSync(); console.log('opened'); }, (e) => console.log(e.message));`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script, path], { encoding: 'utf8' }).stdout.trim();
}

/** Writes a DuckDB database that is not a MindFlow project: runs `statements` in a new file. */
export async function writeDuckDb(path: string, statements: string[]): Promise<void> {
  const db = await DuckDBInstance.create(path);
  const c = await db.connect();
  for (const sql of statements) await c.run(sql);
  c.closeSync();
  db.closeSync();
}

/** The tables of a DuckDB file, by name. */
export async function duckDbTables(path: string): Promise<string[]> {
  const db = await DuckDBInstance.create(path);
  const c = await db.connect();
  const rows = await (await c.run('SELECT table_name FROM duckdb_tables() ORDER BY 1')).getRowObjects();
  c.closeSync();
  db.closeSync();
  return rows.map((r) => String(r.table_name));
}
