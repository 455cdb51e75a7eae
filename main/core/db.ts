/**
 * Thin helpers over @duckdb/node-api: plain JS values out, bound parameters in.
 */
import type { DuckDBBlobValue, DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Cell, ColumnInfo } from '../../preload/contract.ts';

export type Params = (string | number | boolean | null | bigint | DuckDBBlobValue)[];

export interface Rows {
  columns: ColumnInfo[];
  rows: Cell[][];
}

function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
    case 'string':
    case 'boolean':
      return value;
    case 'bigint':
      return Number(value);
    default:
      if (value instanceof Date) return value.toISOString();
      return String(value);
  }
}

function kindOf(typeName: string): ColumnInfo['type'] {
  const t = typeName.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(t)) return 'integer';
  if (/^(FLOAT|DOUBLE|DECIMAL)/.test(t)) return 'float';
  if (t === 'BOOLEAN') return 'boolean';
  return 'text';
}

export async function query(conn: DuckDBConnection, sql: string, params: Params = []): Promise<Rows> {
  const reader = await conn.runAndReadAll(sql, params as DuckDBValue[]);
  const names = reader.columnNames();
  const types = reader.columnTypes();
  const columns = names.map((name, i) => ({ name, type: kindOf(String(types[i])) }));
  const rows = reader.getRows().map((r) => r.map(toCell));
  return { columns, rows };
}

export async function queryObjects<T = Record<string, Cell>>(conn: DuckDBConnection, sql: string, params: Params = []): Promise<T[]> {
  const { columns, rows } = await query(conn, sql, params);
  return rows.map((r) => Object.fromEntries(columns.map((c, i) => [c.name, r[i] ?? null])) as T);
}

export async function scalar(conn: DuckDBConnection, sql: string, params: Params = []): Promise<Cell> {
  const { rows } = await query(conn, sql, params);
  return rows[0]?.[0] ?? null;
}

/** Quotes an identifier for SQL (names from a file header are untrusted). */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal, for the few places DuckDB wants a literal (table function options). */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export function flowsTable(captureId: number): string {
  if (!Number.isSafeInteger(captureId) || captureId < 1) throw new Error(`bad capture id ${captureId}`);
  return `flows_${captureId}`;
}
