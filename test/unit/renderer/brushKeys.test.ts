import { describe, expect, it } from 'vitest';
import { brushKey } from '../../../renderer/src/lib/brushKeys';

// 100,000 flows in 100 bins of 1,000
const extent = { from: 0, to: 100_000, binWidth: 1000 };
const move = (key: string, range?: { from: number; to: number }, shift = false) => brushKey(key, shift, range, extent)?.range;

describe('the histogram brush from the keyboard', () => {
  it('selects the first bin, or the last one for Left and End, when nothing is selected', () => {
    expect(move('ArrowRight')).toEqual({ from: 0, to: 1000 });
    expect(move('Home')).toEqual({ from: 0, to: 1000 });
    expect(move('ArrowLeft')).toEqual({ from: 99_000, to: 100_000 });
    expect(move('End')).toEqual({ from: 99_000, to: 100_000 });
  });

  it('moves the range a bin at a time, ten with Page Up / Down, and stops at the ends with its width', () => {
    const r = { from: 5000, to: 8000 };
    expect(move('ArrowRight', r)).toEqual({ from: 6000, to: 9000 });
    expect(move('ArrowLeft', r)).toEqual({ from: 4000, to: 7000 });
    expect(move('PageDown', r)).toEqual({ from: 15_000, to: 18_000 });
    expect(move('PageUp', r)).toEqual({ from: 0, to: 3000 });
    expect(move('End', r)).toEqual({ from: 97_000, to: 100_000 });
    expect(move('Home', r)).toEqual({ from: 0, to: 3000 });
    expect(move('ArrowRight', { from: 97_500, to: 100_000 })).toEqual({ from: 97_500, to: 100_000 });
  });

  it('Shift moves the end: the range grows and shrinks but keeps a bin', () => {
    const r = { from: 5000, to: 8000 };
    expect(move('ArrowRight', r, true)).toEqual({ from: 5000, to: 9000 });
    expect(move('ArrowLeft', r, true)).toEqual({ from: 5000, to: 7000 });
    expect(move('ArrowLeft', { from: 5000, to: 6000 }, true)).toEqual({ from: 5000, to: 6000 });
    expect(move('PageDown', { from: 95_000, to: 96_000 }, true)).toEqual({ from: 95_000, to: 100_000 });
  });

  it('clears with Escape or Delete, and lets other keys (and Escape with nothing selected) through', () => {
    expect(brushKey('Escape', false, { from: 1, to: 2 }, extent)).toEqual({ range: undefined });
    expect(brushKey('Delete', false, { from: 1, to: 2 }, extent)).toEqual({ range: undefined });
    expect(brushKey('Escape', false, undefined, extent)).toBeNull();
    expect(brushKey('a', false, undefined, extent)).toBeNull();
    expect(brushKey('ArrowRight', false, undefined, { from: 0, to: 0, binWidth: 1 })).toBeNull();
  });

  it('snaps fractional bins to whole flow ids and never leaves the capture', () => {
    const odd = { from: 0, to: 1001, binWidth: 1001 / 60 };
    const first = brushKey('ArrowRight', false, undefined, odd)!.range!;
    expect(first).toEqual({ from: 0, to: 17 });
    const last = brushKey('End', false, undefined, odd)!.range!;
    expect(last).toEqual({ from: 984, to: 1001 });
    expect(Number.isInteger(brushKey('ArrowRight', false, first, odd)!.range!.from)).toBe(true);
    // a capture smaller than a bin: the one range there is
    expect(brushKey('ArrowRight', false, undefined, { from: 0, to: 3, binWidth: 0.05 })!.range).toEqual({ from: 0, to: 1 });
  });

  it('on a time axis of fractional bins, moves by whole bins without rounding to the millisecond', () => {
    const time = { from: 1000, to: 1000 + 4 * 462.275, binWidth: 462.275, fractional: true };
    expect(brushKey('ArrowRight', false, undefined, time)!.range).toEqual({ from: 1000, to: 1462.275 });
    const next = brushKey('ArrowRight', false, { from: 1000, to: 1462.275 }, time)!.range!;
    expect(next.from).toBeCloseTo(1462.275, 6);
    expect(next.to).toBeCloseTo(1924.55, 6);
  });
});
