import type { Api, CaptureInfo, JobFinished, JobProgress } from '../../../preload/contract';
import type { Transport, UploadHandle } from '../api/transport';
import { jobOutcome, type JobsState } from './jobs.svelte';
import { importResult } from '../lib/jobResults';
import { COMPACT_NUDGE_BYTES } from '../lib/space';

export interface ImportOutcome {
  ok: boolean;
  text: string;
  captureId: number | null;
}

/** The project's captures and the import in progress (upload, then the core's import job). */

export class CapturesState {
  list = $state.raw<CaptureInfo[]>([]);
  loading = $state(false);
  loadError = $state<string | null>(null);
  /** why the last deletion was refused (an incident holds one of its scans, a job reads it) */
  deleteRefused = $state<string | null>(null);

  importJobId = $state<string | null>(null);
  importLabel = $state('');
  importProgress = $state<JobProgress | null>(null);
  uploadFraction = $state<number | null>(null);
  outcome = $state<ImportOutcome | null>(null);
  /** the capture deleted last, when it left free space in the project file worth compacting */
  deleted = $state.raw<{ name: string; freeBytes: number } | null>(null);
  busy = $derived(this.importJobId !== null || this.uploadFraction !== null);
  private upload: UploadHandle | null = null;

  constructor(
    private api: Api,
    private transport: Transport,
    private jobs: JobsState,
  ) {}

  byId(id: number): CaptureInfo | undefined {
    return this.list.find((c) => c.id === id);
  }

  async refresh() {
    this.loading = true;
    try {
      this.list = await this.api.listCaptures({});
      this.loadError = null;
    } catch (err) {
      this.loadError = (err as Error).message;
    } finally {
      this.loading = false;
    }
  }

  /** `label` names the job when the path is the host's copy of an uploaded file. */
  async importPath(path: string, label?: string) {
    const trimmed = path.trim();
    if (!trimmed) return;
    this.outcome = null;
    try {
      const { jobId } = await this.api.importCapture({ path: trimmed });
      this.importJobId = jobId;
      this.importLabel = label ?? trimmed.split(/[\\/]/).pop() ?? trimmed;
      this.importProgress = null;
      this.jobs.track(jobId, 'import', `Import ${this.importLabel}`);
    } catch (err) {
      this.outcome = { ok: false, text: (err as Error).message, captureId: null };
    }
  }

  /** Electron: the native dialog; the core reads the chosen file in place. */
  async pickAndImport() {
    try {
      const path = await this.api.pickCaptureFile({});
      if (path) await this.importPath(path);
    } catch (err) {
      this.outcome = { ok: false, text: (err as Error).message, captureId: null };
    }
  }

  /**
   * A dropped or chosen File: Electron imports its path, the web host gets it uploaded first.
   * A MindFlow project (.duckdb) is not a capture: the desktop opens it (every window then starts
   * over on it), the web host says how to open it.
   */
  async importFile(file: File) {
    if (/\.duckdb$/i.test(file.name)) return this.openProjectFile(file);
    if (this.transport.pathForFile) {
      const path = this.transport.pathForFile(file);
      if (path) return this.importPath(path);
    }
    if (!this.transport.upload) return;
    this.outcome = null;
    this.importLabel = file.name;
    this.uploadFraction = 0;
    try {
      this.upload = this.transport.upload(file, (f) => (this.uploadFraction = f));
      const path = await this.upload.done;
      this.uploadFraction = null;
      await this.importPath(path, file.name);
    } catch (err) {
      this.uploadFraction = null;
      this.outcome = { ok: false, text: (err as Error).message, captureId: null };
    } finally {
      this.upload = null;
    }
  }

  async cancelImport() {
    if (this.upload) this.upload.abort();
    else if (this.importJobId) await this.jobs.cancel(this.importJobId);
  }

  onProgress(progress: JobProgress) {
    if (progress.jobId === this.importJobId) this.importProgress = progress;
  }

  onFinished(finished: JobFinished) {
    if (finished.kind !== 'import') return;
    if (this.importJobId !== null && finished.jobId !== this.importJobId) return;
    this.importJobId = null;
    this.importProgress = null;
    this.outcome = { ok: finished.ok, text: jobOutcome(finished), captureId: importResult(finished)?.capture.id ?? null };
    void this.refresh();
  }

  private async openProjectFile(file: File) {
    const path = this.transport.pathForFile?.(file);
    if (!path) {
      this.outcome = { ok: false, text: `${file.name} is a MindFlow project, not a capture: open it with Open project… (Ctrl+O) and its path on this machine`, captureId: null };
      return;
    }
    try {
      await this.api.openProject({ path, create: false });
    } catch (err) {
      this.outcome = { ok: false, text: (err as Error).message, captureId: null };
    }
  }

  async remove(id: number) {
    const name = this.byId(id)?.fileName ?? `#${id}`;
    try {
      this.deleteRefused = null;
      await this.api.deleteCapture({ captureId: id });
      this.deleted = null;
      await this.refresh();
      // a capture that had reached the file leaves free space there: say how much, and offer to compact
      const space = await this.api.projectSpace({}).catch(() => null);
      if (space && space.freeBytes >= COMPACT_NUDGE_BYTES) this.deleted = { name, freeBytes: space.freeBytes };
    } catch (err) {
      this.deleted = null;
      this.deleteRefused = (err as Error).message;
    }
  }
}
