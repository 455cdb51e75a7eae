/**
 * Ticks for a log axis over [lo, hi] (0 < lo ≤ hi): the powers of ten inside it; with fewer
 * than three of those, the 2× and 5× steps too (or the 5× steps alone, if that makes more
 * than `max`); with more than `max` powers, every other one (or every third...). d3's own log ticks give every 1..9 step per decade, which
 * crowds a short chart.
 */
export function logTicks(lo: number, hi: number, max = 6): number[] {
  if (!(lo > 0) || !(hi >= lo) || !Number.isFinite(hi)) return [];
  const e0 = Math.floor(Math.log10(lo));
  const e1 = Math.ceil(Math.log10(hi));
  const within = (steps: number[]) => {
    const out: number[] = [];
    for (let e = e0; e <= e1; e++) {
      for (const m of steps) {
        // toPrecision drops the float noise of m * 10^e (3 * 0.1 = 0.30000000000000004)
        const v = Number((m * 10 ** e).toPrecision(12));
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
      }
    }
    return out;
  };
  let ticks = within([1]);
  if (ticks.length < 3) ticks = [within([1, 2, 5]), within([1, 5])].find((t) => t.length <= max) ?? ticks;
  let stride = 1;
  while (Math.ceil(ticks.length / stride) > max) stride++;
  // keep the largest tick: the top of the axis is where a curve starts
  return ticks.filter((_, i) => (ticks.length - 1 - i) % stride === 0);
}

/**
 * Widens [lo, hi] (0 < lo ≤ hi) to the nearest 1, 2 or 5 × 10^k on each side: tighter than
 * whole decades (a loss from 0.2 to 1.6 gets 0.2..2, not 0.1..10), and its ends are ticks.
 */
export function niceLogDomain(lo: number, hi: number): [number, number] {
  const steps = [1, 2, 5, 10];
  const down = (v: number) => {
    const p = 10 ** Math.floor(Math.log10(v));
    const m = [...steps].reverse().find((s) => s * p <= v * (1 + 1e-9)) ?? 1;
    return Number((m * p).toPrecision(12));
  };
  const up = (v: number) => {
    const p = 10 ** Math.floor(Math.log10(v));
    const m = steps.find((s) => s * p >= v * (1 - 1e-9)) ?? 10;
    return Number((m * p).toPrecision(12));
  };
  const a = down(lo);
  const b = up(hi);
  return [a, b > a ? b : up(a * 1.5)];
}
