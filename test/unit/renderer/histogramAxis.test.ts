import { describe, expect, it } from 'vitest';
import type { Histogram } from '../../../preload/contract';
import { axisExtent, flowsToSpan, formatTimeTick, spanToFlows } from '../../../renderer/src/lib/histogramAxis';

const base = { colourBy: 'label' as const, series: ['all'], ms: 1 };
// 1,000 flows in 10 bins of 100
const byFlow: Histogram = { ...base, axis: 'flow', from: 0, to: 1000, binWidth: 100, counts: [] };
// 7 flows over 4 s in 4 bins of 1 s: ids 0-2 in the first, none in the two after, 3-6 in the last
const byTime: Histogram = {
  ...base,
  axis: 'time',
  from: 0,
  to: 7,
  binWidth: 7 / 4,
  counts: [],
  time: { from: 10_000, to: 14_000, binMs: 1000, flows: [[0, 3], [3, 3], [3, 3], [3, 7]] },
};

describe('the histogram axis', () => {
  it('on the flow axis, a span is its flow ids (whole ones, inside the capture)', () => {
    expect(axisExtent(byFlow)).toEqual({ from: 0, to: 1000, binWidth: 100 });
    expect(spanToFlows(byFlow, [10.4, 20.2])).toEqual({ from: 10, to: 21 });
    expect(spanToFlows(byFlow, [-5, 2000])).toEqual({ from: 0, to: 1000 });
    expect(spanToFlows(byFlow, [5, 5])).toBeUndefined();
    expect(flowsToSpan(byFlow, { from: 10, to: 21 })).toEqual([10, 21]);
  });

  it('on the time axis, a span is the flows of the bins it touches, and empty bins hold none', () => {
    expect(axisExtent(byTime)).toEqual({ from: 10_000, to: 14_000, binWidth: 1000, fractional: true });
    expect(spanToFlows(byTime, [10_000, 11_000])).toEqual({ from: 0, to: 3 });
    expect(spanToFlows(byTime, [10_500, 13_200])).toEqual({ from: 0, to: 7 });
    expect(spanToFlows(byTime, [13_000, 14_000])).toEqual({ from: 3, to: 7 });
    expect(spanToFlows(byTime, [11_000, 13_000])).toBeUndefined();
    expect(spanToFlows(byTime, [11_100, 12_900])).toBeUndefined();
  });

  it('draws a flow range where its flows start, inside their bins', () => {
    expect(flowsToSpan(byTime, { from: 0, to: 3 })).toEqual([10_000, 11_000]);
    expect(flowsToSpan(byTime, { from: 3, to: 7 })).toEqual([13_000, 14_000]);
    expect(flowsToSpan(byTime, { from: 0, to: 7 })).toEqual([10_000, 14_000]);
    // half of the last bin's flows: half of its second
    expect(flowsToSpan(byTime, { from: 5, to: 7 })).toEqual([13_500, 14_000]);
    // and back again: the same flows
    expect(spanToFlows(byTime, flowsToSpan(byTime, { from: 3, to: 7 }))).toEqual({ from: 3, to: 7 });
  });

  it('writes time ticks in 24-hour UTC, as precise as each tick', () => {
    const t = Date.UTC(2021, 5, 12, 13, 0, 0);
    expect(formatTimeTick(t)).toBe('13:00');
    expect(formatTimeTick(t + 15_000)).toBe('13:00:15');
    expect(formatTimeTick(t + 15_250)).toBe('13:00:15.250');
    expect(formatTimeTick(Date.UTC(2021, 5, 12))).toBe('Jun 12');
    expect(formatTimeTick(Date.UTC(2021, 5, 1))).toBe('Jun');
    expect(formatTimeTick(Date.UTC(2021, 0, 1))).toBe('2021');
  });
});
