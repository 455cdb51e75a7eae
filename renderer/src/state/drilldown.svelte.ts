import { carriedReason, type Api, type AuditEntry, type Explanation, type OtherVerdict, type Verdict, type WindowDetail } from '../../../preload/contract';
import { verdictLabels, type QueueLink } from './detections.svelte';

export const CONTEXT_FLOWS = 10;

export const drilldownKey = (scanId: number, windowId: number) => `window:${scanId}:${windowId}` as const;

/**
 * One window drill-down editor: the window's flows with context, per-flow and window class
 * probabilities, and the attribution ("why it was flagged"), computed on the model worker on
 * open without holding anything else up.
 */
export class DrilldownTab {
  readonly key: `window:${number}:${number}`;
  detail = $state.raw<WindowDetail | null>(null);
  detailError = $state<string | null>(null);
  /** the window's verdict changes and undos, newest first (its notes are in `detail`) */
  history = $state.raw<AuditEntry[]>([]);
  explanation = $state.raw<Explanation | null>(null);
  explainError = $state<string | null>(null);
  explaining = $state(false);
  noteText = $state('');
  noteError = $state<string | null>(null);
  message = $state<string | null>(null);
  /**
   * Opened from the Detections queue: its row there, so Previous / Next follow the queue's order
   * (while the queue keeps that sort and those filters); null: capture order
   */
  queue = $state.raw<QueueLink | null>(null);
  /** performance mark name to close once the attribution is on screen (bench) */
  pendingMark: string | null = null;

  constructor(
    private api: Api,
    readonly scanId: number,
    readonly windowId: number,
    queue: QueueLink | null = null,
  ) {
    this.queue = queue;
    this.key = drilldownKey(scanId, windowId);
    void this.load();
    void this.explain();
  }

  get title(): string {
    return this.detail ? `${this.detail.window.class} #${this.windowId}` : `Window #${this.windowId}`;
  }

  async load() {
    const trail = this.api.auditLog({ scanId: this.scanId, windowId: this.windowId, limit: 100 }).then(
      (page) => (this.history = page.entries.filter((e) => e.action !== 'note')),
      () => {},
    );
    try {
      this.detail = await this.api.windowDetail({ scanId: this.scanId, windowId: this.windowId, context: CONTEXT_FLOWS });
      this.detailError = null;
    } catch (err) {
      this.detailError = (err as Error).message;
    }
    await trail;
  }

  async explain() {
    if (this.explaining) return;
    this.explaining = true;
    this.explainError = null;
    try {
      this.explanation = await this.api.explainWindow({ scanId: this.scanId, windowId: this.windowId });
    } catch (err) {
      this.explainError = (err as Error).message;
    } finally {
      this.explaining = false;
    }
  }

  async setVerdict(verdict: Verdict | null, reason = '') {
    try {
      const r = await this.api.setVerdict({ scanId: this.scanId, windowIds: [this.windowId], verdict, ...(reason.trim() ? { reason: reason.trim() } : {}) });
      // the same verdict and reason again is no change (and no audit entry)
      if (r.unchanged) this.message = verdict ? `Already ${verdictLabels[verdict].toLowerCase()}${reason.trim() ? ' with that reason' : ''}: nothing changed` : 'Already untriaged: nothing changed';
      else if (r.reasonChanged && verdict) this.message = `${verdictLabels[verdict]} kept, reason ${reason.trim() ? 'changed' : 'cleared'}`;
      else this.message = verdict ? `${verdictLabels[verdict]} saved` : 'Verdict cleared';
      await this.load();
    } catch (err) {
      this.message = `Verdict not saved: ${(err as Error).message}`;
    }
  }

  async addNote() {
    const text = this.noteText.trim();
    if (!text) return;
    try {
      const note = await this.api.addNote({ scanId: this.scanId, windowId: this.windowId, text });
      this.noteText = '';
      this.noteError = null;
      if (this.detail) this.detail = { ...this.detail, notes: [...this.detail.notes, note] };
    } catch (err) {
      this.noteError = (err as Error).message;
    }
  }

  /** Takes another scan's verdict on exactly this window's flows, saying where it came from. */
  async useVerdict(o: OtherVerdict) {
    if (!o.verdict) return;
    try {
      const r = await this.api.setVerdict({ scanId: this.scanId, windowIds: [this.windowId], verdict: o.verdict, reason: carriedReason(o.scanId, o.windowId, o.analyst ?? 'unknown', o.reason).slice(0, 2000) });
      this.message = r.unchanged ? `Already ${verdictLabels[o.verdict].toLowerCase()} from scan #${o.scanId}: nothing changed` : `${verdictLabels[o.verdict]} carried from scan #${o.scanId}`;
      await this.load();
    } catch (err) {
      this.message = `Verdict not saved: ${(err as Error).message}`;
    }
  }

  /**
   * A verdict changed: this window's (an undo names no windows), or another scan's, which may
   * be one on flows this window shares.
   */
  onVerdictsChanged(scanId: number, windowIds: number[]) {
    if (scanId === this.scanId) {
      if (windowIds.length === 0 || windowIds.includes(this.windowId)) void this.load();
      return;
    }
    void this.api.otherVerdicts({ scanId: this.scanId, windowId: this.windowId }).then(
      (others) => {
        if (this.detail) this.detail = { ...this.detail, otherVerdicts: others };
      },
      () => {},
    );
  }
}
