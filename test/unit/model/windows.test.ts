import { describe, expect, it } from 'vitest';
import { gatherWindows, labelIndex, WindowCarry, windowIndex } from '../../../main/core/model/windows.ts';

/** features: row i has the single feature value i+1 (so 0 always means padding). */
const feats = (n: number) => Float32Array.from({ length: n }, (_, i) => i + 1);

/** window of row r as [value, mask] pairs */
function windowOf(x: Float32Array, r: number, w: number): [number, number][] {
  return Array.from({ length: w }, (_, p) => [x[(r * w + p) * 2]!, x[(r * w + p) * 2 + 1]!]);
}

describe('windowIndex', () => {
  it('unkeyed: the W flows ending at each flow, padded with -1 at the start', () => {
    expect(Array.from(windowIndex(4, 3))).toEqual([-1, -1, 0, -1, 0, 1, 0, 1, 2, 1, 2, 3]);
  });
  it('keyed: predecessors of the same key only, in capture order', () => {
    const keys = ['a', 'b', 'a', 'a', 'b'];
    expect(Array.from(windowIndex(5, 3, keys))).toEqual([-1, -1, 0, -1, -1, 1, -1, 0, 2, 0, 2, 3, -1, 1, 4]);
  });
});

describe('gatherWindows', () => {
  it('zero-pads with mask 0 and marks real flows with mask 1', () => {
    const x = gatherWindows(feats(3), 1, windowIndex(3, 3), 3, [0, 2]);
    expect(windowOf(x, 0, 3)).toEqual([[0, 0], [0, 0], [1, 1]]);
    expect(windowOf(x, 1, 3)).toEqual([[1, 1], [2, 1], [3, 1]]);
  });
});

describe('WindowCarry (streaming)', () => {
  it.each([1, 2, 3, 7])('gives the same windows as the in-memory form for batch size %i', (batch) => {
    const n = 7;
    const keys = ['a', 'b', 'a', 'c', 'b', 'a', 'a'];
    for (const keyed of [false, true]) {
      const expected = gatherWindows(feats(n), 1, windowIndex(n, 3, keyed ? keys : null), 3, Array.from({ length: n }, (_, i) => i));
      const carry = new WindowCarry(1, 3, keyed);
      const parts: Float32Array[] = [];
      for (let s = 0; s < n; s += batch) parts.push(carry.push(feats(n).subarray(s, Math.min(n, s + batch)), keys.slice(s, s + batch)));
      const got = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
      let o = 0;
      for (const p of parts) (got.set(p, o), (o += p.length));
      expect(Array.from(got)).toEqual(Array.from(expected));
    }
  });
  it('window 1 is the flow itself', () => {
    const x = new WindowCarry(1, 1, false).push(feats(2));
    expect(Array.from(x)).toEqual([1, 1, 2, 1]);
  });
});

describe('labelIndex', () => {
  it('maps class names, unknown and null to -1, binary to benign/attack', () => {
    expect(Array.from(labelIndex(['Benign', 'DoS', 'Worm', null], ['Benign', 'DoS']))).toEqual([0, 1, -1, -1]);
    expect(Array.from(labelIndex(['Benign', 'DoS', 'Worm'], ['Benign', 'Attack'], true))).toEqual([0, 1, 1]);
  });
});
