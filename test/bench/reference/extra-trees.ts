/**
 * Extremely randomized trees (Geurts, Ernst & Wehenkel 2006), the reference baseline of the
 * quality benchmark. Defaults follow scikit-learn's ExtraTreesClassifier: 100 trees, each grown
 * on the whole training set (no bootstrap) to full depth; at each node floor(sqrt(f)) features
 * are drawn, each gets one threshold uniform in its (min, max) over the node, and the draw with
 * the largest Gini decrease wins. Draws that hit a feature constant in the node (range <= 1e-7)
 * are spent, but the search goes on until one non-constant feature is found; features constant
 * in a node are not drawn again below it. Leaves hold class fractions; probabilities average them.
 *
 * The forest is stored flat (one set of typed arrays for all trees) and grown depth-first from
 * an explicit stack over an index array partitioned in place, so a tree costs no allocation per
 * node and no recursion.
 */
import { rng } from '../../../main/core/model/random.ts';

export interface ExtraTreesOptions {
  /** number of trees (default 100) */
  trees?: number;
  /** features drawn per node (default floor(sqrt(f)), at least 1) */
  maxFeatures?: number;
  /** seed of the forest's random stream (default 0) */
  seed?: number;
  /** smallest node that may still be split (default 2) */
  minSamplesSplit?: number;
}

/** A feature whose range in a node is at most this is treated as constant there (as sklearn). */
const CONSTANT_RANGE = 1e-7;

/** Growable node and leaf arrays shared by all trees of one forest while it is fitted. */
class ForestBuilder {
  feature = new Int32Array(1024);
  threshold = new Float64Array(1024);
  /** split node: id of its left child (the right child is the next id); leaf: its leaf index */
  child = new Int32Array(1024);
  leafProbs: Float32Array;
  nodes = 0;
  leaves = 0;

  constructor(readonly k: number) {
    this.leafProbs = new Float32Array(1024 * k);
  }

  /** Reserves `count` consecutive node ids and returns the first. */
  allocate(count: number): number {
    const first = this.nodes;
    this.nodes += count;
    if (this.nodes > this.feature.length) {
      const size = Math.max(this.nodes, this.feature.length * 2);
      this.feature = grow(this.feature, size);
      this.threshold = grow(this.threshold, size);
      this.child = grow(this.child, size);
    }
    return first;
  }

  setSplit(node: number, feature: number, threshold: number, left: number): void {
    this.feature[node] = feature;
    this.threshold[node] = threshold;
    this.child[node] = left;
  }

  setLeaf(node: number, counts: Float64Array, size: number): void {
    const leaf = this.leaves++;
    if ((leaf + 1) * this.k > this.leafProbs.length) this.leafProbs = grow(this.leafProbs, this.leafProbs.length * 2);
    for (let c = 0; c < this.k; c++) this.leafProbs[leaf * this.k + c] = counts[c]! / size;
    this.feature[node] = -1;
    this.threshold[node] = 0;
    this.child[node] = leaf;
  }
}

function grow<T extends Int32Array | Uint8Array | Float32Array | Float64Array>(array: T, size: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(size);
  bigger.set(array);
  return bigger;
}

export class ExtraTrees {
  /** total nodes over all trees (splits and leaves) */
  readonly nodeCount: number;

  private constructor(
    private readonly f: number,
    private readonly k: number,
    private readonly roots: Int32Array,
    private readonly feature: Int32Array,
    private readonly threshold: Float64Array,
    private readonly child: Int32Array,
    private readonly leafProbs: Float32Array,
  ) {
    this.nodeCount = feature.length;
  }

  /** Fits a forest on x (row-major [n, f]) with class labels in 0..k-1. */
  static fit(x: Float32Array, f: number, labels: Int32Array, k: number, opts: ExtraTreesOptions = {}): ExtraTrees {
    const n = labels.length;
    if (!Number.isInteger(f) || f < 1 || x.length !== n * f) throw new RangeError(`x has ${x.length} values, expected ${n} rows x ${f} features`);
    if (n < 1) throw new RangeError('cannot fit on an empty training set');
    for (let i = 0; i < n; i++) {
      const c = labels[i]!;
      if (c < 0 || c >= k) throw new RangeError(`label ${c} at row ${i} is outside 0..${k - 1}`);
    }
    const trees = opts.trees ?? 100;
    if (!Number.isInteger(trees) || trees < 1) throw new RangeError(`trees must be a positive integer, got ${trees}`);
    const maxFeatures = Math.min(f, Math.max(1, opts.maxFeatures ?? Math.floor(Math.sqrt(f))));
    const minSamplesSplit = Math.max(2, opts.minSamplesSplit ?? 2);
    const random = rng(opts.seed ?? 0);

    // Column-major copy: a candidate feature is read for every sample of the node.
    const columns = new Float32Array(n * f);
    for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) columns[j * n + i] = x[i * f + j]!;

