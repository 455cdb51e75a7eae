/**
 * Scans a project no longer needs. A scan holds a row of class probabilities per flow of its
 * capture (the largest thing in a project after the flows), its flagged windows, and the
 * analysts' verdicts and notes on them. Deleting one keeps the audit trail, which names every
 * window it touched on its own, and adds the deletion to it. It is refused while an incident
 * holds the scan: the incident moves to another scan of the capture first (see
 * incidents/move.ts), or is deleted.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ScanDeleted, ScanUsage } from '../../../preload/contract.ts';
import { queryObjects, scalar } from '../db.ts';
import { MindflowError } from '../errors.ts';
import type { Project } from '../project.ts';
import { analystName, scanMeta } from '../triage/triage.ts';
import { countOf, nameList } from '../words.ts';


async function usage(c: DuckDBConnection, scanId: number): Promise<ScanUsage> {
  const meta = await scanMeta(c, scanId);
  const rows = async (table: string) => Number(await scalar(c, `SELECT count(*) FROM ${table} WHERE scan_id = ?`, [scanId]));
  return {
    scanId,
    captureId: meta.captureId,
    windows: await rows('flagged_windows'),
    verdicts: await rows('verdicts'),
    notes: await rows('notes'),
    incidents: await queryObjects<{ id: number; title: string }>(c, `SELECT id, title FROM incidents WHERE scan_id = ? ORDER BY id`, [scanId]),
  };
}

/** What deleting `scanId` would take with it, and the incidents that keep it. */
export function scanUsage(project: Project, scanId: number): Promise<ScanUsage> {
  return project.withConnection((c) => usage(c, scanId));
}

/** "incident #3 "C2 beacons" and incident #5 "…"" */
function incidentList(incidents: ScanUsage['incidents']): string {
  return nameList(incidents.map((i) => `incident #${i.id} "${i.title}"`));
}

/**
 * Deletes a scan: its per-flow scores, flagged windows, verdicts and notes, in one transaction.
 * Refused while an incident holds it, so no incident loses its evidence.
 */
export async function deleteScan(project: Project, scanId: number): Promise<ScanDeleted> {
  return project.transaction(async (c) => {
    const u = await usage(c, scanId);
    if (u.incidents.length) {
      throw new MindflowError(
        'bad-args',
        `scan #${scanId} holds ${incidentList(u.incidents)}: move ${u.incidents.length === 1 ? 'it' : 'them'} to another scan of the capture (the incident's "Move to another scan") or delete ${u.incidents.length === 1 ? 'it' : 'them'} first; the scan was not deleted`,
      );
    }
    // the trail keeps the deletion too: who, when, and what went (window 0: the whole scan)
    const s = (await queryObjects<{ model_name: string; threshold: number; file_name: string | null }>(
      c, `SELECT s.model_name, s.threshold, cap.file_name FROM scans s LEFT JOIN captures cap ON cap.id = s.capture_id WHERE s.id = ?`, [scanId]))[0]!;
    const what = `scan #${scanId} of capture #${u.captureId}${s.file_name ? ` ${s.file_name}` : ''} (${s.model_name}, threshold ${s.threshold}): ` +
      `${countOf(u.windows, 'flagged window')}, ${countOf(u.verdicts, 'verdict')}, ${countOf(u.notes, 'note')}`;
    await c.run(
      `INSERT INTO audit_log (id, batch, ts, analyst, action, scan_id, window_id, previous, value, reason)
       VALUES (nextval('audit_ids'), currval('audit_ids'), now()::TIMESTAMP, ?, 'scan-deleted', ?, 0, NULL, ?, NULL)`,
      [analystName(), scanId, what],
    );
    await c.run(`DELETE FROM verdicts WHERE scan_id = ?`, [scanId]);
    await c.run(`DELETE FROM notes WHERE scan_id = ?`, [scanId]);
    await c.run(`DELETE FROM flagged_windows WHERE scan_id = ?`, [scanId]);
    await c.run(`DELETE FROM scans WHERE id = ?`, [scanId]);
    await c.run(`DROP TABLE IF EXISTS scan_${Number(scanId)}`);
    return { scanId, captureId: u.captureId, windows: u.windows, verdicts: u.verdicts, notes: u.notes };
  });
}
