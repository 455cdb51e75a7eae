import type { Api, FlaggedWindow, TriageStatus, WindowQuery } from '../../../preload/contract';

export const WINDOW_PAGE = 200;
const MAX_PAGES = 60;

export type WindowFilter = Omit<WindowQuery, 'offset' | 'limit'>;

const zeroCounts = (): Record<TriageStatus, number> => ({ untriaged: 0, tp: 0, fp: 0, review: 0 });

/**
 * The flagged-window queue, fetched in pages as the viewport needs them (like the flow pager).
 * Pages live in a plain Map, never proxied: a scan can flag 100k windows; `version` tells the
 * view a page arrived or a row changed.
 */
export class WindowPager {
  total = $state(0);
  statusCounts = $state.raw<Record<TriageStatus, number>>(zeroCounts());
  ms = $state(0);
  error = $state<string | null>(null);
  loaded = $state(false);
  version = $state(0);

  private pages = new Map<number, FlaggedWindow[]>();
  private inflight = new Map<number, Promise<void>>();
  private generation = 0;
  private wanted: [number, number] = [0, 0];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private query: WindowFilter | null = null;

  constructor(private api: Api) {}

  reset(query: WindowFilter | null) {
    this.query = query;
    this.generation++;
    this.pages.clear();
    this.inflight.clear();
    this.error = null;
    this.loaded = false;
    this.total = 0;
    this.version++;
    if (query) void this.fetchPage(0);
    else this.statusCounts = zeroCounts();
  }

  row(index: number): FlaggedWindow | undefined {
    return this.pages.get(Math.floor(index / WINDOW_PAGE))?.[index % WINDOW_PAGE];
  }

  /** The row at `index`, fetching its page when it is not loaded. */
  async load(index: number): Promise<FlaggedWindow | undefined> {
    const page = Math.floor(index / WINDOW_PAGE);
    if (!this.pages.has(page)) await this.fetchPage(page);
    return this.row(index);
  }

  /** Asks for rows [first, last]; fetching waits for scrolling to settle briefly. */
  ensure(first: number, last: number) {
    this.wanted = [first, last];
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const [a, b] = this.wanted;
      const from = Math.max(0, Math.floor(a / WINDOW_PAGE));
      const to = Math.floor(Math.max(a, b) / WINDOW_PAGE);
      for (let p = from; p <= to; p++) void this.fetchPage(p);
      this.evict(from);
    }, 30);
  }

  /** True when every row in [first, last] is loaded (for the scroll bench). */
  hasRows(first: number, last: number): boolean {
    for (let p = Math.floor(first / WINDOW_PAGE); p <= Math.floor(last / WINDOW_PAGE); p++) {
      if (p * WINDOW_PAGE < this.total && !this.pages.has(p)) return false;
    }
    return true;
  }

  /** Changes loaded rows in place (a verdict just made), before the core's answer. */
  patch(windowIds: Set<number>, change: Partial<FlaggedWindow>) {
    let hit = false;
    for (const [p, rows] of this.pages) {
      if (!rows.some((w) => windowIds.has(w.id))) continue;
      this.pages.set(p, rows.map((w) => (windowIds.has(w.id) ? { ...w, ...change } : w)));
      hit = true;
    }
    if (hit) this.version++;
  }

  /** Refetches the loaded pages (verdicts changed): rows, total and status counts. */
  async refresh() {
    const query = this.query;
    if (!query) return;
    const generation = this.generation;
    const pages = [...this.pages.keys()];
    if (!pages.length) pages.push(0);
    await Promise.all(pages.map((p) => this.fetchPage(p, true, generation)));
  }

  private evict(near: number) {
    if (this.pages.size <= MAX_PAGES) return;
    const far = [...this.pages.keys()].sort((x, y) => Math.abs(y - near) - Math.abs(x - near));
    for (const p of far.slice(0, this.pages.size - MAX_PAGES)) this.pages.delete(p);
  }

  private fetchPage(page: number, force = false, generation = this.generation): Promise<void> {
    const query = this.query;
    if (!query || generation !== this.generation) return Promise.resolve();
    if (!force && this.pages.has(page)) return Promise.resolve();
    const running = this.inflight.get(page);
    if (running && !force) return running;
    if (page > 0 && page * WINDOW_PAGE >= this.total) return Promise.resolve();
    const promise: Promise<void> = (async () => {
      await Promise.resolve();
      try {
        const result = await this.api.flaggedWindows({ ...query, offset: page * WINDOW_PAGE, limit: WINDOW_PAGE });
        if (generation !== this.generation) return;
        this.pages.set(page, result.windows);
        this.total = result.total;
        this.statusCounts = { ...zeroCounts(), ...result.statusCounts };
        this.ms = result.ms;
        this.loaded = true;
        this.error = null;
        this.version++;
      } catch (err) {
        if (generation === this.generation) this.error = (err as Error).message;
      } finally {
        if (generation === this.generation && this.inflight.get(page) === promise!) this.inflight.delete(page);
      }
    })();
    this.inflight.set(page, promise);
    return promise;
  }
}
