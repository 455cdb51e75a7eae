/**
 * Interactive queries over one capture: a page of flows, aggregates, count-by and the class
 * histogram over capture order. Every value is a bound parameter (see filters.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Aggregates, CaptureInfo, ColumnInfo, CountRow, FlowFilter, FlowPage, Histogram, HistogramAxis } from '../../../preload/contract.ts';
import { EMPTY_LABEL, columnInfoOf } from '../capture/schema.ts';
import { flowsTable, ident, literal, query, queryObjects, scalar } from '../db.ts';
import { MindflowError } from '../errors.ts';
import { SCAN_COLUMNS, buildWhere, resolveField, type Where } from './filters.ts';

/** Where a query reads flows from: the capture's table, or a view joining a scan to it. */
export interface FlowSource {
  from: string;
  /** how the flow id is spelled in `from` */
  id: string;
  /** filterable / selectable columns besides the flow id */
  columns: string[];
  columnInfo: ColumnInfo[];
  scanned: boolean;
}

export async function flowSource(conn: DuckDBConnection, capture: CaptureInfo, scanId?: number): Promise<FlowSource> {
  const base = capture.columns.map(columnInfoOf);
  if (scanId === undefined) return { from: flowsTable(capture.id), id: 'rowid', columns: capture.columns, columnInfo: base, scanned: false };
  const scans = await queryObjects<{ capture_id: number; classes: string }>(conn, `SELECT capture_id, classes FROM scans WHERE id = ?`, [scanId]);
  const scan = scans[0];
  if (!scan) throw new MindflowError('bad-args', `no scan #${scanId} in this project`);
  if (scan.capture_id !== capture.id) throw new MindflowError('bad-args', `scan #${scanId} belongs to capture #${scan.capture_id}, not #${capture.id}`);
  const classes = JSON.parse(scan.classes) as string[];
  const classCase = `CASE p.predicted ${classes.map((c, i) => `WHEN ${i} THEN ${literal(c)}`).join(' ')} END`;
  const from = `(SELECT f.rowid AS flow_id, ${capture.columns.map((c) => `f.${ident(c)}`).join(', ')},
      ${classCase} AS predicted, p.confidence, p.attack_score, v.verdict
    FROM ${flowsTable(capture.id)} f POSITIONAL JOIN scan_${scanId} p
    LEFT JOIN (SELECT w.first_flow, w.last_flow, w.key, d.verdict FROM flagged_windows w
               JOIN verdicts d ON d.scan_id = w.scan_id AND d.window_id = w.id WHERE w.scan_id = ${scanId}) v
      ON f.rowid BETWEEN v.first_flow AND v.last_flow AND (v.key IS NULL OR v.key = f."IPV4_SRC_ADDR")) t`;
  const scanCols = Object.keys(SCAN_COLUMNS);
  return {
    from,
    id: 'flow_id',
    columns: [...capture.columns, ...scanCols],
    columnInfo: [...base, ...scanCols.map((name) => ({ name, type: SCAN_COLUMNS[name] === 'float' ? ('float' as const) : ('text' as const) }))],
    scanned: true,
  };
}

export interface PageRequest {
  filter: FlowFilter;
  sort?: { column: string; dir: 'asc' | 'desc' } | undefined;
  offset: number;
  limit: number;
}

/**
 * The flow id and every column of `src`, as the flow table shows them and an export writes
 * them; with `only`, just those (in that order), each checked against `src`.
 */
export function flowColumns(src: FlowSource, only?: readonly string[]): string[] {
  if (!only) return ['flow_id', ...src.columns];
  if (only.length === 0) throw new MindflowError('bad-args', 'choose at least one column to export');
  const unknown = only.filter((c) => c !== 'flow_id' && !src.columns.includes(c));
  if (unknown.length) throw new MindflowError('bad-args', `no column ${unknown.map((c) => `"${c}"`).join(', ')} in these flows`);
  return [...new Set(only)];
}

