/** One page of a query's answer, and what else the answer says (kept only if the query is current). */
export interface Page<R> {
  rows: R[];
  total: number;
  ms: number;
  apply?: () => void;
}

/**
 * The rows of a long query (the flow table, the flagged-window queue), fetched a page at a time
 * as the viewport asks for them. Pages live in a plain Map, never proxied: they can add up to many
 * thousands of rows; `version` tells the view a page arrived or a row changed. A reset starts a
 * new generation, and an answer to an older one is dropped.
 */
export abstract class PageCache<Q, R> {
  total = $state(0);
  ms = $state(0);
  error = $state<string | null>(null);
  /**
   * The current query failed before any of its rows arrived (the core refused it): there is
   * nothing of it to show, so `total` is 0 rather than the previous query's, and no row waits
   * to load. Cleared by the next reset or the next page that arrives.
   */
  failed = $state(false);
  loaded = $state(false);
  version = $state(0);

  protected pages = new Map<number, R[]>();
  protected query: Q | null = null;
  private inflight = new Map<number, Promise<void>>();
  private generation = 0;
  private wanted: [number, number] = [0, 0];
  private timer: ReturnType<typeof setTimeout> | null = null;

  /**
   * @param pageRows rows per page
   * @param maxPages pages kept; the farthest from the viewport go first
   * @param settleMs how long `ensure` waits for scrolling to settle before it fetches
   */
  constructor(
    readonly pageRows: number,
    private readonly maxPages: number,
    private readonly settleMs: number,
  ) {}

  /** Fetches rows [offset, offset + limit) of `query`. */
  protected abstract fetchRows(query: Q, offset: number, limit: number): Promise<Page<R>>;

  /** What else a new query forgets (the subclass's own state). */
  protected cleared(): void {}

  reset(query: Q | null) {
    this.query = query;
    this.generation++;
    this.pages.clear();
    this.inflight.clear();
    this.error = null;
    this.failed = false;
    this.version++;
    this.cleared();
    if (query) void this.fetchPage(0);
  }

  row(index: number): R | undefined {
    return this.pages.get(Math.floor(index / this.pageRows))?.[index % this.pageRows];
  }

  /** The row at `index`, fetching its page when it is not loaded. */
  async load(index: number): Promise<R | undefined> {
    const page = Math.floor(index / this.pageRows);
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
      const from = Math.max(0, Math.floor(a / this.pageRows));
      const to = Math.floor(Math.max(a, b) / this.pageRows);
      for (let p = from; p <= to; p++) void this.fetchPage(p);
      this.evict(from);
    }, this.settleMs);
  }

  /** True when every row in [first, last] is loaded. */
  hasRows(first: number, last: number): boolean {
    for (let p = Math.floor(first / this.pageRows); p <= Math.floor(last / this.pageRows); p++) {
      if (p * this.pageRows < this.total && !this.pages.has(p)) return false;
    }
    return true;
  }

  /** Fetches the loaded pages again (the rows changed underneath). */
  async refresh() {
    if (!this.query) return;
    const generation = this.generation;
    const pages = [...this.pages.keys()];
    if (!pages.length) pages.push(0);
    await Promise.all(pages.map((p) => this.fetchPage(p, true, generation)));
  }

  private evict(near: number) {
    if (this.pages.size <= this.maxPages) return;
    const far = [...this.pages.keys()].sort((x, y) => Math.abs(y - near) - Math.abs(x - near));
    for (const p of far.slice(0, this.pages.size - this.maxPages)) this.pages.delete(p);
  }

  private fetchPage(page: number, force = false, generation = this.generation): Promise<void> {
    const query = this.query;
    if (!query || generation !== this.generation) return Promise.resolve();
    if (!force && this.pages.has(page)) return Promise.resolve();
    const running = this.inflight.get(page);
    if (running && !force) return running;
    if (page > 0 && page * this.pageRows >= this.total) return Promise.resolve();
    const promise: Promise<void> = (async () => {
      await Promise.resolve();
      try {
        const answer = await this.fetchRows(query, page * this.pageRows, this.pageRows);
        if (generation !== this.generation) return;
        this.pages.set(page, answer.rows);
        this.total = answer.total;
        this.ms = answer.ms;
        answer.apply?.();
        this.loaded = true;
        this.error = null;
        this.failed = false;
        this.version++;
      } catch (err) {
        if (generation !== this.generation) return;
        this.error = (err as Error).message;
        if (this.pages.size === 0) {
          // nothing of this query to show: not the previous query's total, nor rows forever loading
          this.failed = true;
          this.total = 0;
          this.loaded = false;
          this.version++;
        }
      } finally {
        if (generation === this.generation && this.inflight.get(page) === promise!) this.inflight.delete(page);
      }
    })();
    this.inflight.set(page, promise);
    return promise;
  }
}
