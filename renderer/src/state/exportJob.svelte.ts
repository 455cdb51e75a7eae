import type { Api, JobFinished, JobProgress, JobStarted } from '../../../preload/contract';
import type { JobsState } from './jobs.svelte';

/** One format an export dialog offers: its name and what it is for, in one line. */
export interface ExportChoice<F extends string> {
  format: F;
  label: string;
  description: string;
}

/** What every export job writes. */
export interface ExportedFile {
  format: string;
  path: string;
  bytes: number;
  /** web host: where the browser can download it */
  url: string | null;
}

/**
 * An export dialog's state (an incident report, an Explore tab's flows, the Detections queue):
 * the format and target, then the export job's progress (from `job:*` events), its outcome,
 * and what can be done with the written file. A subclass says what is exported and how the
 * job starts.
 */
export abstract class ExportJobState<F extends string, R extends ExportedFile, T> {
  /** what is exported (an incident id, a snapshot of a tab or of the queue) */
  target: T | null = $state.raw(null);
  private shown = $state(false);
  format: F;
  path = $state('');
  jobId = $state<string | null>(null);
  progress = $state.raw<JobProgress | null>(null);
  result = $state.raw<R | null>(null);
  error = $state<string | null>(null);
  /** what the last Open / Show in folder did */
  revealMessage = $state<string | null>(null);
  /** events that arrived before the export call answered with the job id */
  private early = new Map<string, JobFinished>();

  abstract readonly choices: ExportChoice<F>[];
  /** the default target, as the path field's placeholder says it */
  abstract get defaultPath(): string;
  /** starts the export job; `path` only when the analyst gave one */
  protected abstract startJob(path: string | undefined): Promise<JobStarted>;
  /** the job's name in the Jobs panel */
  protected abstract jobLabel(): string;
  /** the finished job's result, if it is this kind of export's */
  protected abstract resultOf(f: JobFinished): R | null;

  constructor(
    protected readonly api: Api,
    protected readonly jobs: JobsState,
    format: F,
  ) {
    this.format = $state(format);
  }

  /** The desktop's save dialog, starting at the default file (without its time); fills the target path. */
  async choosePath(): Promise<void> {
    const fileName = this.defaultPath.split('/').pop()!.replace('-<time>', '');
    try {
      const chosen = await this.api.pickExportFile({ fileName });
      if (chosen) this.path = chosen;
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  get running(): boolean {
    return this.jobId !== null;
  }

  /** whether the dialog is shown */
  get open(): boolean {
    return this.shown && this.target !== null;
  }

  /**
   * Opens the dialog on what `make` says is to be exported now (nothing opens when it says
   * null); while an export runs, the dialog shows that one.
   */
  protected showFor(make: () => T | null) {
    if (!this.running) {
      const target = make();
      if (target === null) return;
      this.target = target;
      this.reset();
    }
    this.shown = true;
  }

  close() {
    this.shown = false;
  }

  reset() {
    this.progress = null;
    this.result = null;
    this.error = null;
    this.revealMessage = null;
  }

  async start() {
    if (!this.open || this.running) return;
    this.reset();
    const path = this.path.trim();
    try {
      const { jobId } = await this.startJob(path || undefined);
      this.jobId = jobId;
      this.jobs.track(jobId, 'export', this.jobLabel());
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
    const result = this.resultOf(f);
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
