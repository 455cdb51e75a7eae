/** How an audit entry reads: what was done, and what the verdict was before and after. */
import { reasonOnlyChange, type AuditEntry, type TriageStatus } from '../../../preload/contract';
import { statusLabels } from '../state/detections.svelte';

/** A verdict as the queue's status names it ('TP'); null is untriaged. */
export function verdictName(v: string | null): string {
  return statusLabels[(v ?? 'untriaged') as TriageStatus] ?? v;
}

export function auditAction(e: AuditEntry): string {
  if (e.action === 'note') return 'Note';
  if (e.action === 'undo') return 'Undo';
  if (e.action === 'scan-deleted') return 'Scan deleted';
  if (e.action === 'incident-moved') return 'Incident moved';
  if (reasonOnlyChange(e)) return e.reason ? 'Reason changed' : 'Reason cleared';
  return e.value === null ? 'Verdict cleared' : 'Verdict';
}

/** 'Untriaged → TP'; 'TP' where only the reason changed (or an undo put the reason back); a note's text. */
export function auditChange(e: AuditEntry): string {
  if (e.action === 'note' || wholeScan(e)) return e.value ?? '';
  if (reasonOnlyChange(e)) return e.action === 'undo' ? `${verdictName(e.value)}, reason change undone` : verdictName(e.value);
  return `${verdictName(e.previous)} → ${verdictName(e.value)}`;
}

/** An entry about a whole scan (deleted) or an incident on it (moved), not one window: window 0. */
export function wholeScan(e: AuditEntry): boolean {
  return e.action === 'scan-deleted' || e.action === 'incident-moved';
}
