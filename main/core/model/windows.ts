/**
 * Flow windows: for each flow, the W flows ending at it in capture order (rowid), optionally
 * keyed per source host. Missing predecessors (the first flows of a key) are zeros with a
 * mask channel of 0; the mask is the last channel of every step (1 = a real flow).
 *
 * Two forms of the same windows:
 * - in memory for training: `windowIndex` (row indices, -1 = pad) + `gatherWindows`;
 * - streaming for scoring: `WindowCarry` keeps the last W-1 rows per key across batches,
 *   and `streamWindows` reads a DuckDB flows table in rowid ranges, so a capture of any size
 *   is never materialised as one tensor.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { MindflowError } from '../errors.ts';
import { Codebook, columnKind, encodeColumns, featureCount, standardize, type FeatureSet, type FeatureStats, type RowScaler } from './features.ts';
import { NO_LABEL, classMatcher, isBenignLabel } from './metrics.ts';

export const KEY_COLUMN = 'IPV4_SRC_ADDR';
export const LABEL_COLUMN = 'Attack';

/** [n, W] predecessor indices in capture order (same key when keys are given); -1 = padding. */
export function windowIndex(n: number, window: number, keys?: ArrayLike<string | null> | null): Int32Array {
  const index = new Int32Array(n * window).fill(-1);
  if (!keys) {
    for (let i = 0; i < n; i++) for (let p = 0; p < window; p++) index[i * window + p] = i - (window - 1 - p) >= 0 ? i - (window - 1 - p) : -1;
    return index;
  }
  const history = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const key = keys[i] ?? '';
    let h = history.get(key);
    if (!h) history.set(key, (h = []));
    const base = i * window + (window - 1 - h.length);
    for (let p = 0; p < h.length; p++) index[base + p] = h[p]!;
    index[i * window + window - 1] = i;
    h.push(i);
    if (h.length > window - 1) h.shift();
  }
  return index;
}

/**
 * [rows.length, W, f+1] windows of `rows` from an [n, f] feature matrix and its window index;
 * with a scaler, each row is standardised (and its codes remapped) as it is copied.
 */
export function gatherWindows(features: Float32Array, f: number, index: Int32Array, window: number, rows: ArrayLike<number>, out?: Float32Array, scaler?: RowScaler): Float32Array {
  const c = f + 1;
  const x = out ?? new Float32Array(rows.length * window * c);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    for (let p = 0; p < window; p++) {
      const src = index[row * window + p]!;
      const o = (r * window + p) * c;
      if (src < 0) {
        x.fill(0, o, o + c);
      } else {
        if (scaler) scaler.copy(features, src, x, o);
        else x.set(features.subarray(src * f, src * f + f), o);
        x[o + f] = 1;
      }
    }
  }
  return x;
}

/** [n, W, C] windows from their compact form `rows` [W-1+n, C] (window i = rows i..i+W-1). */
export function expandWindows(rows: Float32Array, n: number, window: number, channels: number, out = new Float32Array(n * window * channels)): Float32Array {
  for (let i = 0; i < n; i++) out.set(rows.subarray(i * channels, (i + window) * channels), i * window * channels);
  return out;
}

/** Builds windows batch by batch, carrying the last W-1 rows of each key across batches. */
export class WindowCarry {
  private readonly history = new Map<string, Float32Array[]>();
  /** unkeyed: the last W-1 rows (with their mask channel), padding rows all zero */
  private tail: Float32Array | null = null;
  constructor(
    readonly features: number,
    readonly window: number,
    readonly keyed: boolean,
  ) {}

  /**
   * Unkeyed only: the previous W-1 rows + this batch as one [W-1+n, f+1] matrix (mask channel
   * set), window i being rows i..i+W-1: the compact form of push(), see expandWindows.
   */
  pushRows(rows: Float32Array): Float32Array {
    if (this.keyed) throw new Error('keyed windows have no compact form');
    const f = this.features;
    const w = this.window;
    const c = f + 1;
    const n = rows.length / f;
    const all = new Float32Array((w - 1 + n) * c);
    if (this.tail) all.set(this.tail);
    for (let i = 0; i < n; i++) {
      const o = (w - 1 + i) * c;
      all.set(rows.subarray(i * f, i * f + f), o);
      all[o + f] = 1;
    }
    this.tail = all.slice(n * c);
    return all;
  }

  /** rows: [n, f] standardised features in capture order; returns [n, W, f+1]. */
  push(rows: Float32Array, keys?: ArrayLike<string | null> | null): Float32Array {
    const f = this.features;
    const w = this.window;
    const c = f + 1;
    const n = rows.length / f;
    const x = new Float32Array(n * w * c);
    if (!this.keyed) {
      // Unkeyed: window i is the contiguous block of rows i..i+W-1 of the compact form, so
      // each window is one copy.
      return expandWindows(this.pushRows(rows), n, w, c, x);
    }
    for (let i = 0; i < n; i++) {
      const key = this.keyed ? (keys?.[i] ?? '') : '';
      let h = this.history.get(key);
      if (!h) this.history.set(key, (h = []));
      const row = rows.subarray(i * f, i * f + f);
      const start = w - 1 - h.length;
      for (let p = 0; p < h.length; p++) {
        const o = (i * w + start + p) * c;
        x.set(h[p]!, o);
        x[o + f] = 1;
      }
      const o = (i * w + w - 1) * c;
      x.set(row, o);
      x[o + f] = 1;
      if (w > 1) {
        h.push(row.slice());
        if (h.length > w - 1) h.shift();
      }
    }
    return x;
  }
}

