import type { Api, FlaggedWindow, TriageStatus, WindowQuery } from '../../../preload/contract';
import { PageCache, type Page } from './pageCache.svelte';

export const WINDOW_PAGE = 200;
const MAX_PAGES = 60;

export type WindowFilter = Omit<WindowQuery, 'offset' | 'limit'>;

const zeroCounts = (): Record<TriageStatus, number> => ({ untriaged: 0, tp: 0, fp: 0, review: 0 });

/**
 * The flagged-window queue, fetched in pages as the viewport needs them (a scan can flag 100k
 * windows), with the count of each triage status over the whole queue.
 */
export class WindowPager extends PageCache<WindowFilter, FlaggedWindow> {
  statusCounts = $state.raw<Record<TriageStatus, number>>(zeroCounts());

  constructor(private api: Api) {
    super(WINDOW_PAGE, MAX_PAGES, 30);
  }

  protected override cleared() {
    this.loaded = false;
    this.total = 0;
    if (!this.query) this.statusCounts = zeroCounts();
  }

  protected async fetchRows(query: WindowFilter, offset: number, limit: number): Promise<Page<FlaggedWindow>> {
    const result = await this.api.flaggedWindows({ ...query, offset, limit });
    return {
      rows: result.windows,
      total: result.total,
      ms: result.ms,
      apply: () => {
        this.statusCounts = { ...zeroCounts(), ...result.statusCounts };
      },
    };
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
}
