/**
 * Verdicts across scans of one capture. Scanning a capture again (a retrained model, another
 * threshold) derives new flagged windows, all untriaged. A verdict is a judgement of flows,
 * so where a new window covers exactly the flows of a judged one, with the same class, the
 * analyst can carry that verdict over instead of judging the same flows twice; and every
 * window shows the verdicts other scans' windows got on the flows it shares with them.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CarryResult, CarrySource, OtherVerdict, Verdict } from '../../../preload/contract.ts';
import { flowsTable, queryObjects, scalar } from '../db.ts';
import { MindflowError } from '../errors.ts';
import type { Project } from '../project.ts';
import { analystName, notesOf, sameFlows, scanMeta } from './triage.ts';

/**
 * The judged windows of `from` with the same flows and class as an untriaged window of `to`
 * (see sameFlows). Parameters: the `from` scan, then the `to` scan.
 */
const MATCH_SQL = `SELECT t.id AS to_id, f.id AS from_id, sv.verdict, sv.reason, sv.analyst
  FROM flagged_windows t
  JOIN flagged_windows f ON f.scan_id = ? AND ${sameFlows('f', 't')}
  JOIN verdicts sv ON sv.scan_id = f.scan_id AND sv.window_id = f.id
  LEFT JOIN verdicts tv ON tv.scan_id = t.scan_id AND tv.window_id = t.id
  WHERE t.scan_id = ? AND tv.window_id IS NULL`;

/**
 * The other scans of `scanId`'s capture that hold verdicts, newest first, each with how many of
 * this scan's untriaged windows have exactly the flows and class of one of its judged windows.
 */
export async function carrySources(project: Project, scanId: number): Promise<CarrySource[]> {
  return project.withConnection(async (c) => {
    const meta = await scanMeta(c, scanId);
    const scans = await queryObjects<{ id: number; model_name: string; threshold: number; created_at: string; judged: number }>(
      c,
      `SELECT s.id, s.model_name, s.threshold, strftime(s.created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at, count(*)::INTEGER AS judged
       FROM scans s JOIN verdicts v ON v.scan_id = s.id
       WHERE s.capture_id = ? AND s.id <> ?
       GROUP BY ALL ORDER BY s.id DESC`,
      [meta.captureId, scanId],
    );
    const out: CarrySource[] = [];
    for (const s of scans) {
      const counts = await queryObjects<{ verdict: Verdict; n: number }>(
        c, `SELECT verdict, count(*)::INTEGER AS n FROM (${MATCH_SQL}) GROUP BY verdict`, [s.id, scanId]);
      const byVerdict: Record<Verdict, number> = { tp: 0, fp: 0, review: 0 };
      for (const r of counts) byVerdict[r.verdict] = r.n;
      out.push({
        scanId: s.id,
        modelName: s.model_name,
        threshold: s.threshold,
        createdAt: s.created_at,
        judged: s.judged,
        matches: byVerdict.tp + byVerdict.fp + byVerdict.review,
        byVerdict,
      });
    }
    return out;
  });
}

/** carriedReason (contract.ts) in SQL, over a match row `m`; the first parameter is the source scan. */
const CARRIED_REASON_SQL = `'carried from scan #' || ?::INTEGER || ', window #' || m.from_id || ' (' || m.analyst || ')'
  || CASE WHEN coalesce(m.reason, '') = '' THEN '' ELSE ': ' || m.reason END`;

/**
 * Gives each untriaged window of `toScanId` the verdict of the judged window of `fromScanId`
 * with exactly its flows and class. One transaction and one audit batch, so a single undo
 * takes the whole carry back; windows already judged here keep their verdict.
 */
export async function carryVerdicts(project: Project, fromScanId: number, toScanId: number): Promise<CarryResult> {
  if (fromScanId === toScanId) throw new MindflowError('bad-args', `scan #${toScanId} cannot carry verdicts from itself`);
  return project.transaction(async (c) => {
    const to = await scanMeta(c, toScanId);
    const from = await scanMeta(c, fromScanId);
    if (from.captureId !== to.captureId) {
      throw new MindflowError('bad-args', `scan #${fromScanId} is of capture #${from.captureId} and scan #${toScanId} of capture #${to.captureId}: verdicts carry only between scans of one capture`);
    }
    return carryIn(c, fromScanId, toScanId);
  });
}

/**
 * The carry itself, inside the caller's transaction, for scans already checked to be two of one
 * capture: every judged window of `fromScanId` (only those of incident `incidentId` when given)
 * gives its verdict to the untriaged window of `toScanId` with the same flows and class.
 */