export interface FlowRows {
  /** rowid of each flow */
  flowIds: Float64Array;
  /** [n, features] encoded, not standardised */
  values: Float32Array;
  keys: (string | null)[] | null;
  labels: (string | null)[] | null;
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * An IPv4 address column as its 32-bit number: dotted text is parsed, a column already holding
 * numbers is read as such, anything else (IPv6, empty, junk) is 0.
 */
function addressSql(column: string): string {
  const text = `CAST(${quote(column)} AS VARCHAR)`;
  const octet = (i: number) => `CAST(split_part(${text}, '.', ${i}) AS DOUBLE)`;
  return (
    `CASE WHEN regexp_full_match(${text}, '(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}') ` +
    `THEN ${octet(1)} * 16777216 + ${octet(2)} * 65536 + ${octet(3)} * 256 + ${octet(4)} ` +
    `ELSE COALESCE(TRY_CAST(${quote(column)} AS DOUBLE), 0) END`
  );
}

function selectSql(table: string, set: FeatureSet, keyed: boolean, labels: boolean): string {
  // Missing numeric values read as 0 (what encodeFlow does with null), so vectors have no nulls.
  const cols = [
    'CAST(rowid AS DOUBLE)',
    ...set.columns.map((c) => (columnKind(c) === 'address' ? addressSql(c) : `COALESCE(CAST(${quote(c)} AS DOUBLE), 0)`)),
  ];
  if (keyed) cols.push(`CAST(${quote(KEY_COLUMN)} AS VARCHAR)`);
  if (labels) cols.push(`CAST(${quote(LABEL_COLUMN)} AS VARCHAR)`);
  // No ORDER BY: a flows table is written once, in capture order, and DuckDB returns a scan in
  // insertion order (preserve_insertion_order, on by default), so rows stream as they are stored.
  // ORDER BY rowid would sort the whole range before the first row (on 5M flows: 0.9 s before
  // the first chunk, twice the time and half again the memory). The readers check the order.
  return `SELECT ${cols.join(', ')} FROM ${quote(table)} WHERE rowid >= ? AND rowid < ?`;
}

/** Throws unless flow ids ascend strictly, from after `previous` (the last id of the batch before, or -1). */
export function assertCaptureOrder(ids: ArrayLike<number>, previous: number, table: string): number {
  let last = previous;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (!(id > last)) {
      throw new MindflowError('internal', `${table} came back out of capture order (flow ${id} after ${last}); windows need flows in order: is preserve_insertion_order off?`);
    }
    last = id;
  }
  return last;
}

/** Encodes column-major query output (rowid, set.columns..., [key], [label]) into FlowRows. */
function toFlowRows(columns: unknown[][], set: FeatureSet, keyed: boolean, labels: boolean, codebook: Codebook | null): FlowRows {
  const ids = (columns[0] ?? []) as number[];
  const n = ids.length;
  const k = set.columns.length;
  const values = encodeColumns(set, columns.slice(1, k + 1), n, new Float32Array(n * featureCount(set)), codebook);
  let next = k + 1;
  return {
    flowIds: Float64Array.from(ids),
    values,
    keys: keyed ? (columns[next++]! as (string | null)[]) : null,
    labels: labels ? (columns[next++]! as (string | null)[]) : null,
  };
}

/** Reads flows [from, to) of a flows table, in rowid order, encoded with `set`. */
export async function readFlows(
  conn: DuckDBConnection,
  table: string,
  set: FeatureSet,
  opts: { from: number; to: number; keyed?: boolean; labels?: boolean; codebook?: Codebook | null },
): Promise<FlowRows> {
  const keyed = Boolean(opts.keyed);
  const labels = Boolean(opts.labels);
  const reader = await conn.runAndReadAll(selectSql(table, set, keyed, labels), [opts.from, opts.to]);
  const columns = reader.getColumns();
  assertCaptureOrder((columns[0] ?? []) as number[], -1, table);
  return toFlowRows(columns, set, keyed, labels, opts.codebook ?? null);
}

/**
 * Streams flows [from, to) in rowid order through one DuckDB streaming query (no per-batch
 * query, nothing materialised beyond a batch), `batchSize` flows at a time.
 */
