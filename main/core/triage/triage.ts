/**
 * Triage: the queue of flagged windows, verdicts (committed at once, each change audited,
 * the last change undoable), notes, a window's drill-down data and the threshold curve.
 */
import { userInfo } from 'node:os';
import type { DuckDBConnection } from '@duckdb/node-api';
import type {
  AuditEntry,
  AuditPage,
  CaptureInfo,
  FlaggedWindow,
  ThresholdPoint,
  TriageStatus,
  Verdict,
  VerdictResult,
  WindowDetail,
  WindowNote,
  WindowPage,
  WindowQuery,
} from '../../../preload/contract.ts';
import { columnInfoOf } from '../capture/schema.ts';
import { flowsTable, ident, queryObjects, scalar, type Params } from '../db.ts';
import { MindflowError } from '../errors.ts';
import type { Project } from '../project.ts';
import { otherVerdicts } from './carry.ts';

export function analystName(): string {
  if (process.env.MINDFLOW_ANALYST) return process.env.MINDFLOW_ANALYST;
  try {
    return userInfo().username || 'analyst';
  } catch {
    return 'analyst';
  }
}

interface ScanMeta {
  id: number;
  captureId: number;
  classes: string[];
  threshold: number;
  keyed: boolean;
}

export async function scanMeta(conn: DuckDBConnection, scanId: number): Promise<ScanMeta> {
  const rows = await queryObjects<{ capture_id: number; classes: string; threshold: number; keyed: boolean }>(
    conn, `SELECT capture_id, classes, threshold, keyed FROM scans WHERE id = ?`, [scanId]);
  const r = rows[0];
  if (!r) throw new MindflowError('bad-args', `no scan #${scanId} in this project`);
  return { id: scanId, captureId: r.capture_id, classes: JSON.parse(r.classes) as string[], threshold: r.threshold, keyed: r.keyed };
}

const WINDOW_SELECT = `SELECT w.id, w.class, w.first_flow, w.last_flow, w.flows, w.peak, w.mean,
  to_json(w.src_hosts)::VARCHAR AS src_hosts, to_json(w.dst_hosts)::VARCHAR AS dst_hosts, to_json(w.dst_ports)::VARCHAR AS dst_ports, w.key,
  w.start_ms, w.end_ms,
  v.verdict, v.reason, v.analyst, strftime(v.ts, '%Y-%m-%dT%H:%M:%SZ') AS verdict_at
  FROM flagged_windows w LEFT JOIN verdicts v ON v.scan_id = w.scan_id AND v.window_id = w.id`;

interface WindowRow {
  id: number;
  class: string;
  first_flow: number;
  last_flow: number;
  flows: number;
  peak: number;
  mean: number;
  src_hosts: string;
  dst_hosts: string;
  dst_ports: string;
  key: string | null;
  start_ms: number | bigint | null;
  end_ms: number | bigint | null;
  verdict: string | null;
  reason: string | null;
  analyst: string | null;
  verdict_at: string | null;
}

function toWindow(scanId: number, r: WindowRow): FlaggedWindow {
  return {
    id: r.id,
    scanId,
    class: r.class,
    verdict: r.verdict as Verdict | null,
    verdictReason: r.reason,
    verdictBy: r.analyst,
    verdictAt: r.verdict_at,
    firstFlow: r.first_flow,
    lastFlow: r.last_flow,
    flows: r.flows,
    peak: r.peak,
    mean: r.mean,
    srcHosts: JSON.parse(r.src_hosts) as string[],
    dstHosts: JSON.parse(r.dst_hosts) as string[],
    dstPorts: JSON.parse(r.dst_ports) as number[],
    key: r.key,
    startMs: r.start_ms === null ? null : Number(r.start_ms),
    endMs: r.end_ms === null ? null : Number(r.end_ms),
  };
}

const SORTS: Record<NonNullable<WindowQuery['sort']>['by'], string> = {
  score: 'w.peak {dir}, w.mean {dir}, w.flows DESC, w.id',
  class: 'w.class {dir}, w.peak DESC, w.id',
  host: 'w.src_hosts[1] {dir}, w.peak DESC, w.id',
  size: 'w.flows {dir}, w.peak DESC, w.id',
  order: 'w.first_flow {dir}, w.id',
};

