/**
 * Filter clauses as an analyst types them (`host = 192.168.100.3`, `Attack != DoS`,
 * `FLOW_START_MILLISECONDS >= 2021-06-12 01:05`), read the same way by Explore's filter bar and
 * the CLI. Pure functions over the contract's types: no DOM, no Node.
 */
import { filterOps, type ColumnInfo, type FilterClause, type FilterOp } from './contract.ts';

/** NetFlow v3's start and end times: epoch milliseconds, typed and shown as UTC times. */
export const isTimestampField = (name: string): boolean => /^FLOW_(START|END)_MILLISECONDS$/i.test(name);

/** Virtual fields the core understands besides stored columns. */
export const virtualFields = ['host', 'port'] as const;

/** A field's type as the core reads it (`ColumnInfo.type`): a numeric one compares numbers only. */
export type FieldType = ColumnInfo['type'];

/** Fields whose type the core fixes whatever the capture: `host` is an address, `port` and the flow id are numbers. */
const builtinTypes: Readonly<Record<string, FieldType>> = { host: 'text', port: 'integer', flow_id: 'integer' };

const opList = filterOps.join(', ');
// the field, then every operator-like character that follows it (so `>>` or `=>` are read whole and refused)
const clausePattern = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*([<>=!~]+)\s*(.*?)\s*$/s;
const numberPattern = /^-?\d+(\.\d+)?$/;
// what a numeric field also takes as a number (1e6, .5, +3): never read as text there
const numberLikePattern = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

export type ParseResult = { ok: true; clause: FilterClause } | { ok: false; message: string };

/**
 * Parses one typed clause such as `IPV4_SRC_ADDR = 192.168.100.3`, `port = 80` or
 * `Attack != DoS`. Field names are matched case-insensitively against the known columns and
 * returned in their canonical spelling; plain numbers become numbers, quotes are stripped.
 *
 * With `types` (a field's type by its canonical name, e.g. from the columns a query answered
 * with), a clause the core would refuse is refused here instead: a numeric field compared with
 * text that is not a number. `host`, `port` and `flow_id` are always checked; other fields absent
 * from `types` are not (the core still is).
 */
export function parseClause(text: string, knownFields: readonly string[], types?: Readonly<Record<string, FieldType>>): ParseResult {
  const match = clausePattern.exec(text);
  if (!match) return { ok: false, message: `Write a clause as "field op value", e.g. IPV4_SRC_ADDR = 192.168.100.3 (op is one of ${opList})` };
  const [, rawField = '', rawOp = '', rawValue = ''] = match;
  const field = [...virtualFields, ...knownFields].find((f) => f.toLowerCase() === rawField.toLowerCase());
  if (!field) return { ok: false, message: `Unknown field "${rawField}". Try host, port or a column name.` };
  if (!(filterOps as readonly string[]).includes(rawOp)) return { ok: false, message: `Unknown operator "${rawOp}" after ${field}: use one of ${opList}` };
  const op = rawOp as FilterOp;
  let valueText = rawValue;
  const quoted = /^(['"])(.*)\1$/s.exec(valueText);
  if (quoted) valueText = quoted[2] ?? '';
  if (valueText === '') return { ok: false, message: `Missing value after "${field} ${op}"` };
  const numeric = numberPattern.test(valueText);
  if (isTimestampField(field) && !numeric) {
    const ms = parseUtcTime(valueText);
    if (ms === null) return { ok: false, message: `${field} takes a UTC time such as 2021-06-12 01:05:00.250, or epoch milliseconds` };
    return { ok: true, clause: { field, op, value: ms } };
  }
  const type = Object.hasOwn(builtinTypes, field) ? builtinTypes[field] : types && Object.hasOwn(types, field) ? types[field] : undefined;
  if (type === 'integer' || type === 'float') {
    if (!numberLikePattern.test(valueText)) return { ok: false, message: `${field} takes a number, not "${valueText.length > 40 ? `${valueText.slice(0, 40)}…` : valueText}"` };
    return { ok: true, clause: { field, op, value: Number(valueText) } };
  }
  const value: string | number = !quoted && numeric ? Number(valueText) : valueText;
  return { ok: true, clause: { field, op, value } };
}

/**
 * `2021-06-12`, `2021-06-12 01:05`, `2021-06-12T01:05:00.250Z` and the like, read as UTC, to
 * epoch milliseconds; null for anything else or an impossible date.
 */
export function parseUtcTime(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?\s*(?:Z|UTC)?$/i.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h = 0, mi = 0, sec = 0] = m.slice(1, 7).map((x) => Number(x ?? 0));
  const ms = Number((m[7] ?? '0').padEnd(3, '0'));
  const t = Date.UTC(y!, mo! - 1, d!, h, mi, sec, ms);
  // Date.UTC rolls 2021-02-30 over into March: refuse what does not read back the same
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo! - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h || back.getUTCMinutes() !== mi || back.getUTCSeconds() !== sec) return null;
  return t;
}

