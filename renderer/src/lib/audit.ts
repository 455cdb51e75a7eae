/** How an audit entry reads: what was done, and what the verdict was before and after. */
import type { AuditEntry } from '../../../preload/contract';

const verdictNames: Record<string, string> = { tp: 'TP', fp: 'FP', review: 'Review' };

/** A verdict as the queue names it; null is untriaged. */
export function verdictName(v: string | null): string {
  return v === null ? 'Untriaged' : (verdictNames[v] ?? v);
}

export function auditAction(e: AuditEntry): string {
  if (e.action === 'note') return 'Note';
  if (e.action === 'undo') return 'Undo';
  return e.value === null ? 'Verdict cleared' : 'Verdict';
}

/** 'Untriaged → TP'; a note's text. */
export function auditChange(e: AuditEntry): string {
  return e.action === 'note' ? (e.value ?? '') : `${verdictName(e.previous)} → ${verdictName(e.value)}`;
}
