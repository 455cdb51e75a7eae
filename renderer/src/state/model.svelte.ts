import type { Api, BackendStatus, BatchPoint, EpochPoint, Evaluation, JobFinished, JobProgress, ModelMetrics, ModelSummary } from '../../../preload/contract';
import { heldOutGapNote, type HeldOutGapNote } from '../../../preload/heldOutGap';
import { evaluationResult, trainResult } from '../lib/jobResults';
import { defaultTrainForm, builtinRecipeForm, parseTrainForm, type TrainFormValues } from '../lib/trainForm';
import { jobOutcome, type JobsState } from './jobs.svelte';

/** Keep the live per-batch trace small: a long run on a big capture has tens of thousands of batches. */
const MAX_BATCH_POINTS = 3000;

export interface TrainRun {
  jobId: string;
  captureId: number;
  name: string;
  epochsPlanned: number;
  startedAt: number;
}

export interface Outcome {
  ok: boolean;
  text: string;
  /** the analyst stopped it: neither a success nor an error */
  cancelled?: boolean;
}

/** Where the metrics panel reads from: the model's held-out test split, or an evaluation. */
export type MetricsSource = 'heldout' | 'evaluation';

/**
 * The detector's models, the training run in progress with its live curves, and evaluations.
 * Kept current by `models:changed`, `train:*` and `job:*` events.
 */
export class ModelState {
  models = $state.raw<ModelSummary[]>([]);
  loadError = $state<string | null>(null);
  selectedId = $state<string | null>(null);
  selected = $derived(this.models.find((m) => m.id === this.selectedId) ?? null);
  /** what a scan uses when the analyst has not picked a model: the newest, else the built-in one */
  scanModel = $derived(this.selected ?? this.models.find((m) => m.builtin) ?? this.models[0] ?? null);

  backend = $state.raw<BackendStatus | null>(null);
  backendError = $state<string | null>(null);

