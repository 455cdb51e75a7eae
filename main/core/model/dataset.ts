/**
 * A capture's flows read from DuckDB into typed arrays, ready to window and train on: each
 * distinct feature row once, each flow's row, label and window. Plain Node, no TensorFlow.js, so
 * the main process (the CLI, the web host, Electron's main) reads datasets and hashes captures
 * without loading the model's runtime, which only the model worker needs.
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { MindflowError } from '../errors.ts';
import { Codebook, featureCount, type FeatureSet } from './features.ts';
import { labelIndex, streamFlows, tableRowCount, windowIndex } from './windows.ts';

/**
 * Flows of one capture in memory, ready to window. Floods repeat rows (sample A's 278,781 flows
 * hold 18,847 distinct ones), so the features are kept once per distinct row: a flow reads its
 * row through `groups`, a window through `index`. All typed arrays: shareable with a worker.
 */
export interface Dataset {
  /** flows */
  n: number;
  /** encoded features per row (not standardised) */
  features: number;
  /** [distinct rows, features]: row g holds the encoded features of the flows of group g */
  rowValues: Float32Array;
  window: number;
  keyed: boolean;
  /** [n, window]: the row (group id) of each flow of a flow's window, -1 = pad */
  index: Int32Array;
  labels: Int32Array;
  classes: string[];
  binary: boolean;
  /** group id per flow, numbered in order of first appearance: flows with identical encoded features share one */
  groups: Int32Array;
  flowIds: Float64Array;
  set: FeatureSet;
  /**
   * With value codes: per column, the values in the order their codes were given while loading
   * (code i+1 is value i). The training split's vocabulary is cut from this (trainingVocabulary).
   */
  dictionary: number[][] | null;
  /** sha256 of the encoded features and labels */
  hash: string;
}

export interface LoadOptions {
  set: FeatureSet;
  window?: number;
  keyed?: boolean;
  /** class names in output order; default: the Attack values found, Benign first */
  classes?: string[];
  binary?: boolean;
  /** read at most this many flows (capture order) */
  limit?: number;
  signal?: AbortSignal;
  /** after each chunk of flows read (a 10M-flow capture takes a minute or more) */
  onProgress?: (done: number, total: number) => void;
}

/** Flows read, encoded and grouped at a time while loading a dataset. */
const LOAD_BATCH = 16_384;

