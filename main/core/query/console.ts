/**
 * The SQL console is read-only. A statement is parsed and prepared by DuckDB itself, and only
 * a single SELECT (which includes DESCRIBE, SHOW and SUMMARIZE) runs. Everything that writes,
 * attaches, copies, installs or loads is refused with a message that says so; table functions
 * that reach outside the project (reading or globbing files, environment variables) are
 * refused too, since the console is reachable from the web host.
 */
import { StatementType, type DuckDBConnection } from '@duckdb/node-api';
import type { SqlResult } from '../../../preload/contract.ts';
import { query } from '../db.ts';
import { MindflowError } from '../errors.ts';

const REFUSED: Partial<Record<StatementType, string>> = {
  [StatementType.INSERT]: 'INSERT writes to the project',
  [StatementType.UPDATE]: 'UPDATE writes to the project',
  [StatementType.DELETE]: 'DELETE writes to the project',
  [StatementType.MERGE_INTO]: 'MERGE writes to the project',
  [StatementType.CREATE]: 'CREATE writes to the project',
  [StatementType.CREATE_FUNC]: 'CREATE FUNCTION writes to the project',
  [StatementType.DROP]: 'DROP writes to the project',
  [StatementType.ALTER]: 'ALTER writes to the project',
  [StatementType.COPY]: 'COPY reads or writes files',
  [StatementType.COPY_DATABASE]: 'COPY DATABASE writes files',
  [StatementType.EXPORT]: 'EXPORT writes files',
  [StatementType.ATTACH]: 'ATTACH opens another database',
  [StatementType.DETACH]: 'DETACH changes attached databases',
  [StatementType.LOAD]: 'INSTALL and LOAD bring in extension code',
  [StatementType.EXTENSION]: 'INSTALL installs an extension',
  [StatementType.UPDATE_EXTENSIONS]: 'UPDATE EXTENSIONS installs code',
  [StatementType.SET]: 'SET changes settings',
  [StatementType.VARIABLE_SET]: 'SET VARIABLE changes state',
  [StatementType.PRAGMA]: 'PRAGMA can change settings',
  [StatementType.TRANSACTION]: 'transactions are managed by MindFlow',
  [StatementType.VACUUM]: 'VACUUM rewrites the project',
  [StatementType.CALL]: 'CALL runs procedures',
  [StatementType.ANALYZE]: 'ANALYZE writes statistics',
  [StatementType.PREPARE]: 'PREPARE is not supported here',
  [StatementType.EXECUTE]: 'EXECUTE is not supported here',
};

const OUTSIDE = /\b(read_\w+|glob|getenv|query|query_table|sniff_csv|parquet_\w+|iceberg_\w+|delta_scan|sqlite_\w+|postgres_\w+|mysql_\w+)\s*\(/i;

function refuse(reason: string): never {
  throw new MindflowError('read-only', `read-only console: ${reason}; refused (only SELECT queries run here)`);
}

/** Classifies a statement without running it; throws a 'read-only' error when it is refused. */
export async function checkReadOnly(conn: DuckDBConnection, sql: string): Promise<void> {
  const outside = OUTSIDE.exec(sql);
  if (outside) refuse(`${outside[1]}() reaches outside the project`);
  let extracted;
  try {
    extracted = await conn.extractStatements(sql);
  } catch (err) {
    throw new MindflowError('sql-error', (err instanceof Error ? err.message : String(err)).split('\n')[0]!);
  }
  if (extracted.count === 0) throw new MindflowError('sql-error', 'no SQL statement to run');
  if (extracted.count > 1) throw new MindflowError('sql-error', 'one statement at a time, please');
  let type: StatementType;
  try {
    type = (await extracted.prepare(0)).statementType;
  } catch (err) {
    // A write whose target does not exist fails to bind; name the verb rather than the binder error.
    const verb = /^\s*(insert|update|delete|create|drop|alter|copy|attach|detach|install|load|set|pragma|export|vacuum|call|merge)\b/i.exec(sql);
    if (verb) refuse(`${verb[1]!.toUpperCase()} is not allowed`);
    throw new MindflowError('sql-error', (err instanceof Error ? err.message : String(err)).split('\n')[0]!);
  }
  const reason = REFUSED[type];
  if (reason) refuse(reason);
  if (type !== StatementType.SELECT) refuse('only SELECT runs here');
}

export async function runReadOnlySql(conn: DuckDBConnection, sql: string, limit = 1000): Promise<SqlResult> {
  await checkReadOnly(conn, sql);
  const t0 = performance.now();
  const text = sql.trim().replace(/;\s*$/, '');
  let result;
  try {
    result = await query(conn, `SELECT * FROM (${text}) LIMIT ?`, [limit + 1]);
  } catch {
    // DESCRIBE / SHOW / SUMMARIZE cannot be wrapped in a subquery; run them as they are.
    try {
      result = await query(conn, text);
    } catch (err) {
      throw new MindflowError('sql-error', (err instanceof Error ? err.message : String(err)).split('\n')[0]!);
    }
  }
  const truncated = result.rows.length > limit;
  return { columns: result.columns, rows: result.rows.slice(0, limit), truncated, ms: performance.now() - t0 };
}
