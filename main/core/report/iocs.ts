/**
 * IOC CSV: one row per indicator (RFC 4180, CRLF line ends, a header row). Cells are
 * formula-neutralised (see `csvCell`): a crafted host such as `=cmd|' /C calc'!A0` opens as text.
 * Confidence is the highest detector confidence on a flow carrying the indicator (0..1).
 * first_seen / last_seen: when the indicator was first and last seen (ISO 8601, UTC, to the
 * millisecond) for a capture with timestamps (v3); empty for v1/v2 captures, which have none.
 */
import { deriveReport } from './derive.ts';
import type { IncidentReport } from './model.ts';
import { csvRow } from './text.ts';

export const IOC_CSV_COLUMNS = ['type', 'value', 'first_flow', 'last_flow', 'count', 'class', 'confidence', 'first_seen', 'last_seen'] as const;

export function buildIocCsv(report: IncidentReport): string {
  const rows = deriveReport(report).indicators.map((i) =>
    csvRow([i.type, i.value, i.firstFlow, i.lastFlow, i.count, i.classes.join(';'), i.maxConfidence.toFixed(4), i.firstSeen ?? '', i.lastSeen ?? '']),
  );
  return [csvRow(IOC_CSV_COLUMNS), ...rows].join('\r\n') + '\r\n';
}