export async function loadDataset(conn: DuckDBConnection, table: string, opts: LoadOptions): Promise<Dataset> {
  const total = await tableRowCount(conn, table);
  const n = Math.min(total, opts.limit ?? total);
  const f = featureCount(opts.set);
  const window = opts.window ?? 10;
  const keyed = opts.keyed ?? false;
  // each distinct row kept once; per-flow arrays sit in shared memory, which the training
  // thread and its peers read instead of copies
  const grouper = new RowGrouper(f, n);
  const digest = createHash('sha256');
  const groups = new Int32Array(new SharedArrayBuffer(n * 4));
  const flowIds = new Float64Array(new SharedArrayBuffer(n * 8));
  const names: (string | null)[] = new Array(n);
  const keys: (string | null)[] | null = keyed ? new Array(n) : null;
  const codebook = opts.set.codes ? Codebook.growing(opts.set.columns.length) : null;
  // One streaming query read as typed vectors, in batches small enough that encoding and
  // grouping one (tens of ms) never hold the thread long: this runs in the main process.
  let start = 0;
  for await (const rows of streamFlows(conn, table, opts.set, { from: 0, to: n, batchSize: LOAD_BATCH, keyed, labels: true, codebook })) {
    if (opts.signal?.aborted) throw new MindflowError('cancelled', 'training cancelled');
    const m = rows.flowIds.length;
    digest.update(new Uint8Array(rows.values.buffer, rows.values.byteOffset, rows.values.byteLength));
    grouper.add(rows.values, groups, start);
    flowIds.set(rows.flowIds, start);
    rows.labels!.forEach((l, i) => (names[start + i] = l));
    if (keys) rows.keys!.forEach((k, i) => (keys[start + i] = k));
    start += m;
    opts.onProgress?.(start, n);
    // let the event loop run between batches (IPC, the web host's requests, progress)
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (opts.signal?.aborted) throw new MindflowError('cancelled', 'training cancelled');
  if (start !== n) throw new MindflowError('internal', `${table} gave ${start} flows where it holds ${n}`);
  let classes = opts.binary ? ['Benign', 'Attack'] : opts.classes;
  if (!classes) {
    const found = [...new Set(names.filter((x): x is string => x != null))].sort();
    classes = [...found.filter((c) => c.toLowerCase() === 'benign'), ...found.filter((c) => c.toLowerCase() !== 'benign')];
  }
  if (classes.length < 2) throw new MindflowError('bad-args', `training needs at least 2 classes in column Attack, found ${classes.length}`);
  const labels = shared(labelIndex(names, classes, opts.binary));
  // the hash of every flow's features in order, then the labels: as if the rows were one matrix
  const hash = digest.update(new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength)).update(classes.join('\n')).digest('hex');
  const dictionary = codebook ? opts.set.columns.map((_, j) => codebook.values(j)) : null;
  const index = windowIndex(n, window, keys);
  for (let i = 0; i < index.length; i++) if (index[i]! >= 0) index[i] = groups[index[i]!]!;
  return { n, features: f, rowValues: grouper.rows(), window, keyed, index: shared(index), labels, classes, binary: Boolean(opts.binary), groups, flowIds, set: opts.set, dictionary, hash };
}

/**
 * The hash `loadDataset` gives a table's flows (`Dataset.hash`, a manifest's `training.dataHash`),
 * without keeping anything but the labels: encoded features in capture order, then the labels,
 * then the class names, with value codes given in order of first appearance as training gives
 * them. Equal to a model's training data hash when, and only when, the table holds the flows it
 * was trained on (same features, labels and classes): how an evaluation knows its capture is the
 * training capture rather than guessing from names or sizes.
 */
export async function captureDataHash(
  conn: DuckDBConnection,
  table: string,
  opts: { set: FeatureSet; classes: readonly string[]; binary: boolean; keyed?: boolean; signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
): Promise<string> {
  const n = await tableRowCount(conn, table);
  const digest = createHash('sha256');
  const names: (string | null)[] = new Array(n);
  const codebook = opts.set.codes ? Codebook.growing(opts.set.columns.length) : null;
  let start = 0;
  for await (const rows of streamFlows(conn, table, opts.set, { from: 0, to: n, batchSize: LOAD_BATCH, keyed: opts.keyed, labels: true, codebook })) {
    if (opts.signal?.aborted) throw new MindflowError('cancelled', 'cancelled');
    digest.update(new Uint8Array(rows.values.buffer, rows.values.byteOffset, rows.values.byteLength));
    rows.labels!.forEach((l, i) => (names[start + i] = l));
    start += rows.flowIds.length;
    opts.onProgress?.(start, n);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (opts.signal?.aborted) throw new MindflowError('cancelled', 'cancelled');
  const classes = opts.binary ? ['Benign', 'Attack'] : [...opts.classes];
  const labels = labelIndex(names, classes, opts.binary);
  return digest.update(new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength)).update(classes.join('\n')).digest('hex');
}

/** The row (group id) of each of `flows`, repeats kept: fitStats over them weighs each flow once. */
export function rowsOf(ds: Dataset, flows: ArrayLike<number>): Int32Array {
  return Int32Array.from({ length: flows.length }, (_, i) => ds.groups[flows[i]!]!);
}

/**
 * A copy of `a` in a SharedArrayBuffer: posted to a worker thread it is shared, not cloned. A
 * dataset's arrays are made so, and the training thread and each of its peers read one copy.
 */
export function shared<T extends Float32Array | Int32Array>(a: T): T {
  const out = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

/**
 * Group id per row of an [n, f] matrix, numbered in order of first appearance: rows with the
 * same bits in `channels` (default: every channel) share one.
 */
export function rowGroups(values: Float32Array, f: number, channels?: readonly number[]): Int32Array {
  const n = Math.floor(values.length / Math.max(1, f));
  const groups = new Int32Array(n);
  if (!channels) {
    new RowGrouper(f).add(values, groups, 0);
    return groups;
  }
  const seen = new Map<string, number>();
  const picked = new Float32Array(channels.length);
  const pickedBytes = new Uint8Array(picked.buffer);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < picked.length; t++) picked[t] = values[i * f + channels[t]!]!;
    const key = Buffer.from(pickedBytes).toString('latin1');
    let g = seen.get(key);
    if (g === undefined) seen.set(key, (g = seen.size));
    groups[i] = g;
  }
  return groups;
}