/**
 * Two windows (table aliases) with the same flows and class: same class, first and last flow
 * and flow count. A window keyed per source host holds only its host's flows of its range; two
 * keyed windows never share a first flow, and a keyed window holds all of its range exactly when
 * its count is the range's length, so this holds keyed or not.
 */
export function sameFlows(a: string, b: string): string {
  return `${a}.class = ${b}.class AND ${a}.first_flow = ${b}.first_flow AND ${a}.last_flow = ${b}.last_flow AND ${a}.flows = ${b}.flows`;
}

/** Refuses a `notIn` scan that is not another scan of the same capture as `scanId`'s. */
export async function checkNotIn(c: DuckDBConnection, scanId: number, notIn: number | undefined): Promise<void> {
  if (notIn === undefined) return;
  if (notIn === scanId) throw new MindflowError('bad-args', `scan #${scanId} cannot be compared with itself`);
  const [a, b] = [await scanMeta(c, scanId), await scanMeta(c, notIn)];
  if (a.captureId !== b.captureId) throw new MindflowError('bad-args', `scan #${notIn} is of capture #${b.captureId}, not of scan #${scanId}'s capture #${a.captureId}: windows compare only between scans of one capture`);
}

/** The queue's filter and order as SQL over `flagged_windows w LEFT JOIN verdicts v`. */
export function windowFilter(q: Omit<WindowQuery, 'offset' | 'limit'>): { where: string; params: Params; order: string } {
  const where: string[] = ['w.scan_id = ?'];
  const params: Params = [q.scanId];
  if (q.classes?.length) {
    where.push(`w.class IN (${q.classes.map(() => '?').join(', ')})`);
    params.push(...q.classes);
  }
  if (q.host) {
    where.push('(list_contains(w.src_hosts, ?) OR list_contains(w.dst_hosts, ?))');
    params.push(q.host, q.host);
  }
  if (q.status === 'untriaged') where.push('v.verdict IS NULL');
  else if (q.status) {
    where.push('v.verdict = ?');
    params.push(q.status);
  }
  if (q.minScore !== undefined) {
    where.push('w.peak >= ?');
    params.push(q.minScore);
  }
  if (q.maxScore !== undefined) {
    where.push('w.peak <= ?');
    params.push(q.maxScore);
  }
  if (q.notIn !== undefined) {
    where.push(`NOT EXISTS (SELECT 1 FROM flagged_windows o WHERE o.scan_id = ? AND ${sameFlows('o', 'w')})`);
    params.push(q.notIn);
  }
  const sort = q.sort ?? { by: 'score', dir: 'desc' };
  return { where: where.join(' AND '), params, order: SORTS[sort.by].replaceAll('{dir}', sort.dir === 'asc' ? 'ASC' : 'DESC') };
}

export async function listWindows(project: Project, q: WindowQuery): Promise<WindowPage> {
  const t0 = performance.now();
  return project.withConnection(async (c) => {
    await scanMeta(c, q.scanId);
    await checkNotIn(c, q.scanId, q.notIn);
    const { where, params, order } = windowFilter(q);
    const rows = await queryObjects<WindowRow>(c, `${WINDOW_SELECT} WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`, [...params, q.limit, q.offset]);
    const total = Number(await scalar(c, `SELECT count(*) FROM flagged_windows w LEFT JOIN verdicts v ON v.scan_id = w.scan_id AND v.window_id = w.id WHERE ${where}`, params));
    const statusRows = await queryObjects<{ s: string; n: number }>(
      c, `SELECT coalesce(v.verdict, 'untriaged') AS s, count(*) AS n FROM flagged_windows w LEFT JOIN verdicts v ON v.scan_id = w.scan_id AND v.window_id = w.id WHERE w.scan_id = ? GROUP BY 1`, [q.scanId]);
    const statusCounts: Record<TriageStatus, number> = { untriaged: 0, tp: 0, fp: 0, review: 0 };
    for (const r of statusRows) statusCounts[r.s as TriageStatus] = r.n;
    return { windows: rows.map((r) => toWindow(q.scanId, r)), total, statusCounts, ms: performance.now() - t0 };
  });
}

