import { flowDuration, formatEpochMs, type Cell } from '../../../preload/contract';

const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const floatFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

export function formatCount(n: number): string {
  return intFormat.format(n);
}

/** "1 verdict", "6,453 flagged windows" */
export function formatCountOf(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

export function formatNumber(n: number): string {
  return Number.isInteger(n) ? intFormat.format(n) : floatFormat.format(n);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatCell(value: Cell): string {
  if (value === null) return '∅';
  if (typeof value === 'number') return formatNumber(value);
  return String(value);
}

/** NetFlow v3's FLOW_START_MILLISECONDS and FLOW_END_MILLISECONDS: Unix epoch milliseconds. */
export { isTimestampField } from '../../../preload/clauses';
import { isTimestampField } from '../../../preload/clauses';

/** Ports, protocol numbers, flags, types and ids read better without thousands separators. */
export const isCodeField = (name: string): boolean => /PORT|PROTO|FLAGS|TYPE|CODE|_ID/i.test(name);

// outside these years a "timestamp" is not epoch milliseconds (a relative time, a zero), so it stays a number
const EPOCH_MS_MIN = Date.UTC(1990, 0, 1);
const EPOCH_MS_MAX = Date.UTC(2100, 0, 1);

export { formatEpochMs };

/** A cell of a flow field: timestamps as UTC times, codes without separators, the rest as `formatCell`. */
export function formatField(name: string, value: Cell): string {
  if (typeof value === 'number') {
    if (isTimestampField(name) && value >= EPOCH_MS_MIN && value < EPOCH_MS_MAX) return formatEpochMs(value);
    if (isCodeField(name)) return String(value);
    // a scan's probabilities line up with three decimals ("1.000" beside "0.999", not "1")
    if (name === 'confidence' || name === 'attack_score') return formatScore(value);
  }
  return formatCell(value);
}

/**
 * What a flow field's raw value means when it is not what it seems: a duration near
 * 4,294,967 ms is the exporter's wrap-around of a small negative one, not a 71-minute flow.
 */
export function fieldNote(name: string, value: Cell): string | undefined {
  if (typeof value !== 'number' || !/DURATION/i.test(name)) return undefined;
  const d = flowDuration(value);
  if (!d.wrapped) return undefined;
  return `Exporter wrap-around, not a duration of ${formatNumber(value)} ms: the flow ended ${d.ms < 0 ? `${formatNumber(-d.ms)} ms before` : 'as'} it started (a negative duration written as 2^32 µs less it)`;
}

/** An ISO time in the analyst's local time: '2026-12-07 04:51' (with `seconds`, '04:51:02'). */
export function formatDateTime(iso: string, seconds = false): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? `:${pad(d.getSeconds())}` : ''}`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** Column names that hold identifiers or counts and read best in monospace. */
export function isMonoColumn(name: string): boolean {
  return /ADDR|PORT|BYTES|PKTS|FLAGS|PROTO|DURATION|TTL|LEN|flow_id|THROUGHPUT|WIN|TYPE|_ID|COUNT/i.test(name);
}

/** A metric in 0..1 (precision, recall, F1, accuracy) with three decimals; "–" when absent. */
export function formatScore(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(3);
}

/** Throughput such as windows per second: 3 significant figures, grouped. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '–';
  if (perSecond >= 1000) return formatCount(Math.round(perSecond));
  return perSecond.toPrecision(3);
}
