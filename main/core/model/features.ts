/**
 * Feature sets and the per-flow transform (pure). A feature set is chosen from the columns a
 * capture has; identifiers (IPs, ports, DNS transaction ids) are never used unless asked for.
 *
 * Transform per column kind:
 * - protocol: one-hot ICMP / TCP / UDP / other (DoS vs DDoS hinges on TCP vs UDP here);
 * - tcp flags: the 8 flag bits (FIN SYN RST PSH ACK URG ECE CWR) of the OR of all flags;
 * - duration: the exporter subtracts unsigned 32-bit microsecond clocks, so a flow whose end
 *   stamp is a little before its start wraps to just under 2^32/1000 ms (71.6 minutes). Such a
 *   value is a small negative duration, not a long one: a "wrapped" flag + log1p of its
 *   magnitude (2^32/1000 - value), else flag 0 + log1p(ms). The magnitude still tells flows
 *   apart (dropping it merges rows of different classes);
 * - address (IPv4, only with identifiers): its four octets, from the address read as a 32-bit
 *   number (windows.ts parses the dotted text in SQL);
 * - everything else: log1p of a non-negative count/amount (heavy tails; ports too).
 * Then every feature is standardised with mean/std fitted on the training split only.
 *
 * Value codes (`set.codes`): one more channel per source column holding the index of the exact
 * value in the training split's vocabulary of that column (1-based; 0 = a value the training
 * split did not have). The model embeds them (model.ts). NetFlow fields are mostly discrete
 * (2,254 distinct durations, 537 byte counts in 278,781 flows of sample A) and a class often
 * sits on exact values that a smooth function of log1p(value) cannot single out; a learned
 * vector per value can, and still generalises to unseen combinations of seen values. Codes
 * are not standardised.
 */
import { DURATION_WRAP_AT_MS, DURATION_WRAP_MS } from '../../../preload/contract.ts';
import { V1_FIELDS, V2_EXTRA_FIELDS } from '../capture/schema.ts';

export type FeatureSetName = 'v1' | 'v2';

/** What the analyst may ask for; 'auto' takes the richest set the capture has. */
export type FeatureSetChoice = FeatureSetName | 'auto';

export type ColumnKind = 'protocol' | 'tcp-flags' | 'duration' | 'address' | 'log';

export interface FeatureSet {
  name: FeatureSetName;
  /** source columns, in the order they are read */
  columns: string[];
  /** whether the identifier columns (IDENTIFIER_COLUMNS) were included on request */
  identifiers: boolean;
  /** whether each column also gets a value-code channel (absent in packages from before codes) */
  codes?: boolean;
}

/** Per source column, the distinct values of the training split in ascending order: code i+1 is value i. */
export type Vocabulary = number[][];

export interface FeatureStats {
  mean: number[];
  std: number[];
  /** present when the set has value codes */
  vocabulary?: Vocabulary;
}

/**
 * Maps a column's exact values to codes. A fixed codebook (from a model's vocabulary) gives 0
 * to values it lacks; a growing one (while a dataset is loaded, before the split) assigns the
 * next code to each new value, and `values(column)` lists them in code order.
 */
export class Codebook {
  private constructor(
    private readonly maps: Map<number, number>[],
    private readonly grows: boolean,
  ) {}

  static fromVocabulary(vocabulary: Vocabulary): Codebook {
    return new Codebook(vocabulary.map((values) => new Map(values.map((v, i) => [v, i + 1]))), false);
  }

  static growing(columns: number): Codebook {
    return new Codebook(Array.from({ length: columns }, () => new Map()), true);
  }

  code(column: number, value: number): number {
    const map = this.maps[column]!;
    const known = map.get(value);
    if (known !== undefined) return known;
    if (!this.grows) return 0;
    map.set(value, map.size + 1);
    return map.size;
  }

