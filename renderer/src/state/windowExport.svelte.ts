import type { Api, JobFinished, JobStarted, WindowExport, RowExportFormat } from '../../../preload/contract';
import { windowExportResult } from '../lib/jobResults';
import type { DetectionsState } from './detections.svelte';
import { statusLabels } from './detections.svelte';
import { ExportJobState, type ExportChoice } from './exportJob.svelte';
import type { JobsState } from './jobs.svelte';
import type { WindowFilter } from './windowPager.svelte';

export const windowFormatChoices: ExportChoice<RowExportFormat>[] = [
  { format: 'csv', label: 'CSV', description: 'One line per window: class, scores, flows, hosts, ports, times and verdict; for a ticket or a spreadsheet.' },
  { format: 'parquet', label: 'Parquet', description: 'The same rows with their types kept and hosts and ports as lists; for pandas, Spark or DuckDB.' },
];

/** What the dialog exports: the queue as it was when the dialog opened. */
export interface WindowExportTarget {
  query: WindowFilter;
  /** windows the queue holds with these filters */
  matching: number;
  /** the filters in words, one each ("status: TP", "host: 192.168.100.3") */
  filters: string[];
  /** the order in words ("score, descending") */
  order: string;
}

const SORT_NAMES: Record<NonNullable<WindowFilter['sort']>['by'], string> = {
  score: 'score',
  class: 'class',
  host: 'source host',
  size: 'flows',
  order: 'capture order',
};

/** The export dialog of the Detections queue. */
export class WindowExportState extends ExportJobState<RowExportFormat, WindowExport, WindowExportTarget> {
  readonly choices = windowFormatChoices;

  constructor(api: Api, jobs: JobsState) {
    super(api, jobs, 'csv');
  }

  get defaultPath(): string {
    return `<project>.reports/scan-${this.target?.query.scanId}-windows-<time>.${this.format}`;
  }

  /** Opens the dialog for the queue as it stands; while an export runs, it shows that one. */
  show(det: DetectionsState) {
    this.showFor(() => (det.query ? snapshot(det, det.query) : null));
  }

  protected startJob(path: string | undefined): Promise<JobStarted> {
    return this.api.exportWindows({ ...this.target!.query, format: this.format, ...(path ? { path } : {}) });
  }

  protected jobLabel(): string {
    return `Export the windows of scan #${this.target?.query.scanId} as ${this.format}`;
  }

  protected resultOf(f: JobFinished): WindowExport | null {
    return windowExportResult(f);
  }
}

function snapshot(det: DetectionsState, query: WindowFilter): WindowExportTarget {
  const filters: string[] = [];
  if (query.status) filters.push(`status: ${statusLabels[query.status]}`);
  if (query.classes?.length) filters.push(`class: ${query.classes.join(', ')}`);
  if (query.host) filters.push(`host: ${query.host}`);
  if (query.minScore !== undefined || query.maxScore !== undefined) filters.push(`score: ${query.minScore ?? 0} to ${query.maxScore ?? 1}`);
  if (query.notIn !== undefined) filters.push(`not in scan #${query.notIn}`);
  const sort = query.sort ?? { by: 'score', dir: 'desc' };
  return { query: { ...query }, matching: det.pager.total, filters, order: `${SORT_NAMES[sort.by]}, ${sort.dir === 'asc' ? 'ascending' : 'descending'}` };
}
