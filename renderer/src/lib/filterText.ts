import type { FilterClause } from '../../../preload/contract';
import { formatField, isTimestampField } from './format';

// typed clauses are read the same way by the filter bar and the CLI
export { parseClause, parseUtcTime, virtualFields, type FieldType, type ParseResult } from '../../../preload/clauses';

/** The clause's value as the analyst typed it: timestamps as UTC times, the rest as is. */
export function formatClauseValue(clause: FilterClause): string {
  return typeof clause.value === 'number' && isTimestampField(clause.field) ? formatField(clause.field, clause.value) : String(clause.value);
}

export function formatClause(clause: FilterClause): string {
  return `${clause.field} ${clause.op} ${formatClauseValue(clause)}`;
}

export function sameClause(a: FilterClause, b: FilterClause): boolean {
  return a.field === b.field && a.op === b.op && String(a.value) === String(b.value);
}