  /**
   * code() for a whole column: values[i] (a missing or non-finite value counts as 0) coded into
   * out[at + i * stride]. Remembers the last value, which a column's runs of one value (0 in
   * most fields, one flood's sizes) hit without a lookup.
   */
  codeInto(column: number, values: ArrayLike<unknown>, n: number, out: Float32Array, at: number, stride: number): void {
    let last = Number.NaN;
    let lastCode = 0;
    for (let i = 0, p = at; i < n; i++, p += stride) {
      const raw = values[i];
      const v = typeof raw === 'number' && Number.isFinite(raw) ? raw : 0;
      if (v !== last) {
        lastCode = this.code(column, v);
        last = v;
      }
      out[p] = lastCode;
    }
  }

  /** values in code order (value of code i+1 at i) */
  values(column: number): number[] {
    return [...this.maps[column]!.keys()];
  }

  get columns(): number {
    return this.maps.length;
  }
}

/** log1p of a duration's magnitude; a wrapped value becomes the negative duration it stands for */
function durationMagnitude(ms: number): number {
  return Math.log1p(ms >= DURATION_WRAP_MS ? Math.max(0, DURATION_WRAP_AT_MS - ms) : Math.max(0, ms));
}
const PROTOCOLS = [1, 6, 17] as const;
const TCP_FLAG_BITS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'] as const;

const IDENTIFIERS = new Set(['IPV4_SRC_ADDR', 'IPV4_DST_ADDR', 'L4_SRC_PORT', 'L4_DST_PORT', 'DNS_QUERY_ID']);
/**
 * What a set adds when the analyst asks for identifiers: the hosts and ports of each flow. On
 * NF-BoT-IoT they give the answer away (attackers and victims are fixed per class), so they
 * are for a model of one network's own hosts, never a default. DNS transaction ids are random
 * per query and stay out even then.
 */
export const IDENTIFIER_COLUMNS: readonly string[] = ['IPV4_SRC_ADDR', 'IPV4_DST_ADDR', 'L4_SRC_PORT', 'L4_DST_PORT'];
const ADDRESS_COLUMNS = new Set(['IPV4_SRC_ADDR', 'IPV4_DST_ADDR']);

export const V1_FEATURE_COLUMNS: readonly string[] = V1_FIELDS.filter((c) => !IDENTIFIERS.has(c));
export const V2_FEATURE_COLUMNS: readonly string[] = [...V1_FEATURE_COLUMNS, ...V2_EXTRA_FIELDS.filter((c) => !IDENTIFIERS.has(c))];

export function columnKind(column: string): ColumnKind {
  if (column === 'PROTOCOL') return 'protocol';
  if (column === 'TCP_FLAGS') return 'tcp-flags';
  if (column === 'FLOW_DURATION_MILLISECONDS' || column === 'DURATION_IN' || column === 'DURATION_OUT') return 'duration';
  if (ADDRESS_COLUMNS.has(column)) return 'address';
  return 'log';
}

/** Output feature names of one source column. */
export function columnFeatures(column: string): string[] {
  switch (columnKind(column)) {
    case 'protocol':
      return [...PROTOCOLS.map((p) => `PROTOCOL=${p}`), 'PROTOCOL=other'];
    case 'tcp-flags':
      return TCP_FLAG_BITS.map((b) => `${column}.${b}`);
    case 'duration':
      return [`${column}.wrapped`, `log1p(|${column}|)`];
    case 'address':
      return [1, 2, 3, 4].map((i) => `${column}.octet${i}`);
    case 'log':
      return [`log1p(${column})`];
  }
}

/** Channel names: the numeric features, then (with codes) one `code(COLUMN)` per column. */
export function featureNames(set: FeatureSet): string[] {
  const numeric = set.columns.flatMap(columnFeatures);
  return set.codes ? [...numeric, ...set.columns.map((c) => `code(${c})`)] : numeric;
}

/** Numeric (standardised) channels of a set: everything before the code channels. */
export function numericFeatureCount(set: FeatureSet): number {
  return set.columns.reduce((a, c) => a + columnFeatures(c).length, 0);
}

/** Code channels of a set: one per column with codes, else 0. */
export function codeCount(set: FeatureSet): number {
  return set.codes ? set.columns.length : 0;
}

export function featureCount(set: FeatureSet): number {
  return numericFeatureCount(set) + codeCount(set);
}

