/**
 * IOC CSV: one row per indicator (RFC 4180, CRLF line ends, a header row). Cells are
 * formula-neutralised (see `csvCell`): a crafted host such as `=cmd|' /C calc'!A0` opens as text.
 * Confidence is the highest detector confidence on a flow carrying the indicator (0..1).
 * first_seen / last_seen: when the indicator was first and last seen (ISO 8601, UTC, to the
 * millisecond) for a capture with timestamps (v3); empty for v1/v2 captures, which have none.
 * windows / verdicts / confirmed: where the analysts stand on it, so a SIEM or a block list can
 * take only what someone confirmed. `windows` counts the incident's windows that carry it
 * (a window marked false positive never gives an indicator); `verdicts` splits them as
 * `tp=N;review=N;untriaged=N`; `confirmed` is `true` when at least one is a true positive.
 */
import { deriveReport } from './derive.ts';
import type { IncidentReport, Verdict } from './model.ts';
import { csvRow } from './text.ts';

export const IOC_CSV_COLUMNS = ['type', 'value', 'first_flow', 'last_flow', 'count', 'class', 'confidence', 'first_seen', 'last_seen', 'windows', 'verdicts', 'confirmed'] as const;

export function buildIocCsv(report: IncidentReport): string {
  const verdictOf = new Map<string, Verdict | null>(report.windows.map((w) => [w.id, w.verdict]));
  const rows = deriveReport(report).indicators.map((i) => {
    const n = { tp: 0, review: 0, untriaged: 0 };
    for (const id of i.windowIds) {
      const v = verdictOf.get(id) ?? null;
      if (v === 'tp' || v === 'review') n[v] += 1;
      else if (v === null) n.untriaged += 1;
    }
    const verdicts = `tp=${n.tp};review=${n.review};untriaged=${n.untriaged}`;
    return csvRow([i.type, i.value, i.firstFlow, i.lastFlow, i.count, i.classes.join(';'), i.maxConfidence.toFixed(4), i.firstSeen ?? '', i.lastSeen ?? '', i.windowIds.length, verdicts, i.confirmed]);
  });
  return [csvRow(IOC_CSV_COLUMNS), ...rows].join('\r\n') + '\r\n';
}
