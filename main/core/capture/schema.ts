/**
 * The NetFlow column families of NF-BoT-IoT v1/v2/v3 and their sister datasets.
 * Columns are always read by name, never by position: v1 and v2 order them differently.
 */
import type { ColumnInfo, SchemaVersion } from '../../../preload/contract.ts';

export type SqlType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE';

/** The 12 NetFlow fields of v1, in v1 file order. Every supported capture has them. */
export const V1_FIELDS = [
  'IPV4_SRC_ADDR',
  'L4_SRC_PORT',
  'IPV4_DST_ADDR',
  'L4_DST_PORT',
  'PROTOCOL',
  'L7_PROTO',
  'IN_BYTES',
  'OUT_BYTES',
  'IN_PKTS',
  'OUT_PKTS',
  'TCP_FLAGS',
  'FLOW_DURATION_MILLISECONDS',
] as const;

/** Fields v2 (NetFlow v9, 43 features) adds to v1. */
export const V2_EXTRA_FIELDS = [
  'CLIENT_TCP_FLAGS',
  'SERVER_TCP_FLAGS',
  'DURATION_IN',
  'DURATION_OUT',
  'MIN_TTL',
  'MAX_TTL',
  'LONGEST_FLOW_PKT',
  'SHORTEST_FLOW_PKT',
  'MIN_IP_PKT_LEN',
  'MAX_IP_PKT_LEN',
  'SRC_TO_DST_SECOND_BYTES',
  'DST_TO_SRC_SECOND_BYTES',
  'RETRANSMITTED_IN_BYTES',
  'RETRANSMITTED_IN_PKTS',
  'RETRANSMITTED_OUT_BYTES',
  'RETRANSMITTED_OUT_PKTS',
  'SRC_TO_DST_AVG_THROUGHPUT',
  'DST_TO_SRC_AVG_THROUGHPUT',
  'NUM_PKTS_UP_TO_128_BYTES',
  'NUM_PKTS_128_TO_256_BYTES',
  'NUM_PKTS_256_TO_512_BYTES',
  'NUM_PKTS_512_TO_1024_BYTES',
  'NUM_PKTS_1024_TO_1514_BYTES',
  'TCP_WIN_MAX_IN',
  'TCP_WIN_MAX_OUT',
  'ICMP_TYPE',
  'ICMP_IPV4_TYPE',
  'DNS_QUERY_ID',
  'DNS_QUERY_TYPE',
  'DNS_TTL_ANSWER',
  'FTP_COMMAND_RET_CODE',
] as const;

/** Fields v3 (53 features) adds to v2: real timestamps and inter-arrival times. */
export const V3_EXTRA_FIELDS = [
  'FLOW_START_MILLISECONDS',
  'FLOW_END_MILLISECONDS',
  'SRC_TO_DST_IAT_MIN',
  'SRC_TO_DST_IAT_MAX',
  'SRC_TO_DST_IAT_AVG',
  'SRC_TO_DST_IAT_STDDEV',
  'DST_TO_SRC_IAT_MIN',
  'DST_TO_SRC_IAT_MAX',
  'DST_TO_SRC_IAT_AVG',
  'DST_TO_SRC_IAT_STDDEV',
] as const;

export const LABEL_FIELDS = ['Label', 'Attack'] as const;

const FLOAT_FIELDS = new Set<string>([
  'L7_PROTO',
  'SRC_TO_DST_SECOND_BYTES',
  'DST_TO_SRC_SECOND_BYTES',
  'FTP_COMMAND_RET_CODE',
  'SRC_TO_DST_IAT_AVG',
  'SRC_TO_DST_IAT_STDDEV',
  'DST_TO_SRC_IAT_AVG',
  'DST_TO_SRC_IAT_STDDEV',
]);
const TEXT_FIELDS = new Set<string>(['IPV4_SRC_ADDR', 'IPV4_DST_ADDR', 'Attack']);
const SMALL_INT_FIELDS = new Set<string>(['L4_SRC_PORT', 'L4_DST_PORT', 'PROTOCOL', 'TCP_FLAGS', 'Label']);

export const KNOWN_FIELDS: readonly string[] = [...V1_FIELDS, ...V2_EXTRA_FIELDS, ...V3_EXTRA_FIELDS, ...LABEL_FIELDS];
const KNOWN = new Set(KNOWN_FIELDS);

export function isKnownField(name: string): boolean {
  return KNOWN.has(name);
}