/** The source columns of a named set, with the identifier columns at the end when asked for. */
export function featureColumns(name: FeatureSetName, identifiers: boolean): string[] {
  return [...(name === 'v2' ? V2_FEATURE_COLUMNS : V1_FEATURE_COLUMNS), ...(identifiers ? IDENTIFIER_COLUMNS : [])];
}

/**
 * Picks the feature set for a capture's columns. 'auto' is v2 when all v2 feature columns are
 * present, else v1. Throws a one-line error naming the missing columns.
 */
export function chooseFeatureSet(available: readonly string[], choice: FeatureSetChoice = 'auto', opts: { identifiers?: boolean; codes?: boolean } = {}): FeatureSet {
  const have = new Set(available);
  const hasAll = (cols: readonly string[]) => cols.every((c) => have.has(c));
  const name: FeatureSetName = choice === 'auto' ? (hasAll(V2_FEATURE_COLUMNS) ? 'v2' : 'v1') : choice;
  const columns = featureColumns(name, Boolean(opts.identifiers));
  const missing = columns.filter((c) => !have.has(c));
  if (missing.length > 0) throw new Error(`feature set ${name} needs column${missing.length > 1 ? 's' : ''} this capture lacks: ${missing.join(', ')}`);
  return { name, columns, identifiers: Boolean(opts.identifiers), codes: opts.codes ?? true };
}

/** Columns of `set` missing from a capture: empty when the capture can be scored with it. */
export function missingColumns(set: FeatureSet, available: readonly string[]): string[] {
  const have = new Set(available);
  return set.columns.filter((c) => !have.has(c));
}

