import type { Api, JobFinished, JobStarted, ReportExport, ReportFormat } from '../../../preload/contract';
import type { JobsState } from './jobs.svelte';
import { exportResult } from '../lib/jobResults';
import { ExportJobState, type ExportChoice } from './exportJob.svelte';

/** What each format is, one line each, in the order the dialog offers them. */
export const formatChoices: ExportChoice<ReportFormat>[] = [
  { format: 'html', label: 'HTML', description: 'One self-contained page with inline SVG charts; prints well.' },
  { format: 'pdf', label: 'PDF', description: 'The HTML report printed to PDF, for mail and archives.' },
  { format: 'md', label: 'Markdown', description: 'The report as Markdown, for tickets and wikis.' },
  { format: 'json', label: 'JSON', description: 'Every field of the report in the documented, versioned schema.' },
  { format: 'iocs', label: 'IOC CSV', description: 'One row per indicator: type, value, first/last flow, count, class, confidence, and first/last seen for v3 captures.' },
  { format: 'stix', label: 'STIX 2.1', description: 'A bundle with indicators, observed data, sightings, ATT&CK patterns and the TLP marking.' },
  { format: 'misp', label: 'MISP', description: 'A MISP event: attributes (ip-src, ip-dst, port) and network-connection objects.' },
];

const extension = (f: ReportFormat) => (f === 'iocs' ? 'csv' : f === 'stix' || f === 'misp' ? `${f}.json` : f);

/** The export dialog of one incident's report. */
export class ReportExportState extends ExportJobState<ReportFormat, ReportExport, number> {
  readonly choices = formatChoices;

  constructor(api: Api, jobs: JobsState) {
    super(api, jobs, 'html');
  }

  /** the incident whose report is exported */
  get incidentId(): number | null {
    return this.target;
  }

  get defaultPath(): string {
    return `<project>.reports/incident-${this.incidentId}.${extension(this.format)}`;
  }

  show(incidentId: number) {
    this.showFor(() => incidentId);
  }

  protected startJob(path: string | undefined): Promise<JobStarted> {
    return this.api.exportReport({ id: this.incidentId!, format: this.format, ...(path ? { path } : {}) });
  }

  protected jobLabel(): string {
    return `Export incident #${this.incidentId} as ${this.format}`;
  }

  protected resultOf(f: JobFinished): ReportExport | null {
    return exportResult(f);
  }
}
