import { describe, expect, it } from 'vitest';
import { patternAnswers } from '../../bench/reference/patterns.ts';

describe('patternAnswers', () => {
  // pattern 0: four training rows on a 1-D coordinate (row 1 has two flows)
  //   row 0 @ 0 label 0, row 1 @ 10 label 1 (x2), row 2 @ 20 label 0, row 3 @ 21 label 0
  // test: row 4 @ 9 label 1, row 5 @ 19 label 0, row 6 @ 11 label 0 (new rows of pattern 0),
  //       row 0 again (seen), row 7 of pattern 9 (novel)
  const input = {
    labels: Int32Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 1]),
    rows: Int32Array.from([0, 1, 1, 2, 3, 4, 5, 6, 0, 7]),
    patterns: Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 9]),
    coordinates: Float32Array.from([0, 10, 10, 20, 21, 9, 19, 11, 0, 50]),
    dims: 1,
    classes: 2,
    train: Int32Array.from([0, 1, 2, 3, 4]),
    test: Int32Array.from([5, 6, 7, 8, 9]),
  };

  it('sorts test flows into seen rows, novel patterns and new rows of known patterns', () => {
    const a = patternAnswers(input);
    expect([a.seen, a.novel, Array.from(a.flows)]).toEqual([1, 1, [5, 6, 7]]);
  });

  it('scores hindsight, majority, nearest flow and a k-NN vote on the new rows', () => {
    // hindsight: labels 1, 0, 0 -> answer 0, 2 right; majority (3 flows of 0 vs 2 of 1): 0, 2 right
    // nearest: row 4 -> row 1 (1, right), row 5 -> row 2 (0, right), row 6 -> row 1 (1, wrong)
    // 5 nearest flows: row 4 -> 2x1 + 3x0 (wrong), row 5 -> 0 wins 3-2, row 6 -> 0 wins 3-2
    const a = patternAnswers({ ...input, neighbours: 5 });
    expect([a.hindsight, a.majority, a.nearest, a.knn]).toEqual([2, 2, 2, 2]);
  });

  it('picks the hindsight class per pattern, not over all new rows', () => {
    // two patterns whose new rows disagree: pattern 0's are all 1, pattern 1's all 0
    const two = {
      labels: Int32Array.from([0, 1, 1, 1, 0, 0]),
      rows: Int32Array.from([0, 1, 2, 3, 4, 5]),
      patterns: Int32Array.from([0, 1, 0, 0, 1, 1]),
      coordinates: new Float32Array(6),
      dims: 1,
      classes: 2,
      train: Int32Array.from([0, 1]),
      test: Int32Array.from([2, 3, 4, 5]),
    };
    expect(patternAnswers(two).hindsight).toBe(4);
  });

  it('counts part of a row when the vote fills up inside it', () => {
    // training: row 0 @ 0 label 1 (3 flows), row 1 @ 1 label 0, row 2 @ 2 label 0; test: row 3 @ 1.5, label 0
    // 3 nearest flows: rows 1 and 2, then one of row 0's three: 0 wins 2-1 (all of row 0 would make it 1)
    const one = {
      labels: Int32Array.from([1, 1, 1, 0, 0, 0]),
      rows: Int32Array.from([0, 0, 0, 1, 2, 3]),
      patterns: new Int32Array(6),
      coordinates: Float32Array.from([0, 0, 0, 1, 2, 1.5]),
      dims: 1,
      classes: 2,
      train: Int32Array.from([0, 1, 2, 3, 4]),
      test: Int32Array.from([5]),
      neighbours: 3,
    };
    const a = patternAnswers(one);
    expect([a.majority, a.nearest, a.knn]).toEqual([0, 1, 1]);
  });
});
