/**
 * Long jobs (import now; train, scan and export later): each gets an id, an AbortSignal and
 * a progress sink, and ends with exactly one `job:finished` event. Progress events are
 * throttled so a fast job cannot flood a transport.
 */
import { randomUUID } from 'node:crypto';
import type { Events, JobFinished, JobInfo, JobKind, JobProgress } from '../../preload/contract.ts';
import type { JobContext, ProgressUpdate } from './capture/import.ts';
import { isCancelled, oneLine } from './errors.ts';

export type Emit = <E extends keyof Events>(event: E, payload: Events[E]) => void;

interface Running {
  info: JobInfo;
  controller: AbortController;
}

export class Jobs {
  private running = new Map<string, Running>();
  constructor(private readonly emit: Emit) {}

  start<R extends JobFinished['result']>(kind: JobKind, label: string, work: (ctx: JobContext & { jobId: string }) => Promise<R>, onDone?: (result: R) => void): string {
    const jobId = randomUUID();
    const controller = new AbortController();
    const info: JobInfo = { jobId, kind, label, startedAt: new Date().toISOString(), progress: null };
    this.running.set(jobId, { info, controller });
    let last = 0;
    const progress = (p: ProgressUpdate) => {
      const event: JobProgress = { jobId, kind, ...p };
      info.progress = event;
      const now = Date.now();
      if (now - last < 100 && p.fraction !== 1) return;
      last = now;
      this.emit('job:progress', event);
    };
    // Start on the next tick so the caller has the id before the first event.
    setImmediate(() => {
      work({ jobId, signal: controller.signal, progress })
        .then((result) => {
          this.running.delete(jobId);
          this.emit('job:finished', { jobId, kind, label, ok: true, cancelled: false, result });
          onDone?.(result);
        })
        .catch((err: unknown) => {
          this.running.delete(jobId);
          const cancelled = isCancelled(err) || controller.signal.aborted;
          this.emit('job:finished', { jobId, kind, label, ok: false, cancelled, error: cancelled ? 'cancelled' : oneLine(err) });
        });
    });
    return jobId;
  }

  cancel(jobId: string): boolean {
    const job = this.running.get(jobId);
    if (!job) return false;
    job.controller.abort();
    return true;
  }

  list(): JobInfo[] {
    return [...this.running.values()].map((r) => r.info);
  }

  cancelAll(): void {
    for (const r of this.running.values()) r.controller.abort();
  }
}
