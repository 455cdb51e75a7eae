/**
 * Writing the flows an Explore tab shows (its filter, brush and sort) to CSV or Parquet, for
 * another tool or a colleague: DuckDB's COPY streams them from the project to the file, so a
 * capture of millions of flows never passes through JavaScript. The file is written beside
 * its target and renamed into place when whole; a cancelled or failed export leaves nothing.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { FlowExport, FlowExportFormat, FlowFilter } from '../../../preload/contract.ts';
import type { JobContext } from '../capture/import.ts';
import { literal } from '../db.ts';
import { MindflowError } from '../errors.ts';
import { reportsDir } from '../incidents/export.ts';
import type { Project } from '../project.ts';
import { buildWhere } from './filters.ts';
import { flowColumns, flowSelect, flowSort, flowSource, type PageRequest } from './flows.ts';

export interface FlowExportRequest {
  captureId: number;
  filter: FlowFilter;
  sort?: PageRequest['sort'];
  format: FlowExportFormat;
  /** only these columns (flow_id and column names), in this order; all by default */
  columns?: readonly string[] | undefined;
  /** the file to write; by default <project>.reports/capture-<id>-flows-<UTC time>.<format> */
  path?: string | undefined;
}

/** The default file name: the capture and the time of the export, so exports never overwrite each other. */
export function flowExportName(captureId: number, format: FlowExportFormat, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `capture-${captureId}-flows-${stamp}.${format}`;
}

const COPY_OPTIONS: Record<FlowExportFormat, string> = {
  csv: 'FORMAT csv, HEADER true',
  parquet: 'FORMAT parquet, COMPRESSION zstd',
};

export async function exportFlows(project: Project, req: FlowExportRequest, ctx: JobContext, urlFor?: (path: string) => string | null): Promise<FlowExport> {
  if (ctx.signal.aborted) throw new MindflowError('cancelled', 'export cancelled');
  const capture = await project.capture(req.captureId);
  const target = resolve(req.path ?? join(reportsDir(project), flowExportName(capture.id, req.format)));
  if (existsSync(target) && statSync(target).isDirectory()) throw new MindflowError('bad-args', `${target} is a folder: give a file name to export to`);
  const conn = await project.connect();
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  const poll = setInterval(() => {
    const p = conn.progress;
    if (p.percentage >= 0) ctx.progress({ phase: 'writing', fraction: Math.min(1, p.percentage / 100), message: `writing flows of #${capture.id} as ${req.format.toUpperCase()}` });
  }, 200);
  const onAbort = () => conn.interrupt();
  ctx.signal.addEventListener('abort', onAbort);
  try {
    // checked before anything is written: an unknown field or a scan of another capture
    const src = await flowSource(conn, capture, req.filter.scanId);
    const where = buildWhere(req.filter, src.columns, src.id);
    const names = flowColumns(src, req.columns);
    const select = flowSelect(src, names);
    const sort = flowSort(src, req.sort);
    // the capture's own table in capture order needs no sort: DuckDB keeps insertion order
    const order = !src.scanned && sort.column === 'flow_id' && sort.dir === 'ASC' ? '' : `ORDER BY ${sort.order}`;
    ctx.progress({ phase: 'writing', fraction: 0, message: `writing flows of #${capture.id} as ${req.format.toUpperCase()}` });
    await mkdir(dirname(target), { recursive: true });
    const copied = await conn.runAndReadAll(
      `COPY (SELECT ${select} FROM ${src.from} ${where.sql} ${order}) TO ${literal(tmp)} (${COPY_OPTIONS[req.format]})`,
      where.params,
    );
    if (ctx.signal.aborted) throw new MindflowError('cancelled', 'export cancelled');
    const rows = Number(copied.getRows()[0]?.[0] ?? 0);
    await rename(tmp, target);
    return { captureId: capture.id, format: req.format, scanId: req.filter.scanId ?? null, rows, columns: names.length, path: target, bytes: (await stat(target)).size, url: urlFor?.(target) ?? null };
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
