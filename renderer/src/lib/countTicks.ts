import { format } from 'd3-format';

/** A scale that can propose ticks (d3's linear scales). */
interface Ticking {
  ticks(count?: number): number[];
}

/**
 * The ticks of an axis that counts things (flows, windows): whole numbers only. d3 proposes
 * 0.5 steps on a small domain (0..2 flows a bar); those are dropped, never rounded into
 * duplicates.
 */
export function countTicks(scale: Ticking, count = 4): number[] {
  return scale.ticks(count).filter((t) => Number.isInteger(t));
}

const si = format('~s');

/**
 * A count tick's text: "500", "1.5k", "2M". d3's SI format writes 0.5 as "500m" (milli), which
 * reads as 500 million on a count axis; counts below a thousand are written plainly.
 */
export function formatCountTick(n: number): string {
  return Math.abs(n) < 1000 ? String(Math.round(n)) : si(n);
}
