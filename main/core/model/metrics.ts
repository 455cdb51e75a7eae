/** Classification metrics (pure). Labels are class indices; -1 labels are skipped. */

export interface ClassMetrics {
  name: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface BinaryMetrics {
  precision: number;
  recall: number;
  f1: number;
}

export interface Metrics {
  classes: string[];
  total: number;
  accuracy: number;
  perClass: ClassMetrics[];
  macroF1: number;
  weightedF1: number;
  /** benign vs attack, attack being positive; null without a benign class */
  binary: BinaryMetrics | null;
  /** confusion[true][predicted] */
  confusion: number[][];
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

function f1(p: number, r: number): number {
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

/** confusion[true][predicted]; `weights` counts row i weights[i] times (default once). */
export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number, weights?: ArrayLike<number>): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const p = predicted[i]!;
    if (t < 0 || t >= classes || p < 0 || p >= classes) continue;
    m[t]![p]! += weights ? weights[i]! : 1;
  }
  return m;
}

/** Index of the benign class: "Benign" (any case) or "0"/"normal"; -1 when none. */
export function benignIndex(classes: readonly string[]): number {
  return classes.findIndex(isBenignLabel);
}

const BENIGN_NAME = /^(benign|normal|0)$/i;

/** A label that means no attack: "Benign" in any case, or "normal" / "0" as other datasets write it. */
export function isBenignLabel(label: string): boolean {
  return BENIGN_NAME.test(label.trim());
}

/** A label or class name without case, spaces, '-' and '_': "DDoS", "ddos" and "D-DoS" read alike. */
export function labelKey(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

/** What `classMatcher` returns for an empty label. */
export const NO_LABEL = -1;
/** What `classMatcher` returns for a label that names no class of the model (another vocabulary). */
export const OTHER_LABEL = -2;

/**
 * Maps a capture's Attack label to a class of a model: the class spelt exactly so, else the one
 * whose spelling differs only in case, spaces, '-' or '_' (sister datasets write "ddos", "DoS " or
 * "BENIGN"), and any benign spelling ("normal", "0") to the benign class. Never by meaning:
 * "scanning" is not taken for "Reconnaissance". NO_LABEL for an empty label, OTHER_LABEL for one
 * the model has no class for.
 */
export function classMatcher(classes: readonly string[]): (label: string | null | undefined) => number {
  const exact = new Map(classes.map((c, i) => [c, i]));
  const loose = new Map<string, number>();
  const clashes = new Set<string>();
  classes.forEach((c, i) => {
    const k = labelKey(c);
    if (loose.has(k)) clashes.add(k);
    else loose.set(k, i);
  });
  for (const k of clashes) loose.delete(k);
  const benign = benignIndex(classes);
  return (label) => {
    if (label == null || !label.trim()) return NO_LABEL;
    const i = exact.get(label) ?? loose.get(labelKey(label));
    if (i !== undefined) return i;
    if (benign >= 0 && isBenignLabel(label)) return benign;
    return OTHER_LABEL;
  };
}

/**
 * Flows labelled with an attack class the model lacks (OTHER_LABEL), by what the model said:
 * `flagged` as any of its attack classes, `missed` as benign. They take no part in the per-class
 * figures; benign vs attack counts them as attacks.
 */
export interface OtherAttacks {
  flagged: number;
  missed: number;
}

/**
 * Per-class, macro, weighted and benign-vs-attack figures of a confusion matrix. `other` adds
 * the flows of attack classes the model lacks to benign vs attack (only when it has a benign class).
 */
export function metricsFromConfusion(confusion: number[][], classes: string[], other?: OtherAttacks): Metrics {
  const k = classes.length;
  const total = confusion.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  let correct = 0;
  const perClass: ClassMetrics[] = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c]![c]!;
    correct += tp;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((s, row) => s + row[c]!, 0);
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    perClass.push({ name: classes[c]!, precision, recall, f1: f1(precision, recall), support });
  }
  // Macro F1 averages the classes that occur in the labels or the predictions (scikit-learn's
  // default): a class with no flows in this capture does not count, unless the model predicted it.
  const present = perClass.filter((c, i) => c.support > 0 || confusion.some((row) => row[i]! > 0));
  const macroF1 = ratio(present.reduce((s, c) => s + c.f1, 0), present.length);
  const weightedF1 = ratio(perClass.reduce((s, c) => s + c.f1 * c.support, 0), total);
  const b = benignIndex(classes);
  let binary: BinaryMetrics | null = null;
  if (b >= 0) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let t = 0; t < k; t++)
      for (let p = 0; p < k; p++) {
        const n = confusion[t]![p]!;
        if (t !== b && p !== b) tp += n;
        else if (t === b && p !== b) fp += n;
        else if (t !== b && p === b) fn += n;
      }
    tp += other?.flagged ?? 0;
    fn += other?.missed ?? 0;
    const precision = ratio(tp, tp + fp);
    const recall = ratio(tp, tp + fn);
    binary = { precision, recall, f1: f1(precision, recall) };
  }
  return { classes: [...classes], total, accuracy: ratio(correct, total), perClass, macroF1, weightedF1, binary, confusion };
}

export function computeMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: string[], weights?: ArrayLike<number>): Metrics {
  return metricsFromConfusion(confusionMatrix(truth, predicted, classes.length, weights), classes);
}

/** Arg-max class per row of an [n, k] probability matrix. */
export function argmaxRows(probs: Float32Array, k: number): Int32Array {
  const n = probs.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs[i * k + j]! > probs[i * k + best]!) best = j;
    out[i] = best;
  }
  return out;
}