  // --- training
  form = $state<TrainFormValues>(defaultTrainForm());
  trainCaptureId = $state<number | null>(null);
  trainName = $state('');
  parsed = $derived(parseTrainForm(this.form));
  run = $state.raw<TrainRun | null>(null);
  epochs = $state.raw<EpochPoint[]>([]);
  batches = $state.raw<BatchPoint[]>([]);
  trainProgress = $state.raw<JobProgress | null>(null);
  trainOutcome = $state<Outcome | null>(null);
  /** the model the last finished run produced */
  trained = $state.raw<ModelSummary | null>(null);
  training = $derived(this.run !== null);
  /** Cancel was asked for and the job has not finished yet */
  cancelling = $state(false);
  private pendingBatches: BatchPoint[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | null = null;

  // --- evaluation
  evalCaptureId = $state<number | null>(null);
  evalJobId = $state<string | null>(null);
  evalProgress = $state.raw<JobProgress | null>(null);
  evaluation = $state.raw<Evaluation | null>(null);
  /** how the last evaluation ended, and of which model */
  evalOutcome = $state<(Outcome & { modelId: string }) | null>(null);
  private evalModelId: string | null = null;
  metricsSource = $state<MetricsSource>('heldout');

  // --- packages
  packageOutcome = $state<Outcome | null>(null);

  constructor(
    private api: Api,
    private jobs: JobsState,
  ) {}

  /** the latest evaluation, when it is of the selected model */
  selectedEvaluation = $derived(this.evaluation && this.evaluation.modelId === this.selectedId ? this.evaluation : null);
  /** The metrics to show: the selected model's held-out metrics, or its latest evaluation. */
  shownMetrics = $derived<ModelMetrics | null>(
    this.metricsSource === 'evaluation' && this.selectedEvaluation ? this.selectedEvaluation.metrics : (this.selected?.metrics ?? null),
  );

  /**
   * Why the selected model's latest evaluation is clearly below its held-out estimate (the rule
   * and the words in preload/heldOutGap.ts), shown by the figures whichever of the two is shown;
   * null when they agree or there is nothing to compare.
   */
  heldOutGap = $derived<HeldOutGapNote | null>(
    this.selected?.metrics && this.selectedEvaluation
      ? heldOutGapNote({
          heldOut: this.selected.metrics,
          capture: this.selectedEvaluation.metrics,
          captureName: `capture #${this.selectedEvaluation.captureId}`,
          trainedOnCapture: this.selectedEvaluation.trainedOnCapture,
          classWeighting: this.selected.settings.classWeighting,
        })
      : null,
  );

  byId(id: string): ModelSummary | undefined {
    return this.models.find((m) => m.id === id);
  }

  async refresh() {
    try {
      this.models = await this.api.listModels({});
      this.loadError = null;
      if (this.selectedId !== null && !this.models.some((m) => m.id === this.selectedId)) this.selectedId = null;
      if (this.selectedId === null) this.selectedId = this.models.find((m) => !m.builtin)?.id ?? this.models[0]?.id ?? null;
    } catch (err) {
      this.loadError = (err as Error).message;
    }
  }

  async loadBackend() {
    try {
      this.backend = await this.api.backendStatus({});
      this.backendError = null;
    } catch (err) {
      this.backendError = (err as Error).message;
    }
  }

  select(id: string) {
    this.selectedId = id;
    this.metricsSource = this.evaluation?.modelId === id ? this.metricsSource : 'heldout';
  }

  resetForm() {
    this.form = defaultTrainForm();
  }

  /** The built-in models' recipe, keeping the capture and the name the analyst chose. */
  useBuiltinRecipe() {
    this.form = builtinRecipeForm();
  }

  async train() {
    const settings = this.parsed.settings;
    if (!settings || this.trainCaptureId === null || this.run) return;
    this.trainOutcome = null;
    const name = this.trainName.trim();
    try {
      const { jobId } = await this.api.trainModel({ captureId: this.trainCaptureId, settings, ...(name ? { name } : {}) });
      this.epochs = [];
      this.batches = [];
      this.pendingBatches = [];
      this.trainProgress = null;
      this.run = { jobId, captureId: this.trainCaptureId, name: name || `capture #${this.trainCaptureId}`, epochsPlanned: settings.epochs, startedAt: Date.now() };
      this.jobs.track(jobId, 'train', `Train ${this.run.name}`);
    } catch (err) {
      this.trainOutcome = { ok: false, text: (err as Error).message };
    }
  }

  async cancelTraining() {
    if (!this.run) return;
    this.cancelling = true;
    await this.jobs.cancel(this.run.jobId);
  }

  onEpoch(e: { jobId: string; point: EpochPoint }) {
    if (e.jobId !== this.run?.jobId) return;
    this.flushBatches();
    this.epochs = [...this.epochs.filter((p) => p.epoch !== e.point.epoch), e.point];
  }

  /** Batches arrive fast; they are drawn at most a few times a second. */
  onBatch(b: BatchPoint) {
    if (b.jobId !== this.run?.jobId) return;
    this.pendingBatches.push(b);
    this.flushTimer ??= setTimeout(() => this.flushBatches(), 200);
  }

  private flushBatches() {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (!this.pendingBatches.length) return;
    let next = this.batches.concat(this.pendingBatches);
    this.pendingBatches = [];
    // halve the resolution rather than drop the start of the run
    while (next.length > MAX_BATCH_POINTS) next = next.filter((_, i) => i % 2 === 1);
    this.batches = next;
  }

  async evaluate() {
    const model = this.selected;
    if (!model || this.evalCaptureId === null || this.evalJobId) return;
    this.evalOutcome = null;
    try {
      const { jobId } = await this.api.evaluateModel({ modelId: model.id, captureId: this.evalCaptureId });
      this.evalJobId = jobId;
      this.evalModelId = model.id;
      this.evalProgress = null;
      this.jobs.track(jobId, 'evaluate', `Evaluate ${model.name} on capture #${this.evalCaptureId}`);
    } catch (err) {
      this.evalOutcome = { ok: false, text: (err as Error).message, modelId: model.id };
    }
  }

  async cancelEvaluation() {
    if (this.evalJobId) await this.jobs.cancel(this.evalJobId);
  }

  onProgress(p: JobProgress) {
    if (p.jobId === this.run?.jobId) this.trainProgress = p;
    else if (p.jobId === this.evalJobId) this.evalProgress = p;
  }

  onFinished(f: JobFinished) {
    if (this.run && f.jobId === this.run.jobId) {
      this.flushBatches();
      this.run = null;
      this.cancelling = false;
      this.trainProgress = null;
      this.trainOutcome = { ok: f.ok, cancelled: f.cancelled, text: f.cancelled ? `training cancelled${this.epochs.length ? ` after ${this.epochs.length} epoch${this.epochs.length === 1 ? '' : 's'}` : ''}` : jobOutcome(f) };
      const result = trainResult(f);
      if (result) {
        this.trained = result.model;
        this.models = [...this.models.filter((m) => m.id !== result.model.id), result.model];
        this.selectedId = result.model.id;
        this.metricsSource = 'heldout';
      }
      void this.refresh();
    } else if (this.evalJobId && f.jobId === this.evalJobId) {
      this.evalJobId = null;
      this.evalProgress = null;
      const result = evaluationResult(f);
      this.evalOutcome = { ok: f.ok, text: jobOutcome(f), modelId: result?.modelId ?? this.evalModelId ?? '' };
      if (result) {
        this.evaluation = result;
        if (result.modelId === this.selectedId) this.metricsSource = 'evaluation';
      }
    }
  }

  async remove(id: string) {
    try {
      await this.api.deleteModel({ modelId: id });
      this.packageOutcome = null;
      await this.refresh();
    } catch (err) {
      this.packageOutcome = { ok: false, text: (err as Error).message };
    }
  }

  async exportPackage(id: string, dir: string) {
    const trimmed = dir.trim();
    if (!trimmed) return;
    try {
      const path = await this.api.exportModel({ modelId: id, dir: trimmed });
      this.packageOutcome = { ok: true, text: `exported to ${path}` };
    } catch (err) {
      this.packageOutcome = { ok: false, text: (err as Error).message };
    }
  }

  /** The desktop's way: a new folder named in the native save dialog, then the export. */
  async exportPackageChosen(id: string) {
    const model = this.models.find((m) => m.id === id);
    try {
      const dir = await this.api.pickModelPackage({ export: true, suggestedName: model?.name });
      if (dir) await this.exportPackage(id, dir);
    } catch (err) {
      this.packageOutcome = { ok: false, text: (err as Error).message };
    }
  }

  /** The desktop's way: a package folder chosen in the native dialog, then the import. */
  async importPackageChosen() {
    try {
      const dir = await this.api.pickModelPackage({ export: false });
      if (dir) await this.importPackage(dir);
    } catch (err) {
      this.packageOutcome = { ok: false, text: (err as Error).message };
    }
  }

  async importPackage(dir: string) {
    const trimmed = dir.trim();
    if (!trimmed) return;
    try {
      const model = await this.api.importModel({ dir: trimmed });
      this.packageOutcome = { ok: true, text: `imported ${model.name}` };
      await this.refresh();
      this.select(model.id);
    } catch (err) {
      this.packageOutcome = { ok: false, text: (err as Error).message };
    }
  }
}
