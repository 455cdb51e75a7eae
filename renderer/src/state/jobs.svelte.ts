import type { Api, JobFinished, JobInfo, JobKind, JobProgress } from '../../../preload/contract';

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
  if (f.result) {
    const c = f.result.capture;
    return f.result.reused
      ? `already imported as capture #${c.id} — reused`
      : `imported ${new Intl.NumberFormat('en-US').format(c.rows)} flows, schema ${c.schemaVersion}`;
  }
  return 'done';
}
