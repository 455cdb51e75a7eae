/**
 * Writing the flows an Explore tab shows (its filter, brush and sort) to CSV or Parquet, for
 * another tool or a colleague: DuckDB's COPY streams them from the project to the file
 * (copy.ts), so a capture of millions of flows never passes through JavaScript.
 */
import { join } from 'node:path';
import type { FlowExport, RowExportFormat, FlowFilter } from '../../../preload/contract.ts';
import type { JobContext } from '../capture/import.ts';
import { MindflowError } from '../errors.ts';
import { reportsDir } from '../incidents/export.ts';
import type { Project } from '../project.ts';
import { copyToFile, fileStamp, fileTarget } from './copy.ts';
import { buildWhere } from './filters.ts';
import { flowColumns, flowSelect, flowSort, flowSource, type PageRequest } from './flows.ts';

export interface FlowExportRequest {
  captureId: number;
  filter: FlowFilter;
  sort?: PageRequest['sort'];
  format: RowExportFormat;
  /** only these columns (flow_id and column names), in this order; all by default */
  columns?: readonly string[] | undefined;
  /** the file to write; by default <project>.reports/capture-<id>-flows-<UTC time>.<format> */
  path?: string | undefined;
}

/** The default file name: the capture and the time of the export, so exports never overwrite each other. */
export function flowExportName(captureId: number, format: RowExportFormat, now: Date = new Date()): string {
  return `capture-${captureId}-flows-${fileStamp(now)}.${format}`;
}

export async function exportFlows(project: Project, req: FlowExportRequest, ctx: JobContext, urlFor?: (path: string) => string | null): Promise<FlowExport> {
  if (ctx.signal.aborted) throw new MindflowError('cancelled', 'export cancelled');
  const capture = await project.capture(req.captureId);
  const target = fileTarget(project, req.path ?? join(reportsDir(project), flowExportName(capture.id, req.format)));
  let columns = 0;
  const { rows, bytes } = await copyToFile(project, target, req.format, ctx, `writing flows of #${capture.id} as ${req.format.toUpperCase()}`, async (conn) => {
    // checked before anything is written: an unknown field or column, a scan of another capture
    const src = await flowSource(conn, capture, req.filter.scanId);
    const where = buildWhere(req.filter, src.columns, src.id);
    const names = flowColumns(src, req.columns);
    columns = names.length;
    const sort = flowSort(src, req.sort);
    // the capture's own table in capture order needs no sort: DuckDB keeps insertion order
    const order = !src.scanned && sort.column === 'flow_id' && sort.dir === 'ASC' ? '' : `ORDER BY ${sort.order}`;
    return { sql: `SELECT ${flowSelect(src, names)} FROM ${src.from} ${where.sql} ${order}`, params: where.params };
  });
  return { captureId: capture.id, format: req.format, scanId: req.filter.scanId ?? null, rows, columns, path: target, bytes, url: urlFor?.(target) ?? null };
}
