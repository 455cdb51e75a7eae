import type { Api, AuditExport, RowExportFormat, JobFinished, JobStarted } from '../../../preload/contract';
import { auditExportResult } from '../lib/jobResults';
import type { AuditState } from './audit.svelte';
import { ExportJobState, type ExportChoice } from './exportJob.svelte';
import type { JobsState } from './jobs.svelte';

export const auditFormatChoices: ExportChoice<RowExportFormat>[] = [
  { format: 'csv', label: 'CSV', description: 'One line per entry, oldest first: when, analyst, action, window, before and after, reason, undone; for the case file.' },
  { format: 'parquet', label: 'Parquet', description: 'The same rows with their types kept; for pandas, Spark or DuckDB.' },
];

/** What the dialog exports: the trail the panel shows (the project's, or one scan's). */
export interface AuditExportTarget {
  scanId: number | null;
  /** entries the trail holds */
  entries: number;
}

/** The export dialog of the audit trail. */
export class AuditExportState extends ExportJobState<RowExportFormat, AuditExport, AuditExportTarget> {
  readonly choices = auditFormatChoices;

  constructor(api: Api, jobs: JobsState) {
    super(api, jobs, 'csv');
  }

  get defaultPath(): string {
    const scan = this.target?.scanId;
    return `<project>.reports/${scan === null || scan === undefined ? 'audit' : `scan-${scan}-audit`}-<time>.${this.format}`;
  }

  /** Opens the dialog for the trail the panel shows; while an export runs, it shows that one. */
  show(audit: AuditState) {
    this.showFor(() => {
      const scanId = audit.scope === 'scan' ? audit.scanId : null;
      return { scanId, entries: audit.page?.total ?? 0 };
    });
  }

  protected startJob(path: string | undefined): Promise<JobStarted> {
    const scanId = this.target?.scanId;
    return this.api.exportAudit({ format: this.format, ...(scanId !== null && scanId !== undefined ? { scanId } : {}), ...(path ? { path } : {}) });
  }

  protected jobLabel(): string {
    const scanId = this.target?.scanId;
    return `Export the audit trail${scanId === null || scanId === undefined ? '' : ` of scan #${scanId}`} as ${this.format}`;
  }

  protected resultOf(f: JobFinished): AuditExport | null {
    return auditExportResult(f);
  }
}