export function flowSelect(src: FlowSource, only?: readonly string[]): string {
  return flowColumns(src, only)
    .map((c) => (c === 'flow_id' ? `${src.id} AS flow_id` : ident(c)))
    .join(', ');
}

/** A sort checked against the flows' columns: the column (or flow_id) and its direction. */
export function flowSort(src: FlowSource, sort: PageRequest['sort']): { column: string; dir: 'ASC' | 'DESC'; order: string } {
  const column = sort ? resolveField(sort.column, src.columns) : 'flow_id';
  if (column === 'host' || column === 'port') throw new MindflowError('bad-args', `cannot sort by ${column}`);
  const dir = sort?.dir === 'desc' ? 'DESC' : 'ASC';
  return { column, dir, order: column === 'flow_id' ? `${src.id} ${dir}` : `${ident(column)} ${dir} NULLS LAST, ${src.id} ASC` };
}

export async function queryFlows(conn: DuckDBConnection, capture: CaptureInfo, req: PageRequest): Promise<FlowPage> {
  const t0 = performance.now();
  const src = await flowSource(conn, capture, req.filter.scanId);
  const where = buildWhere(req.filter, src.columns, src.id);
  const select = flowSelect(src);
  const { column: sortCol, dir, order } = flowSort(src, req.sort);
  const columns = [{ name: 'flow_id', type: 'integer' as const }, ...src.columnInfo];

  if (!src.scanned && where.sql === '' && sortCol === 'flow_id') {
    // The unfiltered table in capture order: rowid is the flow id, so a page is a rowid range.
    const from = dir === 'ASC' ? req.offset : capture.rows - req.offset - req.limit;
    const to = dir === 'ASC' ? req.offset + req.limit : capture.rows - req.offset;
    const { rows } = await query(conn, `SELECT ${select} FROM ${src.from} WHERE rowid >= ? AND rowid < ? ORDER BY rowid ${dir}`, [Math.max(0, from), to]);
    return { columns, rows, total: capture.rows, offset: req.offset, ms: performance.now() - t0 };
  }
  const [rows, total] = await Promise.all([
    !src.scanned && sortCol === 'flow_id' && dir === 'ASC'
      ? // With insertion order preserved (DuckDB's default), an unordered scan returns rows in
        // rowid order, so LIMIT/OFFSET needs no sort at all.
        query(conn, `SELECT ${select} FROM ${src.from} ${where.sql} LIMIT ? OFFSET ?`, [...where.params, req.limit, req.offset]).then((r) => r.rows)
      : sortedPage(conn, src, select, where, order, req),
    countWhere(conn, src, where, capture.rows),
  ]);
  return { columns, rows, total, offset: req.offset, ms: performance.now() - t0 };
}

/**
 * A sorted page in two steps: the sort touches only the rowid and the sort key, then the
 * page's full rows are fetched by rowid (late materialisation; 2-3x faster on wide tables).
 */
async function sortedPage(conn: DuckDBConnection, src: FlowSource, select: string, where: Where, order: string, req: PageRequest): Promise<FlowPage['rows']> {
  const ids = (await query(conn, `SELECT ${src.id} FROM ${src.from} ${where.sql} ORDER BY ${order} LIMIT ? OFFSET ?`, [...where.params, req.limit, req.offset])).rows.map((r) => Number(r[0]));
  if (ids.length === 0) return [];
  const lo = Math.min(...ids);
  const hi = Math.max(...ids);
  const { rows } = await query(conn, `SELECT ${select} FROM ${src.from} WHERE ${src.id} BETWEEN ? AND ? AND ${src.id} IN (${ids.map(() => '?').join(',')})`, [lo, hi, ...ids]);
  const byId = new Map(rows.map((r) => [Number(r[0]), r]));
  return ids.map((id) => byId.get(id)!).filter(Boolean);
}

async function countWhere(conn: DuckDBConnection, src: FlowSource, where: Where, rows: number): Promise<number> {
  if (where.sql === '') return rows;
  return Number(await scalar(conn, `SELECT count(*) FROM ${src.from} ${where.sql}`, where.params));
}