export async function* streamFlows(
  conn: DuckDBConnection,
  table: string,
  set: FeatureSet,
  opts: { from: number; to: number; batchSize: number; keyed?: boolean; labels?: boolean; signal?: AbortSignal; codebook?: Codebook | null },
): AsyncGenerator<FlowRows> {
  const keyed = Boolean(opts.keyed);
  const labels = Boolean(opts.labels);
  const result = await conn.stream(selectSql(table, set, keyed, labels), [opts.from, opts.to]);
  const numeric = set.columns.length + 1;
  let parts: unknown[][][] = [];
  let rows = 0;
  let lastId = -1;
  const flush = (): FlowRows => {
    const columns = parts[0]!.map((_, j) => {
      if (j < numeric) {
        const out = new Float64Array(rows);
        let o = 0;
        for (const p of parts) {
          const v = p[j] as unknown as Float64Array;
          out.set(v, o);
          o += v.length;
        }
        return out as unknown as unknown[];
      }
      return parts.flatMap((p) => p[j]!);
    });
    parts = [];
    rows = 0;
    lastId = assertCaptureOrder(columns[0] as unknown as Float64Array, lastId, table);
    return toFlowRows(columns, set, keyed, labels, opts.codebook ?? null);
  };
  for (;;) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('cancelled');
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const n = chunk.rowCount;
    const cols: unknown[][] = [];
    for (let j = 0; j < chunk.columnCount; j++) {
      const vector = chunk.getColumnVector(j);
      // DOUBLE vectors expose their Float64Array (no per-value conversion); anything else is
      // read value by value.
      const items = (vector as unknown as { items?: unknown }).items;
      if (j < numeric && items instanceof Float64Array && items.length === n) cols.push(items.slice() as unknown as unknown[]);
      else cols.push(Array.from({ length: n }, (_, i) => vector.getItem(i)));
    }
    parts.push(cols);
    rows += n;
    if (rows >= opts.batchSize) yield flush();
  }
  if (rows > 0) yield flush();
}

export interface WindowBatch {
  /** [size, window, channels]; empty when `rows` carries the batch */
  x: Float32Array;
  /** with `compact` and unkeyed windows: [window-1+size, channels], window i = rows i..i+W-1 */
  rows?: Float32Array;
  size: number;
  flowIds: Float64Array;
  /** class index per flow (-1 = not one of the classes / unlabelled), when labels were asked for */
  labels: Int32Array | null;
}

export interface StreamOptions {
  set: FeatureSet;
  stats: FeatureStats;
  window: number;
  keyed: boolean;
  batchSize?: number;
  /** map the Attack column to these class indices */
  classes?: string[] | null;
  /** binary mode: Benign -> 0, any other class -> 1 */
  binary?: boolean;
  from?: number;
  to?: number;
  signal?: AbortSignal;
  /** unkeyed windows come as their rows (WindowBatch.rows), W times smaller; see expandWindows */
  compact?: boolean;
}

const EMPTY = new Float32Array(0);

export async function tableRowCount(conn: DuckDBConnection, table: string): Promise<number> {
  const r = await conn.runAndReadAll(`SELECT count(*) FROM ${quote(table)}`);
  return Number(r.getColumns()[0]?.[0] ?? 0);
}

/**
 * Maps Attack labels to class indices (`classMatcher`: exact, then spelt alike); binary mode maps
 * a benign label to 0 and every other one to 1. NO_LABEL for an empty label, OTHER_LABEL for one
 * that is no class of `classes`.
 */
export function labelIndex(labels: ArrayLike<string | null>, classes: readonly string[], binary = false): Int32Array {
  const match = classMatcher(classes);
  return Int32Array.from({ length: labels.length }, (_, i) => {
    const l = labels[i];
    if (l == null || !l.trim()) return NO_LABEL;
    if (binary) return isBenignLabel(l) ? 0 : 1;
    return match(l);
  });
}

/** The fixed codebook of a model's vocabulary (null for a set without codes). */
export function codebookFor(set: FeatureSet, stats: FeatureStats): Codebook | null {
  if (!set.codes) return null;
  if (!stats.vocabulary) throw new Error(`feature set ${set.name} has value codes but the statistics carry no vocabulary`);
  return Codebook.fromVocabulary(stats.vocabulary);
}

/** Streams standardised windows of a flows table in capture order, `batchSize` flows at a time. */
export async function* streamWindows(conn: DuckDBConnection, table: string, opts: StreamOptions): AsyncGenerator<WindowBatch> {
  const batch = opts.batchSize ?? 8192;
  const from = opts.from ?? 0;
  const to = opts.to ?? (await tableRowCount(conn, table));
  const f = featureCount(opts.set);
  const carry = new WindowCarry(f, opts.window, opts.keyed);
  const withLabels = Boolean(opts.classes);
  const codebook = codebookFor(opts.set, opts.stats);
  for await (const rows of streamFlows(conn, table, opts.set, { from, to, batchSize: batch, keyed: opts.keyed, labels: withLabels, codebook, ...(opts.signal ? { signal: opts.signal } : {}) })) {
    standardize(rows.values, opts.stats);
    const compact = opts.compact && !opts.keyed ? carry.pushRows(rows.values) : null;
    const x = compact ? EMPTY : carry.push(rows.values, rows.keys);
    yield {
      x,
      ...(compact ? { rows: compact } : {}),
      size: rows.flowIds.length,
      flowIds: rows.flowIds,
      labels: withLabels && rows.labels ? labelIndex(rows.labels, opts.classes!, opts.binary) : null,
    };
  }
}
