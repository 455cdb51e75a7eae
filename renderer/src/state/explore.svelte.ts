import { SCAN_COLUMN_TYPES, type Aggregates, type Api, type CaptureInfo, type CountRow, type FilterClause, type FlowFilter, type Histogram, type HistogramAxis } from '../../../preload/contract';
import { sameClause, type FieldType } from '../lib/filterText';
import { FlowPager } from './flowPager.svelte';
import { ColumnPrefs } from './columnPrefs.svelte';

export const HISTOGRAM_BINS = 160;
/** the columns a scan adds to the flows (FlowFilter.scanId) */
export const scanColumns = ['predicted', 'confidence', 'attack_score', 'verdict'] as const;

/**
 * The flow table's column order: a scan's columns (predicted, confidence, attack_score,
 * verdict) lead, they are why the analyst is here; the rest keep the capture's order.
 */
export function tableOrder<T>(items: readonly T[], name: (item: T) => string): T[] {
  const rank = (n: string) => {
    const i = (scanColumns as readonly string[]).indexOf(n);
    return i < 0 ? scanColumns.length : i;
  };
  return items
    .map((item, at) => ({ item, at }))
    .sort((a, b) => rank(name(a.item)) - rank(name(b.item)) || a.at - b.at)
    .map((x) => x.item);
}

export interface CountByView {
  column: string;
  rows: CountRow[];
  loading: boolean;
  error: string | null;
}

type Range = { from: number; to: number };

/** One Explore tab: a capture, its structured filter, and everything derived from it. */
export class ExploreTab {
  readonly captureId: number;
  readonly capture: CaptureInfo;
  clauses = $state.raw<FilterClause[]>([]);
  flowRange = $state.raw<Range | undefined>(undefined);
  sort = $state.raw<{ column: string; dir: 'asc' | 'desc' } | undefined>(undefined);
  /** the scan whose columns (predicted, confidence, attack_score, verdict) the flows carry */
  scanId = $state<number | null>(null);
  colourBy = $state<'label' | 'predicted'>('label');
  /** what the histogram's bars divide: a v3 capture (stored by start time) starts on time, the others have only capture order */
  axis = $state<HistogramAxis>('flow');

  histogram = $state.raw<Histogram | null>(null);
  histogramError = $state<string | null>(null);
  aggregates = $state.raw<Aggregates | null>(null);
  aggregatesError = $state<string | null>(null);
  countBy = $state.raw<CountByView | null>(null);

  readonly pager: FlowPager;
  private histogramGen = 0;
  private aggregatesGen = 0;

  constructor(
    private api: Api,
    capture: CaptureInfo,
    scanId: number | null = null,
    /** the flow table's hidden columns, shared by the tabs of captures with the same schema */
    private readonly columnPrefs: ColumnPrefs = new ColumnPrefs(null),
  ) {
    this.captureId = capture.id;
    this.capture = capture;
    this.scanId = scanId;
    if (!capture.labelled && scanId !== null) this.colourBy = 'predicted';
    if (capture.order === 'FLOW_START_MILLISECONDS') this.axis = 'time';
    this.pager = new FlowPager(api);
    this.reload(true);
  }

  get filter(): FlowFilter {
    return { clauses: this.clauses, flowRange: this.flowRange, ...(this.scanId !== null ? { scanId: this.scanId } : {}) };
  }

  /**
   * Fields a clause may name: the flow id (capture order, what the histogram's brush selects),
   * the capture's columns, and the scan's when there is one.
   */
  get fields(): string[] {
    return ['flow_id', ...this.capture.columns, ...(this.scanId !== null ? scanColumns : [])];
  }

  /**
   * Each field's type as the core answered with the flows' columns (and a scan's, known in
   * advance): the filter bar refuses a clause the core would, e.g. a number column compared
   * with text. Before the first page, only host, port, flow_id and a scan's columns are known.
   */
  get fieldTypes(): Record<string, FieldType> {
    // a scan's column types are known before a page of scanned flows arrives
    const types: Record<string, FieldType> = this.scanId !== null ? { ...SCAN_COLUMN_TYPES } : {};
    for (const c of this.pager.columns) types[c.name] = c.type;
    return types;
  }

  /**
   * Why the current filter shows nothing: the core refused it (a clause it cannot apply) or
   * could not answer. One message for the whole view, which then shows no counts of an earlier
   * filter and no rows waiting to load. (A later page that fails while scrolling is the table's.)
   */
  get error(): string | null {
    return (this.pager.failed ? this.pager.error : null) ?? this.aggregatesError ?? this.histogramError;
  }

  /** A newer scan of the capture: its columns replace the old ones (clauses on them stay). */
  setScan(scanId: number | null) {
    if (scanId === this.scanId) return;
    this.scanId = scanId;
    if (scanId === null) {
      this.clauses = this.clauses.filter((c) => !(scanColumns as readonly string[]).includes(c.field));
      this.colourBy = 'label';
    } else if (!this.capture.labelled) {
      // an unlabelled capture has only the predictions to colour by
      this.colourBy = 'predicted';
    }
    this.reload(true);
  }

