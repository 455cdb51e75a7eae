import { describe, expect, it } from 'vitest';
import { countOf, nameList } from '../../main/core/words.ts';

describe('counts and lists in messages', () => {
  it('counts with the right form and thousands separators', () => {
    expect([countOf(1, 'verdict'), countOf(0, 'note'), countOf(6453, 'flagged window'), countOf(2, 'analysis', 'analyses')]).toEqual(
      ['1 verdict', '0 notes', '6,453 flagged windows', '2 analyses']);
  });

  it('lists one, two, three, and says how many more past the limit', () => {
    expect(['', 'a', 'a b', 'a b c', 'a b c d e'].map((s) => nameList(s ? s.split(' ') : []))).toEqual(
      ['', 'a', 'a and b', 'a, b and c', 'a, b, c and 2 more']);
    expect(nameList(['#1', '#2', '#3'], 2)).toBe('#1, #2 and 1 more');
  });
});
