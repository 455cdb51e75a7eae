import type { Api, CaptureInfo, FilterClause, FlaggedWindow, FlowExport, RowExportFormat, FlowFilter, JobFinished, JobStarted } from '../../../preload/contract';
import { formatClause } from '../lib/filterText';
import { formatCount } from '../lib/format';
import { flowExportResult } from '../lib/jobResults';
import { ExportJobState, type ExportChoice } from './exportJob.svelte';
import type { ExploreTab } from './explore.svelte';
import type { JobsState } from './jobs.svelte';

export const flowFormatChoices: ExportChoice<RowExportFormat>[] = [
  { format: 'csv', label: 'CSV', description: 'A header and one line per flow; opens anywhere, and imports back into MindFlow.' },
  { format: 'parquet', label: 'Parquet', description: 'Columnar and compressed (zstd), with the column types kept; for pandas, Spark or DuckDB.' },
];

/** What the dialog exports: the Explore tab's flows as they were when it opened. */
export interface FlowExportTarget {
  captureId: number;
  fileName: string;
  filter: FlowFilter;
  sort: { column: string; dir: 'asc' | 'desc' } | undefined;
  /** matching flows, as the tab counted them */
  matching: number;
  /** the filter as the tab's chips say it, one clause each */
  clauses: string[];
  /** the table's shown columns, in its order, when some are hidden; null when all are shown */
  shownColumns: string[] | null;
  /** how many columns the flows have in all (flow_id included) */
  allColumns: number;
}

/** The export dialog of an Explore tab's matching flows. */
export class FlowExportState extends ExportJobState<RowExportFormat, FlowExport, FlowExportTarget> {
  /** write only the table's shown columns (when some are hidden) */
  onlyShown = $state(true);
  readonly choices = flowFormatChoices;

  constructor(api: Api, jobs: JobsState) {
    super(api, jobs, 'csv');
  }

  get defaultPath(): string {
    return `<project>.reports/capture-${this.target?.captureId}-flows-<time>.${this.format}`;
  }

  /** Opens the dialog for what `tab` shows now; while an export runs, it shows that one. */
  show(tab: ExploreTab) {
    this.showFor(() => snapshot(tab));
  }

  /** Opens the dialog on one flagged window's flows (with its scan's columns), for evidence. */
  showWindow(capture: CaptureInfo, scanId: number, w: FlaggedWindow) {
    this.showFor(() => {
      const clauses: FilterClause[] = w.key ? [{ field: 'IPV4_SRC_ADDR', op: '=', value: w.key }] : [];
      return {
        captureId: capture.id,
        fileName: capture.fileName,
        filter: { clauses, flowRange: { from: w.firstFlow, to: w.lastFlow + 1 }, scanId },
        sort: undefined,
        matching: w.flows,
        clauses: [`window #${w.id} of scan #${scanId}: flows ${formatCount(w.firstFlow)}–${formatCount(w.lastFlow)}${w.key ? ` from ${w.key}` : ''}`],
        shownColumns: null,
        allColumns: 0,
      };
    });
  }

  protected startJob(path: string | undefined): Promise<JobStarted> {
    const t = this.target!;
    const columns = this.onlyShown && t.shownColumns ? t.shownColumns : undefined;
    return this.api.exportFlows({ captureId: t.captureId, filter: t.filter, ...(t.sort ? { sort: t.sort } : {}), format: this.format, ...(columns ? { columns } : {}), ...(path ? { path } : {}) });
  }

  protected jobLabel(): string {
    return `Export flows of capture #${this.target?.captureId} as ${this.format}`;
  }

  protected resultOf(f: JobFinished): FlowExport | null {
    return flowExportResult(f);
  }
}

function snapshot(tab: ExploreTab): FlowExportTarget {
  const clauses = tab.clauses.map(formatClause);
  // the brush's range, as its chip says it
  if (tab.flowRange) clauses.push(`flow # ${formatCount(tab.flowRange.from)} – ${formatCount(tab.flowRange.to)} (brush)`);
  const all = tab.pager.columns.length;
  const shown = tab.shownColumns;
  return {
    captureId: tab.captureId,
    fileName: tab.capture.fileName,
    filter: tab.filter,
    sort: tab.sort,
    matching: tab.pager.total,
    clauses,
    shownColumns: shown.length < all ? shown : null,
    allColumns: all,
  };
}