  /** columns the analyst hid from the flow table (for every capture of this schema version) */
  get hiddenColumns(): readonly string[] {
    return this.columnPrefs.hiddenFor(this.capture.schemaVersion);
  }

  setColumnShown(name: string, shown: boolean) {
    const hidden = this.hiddenColumns.filter((c) => c !== name);
    this.columnPrefs.setHidden(this.capture.schemaVersion, shown ? hidden : [...hidden, name]);
  }

  /** the flow table's columns as it shows them: in table order, without the hidden ones */
  get shownColumns(): string[] {
    const all = tableOrder(this.pager.columns.map((c) => c.name), (n) => n);
    const shown = all.filter((n) => !this.hiddenColumns.includes(n));
    return shown.length ? shown : all;
  }

  showAllColumns() {
    this.columnPrefs.setHidden(this.capture.schemaVersion, []);
  }

  /** whether the histogram can be drawn over time (a capture with flow start times) */
  get timed(): boolean {
    return this.capture.order === 'FLOW_START_MILLISECONDS';
  }

  setAxis(axis: HistogramAxis) {
    if (axis === this.axis || (axis === 'time' && !this.timed)) return;
    this.axis = axis;
    void this.loadHistogram();
  }

  setColourBy(colourBy: 'label' | 'predicted') {
    if (colourBy === this.colourBy) return;
    this.colourBy = colourBy;
    void this.loadHistogram();
  }

  addClause(clause: FilterClause) {
    if (this.clauses.some((c) => sameClause(c, clause))) return;
    this.clauses = [...this.clauses, clause];
    this.reload(true);
  }

  removeClause(index: number) {
    this.clauses = this.clauses.filter((_, i) => i !== index);
    this.reload(true);
  }

  clearFilter() {
    this.clauses = [];
    this.flowRange = undefined;
    this.reload(true);
  }

  /** "New search with value": start over from one clause. */
  newSearch(clause: FilterClause) {
    this.clauses = [clause];
    this.flowRange = undefined;
    this.reload(true);
  }

  setFlowRange(range: Range | undefined) {
    this.flowRange = range;
    this.reload(false);
  }

  toggleSort(column: string) {
    const s = this.sort;
    this.sort = !s || s.column !== column ? { column, dir: 'asc' } : s.dir === 'asc' ? { column, dir: 'desc' } : undefined;
    this.pager.reset({ captureId: this.captureId, filter: this.filter, sort: this.sort });
  }

  /**
   * The histogram ignores the brush (it is the brush's backdrop); table, top talkers and
   * count-by follow the whole filter.
   */
  private reload(clausesChanged: boolean) {
    this.pager.reset({ captureId: this.captureId, filter: this.filter, sort: this.sort });
    void this.loadAggregates();
    if (clausesChanged) void this.loadHistogram();
    if (this.countBy) void this.loadCountBy(this.countBy.column);
  }

  private async loadHistogram() {
    const gen = ++this.histogramGen;
    try {
      const predicted = this.colourBy === 'predicted' && this.scanId !== null;
      const filter: FlowFilter = { clauses: this.clauses, ...(this.scanId !== null ? { scanId: this.scanId } : {}) };
      const h = await this.api.histogram({
        captureId: this.captureId,
        filter,
        bins: HISTOGRAM_BINS,
        ...(predicted ? { colourBy: 'predicted' as const } : {}),
        ...(this.axis === 'time' ? { axis: 'time' as const } : {}),
      });
      if (gen !== this.histogramGen) return;
      this.histogram = h;
      this.histogramError = null;
    } catch (err) {
      if (gen !== this.histogramGen) return;
      // no bars of an earlier filter under this one
      this.histogram = null;
      this.histogramError = (err as Error).message;
    }
  }

  private async loadAggregates() {
    const gen = ++this.aggregatesGen;
    try {
      const a = await this.api.aggregates({ captureId: this.captureId, filter: this.filter, top: 10 });
      if (gen !== this.aggregatesGen) return;
      this.aggregates = a;
      this.aggregatesError = null;
    } catch (err) {
      if (gen !== this.aggregatesGen) return;
      // no counts of an earlier filter under this one
      this.aggregates = null;
      this.aggregatesError = (err as Error).message;
    }
  }

  async loadCountBy(column: string) {
    this.countBy = { column, rows: this.countBy?.column === column ? this.countBy.rows : [], loading: true, error: null };
    try {
      const rows = await this.api.countBy({ captureId: this.captureId, filter: this.filter, column, limit: 100 });
      if (this.countBy?.column === column) this.countBy = { column, rows, loading: false, error: null };
    } catch (err) {
      if (this.countBy?.column === column) this.countBy = { column, rows: [], loading: false, error: (err as Error).message };
    }
  }

  closeCountBy() {
    this.countBy = null;
  }
}