export async function countFlows(conn: DuckDBConnection, capture: CaptureInfo, filter: FlowFilter): Promise<number> {
  const src = await flowSource(conn, capture, filter.scanId);
  return countWhere(conn, src, buildWhere(filter, src.columns, src.id), capture.rows);
}

export async function countBy(conn: DuckDBConnection, capture: CaptureInfo, filter: FlowFilter, column: string, limit = 50): Promise<CountRow[]> {
  const src = await flowSource(conn, capture, filter.scanId);
  const field = resolveField(column, src.columns);
  if (field === 'host' || field === 'port') throw new MindflowError('bad-args', `count by a real column, not "${field}"`);
  const where = buildWhere(filter, src.columns, src.id);
  const col = field === 'flow_id' ? src.id : ident(field);
  return queryObjects<CountRow>(
    conn,
    `SELECT ${col} AS value, count(*) AS count FROM ${src.from} ${where.sql} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?`,
    [...where.params, limit],
  );
}

export async function aggregates(withConn: <T>(fn: (c: DuckDBConnection) => Promise<T>) => Promise<T>, capture: CaptureInfo, filter: FlowFilter, top = 10): Promise<Aggregates> {
  const t0 = performance.now();
  const src = await withConn((c) => flowSource(c, capture, filter.scanId));
  const where = buildWhere(filter, src.columns, src.id);
  const counts = (col: string) =>
    withConn((c) =>
      queryObjects<CountRow>(c, `SELECT ${col} AS value, count(*) AS count FROM ${src.from} ${where.sql} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?`, [...where.params, top]),
    );
  const [classCounts, protocols, topSources, topDestinations, topPairs, topDstPorts, total] = await Promise.all([
    capture.labelled ? counts('"Attack"') : Promise.resolve([] as CountRow[]),
    counts('"PROTOCOL"'),
    counts('"IPV4_SRC_ADDR"'),
    counts('"IPV4_DST_ADDR"'),
    withConn((c) =>
      queryObjects<{ src: string; dst: string; count: number }>(
        c,
        `SELECT "IPV4_SRC_ADDR" AS src, "IPV4_DST_ADDR" AS dst, count(*) AS count FROM ${src.from} ${where.sql} GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT ?`,
        [...where.params, top],
      ),
    ),
    counts('"L4_DST_PORT"'),
    withConn((c) => countWhere(c, src, where, capture.rows)),
  ]);
  return { total, classCounts, protocols, topSources, topDestinations, topPairs, topDstPorts, ms: performance.now() - t0 };
}

/**
 * Flows by class over capture order, in `bins` equal ranges of flow ids, coloured by the
 * capture's labels or (with a scan) by predicted class. The brush range (`flowRange`) is not
 * applied: the histogram always shows the whole capture so the brush can move; the other
 * clauses are. On the time axis (a capture stored in time order) the bins are equal spans of
 * FLOW_START_MILLISECONDS over the whole capture, each with the flow ids it holds.
 */