function finite(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** Writes the features of one (finite) value of a `kind` column at out[o...]; returns how many. */
function encodeValue(kind: ColumnKind, v: number, out: Float32Array, o: number): number {
  switch (kind) {
    case 'protocol': {
      const i = PROTOCOLS.indexOf(v as (typeof PROTOCOLS)[number]);
      for (let p = 0; p <= PROTOCOLS.length; p++) out[o + p] = 0;
      out[o + (i < 0 ? PROTOCOLS.length : i)] = 1;
      return PROTOCOLS.length + 1;
    }
    case 'tcp-flags': {
      const bits = Math.max(0, Math.trunc(v));
      for (let b = 0; b < TCP_FLAG_BITS.length; b++) out[o + b] = (bits >> b) & 1;
      return TCP_FLAG_BITS.length;
    }
    case 'duration':
      out[o] = v >= DURATION_WRAP_MS ? 1 : 0;
      out[o + 1] = durationMagnitude(v);
      return 2;
    case 'address': {
      // a 32-bit address as a number (0 when absent or not IPv4)
      const a = Math.min(Math.max(0, Math.trunc(v)), 0xffffffff);
      out[o] = Math.floor(a / 0x1000000) % 256;
      out[o + 1] = Math.floor(a / 0x10000) % 256;
      out[o + 2] = Math.floor(a / 0x100) % 256;
      out[o + 3] = a % 256;
      return 4;
    }
    case 'log':
      out[o] = Math.log1p(Math.max(0, v));
      return 1;
  }
}

function needCodebook(set: FeatureSet, codebook: Codebook | null | undefined): Codebook | null {
  if (!set.codes) return null;
  if (!codebook || codebook.columns !== set.columns.length) throw new Error(`feature set ${set.name} has value codes: a codebook for its ${set.columns.length} columns is needed`);
  return codebook;
}

/**
 * Encodes one flow (values of set.columns, in order; null = missing) into `out` at `offset`.
 * Returns the number of features written. Not standardised. A set with codes needs `codebook`.
 */
export function encodeFlow(set: FeatureSet, values: ArrayLike<number | null>, out: Float32Array, offset = 0, codebook?: Codebook | null): number {
  const book = needCodebook(set, codebook);
  let o = offset;
  for (let c = 0; c < set.columns.length; c++) o += encodeValue(columnKind(set.columns[c]!), finite(values[c]), out, o);
  if (book) for (let c = 0; c < set.columns.length; c++) out[o++] = book.code(c, finite(values[c]));
  return o - offset;
}

/**
 * Column-major form of encodeFlow for a batch: columns[c][i] is the value of set.columns[c] for
 * flow i. Same output as encoding each row with encodeFlow, several times faster.
 */
export function encodeColumns(
  set: FeatureSet,
  columns: readonly ArrayLike<unknown>[],
  n: number,
  out: Float32Array = new Float32Array(n * featureCount(set)),
  codebook?: Codebook | null,
): Float32Array {
  const book = needCodebook(set, codebook);
  const f = out.length / Math.max(1, n);
  let o = 0;
  for (let c = 0; c < set.columns.length; c++) {
    const col = columns[c]!;
    const kind = columnKind(set.columns[c]!);
    for (let i = 0, p = o; i < n; i++, p += f) encodeValue(kind, finite(col[i]), out, p);
    o += columnFeatures(set.columns[c]!).length;
  }
  if (book) for (let c = 0; c < set.columns.length; c++) book.codeInto(c, columns[c]!, n, out, o + c, f);
  return out;
}

/** Mean and (population) std per feature of an [n, f] matrix; std 0 becomes 1. */
export function fitStats(matrix: Float32Array, f: number, rows?: ArrayLike<number>): FeatureStats {
  const mean = new Float64Array(f);
  const sq = new Float64Array(f);
  const n = rows ? rows.length : matrix.length / f;
  for (let r = 0; r < n; r++) {
    const base = (rows ? rows[r]! : r) * f;
    for (let j = 0; j < f; j++) mean[j]! += matrix[base + j]!;
  }
  for (let j = 0; j < f; j++) mean[j] = n > 0 ? mean[j]! / n : 0;
  for (let r = 0; r < n; r++) {
    const base = (rows ? rows[r]! : r) * f;
    for (let j = 0; j < f; j++) {
      const d = matrix[base + j]! - mean[j]!;
      sq[j]! += d * d;
    }
  }
  const std = Array.from(sq, (s) => {
    const v = n > 0 ? Math.sqrt(s / n) : 0;
    return v > 1e-6 ? v : 1;
  });
  return { mean: Array.from(mean), std };
}

/**
 * A dataset's encoded rows made model input as they are copied: the numeric channels
 * standardised with the training split's statistics (`standardize` scales a scan's rows
 * through one too, so both get the same bits), and the last `remap.length` channels, value codes, moved from the codes given
 * while loading to the training vocabulary's. Training reads its rows through one instead of a
 * standardised copy of every distinct row, which on a capture whose rows rarely repeat was as
 * large as the dataset itself.
 */
export class RowScaler {
  private readonly mean: Float64Array;
  private readonly std: Float64Array;
  private readonly numeric: number;
  constructor(
    readonly features: number,
    stats: FeatureStats,
    private readonly remap: readonly Int32Array[] = [],
  ) {
    this.numeric = features - remap.length;
    this.mean = Float64Array.from(stats.mean.slice(0, this.numeric));
    this.std = Float64Array.from(stats.std.slice(0, this.numeric));
  }

  /** Row `row` of the [rows, features] matrix `values`, scaled, to out[at .. at + features). */
  copy(values: Float32Array, row: number, out: Float32Array, at: number): void {
    const base = row * this.features;
    const numeric = this.numeric;
    for (let j = 0; j < numeric; j++) out[at + j] = (values[base + j]! - this.mean[j]!) / this.std[j]!;
    for (let j = numeric; j < this.features; j++) out[at + j] = this.remap[j - numeric]![values[base + j]!]!;
  }
}

/**
 * Standardises an [n, f] matrix in place (every channel: a scan's code channels have mean 0 and
 * std 1), row by row through a RowScaler, so that scoring and training share one arithmetic.
 */
export function standardize(matrix: Float32Array, stats: FeatureStats): Float32Array {
  const f = stats.mean.length;
  const scaler = new RowScaler(f, stats);
  for (let r = 0, n = Math.floor(matrix.length / Math.max(1, f)); r < n; r++) scaler.copy(matrix, r, matrix, r * f);
  return matrix;
}