/**
 * The flagged windows of a scan that `where` (a condition over `w`, `v`) picks, in capture order:
 * a handful read by their ids (an incident's), never by paging through the scan's queue.
 */
export async function windowsWhere(c: DuckDBConnection, scanId: number, where: string, params: Params): Promise<FlaggedWindow[]> {
  const rows = await queryObjects<WindowRow>(c, `${WINDOW_SELECT} WHERE w.scan_id = ? AND (${where}) ORDER BY ${SORTS.order.replaceAll('{dir}', 'ASC')}`, [scanId, ...params]);
  return rows.map((r) => toWindow(scanId, r));
}

export async function getWindow(c: DuckDBConnection, scanId: number, windowId: number): Promise<FlaggedWindow> {
  const rows = await queryObjects<WindowRow>(c, `${WINDOW_SELECT} WHERE w.scan_id = ? AND w.id = ?`, [scanId, windowId]);
  if (!rows[0]) throw new MindflowError('bad-args', `no flagged window #${windowId} in scan #${scanId}`);
  return toWindow(scanId, rows[0]);
}

/** Ids as a DuckDB list literal for `?::INTEGER[]`: one parameter however many windows a change touches. */
export function idList(ids: number[]): string {
  for (const id of ids) if (!Number.isSafeInteger(id)) throw new MindflowError('bad-args', `window id ${String(id)} is not an integer`);
  return `[${ids.join(',')}]`;
}

/** A reason as stored: an empty one is none. */
function reasonOf(reason: string | undefined): string | null {
  return reason === undefined || reason === '' ? null : reason;
}

/**
 * Sets (or clears, with null) the verdict of windows. One transaction: the verdicts and one
 * audit row per window it changes, sharing a batch id so the whole change can be undone at once.
 * A window that already has this verdict and reason is left as it is (see `writeVerdicts`).
 */
export async function setVerdict(project: Project, scanId: number, windowIds: number[], verdict: Verdict | null, reason?: string): Promise<VerdictResult> {
  const unique = [...new Set(windowIds)];
  const ids = idList(unique);
  const count = unique.length;
  return project.transaction(async (c) => {
      await scanMeta(c, scanId);
      const picked = { where: 'w.scan_id = ? AND w.id IN (SELECT unnest(?::INTEGER[]))', params: [scanId, ids] };
      const known = Number(await scalar(c, `SELECT count(*) ${FROM_WINDOWS} WHERE ${picked.where}`, picked.params));
      if (known !== count) {
        const missing = await queryObjects<{ id: number }>(
          c, `SELECT id FROM (SELECT unnest(?::INTEGER[]) AS id) WHERE id NOT IN (SELECT id FROM flagged_windows WHERE scan_id = ?) ORDER BY id LIMIT 5`, [ids, scanId]);
        throw new MindflowError('bad-args', `no flagged window${count - known > 1 ? 's' : ''} ${missing.map((m) => m.id).join(', ')} in scan #${scanId}`);
      }
      return writeVerdicts(c, scanId, picked, known, verdict, reasonOf(reason));
  });
}

/**
 * Sets (or clears) the verdict of every window the queue's filters match (all of a scan's
 * windows from one host, say), as one undoable change.
 */
export async function setVerdictMatching(project: Project, filter: Omit<WindowQuery, 'offset' | 'limit' | 'sort'>, verdict: Verdict | null, reason?: string): Promise<VerdictResult> {
  return project.transaction(async (c) => {
      await scanMeta(c, filter.scanId);
      await checkNotIn(c, filter.scanId, filter.notIn);
      const { where, params } = windowFilter(filter);
      // counted before the change: a status filter matches other windows after it
      const matched = Number(await scalar(c, `SELECT count(*) ${FROM_WINDOWS} WHERE ${where}`, params));
      return writeVerdicts(c, filter.scanId, { where, params }, matched, verdict, reasonOf(reason));
  });
}

const FROM_WINDOWS = 'FROM flagged_windows w LEFT JOIN verdicts v ON v.scan_id = w.scan_id AND v.window_id = w.id';

