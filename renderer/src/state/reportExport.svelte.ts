import type { Api, JobFinished, JobProgress, ReportExport, ReportFormat } from '../../../preload/contract';
import { exportResult } from '../lib/jobResults';
import type { JobsState } from './jobs.svelte';

/** What each format is, one line each, in the order the dialog offers them. */
export const formatChoices: { format: ReportFormat; label: string; description: string }[] = [
  { format: 'html', label: 'HTML', description: 'One self-contained page with inline SVG charts; prints well.' },
  { format: 'pdf', label: 'PDF', description: 'The HTML report printed to PDF, for mail and archives.' },
  { format: 'md', label: 'Markdown', description: 'The report as Markdown, for tickets and wikis.' },
  { format: 'json', label: 'JSON', description: 'Every field of the report in the documented, versioned schema.' },
  { format: 'iocs', label: 'IOC CSV', description: 'One row per indicator: type, value, first/last flow, count, class, confidence, and first/last seen for v3 captures.' },
  { format: 'stix', label: 'STIX 2.1', description: 'A bundle with indicators, observed data, sightings, ATT&CK patterns and the TLP marking.' },
  { format: 'misp', label: 'MISP', description: 'A MISP event: attributes (ip-src, ip-dst, port) and network-connection objects.' },
];

/**
 * The export dialog of one incident: the format and target, then the export job's progress
 * (from `job:*` events), its outcome, and what can be done with the written file.
 */
export class ReportExportState {
  incidentId = $state<number | null>(null);
  format = $state<ReportFormat>('html');
  path = $state('');
  jobId = $state<string | null>(null);
  progress = $state.raw<JobProgress | null>(null);
  result = $state.raw<ReportExport | null>(null);
  error = $state<string | null>(null);
  /** what the last Open / Show in folder did */
  revealMessage = $state<string | null>(null);
  /** events that arrived before `exportReport` answered with the job id */
  private early = new Map<string, JobFinished>();

  constructor(
    private api: Api,
    private jobs: JobsState,
  ) {}

  get open(): boolean {
    return this.incidentId !== null;
  }

  get running(): boolean {
    return this.jobId !== null;
  }

  show(incidentId: number) {
    if (this.running && this.incidentId !== incidentId) return;
    this.incidentId = incidentId;
    if (!this.running) this.reset();
  }

  close() {
    this.incidentId = null;
  }

  reset() {
    this.progress = null;
    this.result = null;
    this.error = null;
    this.revealMessage = null;
  }

  async start() {
    const id = this.incidentId;
    if (id === null || this.running) return;
    this.reset();
    const path = this.path.trim();
    try {
      const { jobId } = await this.api.exportReport({ id, format: this.format, ...(path ? { path } : {}) });
      this.jobId = jobId;
      this.jobs.track(jobId, 'export', `Export incident #${id} as ${this.format}`);
      const finished = this.early.get(jobId);
      this.early.clear();
      if (finished) this.onFinished(finished);
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  async cancel() {
    if (this.jobId) await this.jobs.cancel(this.jobId);
  }

  onProgress(p: JobProgress) {
    if (p.kind === 'export' && p.jobId === this.jobId) this.progress = p;
  }

  onFinished(f: JobFinished) {
    if (f.kind !== 'export') return;
    if (f.jobId !== this.jobId) {
      if (this.jobId === null) this.early.set(f.jobId, f);
      return;
    }
    this.jobId = null;
    this.progress = null;
    const result = exportResult(f);
    if (result) this.result = result;
    else this.error = f.cancelled ? 'Export cancelled' : `Export failed: ${f.error ?? 'unknown error'}`;
  }

  /** Electron: opens the written file, or shows it in its folder. */
  async reveal(show: boolean) {
    const path = this.result?.path;
    if (!path) return;
    try {
      const done = await this.api.revealReport({ path, show });
      this.revealMessage = done ? null : 'This host cannot open files; use the path above.';
    } catch (err) {
      this.revealMessage = (err as Error).message;
    }
  }
}
