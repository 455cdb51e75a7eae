import type { Api, CarrySource, FlaggedWindow, ScanSummary, ScanUsage, ThresholdPoint, TriageStatus, Verdict, VerdictResult, WindowQuery } from '../../../preload/contract';
import { formatBytes, formatCountOf } from '../lib/format';
import { COMPACT_NUDGE_BYTES } from '../lib/space';
import { WindowPager, type WindowFilter } from './windowPager.svelte';

export type WindowSort = NonNullable<WindowQuery['sort']>;
export type SortBy = WindowSort['by'];

export const verdictLabels: Record<Verdict, string> = { tp: 'True positive', fp: 'False positive', review: 'Needs review' };
/**
 * Where a drill-down was opened in the queue: its row, under the sort and filters of that
 * moment (`version`). Previous / Next then step through the queue from there.
 */
export interface QueueLink {
  scanId: number;
  index: number;
  version: number;
}

export const statusLabels: Record<TriageStatus, string> = { untriaged: 'Untriaged', tp: 'TP', fp: 'FP', review: 'Review' };

/**
 * What a verdict change did, in words: 'True positive: 3 windows · lab (u undoes)', and when
 * some windows had it already or kept their verdict with another reason, says so
 * ('True positive: 0 windows changed, 5 already TP'); nothing changed is nothing to undo.
 */
export function verdictOutcome(verdict: Verdict | null, reason: string, r: VerdictResult, what: (updated: number) => string, after: string): string {
  const head = verdict ? verdictLabels[verdict] : 'Verdict cleared';
  const why = reason ? ` · ${reason}` : '';
  if (!r.reasonChanged && !r.unchanged) return `${head}: ${what(r.updated)}${why}${after}`;
  const only = r.reasonChanged ? ` (${r.reasonChanged === r.updated ? 'reason only' : `${r.reasonChanged} reason only`})` : '';
  const already = r.unchanged ? `, ${r.unchanged} already ${statusLabels[verdict ?? 'untriaged']}${verdict && reason ? ' with that reason' : ''}` : '';
  return `${head}: ${r.updated} window${r.updated === 1 ? '' : 's'} changed${only}${already}${why}${r.updated ? after : ''}`;
}

/**
 * The Detections view: which scan is triaged, the queue of its flagged windows (sorted and
 * filtered in the core, paged in as the analyst scrolls), the cursor, the x-selection for bulk
 * verdicts, the scan's threshold curve and the last triage action.
 */
export class DetectionsState {
  captureId = $state<number | null>(null);
  /** the scans of the chosen capture, newest first */
  scans = $state.raw<ScanSummary[]>([]);
  scanId = $state<number | null>(null);
  /** follow the capture's newest scan until the analyst picks another */
  followLatest = $state(true);
  scan = $derived(this.scans.find((s) => s.id === this.scanId) ?? null);

  sort = $state.raw<WindowSort>({ by: 'score', dir: 'desc' });
  classes = $state.raw<string[]>([]);
  host = $state('');
  status = $state<TriageStatus | ''>('');
  minScore = $state<number | null>(null);
  maxScore = $state<number | null>(null);
  /** only windows this other scan of the capture lacks (their flows and class it did not flag) */
  notIn = $state<number | null>(null);

  readonly pager: WindowPager;
  cursor = $state(0);
  /** bumped whenever the queue's scan, sort or filters change: a drill-down's QueueLink then no longer holds */
  queueVersion = $state(0);
  /** window ids marked with x: a verdict then applies to all of them */
  selected = $state.raw<Set<number>>(new Set());
  /** Ctrl+A: every window the filters match is selected, however many (not a list of ids) */
  allMatching = $state(false);
  reason = $state('');
  /** the last triage action, read out to screen readers and shown under the queue */
  message = $state<{ text: string; error: boolean } | null>(null);
  busy = $state(false);

  curve = $state.raw<ThresholdPoint[] | null>(null);
  curveError = $state<string | null>(null);
  curveLoading = $state(false);
  threshold = $state(0.5);

  /** other scans of the capture whose verdicts can carry to untriaged windows here, newest first */
  carrySources = $state.raw<CarrySource[]>([]);
  /** the one the carry notice offers */
  carryFrom = $state<number | null>(null);
  carrySource = $derived(this.carrySources.find((s) => s.scanId === this.carryFrom) ?? null);
  carrying = $state(false);

  /** a scan the analyst asked to delete: what it would take with it, before they confirm */
  scanDeletion = $state.raw<{ scanId: number; usage: ScanUsage | null; error: string | null; busy: boolean } | null>(null);
  /** how the last scan deletion ended */
  scanDeleted = $state<{ text: string; error: boolean; compact?: boolean } | null>(null);

