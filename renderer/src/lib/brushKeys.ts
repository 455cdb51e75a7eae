/**
 * The histogram's brush from the keyboard: what a key does to the selected flow range (flow ids,
 * half-open). The arrows move the range a bin at a time (Page Up / Page Down ten), Shift with
 * an arrow moves its end instead (the range grows or shrinks), Home and End take it to either
 * end of the capture, and Escape or Delete clears it. With no range, the first move selects one
 * bin: the first one, or the last for Left and End.
 */
export interface BrushExtent {
  /** the histogram's flow ids, half-open */
  from: number;
  to: number;
  /** flows per bin (fractional when the bins do not divide the capture evenly) */
  binWidth: number;
  /** the units are not whole (epoch ms on a time axis of fractional bins): no rounding */
  fractional?: boolean;
}

export interface FlowRange {
  from: number;
  to: number;
}

/** `null`: the key is not the brush's (let it through); otherwise the new range (undefined: none). */
export type BrushMove = { range: FlowRange | undefined } | null;

export function brushKey(key: string, shift: boolean, range: FlowRange | undefined, extent: BrushExtent): BrushMove {
  const step = extent.fractional ? extent.binWidth : Math.max(1, extent.binWidth);
  const span = extent.to - extent.from;
  if (span <= 0 || step <= 0) return null;
  const snap = extent.fractional ? (v: number) => v : (v: number) => Math.round(v);
  const clear = key === 'Escape' || key === 'Delete' || key === 'Backspace';
  if (clear) return range ? { range: undefined } : null;

  const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, PageDown: 10, PageUp: -10 };
  const bins = moves[key];
  if (bins === undefined && key !== 'Home' && key !== 'End') return null;

  if (!range) {
    const atEnd = key === 'ArrowLeft' || key === 'End' || key === 'PageUp';
    const from = atEnd ? Math.max(extent.from, snap(extent.to - step)) : extent.from;
    return { range: { from, to: Math.min(extent.to, snap(from + step)) } };
  }

  const width = range.to - range.from;
  if (key === 'Home') return { range: { from: extent.from, to: Math.min(extent.to, extent.from + width) } };
  if (key === 'End') return { range: { from: Math.max(extent.from, extent.to - width), to: extent.to } };

  if (shift) {
    // the end moves; the range keeps at least one bin (or what the capture has)
    const least = Math.min(snap(step), span);
    const to = Math.min(extent.to, Math.max(range.from + least, snap(range.to + bins! * step)));
    return to === range.to ? { range } : { range: { from: range.from, to } };
  }
  const shiftBy = snap(bins! * step);
  const from = Math.min(Math.max(extent.from, range.from + shiftBy), extent.to - width);
  return from === range.from ? { range } : { range: { from, to: from + width } };
}
