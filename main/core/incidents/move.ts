/**
 * Moving an incident to another scan of its capture. An incident's windows are windows of one
 * scan; after a rescan (a retrained model, another threshold) the analyst may want the incident
 * on the new scan, to report the new model's view of the same flows, or to delete the old scan.
 * Each window moves to the window with the same flows and class there (the rule verdicts carry
 * by, `sameFlows`), so the incident's evidence stays exactly the same flows; a window without
 * such a counterpart stops the move, and the analyst decides (remove it, or stay).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { IncidentMoveResult, IncidentMoveTarget } from '../../../preload/contract.ts';
import { queryObjects, scalar } from '../db.ts';
import { MindflowError } from '../errors.ts';
import type { Project } from '../project.ts';
import { carryIn } from '../triage/carry.ts';
import { analystName, idList, sameFlows, scanMeta } from '../triage/triage.ts';
import { countOf } from '../words.ts';
import { getIn } from './incidents.ts';

/** The incident's windows, each with its counterpart in `toScanId` (null where none). */
async function lineUp(c: DuckDBConnection, incidentId: number, fromScanId: number, toScanId: number): Promise<{ from: number; to: number | null }[]> {
  const rows = await queryObjects<{ from_id: number; to_id: number | null }>(
    c,
    `SELECT f.id AS from_id, t.id AS to_id
     FROM incident_windows iw
     JOIN flagged_windows f ON f.scan_id = ? AND f.id = iw.window_id
     LEFT JOIN flagged_windows t ON t.scan_id = ? AND ${sameFlows('t', 'f')}
     WHERE iw.incident_id = ?
     ORDER BY f.id`,
    [fromScanId, toScanId, incidentId],
  );
  return rows.map((r) => ({ from: r.from_id, to: r.to_id }));
}

interface ScanRow {
  id: number;
  model_name: string;
  threshold: number;
  created_at: string;
}

async function scanRows(c: DuckDBConnection, where: string, params: number[]): Promise<ScanRow[]> {
  return queryObjects<ScanRow>(
    c, `SELECT id, model_name, threshold, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at FROM scans ${where} ORDER BY id DESC`, params);
}

/** The other scans of the incident's capture, newest first, with how its windows line up there. */
export async function incidentMoveTargets(project: Project, incidentId: number): Promise<IncidentMoveTarget[]> {
  return project.withConnection(async (c) => {
    const incident = await getIn(c, incidentId);
    const scans = await scanRows(c, 'WHERE capture_id = ? AND id <> ?', [incident.captureId, incident.scanId]);
    const out: IncidentMoveTarget[] = [];
    for (const s of scans) {
      const pairs = await lineUp(c, incidentId, incident.scanId, s.id);
      out.push({
        scanId: s.id,
        modelName: s.model_name,
        threshold: s.threshold,
        createdAt: s.created_at,
        matched: pairs.filter((p) => p.to !== null).length,
        missing: pairs.filter((p) => p.to === null).map((p) => p.from),
      });
    }
    return out;
  });
}

/**
 * Moves incident `incidentId` to scan `toScanId` of the same capture: every window to its
 * counterpart there, the verdicts of its windows to the counterparts still untriaged (one
 * undoable change, as a carry), and a note on the incident saying so. Its fields and notes stay.
 */
export async function moveIncident(project: Project, incidentId: number, toScanId: number): Promise<IncidentMoveResult> {
  return project.transaction(async (c) => {
    const incident = await getIn(c, incidentId);
    const fromScanId = incident.scanId;
    if (toScanId === fromScanId) throw new MindflowError('bad-args', `incident #${incidentId} is already on scan #${toScanId}`);
    const to = await scanMeta(c, toScanId);
    if (to.captureId !== incident.captureId) {
      throw new MindflowError('bad-args', `scan #${toScanId} is of capture #${to.captureId} and incident #${incidentId} of capture #${incident.captureId}: an incident moves only between scans of its capture`);
    }
    const pairs = await lineUp(c, incidentId, fromScanId, toScanId);
    const missing = pairs.filter((p) => p.to === null).map((p) => p.from);
    if (missing.length) {
      const shown = missing.slice(0, 5).map((id) => `#${id}`).join(', ') + (missing.length > 5 ? ` and ${missing.length - 5} more` : '');
      throw new MindflowError(
        'bad-args',
        `${countOf(missing.length, 'window')} of incident #${incidentId} (${shown} of scan #${fromScanId}) ${missing.length === 1 ? 'has' : 'have'} no window with the same flows and class in scan #${toScanId}, which splits, merges or drops ${missing.length === 1 ? 'it' : 'them'}: remove ${missing.length === 1 ? 'it' : 'them'} from the incident first, or keep it on scan #${fromScanId}; nothing was moved`,
      );
    }
    // the verdicts first: the carry picks the incident's windows out of the old scan
    const carry = await carryIn(c, fromScanId, toScanId, incidentId);
    await c.run(`DELETE FROM incident_windows WHERE incident_id = ?`, [incidentId]);
    await c.run(
      `INSERT INTO incident_windows SELECT ?, unnest(?::INTEGER[])`,
      [incidentId, idList(pairs.map((p) => p.to as number))],
    );
    await c.run(`UPDATE incidents SET scan_id = ?, updated = now()::TIMESTAMP WHERE id = ?`, [toScanId, incidentId]);
    const [a, b] = [(await scanRows(c, 'WHERE id = ?', [fromScanId]))[0]!, (await scanRows(c, 'WHERE id = ?', [toScanId]))[0]!];
    const text =
      `Moved from scan #${a.id} (${a.model_name}, threshold ${a.threshold}) to scan #${b.id} (${b.model_name}, threshold ${b.threshold}): ` +
      `${pairs.length === 1 ? 'its window has' : `its ${countOf(pairs.length, 'window')} have`} the same flows and class there` +
      (carry.carried ? `; ${countOf(carry.carried, 'verdict')} carried.` : '.');
    await c.run(`INSERT INTO incident_notes VALUES (nextval('incident_note_ids'), ?, now()::TIMESTAMP, ?, ?)`, [incidentId, analystName(), text]);
    // the trail of each scan says so too (window 0: the incident, not a window), as one change
    const trail = `incident #${incidentId} "${incident.title}" ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
    const batch = Number(await scalar(c, `SELECT nextval('audit_ids')`));
    for (const scanId of [fromScanId, toScanId]) {
      await c.run(
        `INSERT INTO audit_log (id, batch, ts, analyst, action, scan_id, window_id, previous, value, reason)
         VALUES (nextval('audit_ids'), ?, now()::TIMESTAMP, ?, 'incident-moved', ?, 0, NULL, ?, NULL)`,
        [batch, analystName(), scanId, trail],
      );
    }
    return { incident: await getIn(c, incidentId), fromScanId, toScanId, windows: pairs.length, carried: carry.carried };
  });
}