    const forest = new ForestBuilder(k);
    const roots = new Int32Array(trees);
    const rows = new Int32Array(n); // sample ids, partitioned in place node by node
    const rowLabels = new Int32Array(n); // labels aligned with `rows`, so label reads are sequential
    let values = new Float32Array(n); // current candidate's values, aligned with `rows`
    let bestValues = new Float32Array(n); // best candidate's values so far
    const counts = new Float64Array(k);
    const leftCounts = new Float64Array(k);
    // Feature order during one node's draw; the known constants come first.
    const features = new Int32Array(f);
    // Depth-first stack of (start, end, node), and per entry a flag per feature that is constant
    // in an ancestor (hence in the node): those are never evaluated again.
    let stack = new Int32Array(3 * 64);
    let constantFlags = new Uint8Array(f * 64);
    const childFlags = new Uint8Array(f);

    const pushEntry = (entry: number, start: number, end: number, node: number): void => {
      stack[3 * entry] = start;
      stack[3 * entry + 1] = end;
      stack[3 * entry + 2] = node;
      constantFlags.set(childFlags, entry * f);
    };

    for (let t = 0; t < trees; t++) {
      for (let i = 0; i < n; i++) {
        rows[i] = i;
        rowLabels[i] = labels[i]!;
      }
      roots[t] = forest.allocate(1);
      stack[0] = 0;
      stack[1] = n;
      stack[2] = roots[t]!;
      constantFlags.fill(0, 0, f);
      let entries = 1;

      while (entries > 0) {
        const entry = --entries;
        const start = stack[3 * entry]!;
        const end = stack[3 * entry + 1]!;
        const node = stack[3 * entry + 2]!;
        const size = end - start;

        counts.fill(0);
        for (let i = start; i < end; i++) counts[rowLabels[i]!]! += 1;
        let classesPresent = 0;
        for (let c = 0; c < k; c++) if (counts[c]! > 0) classesPresent++;
        if (size < minSamplesSplit || classesPresent < 2) {
          forest.setLeaf(node, counts, size);
          continue;
        }

        let knownConstant = 0;
        for (let j = 0; j < f; j++) if (constantFlags[entry * f + j]) features[knownConstant++] = j;
        for (let j = 0, rest = knownConstant; j < f; j++) if (!constantFlags[entry * f + j]) features[rest++] = j;

        // Feature draw without replacement. Layout of `features` during the draw:
        // [0, drawnKnown) known constants drawn here | [drawnKnown, knownConstant) known constants
        // not drawn | [knownConstant, totalConstant) found constant here | [totalConstant, open)
        // not drawn yet | [open, f) evaluated.
        let drawnKnown = 0;
        let totalConstant = knownConstant;
        let open = f;
        let draws = 0;
        let evaluated = 0;
        let bestFeature = -1;
        let bestThreshold = 0;
        let bestScore = -Infinity;
        while (open > totalConstant && (draws < maxFeatures || evaluated === 0)) {
          draws++;
          const foundConstant = totalConstant - knownConstant;
          // uniform over the undrawn slots: known constants not drawn, then features not drawn
          let slot = drawnKnown + Math.floor(random() * (open - foundConstant - drawnKnown));
          if (slot < knownConstant) {
            swap(features, slot, drawnKnown++);
            continue;
          }
          slot += foundConstant;
          const feature = features[slot]!;
          const base = feature * n;
          let min = Infinity;
          let max = -Infinity;
          for (let i = start; i < end; i++) {
            const v = columns[base + rows[i]!]!;
            values[i] = v;
            if (v < min) min = v;
            if (v > max) max = v;
          }
          if (max <= min + CONSTANT_RANGE) {
            swap(features, slot, totalConstant++);
            continue;
          }
          swap(features, slot, --open);
          evaluated++;

          let threshold = min + random() * (max - min);
          if (threshold >= max) threshold = min; // rounding must not send every sample left

          leftCounts.fill(0);
          for (let i = start; i < end; i++) leftCounts[rowLabels[i]!]! += values[i]! <= threshold ? 1 : 0;
          let left = 0;
          for (let c = 0; c < k; c++) left += leftCounts[c]!;
          const right = size - left;
          // Gini decrease ranks like sum(left_c^2)/left + sum(right_c^2)/right
          let leftSquares = 0;
          let rightSquares = 0;
          for (let c = 0; c < k; c++) {
            const l = leftCounts[c]!;
            const r = counts[c]! - l;
            leftSquares += l * l;
            rightSquares += r * r;
          }
          const score = leftSquares / left + rightSquares / right;
          if (score > bestScore) {
            bestScore = score;
            bestFeature = feature;
            bestThreshold = threshold;
            const kept = bestValues;
            bestValues = values;
            values = kept;
          }
        }
        if (bestFeature < 0) {
          forest.setLeaf(node, counts, size); // every feature is constant here
          continue;
        }

        let mid = start;
        let hi = end - 1;
        while (mid <= hi) {
          if (bestValues[mid]! <= bestThreshold) {
            mid++;
          } else {
            swap(rows, mid, hi);
            swap(rowLabels, mid, hi);
            swap(bestValues, mid, hi);
            hi--;
          }
        }
        const leftChild = forest.allocate(2);
        forest.setSplit(node, bestFeature, bestThreshold, leftChild);
        for (let j = 0; j < f; j++) childFlags[j] = constantFlags[entry * f + j]!;
        for (let j = knownConstant; j < totalConstant; j++) childFlags[features[j]!] = 1;
        if (3 * (entries + 2) > stack.length) {
          stack = grow(stack, stack.length * 2);
          constantFlags = grow(constantFlags, constantFlags.length * 2);
        }
        // right pushed first so the left child is grown next
        pushEntry(entries++, mid, end, leftChild + 1);
        pushEntry(entries++, start, mid, leftChild);
      }
    }

