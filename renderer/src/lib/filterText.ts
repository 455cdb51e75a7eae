import { filterOps, type FilterClause, type FilterOp } from '../../../preload/contract';

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
  const value: string | number = !quoted && /^-?\d+(\.\d+)?$/.test(valueText) ? Number(valueText) : valueText;
  return { ok: true, clause: { field, op: op as FilterOp, value } };
}

export function formatClause(clause: FilterClause): string {
  return `${clause.field} ${clause.op} ${clause.value}`;
}

export function sameClause(a: FilterClause, b: FilterClause): boolean {
  return a.field === b.field && a.op === b.op && String(a.value) === String(b.value);
}
