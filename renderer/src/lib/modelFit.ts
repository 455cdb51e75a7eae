import type { CaptureInfo, ModelSummary } from '../../../preload/contract';

type Model = Pick<ModelSummary, 'id' | 'name' | 'builtin' | 'featureSet' | 'featureColumns'>;
type Capture = Pick<CaptureInfo, 'columns'>;

/** The feature columns a model reads that a capture lacks (none: the model can read it). */
export function missingColumns(model: Pick<ModelSummary, 'featureColumns'>, capture: Capture): string[] {
  const have = new Set(capture.columns);
  return model.featureColumns.filter((c) => !have.has(c));
}

/** "my-v2 needs v2 columns this capture lacks" (null when it lacks none) */
export function lackText(model: Pick<ModelSummary, 'name' | 'featureSet' | 'featureColumns'>, capture: Capture): string | null {
  return missingColumns(model, capture).length ? `${model.name} needs ${model.featureSet} columns this capture lacks` : null;
}

export interface ScanChoice<M extends Model> {
  /** the model a scan of the capture uses; null: none is known yet and the core picks */
  model: M | null;
  /** why it is not the one asked for, or why none can scan the capture */
  note: string | null;
  /** no model of the project can read the capture: a scan is not offered */
  blocked: boolean;
  /** the columns the model asked for needs and the capture lacks (for a tooltip) */
  missing: string[];
}

/**
 * The model a scan of a capture uses: the one asked for (the selected model, else the built-in)
 * when it can read the capture, else the built-in model that can, saying why (a built-in gives
 * way to the other built-in silently: they are one detector per schema); never a model whose
 * feature columns the capture lacks.
 */
export function scanChoice<M extends Model>(wanted: M | null, models: readonly M[], capture: Capture | undefined): ScanChoice<M> {
  if (!wanted || !capture) return { model: wanted, note: null, blocked: false, missing: [] };
  const missing = missingColumns(wanted, capture);
  const lack = lackText(wanted, capture);
  if (!lack) return { model: wanted, note: null, blocked: false, missing };
  const fits = (m: M) => missingColumns(m, capture).length === 0;
  const other = models.find((m) => m.builtin && fits(m)) ?? models.find(fits) ?? null;
  // the built-in models are one detector for each schema: one gives way to the other without a word
  if (other) return { model: other, note: wanted.builtin && other.builtin ? null : `${lack}; scanning with ${other.name}`, blocked: false, missing };
  return { model: null, note: `${lack}, and no model of this project can read it`, blocked: true, missing };
}