/**
 * Numbers the rows of [m, f] matrices given one after another in order of first appearance
 * (identical bits, one group) and keeps each distinct row once. Rows are found by a hash of
 * their bits and compared bit for bit, so a distinct row costs its values and a map entry, not
 * a string of its bytes (which was 4 bytes a channel again, and most of the grouping time).
 */
export class RowGrouper {
  /** hash of a row's bits -> the last group with that hash; earlier ones chain through `next` */
  private readonly heads = new Map<number, number>();
  private next = new Int32Array(1024);
  private table: Float32Array<ArrayBufferLike> = new Float32Array(0);
  private bits: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private count = 0;
  /**
   * `maxRows`: the most rows that will be added (a capture's flow count), so the table never
   * grows past what they can fill. The table lives in shared memory, and rows() is a view of
   * it: a dataset takes it as it is instead of copying it there.
   */
  constructor(
    private readonly f: number,
    private readonly maxRows = Infinity,
  ) {}

  /** Writes the group of each row of `values` to out[offset...]. */
  add(values: Float32Array, out: Int32Array, offset: number): void {
    const f = this.f;
    const m = Math.floor(values.length / Math.max(1, f));
    const src = new Int32Array(values.buffer, values.byteOffset, m * f);
    for (let i = 0; i < m; i++) {
      const o = i * f;
      let h = 0x811c9dc5; // FNV-1a over the row's 32-bit words
      for (let j = 0; j < f; j++) h = Math.imul(h ^ src[o + j]!, 0x01000193);
      const head = this.heads.get(h);
      let g = head ?? -1;
      while (g >= 0 && !this.same(g, src, o)) g = this.next[g]!;
      if (g < 0) {
        g = this.count++;
        this.reserve(this.count);
        this.bits.set(src.subarray(o, o + f), g * f);
        this.next[g] = head ?? -1;
        this.heads.set(h, g);
      }
      out[offset + i] = g;
    }
  }

  /** [groups, f]: row g is group g's (a view of the shared table). */
  rows(): Float32Array {
    return this.table.subarray(0, this.count * this.f);
  }

  private same(g: number, src: Int32Array, o: number): boolean {
    const base = g * this.f;
    for (let j = 0; j < this.f; j++) if (this.bits[base + j] !== src[o + j]) return false;
    return true;
  }

  private reserve(groups: number): void {
    if (groups * this.f > this.table.length) {
      const rows = Math.max(groups, Math.min(this.maxRows, Math.max(1024, (2 * this.table.length) / Math.max(1, this.f))));
      // pages of a SharedArrayBuffer are taken from the system as they are written: the table
      // holds the rows added so far, not its capacity
      const grown = new Float32Array(new SharedArrayBuffer(rows * this.f * 4));
      grown.set(this.table);
      this.table = grown;
      this.bits = new Int32Array(grown.buffer);
    }
    if (groups > this.next.length) {
      const grown = new Int32Array(this.next.length * 2);
      grown.set(this.next);
      this.next = grown;
    }
  }
}