    return new ExtraTrees(
      f,
      k,
      roots,
      forest.feature.slice(0, forest.nodes),
      forest.threshold.slice(0, forest.nodes),
      forest.child.slice(0, forest.nodes),
      forest.leafProbs.slice(0, forest.leaves * k),
    );
  }

  /** Class probabilities [n, k]: the leaf distributions averaged over trees. */
  predictProba(x: Float32Array, n: number): Float32Array {
    const sums = this.leafSums(x, n);
    const trees = this.roots.length;
    const probs = new Float32Array(sums.length);
    for (let i = 0; i < sums.length; i++) probs[i] = sums[i]! / trees;
    return probs;
  }

  /** Most probable class per row (the first on ties). */
  predict(x: Float32Array, n: number): Int32Array {
    const sums = this.leafSums(x, n);
    const k = this.k;
    const out = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (sums[r * k + c]! > sums[r * k + best]!) best = c;
      out[r] = best;
    }
    return out;
  }

  /** Per row and class, the sum over trees of the reached leaf's fraction. */
  private leafSums(x: Float32Array, n: number): Float64Array {
    const { f, k, feature, threshold, child, leafProbs } = this;
    if (!Number.isInteger(n) || n < 0 || x.length !== n * f) throw new RangeError(`x has ${x.length} values, expected ${n} rows x ${f} features`);
    const sums = new Float64Array(n * k);
    // tree by tree, so one tree's nodes stay in cache for all rows
    for (const root of this.roots) {
      for (let r = 0; r < n; r++) {
        let node = root;
        let split: number;
        while ((split = feature[node]!) >= 0) {
          node = x[r * f + split]! <= threshold[node]! ? child[node]! : child[node]! + 1;
        }
        const leaf = child[node]! * k;
        for (let c = 0; c < k; c++) sums[r * k + c]! += leafProbs[leaf + c]!;
      }
    }
    return sums;
  }
}

function swap(array: Int32Array | Float32Array, a: number, b: number): void {
  const kept = array[a]!;
  array[a] = array[b]!;
  array[b] = kept;
}
