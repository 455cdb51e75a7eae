/**
 * Escaping and formatting shared by the report builders. Every value from a capture or an
 * analyst goes through one of the escapers for the format it lands in.
 */
import { formatEpochMs, formatWindowSpan, windowSpanParts } from '../../../preload/contract.ts';
import { auditActionLabel, auditChangeText, type ReportAuditEntry } from './model.ts';

/** Text or a double-quoted attribute value in HTML/SVG. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Control characters other than tab/newline are never useful in a report. */
function stripControls(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u2028\u2029]/g, ' ');
}

/**
 * Inline Markdown text (CommonMark + GFM): every character that can start inline markup is
 * backslash-escaped: emphasis, code, links and images, raw HTML and entities, table pipes,
 * strikethrough, math (`$`), @mentions, and GFM autolinks (`://` and `www.`). Line breaks
 * become spaces, so a value stays inside its table cell or line.
 */
export function escapeMarkdown(value: unknown): string {
  let s = stripControls(String(value)).replace(/\r\n?|\n/g, ' ');
  s = s.replace(/[\\`*_{}[\]()#+!|<>~&@$=]/g, (c) => `\\${c}`);
  s = s.replace(/:(?=\/)/g, '\\:');
  s = s.replace(/(www)\./gi, '$1\\.');
  return s;
}

/**
 * Multi-line Markdown text: each line escaped as `escapeMarkdown` and kept as its own line
 * (hard breaks); a leading block marker (list item, ordered-list number) is escaped too, so no
 * line can open a block (# > + = are escaped everywhere already).
 */
export function escapeMarkdownBlock(value: unknown): string {
  return String(value)
    .split(/\r\n?|\n/)
    .map((line) => escapeMarkdown(line.trimStart()).replace(/^-/, '\\-').replace(/^(\d+)([.)])/, '$1\\$2'))
    .join('  \n');
}

/**
 * One CSV cell (RFC 4180), with spreadsheet-formula neutralisation: a cell starting with
 * = + - @ tab or CR gets a leading single quote, so Excel/LibreOffice/Sheets read it as text.
 * Cells with a quote, comma, CR, LF or a neutralised start are double-quoted.
 */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  let quote = false;
  if (/^[=+\-@\t\r]/.test(s)) {
    s = `'${s}`;
    quote = true;
  }
  if (quote || /[",\r\n]/.test(s)) return `"${s.replace(/"/g, '""')}"`;
  return s;
}

export function csvRow(cells: readonly unknown[]): string {
  return cells.map(csvCell).join(',');
}

/** A string literal inside a STIX pattern: backslash and single quote escaped, quoted. */
export function stixPatternString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * RFC 3339 UTC timestamp with milliseconds ('2025-03-14T10:05:00.000Z'). An unparseable
 * value falls back to `fallback` (itself normalised), then to the epoch.
 */
export function rfc3339(value: string, fallback?: string): string {
  const t = Date.parse(value);
  if (Number.isFinite(t)) return new Date(t).toISOString();
  if (fallback !== undefined) return rfc3339(fallback);
  return new Date(0).toISOString();
}

/** 0.9812 -> '98.1%'. */
export function percent(p: number, digits = 1): string {
  return Number.isFinite(p) ? `${(p * 100).toFixed(digits)}%` : 'n/a';
}

/** 0.98123 -> '0.9812'. */
export function fixed(p: number, digits = 4): string {
  return Number.isFinite(p) ? p.toFixed(digits) : 'n/a';
}

/** 278781 -> '278,781'. */
export function count(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a';
}

export function bytes(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return u === 0 ? `${String(n)} B` : `${v.toFixed(1)} ${units[u] ?? ''} (${count(n)} bytes)`;
}

/** 'flows 1,201–1,208' or 'flow 7'. */
export function flowRange(first: number, last: number): string {
  return first === last ? `flow ${count(first)}` : `flows ${count(first)}–${count(last)}`;
}

/** A window's start and end as epoch milliseconds (end defaults to start); null without times. */
function spanMs(w: { start: string | null; end: string | null }): [number, number] | null {
  if (!w.start) return null;
  const a = Date.parse(w.start);
  const b = w.end ? Date.parse(w.end) : a;
  return Number.isFinite(a) && Number.isFinite(b) ? [a, b] : null;
}

/** When a window ran, for people: '2021-06-12 01:23:45.012 – 01:23:47.500 UTC (2.5 s)'; null without times. */
export function windowTime(w: { start: string | null; end: string | null }): string | null {
  const ms = spanMs(w);
  return ms ? formatWindowSpan(...ms) : null;
}

/** A window's time in its parts (see `windowSpanParts`); null without times. */
export function windowTimeParts(w: { start: string | null; end: string | null }): { from: string; to: string; span: string } | null {
  const ms = spanMs(w);
  return ms ? windowSpanParts(...ms) : null;
}

/** When a host or indicator was seen, written as a window's time; null without times. */
export function seenTime(x: { firstSeen: string | null; lastSeen: string | null }): string | null {
  return windowTime({ start: x.firstSeen, end: x.lastSeen });
}

/** A flow's start for people: '2021-06-12 01:23:45.012' (UTC); null without a time. */
export function flowTime(f: { start: string | null }): string | null {
  if (!f.start) return null;
  const t = Date.parse(f.start);
  return Number.isFinite(t) ? formatEpochMs(t) : null;
}

/** A readable UTC time for people: '2025-03-14 10:05:00 UTC'. */
export function humanTime(value: string): string {
  const t = Date.parse(value);
  if (!Number.isFinite(t)) return String(value);
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * JSON text for a report file: `JSON.stringify` escapes every string; `<`, `>`, `&` and the
 * line/paragraph separators are written as \u escapes too, so a file served or sniffed as
 * HTML cannot open a tag. The JSON value is unchanged.
 */
export function safeJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

/**
 * A window's verdict history as plain lines, oldest first, for formats without tables (STIX
 * notes, MISP comments): "2026-12-07 06:28:40 UTC · ana · verdict: not reviewed → true
 * positive (undone) · reason: …". Capture values stay values: the caller's format escapes them.
 */
export function historyLines(trail: ReportAuditEntry[], windowId: string): string[] {
  return trail
    .filter((e) => e.windowId === windowId)
    .map((e) => `${humanTime(e.at)} · ${e.analyst} · ${auditActionLabel(e)}: ${auditChangeText(e)}${e.undone ? ' (undone)' : ''}${e.reason ? ` · reason: ${e.reason}` : ''}`);
}

/**
 * The sentence that introduces a report's detector metrics: what they were measured on, so a
 * reader never takes a scan of the training capture for a held-out evaluation. Plain text of
 * numbers and fixed words (no capture value): each builder escapes it as it does any text.
 */
export function metricsLead(m: { scope: 'capture' | 'held-out'; accuracy: number; macroF1: number; weightedF1: number; confusion: number[][] }): string {
  const flows = count(m.confusion.flat().reduce((a, b) => a + b, 0));
  const figures = `accuracy ${percent(m.accuracy)}, macro F1 ${fixed(m.macroF1)}, weighted F1 ${fixed(m.weightedF1)}`;
  return m.scope === 'capture'
    ? `Measured by this scan against the capture's own labels (${flows} labelled flows): ${figures}. If the model was trained on this capture, most of these flows were in its training data, and the figures overstate how it does on traffic it has not seen.`
    : `Held-out evaluation from the model's training, on ${flows} flows of its training capture that it never saw (this capture has no labels the scan could measure against): ${figures}.`;
}