export function sqlTypeOf(field: string): SqlType {
  if (TEXT_FIELDS.has(field)) return 'VARCHAR';
  if (FLOAT_FIELDS.has(field)) return 'DOUBLE';
  if (SMALL_INT_FIELDS.has(field)) return 'INTEGER';
  return 'BIGINT';
}

export function columnInfoOf(field: string): ColumnInfo {
  const t = sqlTypeOf(field);
  return { name: field, type: t === 'VARCHAR' ? 'text' : t === 'DOUBLE' ? 'float' : 'integer' };
}

export interface DetectedSchema {
  version: SchemaVersion;
  labelled: boolean;
  /** known columns, in file order */
  kept: string[];
  /** columns in the file we do not store */
  ignored: string[];
}

/** The known field a header name stands for (exact after trimming, else ignoring case), or null. */
function canonicalField(raw: string, byUpper: Map<string, string>): string | null {
  const trimmed = raw.trim();
  return KNOWN.has(trimmed) ? trimmed : (byUpper.get(trimmed.toUpperCase()) ?? null);
}

/**
 * A header that names a NetFlow or label column twice (exactly, or ignoring case as the
 * schema match does) is ambiguous: which of the two holds the flows' values? Says which
 * column, at which positions (1-based), or null when every known column appears once.
 * Columns the import ignores may repeat: they are never read.
 */
export function duplicateFields(header: readonly string[]): string | null {
  const byUpper = new Map(KNOWN_FIELDS.map((f) => [f.toUpperCase(), f]));
  const at = new Map<string, number[]>();
  header.forEach((raw, i) => {
    const canonical = canonicalField(raw, byUpper);
    if (canonical) at.set(canonical, [...(at.get(canonical) ?? []), i]);
  });
  const repeated = [...at].filter(([, positions]) => positions.length > 1);
  if (repeated.length === 0) return null;
  const and = (items: readonly (string | number)[]) => (items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : String(items[0]));
  const where = ([field, positions]: [string, number[]]) => {
    const names = positions.map((i) => header[i]!.trim());
    return names.every((n) => n === field)
      ? `${field} (columns ${and(positions.map((i) => i + 1))})`
      : `${field} (columns ${and(positions.map((i, k) => `${i + 1} "${names[k]}"`))}: names match ignoring case)`;
  };
  const times = repeated.every(([, positions]) => positions.length === 2) ? 'twice' : 'more than once';
  return repeated.length === 1
    ? `column ${where(repeated[0]!)} appears ${times} in the header: keep one and import again`
    : `columns ${and(repeated.map(where))} each appear ${times} in the header: keep one of each and import again`;
}

/**
 * Detects the schema version from column names. Matching is exact after trimming and a
 * case-insensitive fallback, so `attack` or ` Label` in a hand-edited export still match.
 * Throws a one-line message listing the missing required columns.
 */
export function detectSchema(header: readonly string[]): { schema: DetectedSchema; rename: Map<string, string> } {
  const byUpper = new Map(KNOWN_FIELDS.map((f) => [f.toUpperCase(), f]));
  const rename = new Map<string, string>();
  const kept: string[] = [];
  const ignored: string[] = [];
  const seen = new Set<string>();
  header.forEach((raw, i) => {
    const canonical = canonicalField(raw, byUpper);
    if (canonical && !seen.has(canonical)) {
      seen.add(canonical);
      kept.push(canonical);
      rename.set(raw, canonical);
    } else {
      ignored.push(raw.trim() === '' ? `(column ${i + 1}, no name)` : raw);
    }
  });
  const missing = V1_FIELDS.filter((f) => !seen.has(f));
  if (missing.length > 0) {
    throw new Error(
      `missing required NetFlow column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}` +
        (seen.size === 0 ? ' (this does not look like an NF-BoT-IoT style NetFlow export)' : ''),
    );
  }
  const hasAny = (fields: readonly string[]) => fields.some((f) => seen.has(f));
  const version: SchemaVersion = hasAny(V3_EXTRA_FIELDS) ? 'v3' : hasAny(V2_EXTRA_FIELDS) ? 'v2' : 'v1';
  const labelled = seen.has('Attack') || seen.has('Label');
  return { schema: { version, labelled, kept, ignored }, rename };
}

/** How a capture's class counts name the flows whose `Attack` label is empty. */
export const EMPTY_LABEL = '(empty)';
