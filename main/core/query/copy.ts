/**
 * Writing a query's rows to a file with DuckDB's COPY, as a job: on its own connection (so a
 * cancel interrupts only it), with DuckDB's progress, to a temporary file renamed into place
 * when whole. A cancelled or failed copy leaves nothing behind.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { RowExportFormat } from '../../../preload/contract.ts';
import type { JobContext } from '../capture/import.ts';
import { literal, type Params } from '../db.ts';
import { MindflowError } from '../errors.ts';
import { isDuckDbFile, type Project } from '../project.ts';

const COPY_OPTIONS: Record<RowExportFormat, string> = {
  csv: 'FORMAT csv, HEADER true',
  parquet: 'FORMAT parquet, COMPRESSION zstd',
};

/** A UTC time as a file name part, to the second: 2026-12-07T03:04:05Z -> 20261207-030405. */
export function fileStamp(now: Date = new Date()): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/**
 * Refuses to write over a DuckDB database, whatever its name: another MindFlow project (or
 * someone else's database), which an export, a sample or a report written over it would
 * destroy; and the write-ahead log beside one, which holds its latest changes. Every command
 * and call that writes a file checks its target here (through `fileTarget`, or directly);
 * other files (an earlier export) may be replaced, as reruns of a script expect.
 */
export function checkNotDatabase(target: string): void {
  if (isDuckDbFile(target)) {
    throw new MindflowError('bad-args', `${target} is a DuckDB database (a MindFlow project, or another program's): MindFlow never writes over one; give another file name`);
  }
  if (/\.wal$/i.test(target) && isDuckDbFile(target.slice(0, -'.wal'.length))) {
    throw new MindflowError('bad-args', `${target} is the write-ahead log of the DuckDB database ${target.slice(0, -'.wal'.length)}: MindFlow never writes over one; give another file name`);
  }
}

/**
 * A target an export may write: not a folder, never the project's own database (or its
 * write-ahead log), which a rename over it would destroy, nor any other DuckDB database
 * (`checkNotDatabase`). Returns it resolved.
 */
export function fileTarget(project: Pick<Project, 'path'>, path: string): string {
  const target = resolve(path);
  const db = resolve(project.path);
  if (target === db || target === `${db}.wal`) throw new MindflowError('bad-args', `${target} is this project's database: give another file name to export to`);
  if (existsSync(target) && statSync(target).isDirectory()) throw new MindflowError('bad-args', `${target} is a folder: give a file name to export to`);
  checkNotDatabase(target);
  return target;
}

/**
 * Copies what `query(conn)` builds (a SELECT and its parameters, checked on the job's own
 * connection before anything is written) to `target`. Returns the rows written and the file's size.
 */
export async function copyToFile(
  project: Project,
  target: string,
  format: RowExportFormat,
  ctx: JobContext,
  message: string,
  query: (conn: DuckDBConnection) => Promise<{ sql: string; params: Params }>,
): Promise<{ rows: number; bytes: number }> {
  if (ctx.signal.aborted) throw new MindflowError('cancelled', 'export cancelled');
  const conn = await project.connect();
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  const poll = setInterval(() => {
    const p = conn.progress;
    if (p.percentage >= 0) ctx.progress({ phase: 'writing', fraction: Math.min(1, p.percentage / 100), message });
  }, 200);
  const onAbort = () => conn.interrupt();
  ctx.signal.addEventListener('abort', onAbort);
  try {
    const { sql, params } = await query(conn);
    ctx.progress({ phase: 'writing', fraction: 0, message });
    await mkdir(dirname(target), { recursive: true });
    const copied = await conn.runAndReadAll(`COPY (${sql}) TO ${literal(tmp)} (${COPY_OPTIONS[format]})`, params);
    if (ctx.signal.aborted) throw new MindflowError('cancelled', 'export cancelled');
    const rows = Number(copied.getRows()[0]?.[0] ?? 0);
    checkNotDatabase(target); // again: a project may have been made there while the rows were written
    await rename(tmp, target);
    return { rows, bytes: (await stat(target)).size };
  } catch (err) {
    await rm(tmp, { force: true });
    if (ctx.signal.aborted) throw new MindflowError('cancelled', 'export cancelled');
    throw err;
  } finally {
    clearInterval(poll);
    ctx.signal.removeEventListener('abort', onAbort);
    conn.closeSync();
  }
}
