import type { Api, Cell, ColumnInfo, FlowFilter } from '../../../preload/contract';
import { PageCache, type Page } from './pageCache.svelte';

export const PAGE_ROWS = 200;
const MAX_PAGES = 80;

export interface PagerQuery {
  captureId: number;
  filter: FlowFilter;
  sort: { column: string; dir: 'asc' | 'desc' } | undefined;
}

/**
 * The flow table's rows, fetched in pages as the viewport needs them. A new filter keeps the
 * old total on screen until its first page arrives, so the table does not jump to empty.
 */
export class FlowPager extends PageCache<PagerQuery, Cell[]> {
  columns = $state.raw<ColumnInfo[]>([]);

  constructor(private api: Api) {
    super(PAGE_ROWS, MAX_PAGES, 40);
  }

  protected async fetchRows(query: PagerQuery, offset: number, limit: number): Promise<Page<Cell[]>> {
    const result = await this.api.queryFlows({ captureId: query.captureId, filter: query.filter, sort: query.sort, offset, limit });
    return {
      rows: result.rows,
      total: result.total,
      ms: result.ms,
      apply: () => {
        if (offset === 0 || this.columns.length === 0) this.columns = result.columns;
      },
    };
  }
}
