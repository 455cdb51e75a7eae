/**
 * When a model's figures on a capture are clearly below its held-out estimate, a short note that
 * says by how much, whether the capture holds the model's training flows, which classes lost
 * most, why, and what to do. The Model view and `mindflow eval` show the same words. Pure
 * functions over the contract's types: no DOM, no Node.
 */
import { BUILTIN_RECIPE, type ModelMetrics } from './contract.ts';

/**
 * The rule: the capture's figures are clearly worse when macro F1 is more than 0.05 below the
 * held-out estimate's, or weighted F1 more than 0.03 below, to the three decimals both are
 * shown with. Macro F1 moves with the rare classes (a hold-out of sample A has 5 Theft flows),
 * so its margin is wider; weighted F1 near 0.97 losing 3 points means 3 % of the flows. A
 * capture that does as well or better gets no note.
 */
export const MACRO_F1_GAP = 0.05;
export const WEIGHTED_F1_GAP = 0.03;
/** a class whose F1 fell by more than this is named among the losses (at most two, the largest first) */
export const CLASS_F1_GAP = 0.05;

export interface HeldOutComparison {
  /** the model's held-out estimate (`ModelSummary.metrics`) */
  heldOut: ModelMetrics;
  /** the same model's figures on the capture (`Evaluation.metrics`) */
  capture: ModelMetrics;
  /** how the capture is named in the sentences: "capture #1", or its file name */
  captureName: string;
  /** the capture holds the flows the model was trained on (`Evaluation.trainedOnCapture`) */
  trainedOnCapture: boolean;
  /** the class weighting the model was trained with (`TrainSettings.classWeighting`), when known */
  classWeighting?: string | null | undefined;
}

export interface HeldOutGapNote {
  /** which figure is lower and by how much */
  headline: string;
  /** whether the capture holds the model's training flows */
  data: string;
  /** the classes that lost most and where their flows went (else the most misread flows); null when none is misread */
  classes: string | null;
  /** why the two figures differ */
  why: string;
  /** what to do about it */
  advice: string;
}

const score = (x: number) => x.toFixed(3);
/** how far `after` is below `before`, to the three decimals both are shown with */
const shownDrop = (before: number, after: number) => Math.round((before - after) * 1000) / 1000;
const count = (n: number) => n.toLocaleString('en-US');

/** The note when the capture's figures are clearly below the held-out estimate (the rule above), else null. */
export function heldOutGapNote(c: HeldOutComparison): HeldOutGapNote | null {
  const macroDrop = shownDrop(c.heldOut.macroF1, c.capture.macroF1);
  const weightedDrop = shownDrop(c.heldOut.weightedF1, c.capture.weightedF1);
  const macro = macroDrop > MACRO_F1_GAP;
  const weighted = weightedDrop > WEIGHTED_F1_GAP;
  if (!macro && !weighted) return null;

  const [lead, other] = macro
    ? [`macro F1 ${score(c.capture.macroF1)}`, `weighted F1 ${score(c.capture.weightedF1)} against ${score(c.heldOut.weightedF1)}`]
    : [`weighted F1 ${score(c.capture.weightedF1)}`, `macro F1 ${score(c.capture.macroF1)} against ${score(c.heldOut.macroF1)}`];
  const drop = macro ? macroDrop : weightedDrop;
  const estimate = macro ? c.heldOut.macroF1 : c.heldOut.weightedF1;
  const headline = `On ${c.captureName} the model scores ${lead}, ${score(drop)} below its held-out estimate of ${score(estimate)} (${other}).`;

  const data = c.trainedOnCapture ? `This model was trained on the flows of ${c.captureName}.` : `This model was not trained on ${c.captureName}.`;

  const why = c.trainedOnCapture
    ? "The held-out split keeps a flood's repeated rows in training, so the estimate never tested them; the figures here count every flow, so one misread flood row weighs as much as all the flows that share it."
    : "The estimate speaks for flows like the training capture's; this traffic differs from them, and the figures here count every one of its flows.";

  const recipe = `${BUILTIN_RECIPE.epochs} epochs of ${BUILTIN_RECIPE.batchSize} at learning rate ${BUILTIN_RECIPE.learningRate}`;
  // balanced weights give each flow of a big class the least weight, and floods are big classes
  const advice = !c.trainedOnCapture
    ? 'For this traffic trust the figures here, not the estimate; to do better on it, train on a labelled capture of it.'
    : c.classWeighting === 'balanced'
      ? `For this traffic trust the figures here, not the estimate; to close the gap, train with sqrt class weighting instead of balanced, which gives a big class's flows (and so its floods) the least weight, and train longer (the built-in recipe: ${recipe}), then evaluate again.`
      : `For this traffic trust the figures here, not the estimate; to close the gap, train longer (the built-in recipe: ${recipe}) and evaluate again.`;

  return { headline, data, classes: classLosses(c.heldOut, c.capture), why, advice };
}

