/**
 * Writing the audit trail to CSV or Parquet, oldest first (a log in the order it happened), for
 * a case file: every verdict, undo and note with who, when, the window it names, before and
 * after, and whether a later undo reverted it. Written by DuckDB's COPY (query/copy.ts).
 */
import { join } from 'node:path';
import type { AuditExport, RowExportFormat } from '../../../preload/contract.ts';
import type { JobContext } from '../capture/import.ts';
import { reportsDir } from '../incidents/export.ts';
import type { Project } from '../project.ts';
import { copyToFile, fileStamp, fileTarget } from '../query/copy.ts';
import { AUDIT_SELECT, auditFilter, scanMeta } from './triage.ts';

export interface AuditExportRequest {
  /** one scan's entries; every entry of the project without it */
  scanId?: number | undefined;
  format: RowExportFormat;
  path?: string | undefined;
}

/** The file's columns, in order. */
export const AUDIT_EXPORT_COLUMNS = [
  'id', 'batch', 'at', 'analyst', 'action', 'scan_id', 'window_id', 'window_class', 'capture_id', 'capture_name', 'previous', 'value', 'reason', 'undone',
] as const;

export function auditExportName(scanId: number | undefined, format: RowExportFormat, now: Date = new Date()): string {
  return `${scanId === undefined ? 'audit' : `scan-${scanId}-audit`}-${fileStamp(now)}.${format}`;
}

export async function exportAudit(project: Project, req: AuditExportRequest, ctx: JobContext, urlFor?: (path: string) => string | null): Promise<AuditExport> {
  const target = fileTarget(project, req.path ?? join(reportsDir(project), auditExportName(req.scanId, req.format)));
  const what = req.scanId === undefined ? 'the audit trail' : `the audit trail of scan #${req.scanId}`;
  const { rows, bytes } = await copyToFile(project, target, req.format, ctx, `writing ${what} as ${req.format.toUpperCase()}`, async (conn) => {
    if (req.scanId !== undefined) await scanMeta(conn, req.scanId); // a scan that does not exist is refused before anything is written
    const { where, params } = auditFilter(req);
    return { sql: `${AUDIT_SELECT} ${where} ORDER BY a.id`, params };
  });
  return { scanId: req.scanId ?? null, format: req.format, entries: rows, path: target, bytes, url: urlFor?.(target) ?? null };
}
