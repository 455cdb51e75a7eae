/**
 * Filter clauses as an analyst types them (`host = 192.168.100.3`, `Attack != DoS`,
 * `FLOW_START_MILLISECONDS >= 2021-06-12 01:05`), read the same way by Explore's filter bar and
 * the CLI. Pure functions over the contract's types: no DOM, no Node.
 */
import { filterOps, type FilterClause, type FilterOp } from './contract.ts';

/** NetFlow v3's start and end times: epoch milliseconds, typed and shown as UTC times. */
export const isTimestampField = (name: string): boolean => /^FLOW_(START|END)_MILLISECONDS$/i.test(name);

/** Virtual fields the core understands besides stored columns. */
export const virtualFields = ['host', 'port'] as const;

const opPattern = [...filterOps].sort((a, b) => b.length - a.length).map((op) => op.replace(/[<>=!]/g, (c) => `\\${c}`)).join('|');
const clausePattern = new RegExp(`^\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*(${opPattern})\\s*(.*?)\\s*$`);

export type ParseResult = { ok: true; clause: FilterClause } | { ok: false; message: string };

/**
 * Parses one typed clause such as `IPV4_SRC_ADDR = 192.168.100.3`, `port = 80` or
 * `Attack != DoS`. Field names are matched case-insensitively against the known columns and
 * returned in their canonical spelling; plain numbers become numbers, quotes are stripped.
 */
export function parseClause(text: string, knownFields: readonly string[]): ParseResult {
  const match = clausePattern.exec(text);
  if (!match) return { ok: false, message: 'Write a clause as "field op value", e.g. IPV4_SRC_ADDR = 192.168.100.3' };
  const [, rawField = '', op = '=', rawValue = ''] = match;
  const field = [...virtualFields, ...knownFields].find((f) => f.toLowerCase() === rawField.toLowerCase());
  if (!field) return { ok: false, message: `Unknown field "${rawField}". Try host, port or a column name.` };
  let valueText = rawValue;
  const quoted = /^(['"])(.*)\1$/.exec(valueText);
  if (quoted) valueText = quoted[2] ?? '';
  if (valueText === '') return { ok: false, message: `Missing value after "${rawField} ${op}"` };
  const numeric = /^-?\d+(\.\d+)?$/.test(valueText);
  if (isTimestampField(field) && !numeric) {
    const ms = parseUtcTime(valueText);
    if (ms === null) return { ok: false, message: `${field} takes a UTC time such as 2021-06-12 01:05:00.250, or epoch milliseconds` };
    return { ok: true, clause: { field, op: op as FilterOp, value: ms } };
  }
  const value: string | number = !quoted && numeric ? Number(valueText) : valueText;
  return { ok: true, clause: { field, op: op as FilterOp, value } };
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

