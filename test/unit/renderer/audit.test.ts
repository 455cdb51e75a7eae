import { describe, expect, it } from 'vitest';
import type { Api, AuditEntry, AuditPage } from '../../../preload/contract';
import { AuditState } from '../../../renderer/src/state/audit.svelte.ts';
import { auditAction, auditChange, wholeScan } from '../../../renderer/src/lib/audit';
import { auditLine } from '../../../main/cli/index.ts';

const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  id: 1, batch: 1, at: '2026-12-07T04:51:02.000Z', analyst: 'ana', action: 'verdict', scanId: 3, windowId: 7,
  previous: null, value: 'tp', reason: null, undone: false, windowClass: 'DoS', captureId: 1, captureName: 'a.csv', ...over,
});

describe('an audit entry as the trail reads it', () => {
  it('names the action and the change', () => {
    expect([auditAction(entry({})), auditChange(entry({}))]).toEqual(['Verdict', 'Untriaged → TP']);
    expect([auditAction(entry({ previous: 'fp', value: null })), auditChange(entry({ previous: 'fp', value: null }))]).toEqual(['Verdict cleared', 'FP → Untriaged']);
    expect([auditAction(entry({ action: 'undo', previous: 'review', value: 'tp' })), auditChange(entry({ action: 'undo', previous: 'review', value: 'tp' }))]).toEqual(['Undo', 'Review → TP']);
    expect([auditAction(entry({ action: 'note', value: 'isolated' })), auditChange(entry({ action: 'note', value: 'isolated' }))]).toEqual(['Note', 'isolated']);
    const gone = entry({ action: 'scan-deleted', windowId: 0, value: 'scan #3 of capture #1 a.csv (default-v1, threshold 0.5): 12 flagged windows, 2 verdicts, 0 notes', windowClass: null });
    expect([auditAction(gone), auditChange(gone)]).toEqual(['Scan deleted', 'scan #3 of capture #1 a.csv (default-v1, threshold 0.5): 12 flagged windows, 2 verdicts, 0 notes']);
    const moved = entry({ action: 'incident-moved', windowId: 0, value: 'incident #4 "C2" moved from scan #1 (default, threshold 0.5) to scan #3 (default, threshold 0.7): its window has the same flows and class there.', windowClass: null });
    expect([auditAction(moved), auditChange(moved)]).toEqual(['Incident moved', moved.value]);
    expect([gone, moved, entry({}), entry({ action: 'note', value: 'x' })].map(wholeScan)).toEqual([true, true, false, false]);
  });

  it('reads on one line in mindflow audit', () => {
    expect(auditLine(entry({ reason: 'beacon' }))).toBe('2026-12-07 04:51:02  ana  verdict   scan #3 window #7 (DoS, a.csv): untriaged -> tp (beacon)');
    expect(auditLine(entry({ action: 'scan-deleted', windowId: 0, value: 'scan #3 of capture #1 a.csv', windowClass: null }))).toBe('2026-12-07 04:51:02  ana  deleted   scan #3 of capture #1 a.csv');
    expect(auditLine(entry({ action: 'incident-moved', windowId: 0, value: 'incident #4 "C2" moved from scan #1 to scan #3', windowClass: null }))).toBe(
      '2026-12-07 04:51:02  ana  moved     scan #3: incident #4 "C2" moved from scan #1 to scan #3',
    );
  });
});

describe('the audit trail panel', () => {
  it('reloads on changes only while shown, catches up when shown, and scopes to the Detections scan', async () => {
    const asked: unknown[] = [];
    const api = { auditLog: async (q: unknown): Promise<AuditPage> => (asked.push(q), { entries: [entry({})], total: 1 }) } as unknown as Api;
    let shown = false;
    const audit = new AuditState(api, () => 3, () => shown);
    audit.onChanged();
    expect(asked).toHaveLength(0);
    audit.onShown();
    await Promise.resolve();
    expect(asked).toEqual([{ limit: 500 }]);
    audit.onShown(); // nothing changed since
    expect(asked).toHaveLength(1);
    shown = true;
    audit.onChanged();
    audit.setScope('scan');
    await new Promise((r) => setTimeout(r, 0));
    expect(asked.slice(1)).toEqual([{ limit: 500 }, { limit: 500, scanId: 3 }]);
    expect(audit.page?.total).toBe(1);
  });
});
