import { describe, expect, it } from 'vitest';
import { scaleLinear } from 'd3-scale';
import { countTicks, formatCountTick } from '../../../renderer/src/lib/countTicks.ts';

describe('countTicks', () => {
  it('keeps only whole numbers on a small count domain (no 0.5, 1.5 flows)', () => {
    const y = scaleLinear().domain([0, 2]).nice();
    expect(y.ticks(4)).toContain(1.5); // what d3 alone gives
    expect(countTicks(y)).toEqual([0, 1, 2]);
    expect(countTicks(scaleLinear().domain([0, 1]).nice())).toEqual([0, 1]);
  });

  it('leaves the ticks of a large count domain as d3 picks them', () => {
    const y = scaleLinear().domain([0, 1742]).nice();
    expect(countTicks(y)).toEqual(y.ticks(4));
  });
});

describe('formatCountTick', () => {
  it('writes counts without the SI milli prefix', () => {
    expect(formatCountTick(0)).toBe('0');
    expect(formatCountTick(500)).toBe('500');
    expect(formatCountTick(1500)).toBe('1.5k');
    expect(formatCountTick(2_000_000)).toBe('2M');
  });
});
