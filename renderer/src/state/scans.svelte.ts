import type { Api, JobFinished, JobProgress, ScanSummary } from '../../../preload/contract';
import { scanResult } from '../lib/jobResults';
import { jobOutcome, type JobsState } from './jobs.svelte';

export interface ScanRun {
  jobId: string;
  modelName: string;
  progress: JobProgress | null;
}

export interface ScanOutcome {
  ok: boolean;
  text: string;
  summary: ScanSummary | null;
}

/** Scans per capture: the one running, how the last one ended, and the latest stored summary. */
export class ScansState {
  /** captureId -> newest scan summary (from `listScans`) */
  latest = $state.raw<Record<number, ScanSummary>>({});
  running = $state<Record<number, ScanRun>>({});
  outcomes = $state<Record<number, ScanOutcome>>({});
  error = $state<string | null>(null);

  constructor(
    private api: Api,
    private jobs: JobsState,
  ) {}

  async refresh() {
    try {
      const list = await this.api.listScans({});
      const latest: Record<number, ScanSummary> = {};
      for (const s of list) {
        const seen = latest[s.captureId];
        if (!seen || s.id > seen.id) latest[s.captureId] = s;
      }
      this.latest = latest;
      this.error = null;
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  async scan(captureId: number, model: { id: string; name: string } | null) {
    if (this.running[captureId]) return;
    delete this.outcomes[captureId];
    try {
      const { jobId } = await this.api.scanCapture({ captureId, ...(model ? { modelId: model.id } : {}) });
      const modelName = model?.name ?? 'default model';
      this.running[captureId] = { jobId, modelName, progress: null };
      this.jobs.track(jobId, 'scan', `Scan capture #${captureId} with ${modelName}`);
    } catch (err) {
      this.outcomes[captureId] = { ok: false, text: `not started: ${(err as Error).message}`, summary: null };
    }
  }

  /** A scan not started, and why: said where it was asked for (the card, Detections, the welcome). */
  refuse(captureId: number, why: string) {
    this.outcomes[captureId] = { ok: false, text: `not started: ${why}`, summary: null };
  }

  async cancel(captureId: number) {
    const run = this.running[captureId];
    if (run) await this.jobs.cancel(run.jobId);
  }

  private captureOf(jobId: string): number | null {
    for (const [id, run] of Object.entries(this.running)) if (run.jobId === jobId) return Number(id);
    return null;
  }

  onProgress(p: JobProgress) {
    const captureId = this.captureOf(p.jobId);
    const run = captureId === null ? undefined : this.running[captureId];
    if (run) run.progress = p;
  }

  onFinished(f: JobFinished) {
    if (f.kind !== 'scan') return;
    const summary = scanResult(f);
    const captureId = this.captureOf(f.jobId) ?? summary?.captureId ?? null;
    if (captureId === null) return;
    delete this.running[captureId];
    // a failure shows on the card (and in Detections) the scan was started from, not only in Jobs
    this.outcomes[captureId] = { ok: f.ok, text: f.ok || f.cancelled ? jobOutcome(f) : `failed: ${f.error ?? 'unknown error'}`, summary };
    if (summary) this.latest = { ...this.latest, [captureId]: summary };
    void this.refresh();
  }
}
