import type { Api, JobFinished, JobInfo, JobKind, JobProgress } from '../../../preload/contract';
import { evaluationResult, exportResult, flowExportResult, importResult, scanResult, trainResult, windowExportResult } from '../lib/jobResults';
import { formatBytes, formatCount, formatScore } from '../lib/format';

export interface JobView {
  jobId: string;
  kind: JobKind;
  label: string;
  startedAt: string;
  progress: JobProgress | null;
  finished: JobFinished | null;
}

/** Running and recently finished jobs, kept current by `job:*` events. */
export class JobsState {
  jobs = $state<JobView[]>([]);
  running = $derived(this.jobs.filter((j) => !j.finished));
  error = $state<string | null>(null);

  constructor(private api: Api) {}

  async load() {
    try {
      const list = await this.api.listJobs({});
      for (const info of list) this.upsert(info);
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  private upsert(info: JobInfo): JobView {
    let job = this.jobs.find((j) => j.jobId === info.jobId);
    if (!job) {
      this.jobs.unshift({ ...info, finished: null });
      job = this.jobs[0]!;
    }
    return job;
  }

  /** Names a job we started; its first progress event may have arrived before the call returned. */
  track(jobId: string, kind: JobKind, label: string) {
    this.upsert({ jobId, kind, label, startedAt: new Date().toISOString(), progress: null }).label = label;
  }

  onProgress(progress: JobProgress) {
    const job = this.upsert({ jobId: progress.jobId, kind: progress.kind, label: progress.kind, startedAt: new Date().toISOString(), progress });
    job.progress = progress;
  }

  onFinished(finished: JobFinished) {
    const job = this.upsert({ jobId: finished.jobId, kind: finished.kind, label: finished.kind, startedAt: new Date().toISOString(), progress: null });
    job.finished = finished;
    // keep a short history only
    if (this.jobs.length > 30) this.jobs.length = 30;
  }

  async cancel(jobId: string) {
    try {
      await this.api.cancelJob({ jobId });
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  clearFinished() {
    this.jobs = this.jobs.filter((j) => !j.finished);
  }
}

export function jobOutcome(f: JobFinished): string {
  if (f.cancelled) return 'cancelled';
  if (!f.ok) return f.error ?? 'failed';
  const imported = importResult(f);
  if (imported) {
    const c = imported.capture;
    if (imported.reused) return `already imported as capture #${c.id} — reused`;
    // an empty numeric value is kept as missing, and the detector reads it as 0: say where
    const empty = Object.entries(imported.emptyValues ?? {});
    const note = empty.length ? `; empty values kept as missing (read as 0): ${empty.map(([col, n]) => `${col} in ${formatCount(n)} flow${n === 1 ? '' : 's'}`).join(', ')}` : '';
    return `imported ${formatCount(c.rows)} flows, schema ${c.schemaVersion}${note}`;
  }
  const trained = trainResult(f);
  if (trained) {
    const m = trained.model.metrics;
    return `trained ${trained.model.name}${m ? `, held-out macro F1 ${formatScore(m.macroF1)}` : ''}`;
  }
  const evaluation = evaluationResult(f);
  if (evaluation) {
    const m = evaluation.metrics;
    // the per-class figures count only the flows whose label is a class of the model
    const of = m.total < evaluation.flows ? `${formatCount(m.total)} of ` : '';
    return `macro F1 ${formatScore(m.macroF1)} on ${of}${formatCount(evaluation.flows)} flows`;
  }
  const scan = scanResult(f);
  if (scan) return `scored ${formatCount(scan.flows)} flows, ${formatCount(scan.flaggedWindows)} flagged windows`;
  const exported = exportResult(f);
  if (exported) return `wrote ${exported.path} (${formatBytes(exported.bytes)})`;
  const flows = flowExportResult(f);
  if (flows) return `wrote ${formatCount(flows.rows)} flows to ${flows.path} (${formatBytes(flows.bytes)})`;
  const windows = windowExportResult(f);
  if (windows) return `wrote ${formatCount(windows.rows)} windows to ${windows.path} (${formatBytes(windows.bytes)})`;
  return 'done';
}

/**
 * Why a project-wide action (opening another project, compacting) must wait, or null: it is
 * refused while jobs run on the project.
 */
export function waitForJobs(running: number): string | null {
  if (!running) return null;
  const them = running === 1 ? 'it' : 'them';
  return `${running === 1 ? 'A job is' : `${running} jobs are`} running: let ${them} finish or cancel ${them} in the Jobs panel first.`;
}
