/** How an audit entry reads: what was done, and what the verdict was before and after. */
import type { AuditEntry, TriageStatus } from '../../../preload/contract';
import { statusLabels } from '../state/detections.svelte';

/** A verdict as the queue's status names it ('TP'); null is untriaged. */
export function verdictName(v: string | null): string {
  return statusLabels[(v ?? 'untriaged') as TriageStatus] ?? v;
}

export function auditAction(e: AuditEntry): string {
  if (e.action === 'note') return 'Note';
  if (e.action === 'undo') return 'Undo';
  if (e.action === 'scan-deleted') return 'Scan deleted';
  return e.value === null ? 'Verdict cleared' : 'Verdict';
}

/** 'Untriaged → TP'; a note's text. */
export function auditChange(e: AuditEntry): string {
  return e.action === 'note' || e.action === 'scan-deleted' ? (e.value ?? '') : `${verdictName(e.previous)} → ${verdictName(e.value)}`;
}
