/**
 * The JSON report: the `IncidentReport` itself plus the derived sections every other format
 * shows (timeline, hosts, indicators, classes, totals). Its shape is documented and versioned
 * by `incidentReportJsonSchema` (json-schema.ts); `schemaVersion` names the version.
 */
import { deriveReport, type ReportDerived } from './derive.ts';
import type { IncidentReport } from './model.ts';
import { safeJson } from './text.ts';

export interface IncidentReportDocument extends IncidentReport {
  derived: ReportDerived;
}

export function reportDocument(report: IncidentReport): IncidentReportDocument {
  return { ...report, derived: deriveReport(report) };
}

export function buildJson(report: IncidentReport): string {
  return safeJson(reportDocument(report));
}