/** The note as one paragraph, as the CLI prints it. */
export function heldOutGapText(note: HeldOutGapNote): string {
  return [note.headline, note.data, note.classes, note.why, note.advice].filter(Boolean).join(' ');
}

/**
 * "The loss is mostly in Benign (F1 0.102 against 0.709; 14,517 Reconnaissance flows read as
 * Benign) and Reconnaissance (F1 0.524 against 0.828; the same 14,517 misread flows)." For each class, the
 * capture's largest confusion cell that involves it: its own flows read as another class, or
 * another class's flows read as it. A cell named for an earlier class is referred back to.
 */
function classLosses(heldOut: ModelMetrics, capture: ModelMetrics): string | null {
  const before = new Map(heldOut.perClass.map((p) => [p.name, p]));
  const losses = capture.perClass
    .map((p, i) => ({ p, i, was: before.get(p.name) }))
    .filter((x): x is { p: typeof x.p; i: number; was: NonNullable<typeof x.was> } => x.was !== undefined && x.p.support > 0 && x.was.support > 0 && x.was.f1 - x.p.f1 > CLASS_F1_GAP)
    .sort((a, b) => b.was.f1 - b.p.f1 - (a.was.f1 - a.p.f1))
    .slice(0, 2);
  if (!losses.length) return mostMisread(capture);
  const named = new Set<string>();
  const parts = losses.map(({ p, i, was }) => {
    const figures = `F1 ${score(p.f1)} against ${score(was.f1)}`;
    const cell = largestMisread(capture, i);
    if (!cell) return `${p.name} (${figures})`;
    const key = `${cell.truth},${cell.predicted}`;
    const truth = capture.classes[cell.truth]!;
    const predicted = capture.classes[cell.predicted]!;
    const where = named.has(key)
      ? `the same ${count(cell.n)} misread flows`
      : cell.truth === i
        ? `${count(cell.n)} of its ${count(p.support)} flows read as ${predicted}`
        : `${count(cell.n)} ${truth} flows read as ${p.name}`;
    named.add(key);
    return `${p.name} (${figures}; ${where})`;
  });
  return `The loss is mostly in ${parts.join(' and ')}.`;
}

/**
 * When no class's F1 fell by CLASS_F1_GAP (the capture weighs a badly read class more than the
 * hold-out did), the capture's largest confusion cell: "The most misread flows here are 2,052 of
 * the 2,303 Reconnaissance flows, read as Benign."
 */
function mostMisread(m: ModelMetrics): string | null {
  let best: { truth: number; predicted: number; n: number } | null = null;
  m.confusion.forEach((row, truth) =>
    row.forEach((n, predicted) => {
      if (truth !== predicted && n > 0 && (!best || n > best.n)) best = { truth, predicted, n };
    }),
  );
  if (!best) return null;
  const { truth, predicted, n } = best;
  const support = m.confusion[truth]!.reduce((a, b) => a + b, 0);
  return `The most misread flows here are ${count(n)} of the ${count(support)} ${m.classes[truth]} flows, read as ${m.classes[predicted]}.`;
}

/** The largest off-diagonal cell in class i's row or column (its own flows first on a tie), or null. */
function largestMisread(m: ModelMetrics, i: number): { truth: number; predicted: number; n: number } | null {
  let best: { truth: number; predicted: number; n: number } | null = null;
  const consider = (truth: number, predicted: number) => {
    const n = m.confusion[truth]?.[predicted] ?? 0;
    if (truth === predicted || n === 0) return;
    if (!best || n > best.n) best = { truth, predicted, n };
  };
  for (let j = 0; j < m.classes.length; j++) {
    consider(i, j);
    consider(j, i);
  }
  return best;
}