export async function carryIn(c: DuckDBConnection, fromScanId: number, toScanId: number, incidentId?: number): Promise<CarryResult> {
  const only = incidentId === undefined ? '' : 'WHERE m.from_id IN (SELECT window_id FROM incident_windows WHERE incident_id = ?)';
  // set-based, so a carry of 100,000 windows takes a moment, not a statement per 500 windows:
  // the audit rows first (one batch), then the verdicts from them
  const batch = Number(await scalar(c, `SELECT nextval('audit_ids')`));
  await c.run(
    `INSERT INTO audit_log (id, batch, ts, analyst, action, scan_id, window_id, previous, value, reason)
     SELECT nextval('audit_ids'), ?, now()::TIMESTAMP, ?, 'verdict', ?, m.to_id, NULL, m.verdict, ${CARRIED_REASON_SQL}
     FROM (${MATCH_SQL}) m ${only}`,
    [batch, analystName(), toScanId, fromScanId, fromScanId, toScanId, ...(incidentId === undefined ? [] : [incidentId])],
  );
  await c.run(`INSERT INTO verdicts SELECT scan_id, window_id, value, reason, analyst, ts FROM audit_log WHERE batch = ?`, [batch]);
  const carried = await queryObjects<{ window_id: number }>(c, `SELECT window_id FROM audit_log WHERE batch = ? ORDER BY window_id`, [batch]);
  return { fromScanId, toScanId, carried: carried.length, windowIds: carried.map((m) => m.window_id) };
}

/** Flows of one window (`key` null: every flow of its range; else the key's source host's). */
function keyClause(key: string | null): string {
  return key === null ? '' : `AND "IPV4_SRC_ADDR" = ?`;
}

/**
 * What analysts said in other scans of the capture about windows that share flows with this
 * one, newest scan first: each window with a verdict or notes, and how many flows it shares.
 */
export async function otherVerdicts(c: DuckDBConnection, scanId: number, windowId: number): Promise<OtherVerdict[]> {
  const meta = await scanMeta(c, scanId);
  const self = (await queryObjects<{ first_flow: number; last_flow: number; key: string | null; flows: number; class: string }>(
    c, `SELECT first_flow, last_flow, key, flows, class FROM flagged_windows WHERE scan_id = ? AND id = ?`, [scanId, windowId]))[0];
  if (!self) throw new MindflowError('bad-args', `no flagged window ${windowId} in scan #${scanId}`);
  const rows = await queryObjects<{
    scan_id: number; id: number; class: string; first_flow: number; last_flow: number; flows: number; key: string | null;
    verdict: Verdict | null; reason: string | null; analyst: string | null; at: string | null; model_name: string;
  }>(
    c,
    `SELECT w.scan_id, w.id, w.class, w.first_flow, w.last_flow, w.flows, w.key, v.verdict, v.reason, v.analyst,
            strftime(v.ts, '%Y-%m-%dT%H:%M:%SZ') AS at, s.model_name
     FROM flagged_windows w
     JOIN scans s ON s.id = w.scan_id
     LEFT JOIN verdicts v ON v.scan_id = w.scan_id AND v.window_id = w.id
     WHERE s.capture_id = ? AND w.scan_id <> ? AND w.first_flow <= ? AND w.last_flow >= ?
       AND (w.key IS NULL OR ?::VARCHAR IS NULL OR w.key = ?)
       AND (v.verdict IS NOT NULL OR EXISTS (SELECT 1 FROM notes n WHERE n.scan_id = w.scan_id AND n.window_id = w.id))
     ORDER BY w.scan_id DESC, w.first_flow, w.id
     LIMIT 50`,
    [meta.captureId, scanId, self.last_flow, self.first_flow, self.key, self.key],
  );
  const table = flowsTable(meta.captureId);
  const out: OtherVerdict[] = [];
  for (const r of rows) {
    const lo = Math.max(r.first_flow, self.first_flow);
    const hi = Math.min(r.last_flow, self.last_flow);
    const same = r.first_flow === self.first_flow && r.last_flow === self.last_flow && r.flows === self.flows;
    let shared: number;
    if (same) shared = self.flows;
    else if (r.key === null && self.key === null) shared = hi - lo + 1;
    else {
      // a keyed window holds only its source host's flows of its range
      const keys = [r.key, self.key].filter((k): k is string => k !== null);
      shared = Number(await scalar(
        c, `SELECT count(*) FROM ${table} WHERE rowid BETWEEN ? AND ? ${keyClause(keys[0] ?? null)}`, [lo, hi, ...keys.slice(0, 1)]));
    }
    if (shared === 0) continue;
    out.push({
      scanId: r.scan_id,
      windowId: r.id,
      modelName: r.model_name,
      class: r.class,
      firstFlow: r.first_flow,
      lastFlow: r.last_flow,
      flows: r.flows,
      sharedFlows: shared,
      sameFlows: same,
      verdict: r.verdict,
      reason: r.reason,
      analyst: r.analyst,
      at: r.at,
      notes: await notesOf(c, r.scan_id, r.id),
    });
  }
  return out;
}