/**
 * Writes one verdict change of the windows `picked` selects (a WHERE over `FROM_WINDOWS`, which
 * matches `matched` windows): an audit row per window it changes, in one batch, then the verdicts
 * from those rows. A window changes when its verdict is another, or the same with another reason
 * (an audit row whose previous verdict is its value: the reason changed); one that already has
 * this verdict and reason (or is untriaged, for a clear) gets no audit row, and its verdict keeps
 * its time and analyst: applying a verdict again is no change. Set-based, so a change of 100,000
 * windows takes a fraction of a second.
 */
async function writeVerdicts(c: DuckDBConnection, scanId: number, picked: { where: string; params: Params }, matched: number, verdict: Verdict | null, reason: string | null): Promise<VerdictResult> {
  const analyst = analystName();
  const batch = Number(await scalar(c, `SELECT nextval('audit_ids')`));
  const changes = verdict === null ? 'v.verdict IS NOT NULL' : '(v.verdict IS DISTINCT FROM ? OR v.reason IS DISTINCT FROM ?)';
  await c.run(
    `INSERT INTO audit_log (id, batch, ts, analyst, action, scan_id, window_id, previous, value, reason, previous_reason, previous_analyst, previous_at)
     SELECT nextval('audit_ids'), ?, now()::TIMESTAMP, ?, 'verdict', ?, id, previous, ?, ?, previous_reason, previous_analyst, previous_at
     FROM (SELECT w.id, v.verdict AS previous, v.reason AS previous_reason, v.analyst AS previous_analyst, v.ts AS previous_at ${FROM_WINDOWS} WHERE (${picked.where}) AND ${changes} ORDER BY w.id)`,
    [batch, analyst, scanId, verdict, reason, ...picked.params, ...(verdict === null ? [] : [verdict, reason])],
  );
  await c.run(`DELETE FROM verdicts WHERE scan_id = ? AND window_id IN (SELECT window_id FROM audit_log WHERE batch = ?)`, [scanId, batch]);
  if (verdict !== null) await c.run(`INSERT INTO verdicts SELECT scan_id, window_id, value, reason, analyst, ts FROM audit_log WHERE batch = ?`, [batch]);
  const counts = await queryObjects<{ updated: number | bigint; reason_changed: number | bigint }>(
    c, `SELECT count(*) AS updated, count(*) FILTER (WHERE previous IS NOT DISTINCT FROM value) AS reason_changed FROM audit_log WHERE batch = ?`, [batch]);
  const updated = Number(counts[0]?.updated ?? 0);
  return { updated, reasonChanged: Number(counts[0]?.reason_changed ?? 0), unchanged: matched - updated };
}

/**
 * Undoes the newest verdict change not yet undone: every window it touched gets its previous
 * verdict back as it was, with its reason, analyst and time (the undo's entry names that reason). Set-based, so undoing a carry or a bulk change of 100,000 windows is quick.
 */
export async function undoVerdict(project: Project): Promise<{ undone: number; scanId: number | null }> {
  const analyst = analystName();
  return project.transaction(async (c) => {
      // a change to a scan deleted since (or a capture's) has nothing left to undo
      const last = await queryObjects<{ batch: number; scan_id: number }>(
        c, `SELECT batch, scan_id FROM audit_log WHERE action = 'verdict' AND NOT undone AND scan_id IN (SELECT id FROM scans) ORDER BY id DESC LIMIT 1`);
      if (!last[0]) return { undone: 0, scanId: null };
      const { batch: undoing, scan_id: scanId } = last[0]; // one change touches one scan
      const entries = `FROM audit_log WHERE batch = ${Number(undoing)} AND action = 'verdict'`;
      await c.run(`DELETE FROM verdicts WHERE scan_id = ? AND window_id IN (SELECT window_id ${entries})`, [scanId]);
      // the verdict as it was: its reason, analyst and time (entries older than those columns: none, the undoer, now)
      await c.run(
        `INSERT INTO verdicts SELECT scan_id, window_id, previous, previous_reason, coalesce(previous_analyst, ?), coalesce(previous_at, now()::TIMESTAMP) ${entries} AND previous IS NOT NULL`,
        [analyst],
      );
      const batch = Number(await scalar(c, `SELECT nextval('audit_ids')`));
      const undone = Number(await scalar(c, `SELECT count(*) ${entries}`));
      await c.run(
        `INSERT INTO audit_log (id, batch, ts, analyst, action, scan_id, window_id, previous, value, reason)
         SELECT nextval('audit_ids'), ?, now()::TIMESTAMP, ?, 'undo', scan_id, window_id, value, previous, previous_reason FROM (SELECT * ${entries} ORDER BY id)`,
        [batch, analyst],
      );
      await c.run(`UPDATE audit_log SET undone = true WHERE batch = ? AND action = 'verdict'`, [undoing]);
      return { undone, scanId };
  });
}

