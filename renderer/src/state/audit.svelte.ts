import type { Api, AuditPage } from '../../../preload/contract';

/** The newest entries the panel shows (the CLI's `mindflow audit` reaches the rest). */
export const AUDIT_LIMIT = 500;

/**
 * The audit trail panel: every verdict, undo and note, newest first, for the whole project or
 * the scan Detections shows. It reloads when verdicts or notes change while it is shown, and
 * when it is shown after they changed.
 */
export class AuditState {
  scope = $state<'all' | 'scan'>('all');
  page = $state.raw<AuditPage | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  /** changes arrived while the panel was hidden */
  private stale = true;
  private asked = 0;

  constructor(
    private readonly api: Api,
    /** the scan Detections shows, for the "this scan" scope */
    private readonly currentScan: () => number | null,
    /** whether the panel is on screen */
    private readonly shown: () => boolean,
  ) {}

  get scanId(): number | null {
    return this.currentScan();
  }

  setScope(scope: 'all' | 'scan') {
    if (scope === this.scope) return;
    this.scope = scope;
    void this.load();
  }

  /** The panel came on screen: load if anything changed since it last did. */
  onShown() {
    if (this.stale) void this.load();
  }

  /** A verdict or note changed somewhere: reload now if shown, else when shown. */
  onChanged() {
    this.stale = true;
    if (this.shown()) void this.load();
  }

  async load() {
    const asked = ++this.asked;
    this.stale = false;
    this.loading = true;
    const scanId = this.scope === 'scan' ? this.currentScan() : null;
    try {
      const page = await this.api.auditLog({ limit: AUDIT_LIMIT, ...(scanId !== null ? { scanId } : {}) });
      if (asked !== this.asked) return;
      this.page = page;
      this.error = null;
    } catch (err) {
      if (asked === this.asked) this.error = (err as Error).message;
    } finally {
      if (asked === this.asked) this.loading = false;
    }
  }
}
