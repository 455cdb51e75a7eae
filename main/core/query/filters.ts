/**
 * Structured filters become a WHERE clause with bound parameters. Field names are checked
 * against the capture's own columns (identifiers cannot be bound, so they are allow-listed);
 * values are always parameters, never spliced into SQL.
 */
import { SCAN_COLUMN_TYPES, type FilterClause, type FlowFilter } from '../../../preload/contract.ts';
import { ident, type Params } from '../db.ts';
import { MindflowError } from '../errors.ts';
import { sqlTypeOf } from '../capture/schema.ts';

export interface Where {
  sql: string; // "" or "WHERE ..."
  params: Params;
}

/** Virtual fields that expand to two columns. */
const VIRTUAL: Record<string, [string, string]> = {
  host: ['IPV4_SRC_ADDR', 'IPV4_DST_ADDR'],
  port: ['L4_SRC_PORT', 'L4_DST_PORT'],
};

/** Short names analysts type, mapped to stored columns. */
export const FIELD_ALIASES: Record<string, string> = {
  src: 'IPV4_SRC_ADDR',
  dst: 'IPV4_DST_ADDR',
  sport: 'L4_SRC_PORT',
  dport: 'L4_DST_PORT',
  proto: 'PROTOCOL',
  l7: 'L7_PROTO',
  class: 'Attack',
  attack: 'Attack',
  label: 'Label',
};

export function resolveField(field: string, columns: readonly string[]): string {
  if (field === 'flow_id' || field in VIRTUAL || columns.includes(field)) return field;
  const alias = FIELD_ALIASES[field.toLowerCase()];
  if (alias && columns.includes(alias)) return alias;
  const ci = columns.find((c) => c.toLowerCase() === field.toLowerCase());
  if (ci) return ci;
  throw new MindflowError('bad-args', `unknown filter field "${field}": this capture has no such column`);
}

/** Columns a scan adds to its capture's flows (see query/flows.ts), as the contract types them. */
export const SCAN_COLUMNS = SCAN_COLUMN_TYPES;

function isNumericField(field: string): boolean {
  if (field === 'flow_id' || field === 'port') return true;
  if (field === 'host') return false;
  const scanType = SCAN_COLUMNS[field];
  if (scanType) return scanType === 'float';
  return sqlTypeOf(field) !== 'VARCHAR';
}

function coerce(field: string, value: string | number): string | number {
  if (!isNumericField(field)) return String(value);
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (String(value).trim() === '' || !Number.isFinite(n)) {
    throw new MindflowError('bad-args', `${field} expects a number, got "${String(value).slice(0, 40)}"`);
  }
  return n;
}

function clauseSql(c: FilterClause, columns: readonly string[], params: Params, idColumn: string): string {
  const field = resolveField(c.field, columns);
  const value = coerce(field, c.value);
  const pair = VIRTUAL[field];
  if (pair) {
    params.push(value, value);
    const [a, b] = pair;
    // "host != x" means neither end is x; "host = x" means either end is
    return c.op === '!='
      ? `(${ident(a)} != ? AND ${ident(b)} != ?)`
      : `(${ident(a)} ${c.op} ? OR ${ident(b)} ${c.op} ?)`;
  }
  params.push(value);
  const col = field === 'flow_id' ? idColumn : ident(field);
  // != keeps rows whose value is missing: an analyst excluding one class still sees unlabelled rows
  return c.op === '!=' ? `(${col} IS DISTINCT FROM ?)` : `${col} ${c.op} ?`;
}

/** `idColumn` is how the flow id is spelled in the FROM: `rowid` on a flows table, `flow_id` on a scan view. */
export function buildWhere(filter: FlowFilter, columns: readonly string[], idColumn = 'rowid'): Where {
  const params: Params = [];
  const parts = filter.clauses.map((c) => clauseSql(c, columns, params, idColumn));
  if (filter.flowRange) {
    parts.push(`${idColumn} >= ? AND ${idColumn} < ?`);
    params.push(filter.flowRange.from, filter.flowRange.to);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}