export interface AuditQuery {
  limit?: number | undefined;
  /** one scan's entries, or one window's (with windowId) */
  scanId?: number | undefined;
  windowId?: number | undefined;
}

/** The audit trail's WHERE clause for a query (`a` is audit_log). */
export function auditFilter(q: Pick<AuditQuery, 'scanId' | 'windowId'>): { where: string; params: number[] } {
  const where: string[] = [];
  const params: number[] = [];
  if (q.scanId !== undefined) {
    where.push('a.scan_id = ?');
    params.push(q.scanId);
  }
  if (q.windowId !== undefined) {
    where.push('a.window_id = ?');
    params.push(q.windowId);
  }
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

/** Every audit column with the window it names (its class, capture), as the panel and the export read them. */
export const AUDIT_SELECT = `SELECT a.id, a.batch, strftime(a.ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS at, a.analyst, a.action, a.scan_id, a.window_id,
    w.class AS window_class, s.capture_id, cap.file_name AS capture_name, a.previous, a.value, a.reason, a.undone
  FROM audit_log a
  LEFT JOIN flagged_windows w ON w.scan_id = a.scan_id AND w.id = a.window_id
  LEFT JOIN scans s ON s.id = a.scan_id
  LEFT JOIN captures cap ON cap.id = s.capture_id`;

/**
 * The audit trail, newest first: every verdict set or cleared, every undo and every note, with
 * who and when, what it was before, the reason, whether it was undone later, and the window
 * it names (its class, capture), so the trail reads on its own after windows are rescanned.
 */
export async function auditLog(project: Project, q: AuditQuery = {}): Promise<AuditPage> {
  const { where, params } = auditFilter(q);
  return project.withConnection(async (c) => {
    const rows = await queryObjects<{
      id: number; batch: number; at: string; analyst: string; action: AuditEntry['action']; scan_id: number; window_id: number;
      previous: string | null; value: string | null; reason: string | null; undone: boolean; window_class: string | null; capture_id: number | null; capture_name: string | null;
    }>(c, `${AUDIT_SELECT} ${where} ORDER BY a.id DESC LIMIT ?`, [...params, q.limit ?? 200]);
    const total = Number(await scalar(c, `SELECT count(*) FROM audit_log a ${where}`, params));
    const entries = rows.map((r) => ({
      id: r.id,
      batch: r.batch,
      at: r.at,
      analyst: r.analyst,
      action: r.action,
      scanId: r.scan_id,
      windowId: r.window_id,
      previous: r.previous,
      value: r.value,
      reason: r.reason,
      undone: r.undone,
      windowClass: r.window_class,
      captureId: r.capture_id,
      captureName: r.capture_name,
    }));
    return { entries, total };
  });
}

export async function addNote(project: Project, scanId: number, windowId: number, text: string): Promise<WindowNote> {
  const analyst = analystName();
  return project.transaction(async (c) => {
      await getWindow(c, scanId, windowId);
      const id = Number(await scalar(c, `SELECT nextval('note_ids')`));
      await c.run(`INSERT INTO notes VALUES (?, ?, ?, now()::TIMESTAMP, ?, ?)`, [id, scanId, windowId, analyst, text]);
      await c.run(
        `INSERT INTO audit_log (id, batch, ts, analyst, action, scan_id, window_id, previous, value, reason) VALUES (nextval('audit_ids'), currval('audit_ids'), now()::TIMESTAMP, ?, 'note', ?, ?, NULL, ?, NULL)`,
        [analyst, scanId, windowId, text],
      );
      return (await notesOf(c, scanId, windowId)).find((n) => n.id === id)!;
  });
}

export async function notesOf(c: DuckDBConnection, scanId: number, windowId: number): Promise<WindowNote[]> {
  const rows = await queryObjects<{ id: number; at: string; analyst: string; text: string }>(
    c, `SELECT id, strftime(ts, '%Y-%m-%dT%H:%M:%SZ') AS at, analyst, text FROM notes WHERE scan_id = ? AND window_id = ? ORDER BY id`, [scanId, windowId]);
  return rows.map((r) => ({ id: r.id, scanId, windowId, at: r.at, analyst: r.analyst, text: r.text }));
}

/** Flow ids of a window and `context` flows before and after it, in key order. */
export async function windowFlowIds(c: DuckDBConnection, capture: CaptureInfo, w: FlaggedWindow, context: number): Promise<{ ids: number[]; inWindow: boolean[] }> {
  const table = flowsTable(capture.id);
  if (w.key === null) {
    const from = Math.max(0, w.firstFlow - context);
    const to = Math.min(capture.rows - 1, w.lastFlow + context);
    const ids = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    return { ids, inWindow: ids.map((id) => id >= w.firstFlow && id <= w.lastFlow) };
  }
  const rows = await queryObjects<{ id: number }>(
    c,
    `(SELECT rowid AS id FROM ${table} WHERE "IPV4_SRC_ADDR" = ? AND rowid < ? ORDER BY rowid DESC LIMIT ?)
     UNION ALL (SELECT rowid AS id FROM ${table} WHERE "IPV4_SRC_ADDR" = ? AND rowid BETWEEN ? AND ?)
     UNION ALL (SELECT rowid AS id FROM ${table} WHERE "IPV4_SRC_ADDR" = ? AND rowid > ? ORDER BY rowid LIMIT ?)`,
    [w.key, w.firstFlow, context, w.key, w.firstFlow, w.lastFlow, w.key, w.lastFlow, context],
  );
  const ids = rows.map((r) => r.id).sort((a, b) => a - b);
  return { ids, inWindow: ids.map((id) => id >= w.firstFlow && id <= w.lastFlow) };
}

export async function windowDetail(project: Project, captureOf: (id: number) => Promise<CaptureInfo>, scanId: number, windowId: number, context = 10): Promise<WindowDetail> {
  return project.withConnection(async (c) => {
    const meta = await scanMeta(c, scanId);
    const capture = await captureOf(meta.captureId);
    const window = await getWindow(c, scanId, windowId);
    const { ids, inWindow } = await windowFlowIds(c, capture, window, context);
    const k = meta.classes.length;
    const probCols = meta.classes.map((_, i) => `p.p${i}`).join(', ');
    const lo = ids[0] ?? 0;
    const hi = ids[ids.length - 1] ?? 0;
    const reader = await c.runAndReadAll(
      `SELECT f.rowid AS flow_id, ${capture.columns.map((col) => `f.${ident(col)}`).join(', ')}, ${probCols}
       FROM ${flowsTable(capture.id)} f POSITIONAL JOIN scan_${scanId} p
       WHERE f.rowid BETWEEN ? AND ? AND f.rowid IN (${ids.map(() => '?').join(', ') || 'NULL'}) ORDER BY f.rowid`,
      [lo, hi, ...ids],
    );
    const raw = reader.getRowsJS() as unknown[][];
    const n = capture.columns.length + 1;
    const rows = raw.map((r) => r.slice(0, n).map((v) => (typeof v === 'bigint' ? Number(v) : (v as string | number | null))));
    const probs = raw.map((r) => r.slice(n, n + k).map((v) => Number(v)));
    const labelIndex = capture.columns.indexOf('Attack');
    const labels = rows.map((r) => (labelIndex >= 0 ? ((r[labelIndex + 1] as string | null) ?? null) : null));
    const inside = probs.filter((_, i) => inWindow[i]);
    const windowProbs = meta.classes.map((_, j) => inside.reduce((s, p) => s + p[j]!, 0) / Math.max(1, inside.length));
    const neighbours = await queryObjects<{ prev: number | null; next: number | null }>(
      c,
      `SELECT (SELECT id FROM flagged_windows WHERE scan_id = ? AND (first_flow, id) < (?, ?) ORDER BY first_flow DESC, id DESC LIMIT 1) AS prev,
              (SELECT id FROM flagged_windows WHERE scan_id = ? AND (first_flow, id) > (?, ?) ORDER BY first_flow, id LIMIT 1) AS next`,
      [scanId, window.firstFlow, window.id, scanId, window.firstFlow, window.id],
    );
    return {
      window,
      classes: meta.classes,
      columns: [{ name: 'flow_id', type: 'integer' }, ...capture.columns.map(columnInfoOf)],
      rows,
      probs,
      inWindow,
      labels,
      windowProbs,
      previousId: neighbours[0]?.prev ?? null,
      nextId: neighbours[0]?.next ?? null,
      notes: await notesOf(c, scanId, windowId),
      otherVerdicts: await otherVerdicts(c, scanId, windowId),
    };
  });
}

/**
 * How many flows and windows a threshold would flag, with recall and false positives against
 * the labels. One pass: a flow flagged at t starts a window unless its predecessor (in key
 * order) is flagged at t with the same class, so windows(t) = #(conf >= t) - #(min(conf,
 * prev conf) >= t over same-class pairs).
 */
export async function thresholdCurve(project: Project, captureOf: (id: number) => Promise<CaptureInfo>, scanId: number): Promise<ThresholdPoint[]> {
  return project.withConnection(async (c) => {
    const meta = await scanMeta(c, scanId);
    const capture = await captureOf(meta.captureId);
    const benign = meta.classes.findIndex((x) => x.toLowerCase() === 'benign');
    const labelled = capture.labelled && capture.columns.includes('Attack');
    const key = meta.keyed ? 'f."IPV4_SRC_ADDR"' : 'NULL';
    const isAttackLabel = labelled ? `(lower(f."Attack") <> 'benign')` : 'NULL';
    const thresholds = Array.from({ length: 19 }, (_, i) => Math.round((0.05 + i * 0.05) * 100) / 100).concat([0.97, 0.99, 0.999]).sort((a, b) => a - b);
    const rows = await queryObjects<Record<string, number | null>>(
      c,
      `WITH s AS (
         SELECT p.predicted, p.confidence, ${isAttackLabel} AS attack_label,
                lag(p.predicted) OVER (PARTITION BY ${key} ORDER BY f.rowid) AS prev_pred,
                lag(p.confidence) OVER (PARTITION BY ${key} ORDER BY f.rowid) AS prev_conf
         FROM ${flowsTable(capture.id)} f POSITIONAL JOIN scan_${scanId} p)
       SELECT ${thresholds.map((t, i) => `
         count(*) FILTER (WHERE predicted <> ${benign} AND confidence >= ${t}) AS f${i},
         count(*) FILTER (WHERE predicted <> ${benign} AND confidence >= ${t} AND prev_pred = predicted AND prev_conf >= ${t}) AS c${i},
         count(*) FILTER (WHERE predicted <> ${benign} AND confidence >= ${t} AND attack_label) AS tp${i},
         count(*) FILTER (WHERE predicted <> ${benign} AND confidence >= ${t} AND NOT attack_label) AS fp${i}`).join(',')},
         count(*) FILTER (WHERE attack_label) AS attacks, count(*) FILTER (WHERE NOT attack_label) AS benigns
       FROM s`,
    );
    const r = rows[0]!;
    const attacks = Number(r.attacks ?? 0);
    const benigns = Number(r.benigns ?? 0);
    return thresholds.map((t, i) => ({
      threshold: t,
      flaggedFlows: Number(r[`f${i}`]),
      windows: Number(r[`f${i}`]) - Number(r[`c${i}`]),
      recall: labelled && attacks > 0 ? Number(r[`tp${i}`]) / attacks : null,
      falsePositives: labelled ? Number(r[`fp${i}`]) : null,
      falsePositiveRate: labelled && benigns > 0 ? Number(r[`fp${i}`]) / benigns : null,
    }));
  });
}
