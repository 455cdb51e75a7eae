/**
 * Where a hold-out's unseen flows stand (a benchmark reference, not part of the product).
 *
 * Flows are grouped twice: by their exact feature row (`rows`) and by their **pattern**, the row
 * without some columns (`patterns`; the quality benchmark leaves out the three duration
 * columns). A test flow whose exact row training lacks is then either of a pattern training
 * lacks too (**novel**), or a **new row of a known pattern**: a flow training knows apart from
 * the left-out columns. On the latter, `patternAnswers` scores simple answers a classifier could
 * give from the left-out columns, to compare with a model's:
 * - **hindsight**: per pattern, the one class most common among exactly these test flows,
 *   picked with their labels in hand: no answer that is constant within a pattern does better;
 * - **majority**: per pattern, its most common class among the training flows;
 * - **nearest** / **knn**: the class of the nearest training flow of the same pattern in the
 *   left-out columns (L1), and a vote of the `neighbours` nearest flows. If closeness in those
 *   columns carried the class, these would beat the majority.
 * A model above hindsight draws class signal from the left-out columns' exact values.
 */

export interface PatternInput {
  /** class index per flow (-1: unlabelled, skipped) */
  labels: Int32Array;
  /** exact feature row id per flow */
  rows: Int32Array;
  /** pattern id per flow (rows that agree outside the left-out columns share one) */
  patterns: Int32Array;
  train: Int32Array;
  test: Int32Array;
  classes: number;
  /** [n, dims] the left-out columns' values per flow */
  coordinates: Float32Array;
  dims: number;
  /** training flows the k-NN vote counts (default 15) */
  neighbours?: number;
}

export interface PatternAnswers {
  /** test flows whose exact row is in training */
  seen: number;
  /** test flows of patterns training lacks */
  novel: number;
  /** test flows that are new rows of a known pattern, in test order: the flows scored below */
  flows: Int32Array;
  /** how many of `flows` each answer gets right */
  hindsight: number;
  majority: number;
  nearest: number;
  knn: number;
}

/** Index of the largest count; ties go to the lower class. */
function argmax(counts: ArrayLike<number>): number {
  let best = 0;
  for (let c = 1; c < counts.length; c++) if (counts[c]! > counts[best]!) best = c;
  return best;
}

interface TrainingRow {
  /** one training flow of the row (its coordinates stand for the row's) */
  flow: number;
  counts: Float64Array;
  flows: number;
}

export function patternAnswers(input: PatternInput): PatternAnswers {
  const { labels, rows, patterns, train, test, classes: k, coordinates, dims } = input;
  const neighbours = input.neighbours ?? 15;
  // per pattern: its distinct training rows with their label counts
  const byPattern = new Map<number, TrainingRow[]>();
  const byRow = new Map<number, TrainingRow>();
  for (const r of train) {
    if (labels[r]! < 0) continue;
    let entry = byRow.get(rows[r]!);
    if (!entry) {
      byRow.set(rows[r]!, (entry = { flow: r, counts: new Float64Array(k), flows: 0 }));
      let list = byPattern.get(patterns[r]!);
      if (!list) byPattern.set(patterns[r]!, (list = []));
      list.push(entry);
    }
    entry.counts[labels[r]!]! += 1;
    entry.flows++;
  }
  const majority = new Map<number, number>();
  for (const [p, list] of byPattern) {
    const counts = new Float64Array(k);
    for (const e of list) for (let c = 0; c < k; c++) counts[c]! += e.counts[c]!;
    majority.set(p, argmax(counts));
  }
  const out: PatternAnswers = { seen: 0, novel: 0, flows: new Int32Array(0), hindsight: 0, majority: 0, nearest: 0, knn: 0 };
  const flows: number[] = [];
  const hindsight = new Map<number, Float64Array>();
  const distance = (a: number, b: number) => {
    let d = 0;
    for (let j = 0; j < dims; j++) d += Math.abs(coordinates[a * dims + j]! - coordinates[b * dims + j]!);
    return d;
  };
  for (const r of test) {
    if (labels[r]! < 0) continue;
    if (byRow.has(rows[r]!)) {
      out.seen++;
      continue;
    }
    const list = byPattern.get(patterns[r]!);
    if (!list) {
      out.novel++;
      continue;
    }
    flows.push(r);
    let counts = hindsight.get(patterns[r]!);
    if (!counts) hindsight.set(patterns[r]!, (counts = new Float64Array(k)));
    counts[labels[r]!]! += 1;
    if (majority.get(patterns[r]!) === labels[r]) out.majority++;
    const ranked = list.map((e) => ({ e, d: distance(r, e.flow) })).sort((a, b) => a.d - b.d || a.e.flow - b.e.flow);
    if (argmax(ranked[0]!.e.counts) === labels[r]) out.nearest++;
    const votes = new Float64Array(k);
    let taken = 0;
    for (const { e } of ranked) {
      const take = Math.min(e.flows, neighbours - taken);
      for (let c = 0; c < k; c++) votes[c]! += (e.counts[c]! * take) / e.flows;
      taken += take;
      if (taken >= neighbours) break;
    }
    if (argmax(votes) === labels[r]) out.knn++;
  }
  for (const counts of hindsight.values()) out.hindsight += counts[argmax(counts)]!;
  out.flows = Int32Array.from(flows);
  return out;
}