export async function histogram(
  conn: DuckDBConnection,
  capture: CaptureInfo,
  filter: FlowFilter,
  bins: number,
  colourBy: Histogram['colourBy'] = 'label',
  axis: HistogramAxis = 'flow',
): Promise<Histogram> {
  const t0 = performance.now();
  const n = capture.rows;
  const nb = Math.max(1, Math.min(bins, n));
  const binWidth = n / nb;
  if (colourBy === 'predicted' && filter.scanId === undefined) throw new MindflowError('bad-args', 'colour by predicted class needs a scan (filter.scanId)');
  if (axis === 'time' && capture.order !== 'FLOW_START_MILLISECONDS') {
    throw new MindflowError('bad-args', `capture #${capture.id} has no flow start times (only v3 captures do): its histogram is over capture order`);
  }
  const src = await flowSource(conn, capture, filter.scanId);
  const where = buildWhere({ clauses: filter.clauses, scanId: filter.scanId }, src.columns, src.id);
  const seriesExpr = colourBy === 'predicted' ? `coalesce(predicted, '(none)')` : capture.labelled ? `coalesce("Attack", '${EMPTY_LABEL}')` : `'all'`;
  const time = axis === 'time' ? await timeBins(conn, capture, nb) : undefined;
  const binExpr = time ? time.expr : `least(CAST(floor(${src.id} * ? / ?) AS BIGINT), ?)`;
  const binParams = time ? time.params : [nb, n, nb - 1];
  const rows = await queryObjects<{ b: number; s: string; n: number }>(
    conn,
    `SELECT ${binExpr} AS b, ${seriesExpr} AS s, count(*) AS n FROM ${src.from} ${where.sql} GROUP BY 1, 2`,
    [...binParams, ...where.params],
  );
  const order = colourBy === 'label' ? (capture.labelled ? Object.keys(capture.classCounts) : ['all']) : [];
  const found = [...new Set(rows.map((r) => r.s))].sort();
  const series = [...order, ...found.filter((s) => !order.includes(s))];
  const index = new Map(series.map((s, i) => [s, i]));
  const counts = Array.from({ length: nb }, () => new Array<number>(series.length).fill(0));
  for (const r of rows) counts[r.b]![index.get(r.s)!] = r.n;
  return { colourBy, axis, ...(time ? { time: time.axis } : {}), from: 0, to: n, binWidth, series, counts, ms: performance.now() - t0 };
}

/**
 * The time axis of a capture stored in time order: `nb` equal spans from its first flow start
 * to its last, the SQL that puts a flow in its span, and each span's flow ids (one pass over the
 * capture: flows are stored by start time, so a span's flows are one run of ids).
 */
async function timeBins(conn: DuckDBConnection, capture: CaptureInfo, nb: number): Promise<{ expr: string; params: number[]; axis: NonNullable<Histogram['time']> }> {
  const expr = `least(greatest(CAST(floor(("FLOW_START_MILLISECONDS" - ?) / ?) AS BIGINT), 0), ?)`;
  // a capture's flows never change, and the same file imports to the same flows in any project
  const key = `${capture.sha256}:${capture.rows}:${nb}`;
  const known = timeAxes.get(key);
  if (known) return { expr, params: [known.from, known.binMs, nb - 1], axis: known };
  const table = flowsTable(capture.id);
  const [range] = await queryObjects<{ lo: number | null; hi: number | null }>(conn, `SELECT min("FLOW_START_MILLISECONDS") AS lo, max("FLOW_START_MILLISECONDS") AS hi FROM ${table}`);
  const lo = Number(range?.lo ?? 0);
  const hi = Number(range?.hi ?? 0);
  // half-open, so the last flow falls inside: at least 1 ms per bin
  const binMs = Math.max(1, (hi + 1 - lo) / nb);
  const params = [lo, binMs, nb - 1];
  const extents = await queryObjects<{ b: number; first: number; end: number }>(conn, `SELECT ${expr} AS b, min(rowid) AS first, max(rowid) + 1 AS "end" FROM ${table} GROUP BY 1`, params);
  const flows: [number, number][] = new Array(nb);
  for (const e of extents) flows[e.b] = [Number(e.first), Number(e.end)];
  // an empty span holds no flows: an empty run where the next span's flows start
  let next = capture.rows;
  for (let b = nb - 1; b >= 0; b--) {
    if (flows[b]) next = flows[b]![0];
    else flows[b] = [next, next];
  }
  const axis = { from: lo, to: lo + binMs * nb, binMs, flows };
  timeAxes.set(key, axis);
  if (timeAxes.size > 32) timeAxes.delete(timeAxes.keys().next().value!);
  return { expr, params, axis };
}

/** time axes already measured (each costs a pass over the capture), the oldest dropped first */
const timeAxes = new Map<string, NonNullable<Histogram['time']>>();
