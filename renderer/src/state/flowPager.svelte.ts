import type { Api, Cell, ColumnInfo, FlowFilter } from '../../../preload/contract';

export const PAGE_ROWS = 200;
const MAX_PAGES = 80;

export interface PagerQuery {
  captureId: number;
  filter: FlowFilter;
  sort: { column: string; dir: 'asc' | 'desc' } | undefined;
}

/**
 * Fetches the flow table in pages as the viewport needs them. Pages live in a plain Map (never
 * proxied: they can add up to many thousands of rows); `version` tells the view a page arrived.
 */
export class FlowPager {
  total = $state(0);
  columns = $state.raw<ColumnInfo[]>([]);
  ms = $state(0);
  error = $state<string | null>(null);
  loaded = $state(false);
  version = $state(0);

  private pages = new Map<number, Cell[][]>();
  private inflight = new Set<number>();
  private generation = 0;
  private wanted: [number, number] = [0, 0];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private query: PagerQuery | null = null;

  constructor(private api: Api) {}

  reset(query: PagerQuery) {
    this.query = query;
    this.generation++;
    this.pages.clear();
    this.inflight.clear();
    this.error = null;
    this.version++;
    void this.fetchPage(0);
  }

  row(index: number): Cell[] | undefined {
    return this.pages.get(Math.floor(index / PAGE_ROWS))?.[index % PAGE_ROWS];
  }

  /** Asks for rows [first, last]; fetching waits for scrolling to settle briefly. */
  ensure(first: number, last: number) {
    this.wanted = [first, last];
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const [a, b] = this.wanted;
      const from = Math.max(0, Math.floor(a / PAGE_ROWS));
      const to = Math.floor(Math.max(a, b) / PAGE_ROWS);
      for (let p = from; p <= to; p++) void this.fetchPage(p);
      this.evict(from);
    }, 40);
  }

  private evict(near: number) {
    if (this.pages.size <= MAX_PAGES) return;
    const far = [...this.pages.keys()].sort((x, y) => Math.abs(y - near) - Math.abs(x - near));
    for (const p of far.slice(0, this.pages.size - MAX_PAGES)) this.pages.delete(p);
  }

  private async fetchPage(page: number) {
    const query = this.query;
    if (!query || this.pages.has(page) || this.inflight.has(page)) return;
    if (page > 0 && page * PAGE_ROWS >= this.total) return;
    const generation = this.generation;
    this.inflight.add(page);
    try {
      const result = await this.api.queryFlows({
        captureId: query.captureId,
        filter: query.filter,
        sort: query.sort,
        offset: page * PAGE_ROWS,
        limit: PAGE_ROWS,
      });
      if (generation !== this.generation) return;
      this.pages.set(page, result.rows);
      this.total = result.total;
      if (page === 0 || this.columns.length === 0) this.columns = result.columns;
      this.ms = result.ms;
      this.loaded = true;
      this.version++;
    } catch (err) {
      if (generation === this.generation) this.error = (err as Error).message;
    } finally {
      if (generation === this.generation) this.inflight.delete(page);
    }
  }
}
