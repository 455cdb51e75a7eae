/**
 * Writing the Detections queue as it stands (its filters and order) to CSV or Parquet: one row
 * per flagged window with its class, scores, flows, hosts, ports, time and verdict, for a
 * ticket, a spreadsheet or another tool. Written by DuckDB's COPY (query/copy.ts).
 */
import { join } from 'node:path';
import type { WindowExport, RowExportFormat, WindowQuery } from '../../../preload/contract.ts';
import type { JobContext } from '../capture/import.ts';
import { reportsDir } from '../incidents/export.ts';
import type { Project } from '../project.ts';
import { copyToFile, fileStamp, fileTarget } from '../query/copy.ts';
import { checkNotIn, scanMeta, windowFilter } from './triage.ts';

export type WindowExportRequest = Omit<WindowQuery, 'offset' | 'limit'> & { format: RowExportFormat; path?: string | undefined };

/** The columns a window row has, in order (a list is one text cell in CSV, a list in Parquet). */
export const WINDOW_EXPORT_COLUMNS = [
  'window', 'class', 'score', 'mean_score', 'flows', 'first_flow', 'last_flow', 'start_ms', 'end_ms',
  'src_hosts', 'dst_hosts', 'dst_ports', 'key', 'verdict', 'reason', 'analyst', 'verdict_at',
] as const;

export function windowExportName(scanId: number, format: RowExportFormat, now: Date = new Date()): string {
  return `scan-${scanId}-windows-${fileStamp(now)}.${format}`;
}

export async function exportWindows(project: Project, req: WindowExportRequest, ctx: JobContext, urlFor?: (path: string) => string | null): Promise<WindowExport> {
  const target = fileTarget(project, req.path ?? join(reportsDir(project), windowExportName(req.scanId, req.format)));
  // CSV cells are text: a list becomes its items with spaces between
  const list = (col: string) => (req.format === 'csv' ? `array_to_string(${col}, ' ')` : col);
  const { rows, bytes } = await copyToFile(project, target, req.format, ctx, `writing the windows of scan #${req.scanId} as ${req.format.toUpperCase()}`, async (conn) => {
    await scanMeta(conn, req.scanId); // a scan that does not exist is refused before anything is written
    await checkNotIn(conn, req.scanId, req.notIn);
    const { where, params, order } = windowFilter(req);
    return {
      sql: `SELECT w.id AS window, w.class, w.peak AS score, w.mean AS mean_score, w.flows, w.first_flow, w.last_flow, w.start_ms, w.end_ms,
              ${list('w.src_hosts')} AS src_hosts, ${list('w.dst_hosts')} AS dst_hosts, ${list('w.dst_ports')} AS dst_ports, w.key,
              coalesce(v.verdict, 'untriaged') AS verdict, v.reason, v.analyst, strftime(v.ts, '%Y-%m-%dT%H:%M:%SZ') AS verdict_at
            FROM flagged_windows w LEFT JOIN verdicts v ON v.scan_id = w.scan_id AND v.window_id = w.id
            WHERE ${where} ORDER BY ${order}`,
      params,
    };
  });
  return { scanId: req.scanId, format: req.format, rows, path: target, bytes, url: urlFor?.(target) ?? null };
}