  private curveFor: number | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private carryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private api: Api) {
    this.pager = new WindowPager(api);
  }

  get query(): WindowFilter | null {
    if (this.scanId === null) return null;
    const q: WindowFilter = { scanId: this.scanId, sort: this.sort };
    if (this.classes.length) q.classes = this.classes;
    if (this.host.trim()) q.host = this.host.trim();
    if (this.status) q.status = this.status;
    if (this.minScore !== null) q.minScore = this.minScore;
    if (this.maxScore !== null) q.maxScore = this.maxScore;
    if (this.notIn !== null) q.notIn = this.notIn;
    return q;
  }

  /** Shows a capture's scans; keeps the chosen scan when it is still there. */
  async setCapture(captureId: number | null, force = false) {
    if (captureId === this.captureId && !force) return;
    const changed = captureId !== this.captureId;
    this.captureId = captureId;
    if (changed) this.followLatest = true;
    if (captureId === null) {
      this.scans = [];
      this.pickScan(null, false);
      return;
    }
    try {
      const list = (await this.api.listScans({ captureId })).filter((s) => s.captureId === captureId).sort((a, b) => b.id - a.id);
      if (this.captureId !== captureId) return;
      this.scans = list;
      const keep = !this.followLatest && list.some((s) => s.id === this.scanId);
      this.pickScan(keep ? this.scanId : (list[0]?.id ?? null), !this.followLatest);
    } catch (err) {
      this.message = { text: (err as Error).message, error: true };
    }
  }

  /** A scan finished or was added: list again, move to the newest when following it. */
  onScansChanged(captureId: number) {
    if (captureId === this.captureId) void this.setCapture(captureId, true);
  }

  pickScan(scanId: number | null, byHand = true) {
    if (byHand) this.followLatest = scanId === this.scans[0]?.id;
    if (scanId === this.scanId) return;
    this.scanId = scanId;
    this.curve = null;
    this.curveFor = null;
    this.threshold = this.scan?.threshold ?? 0.5;
    this.carrySources = [];
    this.carryFrom = null;
    // a comparison is between this scan and another: a new scan starts without one
    this.notIn = null;
    this.reload();
    void this.loadCarrySources();
  }

  reload() {
    this.queueVersion++;
    this.cursor = 0;
    this.selected = new Set();
    this.allMatching = false;
    this.pager.reset(this.query);
  }

  /** Which other scans of the capture can carry verdicts here; keeps the offered one while it still can. */
  async loadCarrySources() {
    const scanId = this.scanId;
    if (scanId === null) {
      this.carrySources = [];
      this.carryFrom = null;
      return;
    }
    try {
      const list = (await this.api.carrySources({ scanId })).filter((s) => s.matches > 0);
      if (scanId !== this.scanId) return;
      this.carrySources = list;
      if (!list.some((s) => s.scanId === this.carryFrom)) this.carryFrom = list[0]?.scanId ?? null;
    } catch {
      // the notice is an offer: without it the queue works as before
      if (scanId === this.scanId) this.carrySources = [];
    }
  }

  /** Asks to delete a scan: reads what it holds (windows, verdicts, notes, incidents) for the confirmation. */
  async askDeleteScan(scanId: number) {
    this.scanDeleted = null;
    this.scanDeletion = { scanId, usage: null, error: null, busy: false };
    try {
      const usage = await this.api.scanUsage({ scanId });
      if (this.scanDeletion?.scanId === scanId) this.scanDeletion = { ...this.scanDeletion, usage };
    } catch (err) {
      if (this.scanDeletion?.scanId === scanId) this.scanDeletion = { ...this.scanDeletion, error: (err as Error).message };
    }
  }

  cancelDeleteScan() {
    this.scanDeletion = null;
  }

  /** Deletes the scan asked about; the scans list follows from the `scans:changed` event. */
  async confirmDeleteScan() {
    const d = this.scanDeletion;
    if (!d?.usage || d.usage.incidents.length || d.busy) return;
    this.scanDeletion = { ...d, busy: true };
    try {
      const r = await this.api.deleteScan({ scanId: d.scanId });
      this.scanDeletion = null;
      const done = `Deleted scan #${r.scanId}: ${formatCountOf(r.windows, 'flagged window')}, ${formatCountOf(r.verdicts, 'verdict')}, ${formatCountOf(r.notes, 'note')} (the audit trail keeps what was done).`;
      this.scanDeleted = { text: `${done} Compacting the project gives its space back.`, error: false };
      // a scan that had reached the file leaves free space there: say how much, and offer to compact
      const space = await this.api.projectSpace({}).catch(() => null);
      if (space && space.freeBytes >= COMPACT_NUDGE_BYTES) {
        this.scanDeleted = { text: `${done} ${formatBytes(space.freeBytes)} of the project file is now free space; compacting gives it back.`, error: false, compact: true };
      }
      if (this.captureId !== null) await this.setCapture(this.captureId, true);
    } catch (err) {
      this.scanDeletion = null;
      this.scanDeleted = { text: `Scan #${d.scanId} not deleted: ${(err as Error).message}`, error: true };
    }
  }

  /** Gives untriaged windows the verdicts the offered scan gave windows with the same flows and class. */
  async carry() {
    const toScanId = this.scanId;
    const fromScanId = this.carryFrom;
    if (toScanId === null || fromScanId === null || this.carrying) return;
    this.carrying = true;
    try {
      const { carried } = await this.api.carryVerdicts({ fromScanId, toScanId });
      this.message = {
        text: carried
          ? `Carried ${carried} verdict${carried === 1 ? '' : 's'} from scan #${fromScanId} to windows with the same flows and class (u undoes them all)`
          : `No untriaged window here has the flows and class of a window judged in scan #${fromScanId}`,
        error: false,
      };
    } catch (err) {
      this.message = { text: `Verdicts not carried: ${(err as Error).message}`, error: true };
    } finally {
      this.carrying = false;
      await Promise.all([this.pager.refresh(), this.loadCarrySources()]);
    }
  }

  setSort(by: SortBy) {
    const dir = this.sort.by === by ? (this.sort.dir === 'desc' ? 'asc' : 'desc') : by === 'class' || by === 'host' || by === 'order' ? 'asc' : 'desc';
    this.sort = { by, dir };
    this.reload();
  }

  toggleClass(name: string) {
    this.classes = this.classes.includes(name) ? this.classes.filter((c) => c !== name) : [...this.classes, name];
    this.reload();
  }

  setStatus(status: TriageStatus | '') {
    this.status = status;
    this.reload();
  }

  setScoreRange(min: number | null, max: number | null) {
    this.minScore = min;
    this.maxScore = max;
    this.reload();
  }

  /** Shows only the windows another scan of the capture lacks, or (null) every window. */
  setNotIn(scanId: number | null) {
    this.notIn = scanId;
    this.reload();
  }

  clearFilters() {
    this.notIn = null;
    this.classes = [];
    this.host = '';
    this.status = '';
    this.minScore = null;
    this.maxScore = null;
    this.reload();
  }

  get current(): FlaggedWindow | undefined {
    void this.pager.version;
    return this.pager.row(this.cursor);
  }

  move(delta: number) {
    const total = this.pager.total;
    if (!total) return;
    this.cursor = Math.max(0, Math.min(total - 1, this.cursor + delta));
  }

  /** A drill-down opened from the queue row `index` now: the link its Previous / Next follow. */
  linkAt(index: number): QueueLink | null {
    return this.scanId === null ? null : { scanId: this.scanId, index, version: this.queueVersion };
  }

  /** The queue still has the sort and filters the drill-down was opened under. */
  follows(link: QueueLink | null): link is QueueLink {
    return link !== null && link.version === this.queueVersion && link.scanId === this.scanId;
  }

  /**
   * The queue row a drill-down of `windowId`, opened at `link`, steps to: the row before or
   * after it, or null at the queue's ends (or once the queue changed). A window that has left
   * the queue since (a verdict under a status filter) leaves its row to the one after it, so
   * Next goes to that one.
   */
  neighbour(link: QueueLink | null, windowId: number, direction: -1 | 1): number | null {
    if (!this.follows(link)) return null;
    void this.pager.version;
    const here = this.pager.row(link.index);
    const left = here !== undefined && here.id !== windowId;
    const target = direction < 0 ? link.index - 1 : left ? link.index : link.index + 1;
    return target >= 0 && target < this.pager.total ? target : null;
  }

  /** The window of queue row `index`, its page fetched if need be; the cursor moves to it. */
  async stepTo(index: number): Promise<FlaggedWindow | undefined> {
    this.moveTo(index);
    return this.pager.load(index);
  }

  moveTo(index: number) {
    this.cursor = Math.max(0, Math.min(Math.max(0, this.pager.total - 1), index));
  }

  toggleSelected() {
    const w = this.current;
    if (!w) return;
    // x after Ctrl+A starts a hand-picked selection again
    if (this.allMatching) {
      this.allMatching = false;
      this.selected = new Set();
    }
    const next = new Set(this.selected);
    if (next.has(w.id)) next.delete(w.id);
    else next.add(w.id);
    this.selected = next;
  }

  clearSelection() {
    this.selected = new Set();
    this.allMatching = false;
  }

  /** Ctrl+A: a verdict then applies to every window the filters match. */
  selectAllMatching() {
    if (!this.pager.total) return;
    this.selected = new Set();
    this.allMatching = true;
  }

  /** How many windows a verdict key applies to now. */
  get targetCount(): number {
    return this.allMatching ? this.pager.total : this.selected.size || (this.current ? 1 : 0);
  }

  /**
   * The ids of every window the filters match, for an incident (which lists its windows), at
   * most `max`: null when there are more, so the caller can say so rather than cut the list.
   */
  async matchingIds(max: number): Promise<number[] | null> {
    const q = this.query;
    if (!q) return [];
    const ids: number[] = [];
    for (let offset = 0; ; offset += 5000) {
      const page = await this.api.flaggedWindows({ ...q, offset, limit: 5000 });
      if (page.total > max) return null;
      ids.push(...page.windows.map((w) => w.id));
      if (page.windows.length < 5000 || ids.length >= page.total) return ids;
    }
  }

  /** The windows a verdict key applies to: the x-selection, else the window under the cursor. */
  targets(): number[] {
    if (this.selected.size) return [...this.selected];
    const w = this.current;
    return w ? [w.id] : [];
  }

  /**
   * Commits a verdict at once: to the x-selection or the current window (the rows change before
   * the core answers and are then reloaded), or after Ctrl+A to every window the filters match.
   */
  async setVerdict(verdict: Verdict | null, picked?: number[]) {
    const scanId = this.scanId;
    const query = this.query;
    if (scanId === null || !query) return;
    const plural = (n: number) => `${n} window${n === 1 ? '' : 's'}`;
    if (!picked && this.allMatching) {
      const { sort: _sort, ...filter } = query;
      return this.commit(verdict, (reason) => this.api.setVerdictMatching({ ...filter, verdict, ...reason }), (n) => `all ${n} matching window${n === 1 ? '' : 's'}`, ' (u undoes)');
    }
    const windowIds = picked ?? this.targets();
    if (!windowIds.length) return;
    this.pager.patch(new Set(windowIds), { verdict, verdictReason: this.reason.trim() || null, verdictBy: 'you', verdictAt: new Date().toISOString() });
    return this.commit(verdict, (reason) => this.api.setVerdict({ scanId, windowIds, verdict, ...reason }), (n) => `${plural(n)}${windowIds.length === 1 ? ` (#${windowIds[0]})` : ''}`, '');
  }

  /** Sends one verdict change with the reason typed, says what it changed, and reloads the rows. */
  private async commit(verdict: Verdict | null, send: (reason: { reason?: string }) => Promise<VerdictResult>, what: (updated: number) => string, after: string) {
    const reason = this.reason.trim();
    this.busy = true;
    try {
      const { updated, reasonChanged, unchanged } = await send(reason ? { reason } : {});
      this.message = { text: verdictOutcome(verdict, reason, { updated, reasonChanged, unchanged }, what, after), error: false };
      if (this.selected.size) this.selected = new Set();
      this.allMatching = false;
      this.reason = '';
    } catch (err) {
      this.message = { text: `Verdict not saved: ${(err as Error).message}`, error: true };
    } finally {
      this.busy = false;
      await this.pager.refresh();
    }
  }

  async undo() {
    try {
      const { undone } = await this.api.undoVerdict({});
      this.message = { text: undone ? `Undid the last verdict (${undone} window${undone === 1 ? '' : 's'})` : 'Nothing to undo', error: false };
    } catch (err) {
      this.message = { text: `Undo failed: ${(err as Error).message}`, error: true };
    }
    await this.pager.refresh();
  }

  /** Verdicts changed elsewhere (a drill-down, another window, the CLI): reload shortly. */
  onVerdictsChanged(scanId: number) {
    // a verdict here or in another scan of the capture changes what can be carried
    if (this.scanId !== null && !this.carryTimer) {
      this.carryTimer = setTimeout(() => {
        this.carryTimer = null;
        void this.loadCarrySources();
      }, 120);
    }
    if (scanId !== this.scanId || this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.pager.refresh();
    }, 60);
  }

  async loadCurve() {
    const scanId = this.scanId;
    if (scanId === null || this.curveFor === scanId || this.curveLoading) return;
    this.curveLoading = true;
    try {
      const points = await this.api.thresholdCurve({ scanId });
      if (scanId !== this.scanId) return;
      this.curve = [...points].sort((a, b) => a.threshold - b.threshold);
      this.curveFor = scanId;
      this.curveError = null;
    } catch (err) {
      if (scanId === this.scanId) this.curveError = (err as Error).message;
    } finally {
      this.curveLoading = false;
    }
  }

  /** The curve's point nearest the slider. */
  pointAt = $derived.by((): ThresholdPoint | null => {
    const curve = this.curve;
    if (!curve?.length) return null;
    let best = curve[0]!;
    for (const p of curve) if (Math.abs(p.threshold - this.threshold) < Math.abs(best.threshold - this.threshold)) best = p;
    return best;
  });
}
