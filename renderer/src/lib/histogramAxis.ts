/**
 * The histogram's x axis in its own units (flow ids, or epoch ms on a v3 capture's time axis)
 * and the flow range the brush stands for. Filters always take a flow range: on the time axis
 * a span of time becomes the flows whose start falls in the bins it covers (one run of ids,
 * since a v3 capture is stored by start time), and a flow range is drawn where its flows start.
 */
import { utcDay, utcMinute, utcMonth, utcSecond, utcYear } from 'd3-time';
import { utcFormat } from 'd3-time-format';
import type { Histogram } from '../../../preload/contract';
import type { BrushExtent, FlowRange } from './brushKeys';

/** The axis' domain and its bin width, in axis units. */
export function axisExtent(h: Histogram): BrushExtent {
  return h.time ? { from: h.time.from, to: h.time.to, binWidth: h.time.binMs, fractional: true } : { from: h.from, to: h.to, binWidth: h.binWidth };
}

/** The flows of an axis span (whole bins on the time axis), or undefined when it holds none. */
export function spanToFlows(h: Histogram, span: [number, number]): FlowRange | undefined {
  const t = h.time;
  if (!t) {
    const from = Math.max(h.from, Math.floor(span[0]));
    const to = Math.min(h.to, Math.ceil(span[1]));
    return to > from ? { from, to } : undefined;
  }
  const last = t.flows.length - 1;
  const b0 = Math.min(last, Math.max(0, Math.floor((span[0] - t.from) / t.binMs + 1e-9)));
  const b1 = Math.min(last, Math.max(b0, Math.ceil((span[1] - t.from) / t.binMs - 1e-9) - 1));
  const from = t.flows[b0]![0];
  const to = t.flows[b1]![1];
  return to > from ? { from, to } : undefined;
}

/** Where on the axis a flow id falls (on the time axis: inside its bin, by its place among the bin's flows). */
function flowPosition(h: Histogram, flow: number, end: boolean): number {
  const t = h.time;
  if (!t) return flow;
  // the bin holding the flow (for an end, the flow before it): the last bin starting at or
  // before it, which is never an empty one (an empty bin starts where the next bin does)
  const id = Math.max(0, end ? flow - 1 : flow);
  let lo = 0;
  let hi = t.flows.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (t.flows[mid]![0] <= id) lo = mid;
    else hi = mid - 1;
  }
  const [first, stop] = t.flows[lo]!;
  const within = stop > first ? (flow - first) / (stop - first) : 0;
  return t.from + (lo + Math.min(1, Math.max(0, within))) * t.binMs;
}

/** The axis span a flow range covers. */
export function flowsToSpan(h: Histogram, range: FlowRange): [number, number] {
  return [flowPosition(h, range.from, false), flowPosition(h, range.to, true)];
}

const tickFormats = {
  ms: utcFormat('%H:%M:%S.%L'),
  second: utcFormat('%H:%M:%S'),
  minute: utcFormat('%H:%M'),
  day: utcFormat('%b %d'),
  month: utcFormat('%b'),
  year: utcFormat('%Y'),
};

/** A time tick as an analyst reads it: 24-hour UTC, as precise as the tick is ('01:00', '01:00:15', 'Jun 12'). */
export function formatTimeTick(ms: number): string {
  const d = new Date(ms);
  const f =
    utcSecond(d) < d ? tickFormats.ms : utcMinute(d) < d ? tickFormats.second : utcDay(d) < d ? tickFormats.minute : utcMonth(d) < d ? tickFormats.day : utcYear(d) < d ? tickFormats.month : tickFormats.year;
  return f(d);
}
