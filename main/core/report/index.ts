/**
 * The report layer: an `IncidentReport` in, each export format out. Pure functions, no I/O.
 * PDF is not built here: hosts print the HTML (Electron printToPDF, headless Chromium).
 */
import { buildHtml } from './html.ts';
import { buildIocCsv } from './iocs.ts';
import { buildJson } from './json.ts';
import { buildMarkdown } from './markdown.ts';
import { buildMisp } from './misp.ts';
import type { IncidentReport } from './model.ts';
import { buildStix } from './stix.ts';

export type ReportBuilder = (report: IncidentReport) => string;

/** Formats built here; 'pdf' is the HTML printed by a host. */
export type ReportFileFormat = 'html' | 'md' | 'json' | 'iocs' | 'stix' | 'misp';

export interface ReportFormatInfo {
  name: ReportFileFormat;
  label: string;
  /** File extension without the dot. */
  extension: string;
  mimeType: string;
  build: ReportBuilder;
}

export const reportFormats: readonly ReportFormatInfo[] = [
  { name: 'html', label: 'HTML report', extension: 'html', mimeType: 'text/html; charset=utf-8', build: buildHtml },
  { name: 'md', label: 'Markdown report', extension: 'md', mimeType: 'text/markdown; charset=utf-8', build: buildMarkdown },
  { name: 'json', label: 'JSON report', extension: 'json', mimeType: 'application/json', build: buildJson },
  { name: 'iocs', label: 'IOC CSV', extension: 'csv', mimeType: 'text/csv; charset=utf-8; header=present', build: buildIocCsv },
  { name: 'stix', label: 'STIX 2.1 bundle', extension: 'stix.json', mimeType: 'application/stix+json;version=2.1', build: buildStix },
  { name: 'misp', label: 'MISP event', extension: 'misp.json', mimeType: 'application/json', build: buildMisp },
];

export function reportFormat(name: ReportFileFormat): ReportFormatInfo {
  const f = reportFormats.find((x) => x.name === name);
  if (!f) throw new Error(`unknown report format ${String(name)}`);
  return f;
}

export function buildReportFile(format: ReportFileFormat, report: IncidentReport): string {
  return reportFormat(format).build(report);
}

/** File extension (no dot) for every export format, PDF included. */
export function reportExtension(format: ReportFileFormat | 'pdf'): string {
  return format === 'pdf' ? 'pdf' : reportFormat(format).extension;
}

export function reportMimeType(format: ReportFileFormat | 'pdf'): string {
  return format === 'pdf' ? 'application/pdf' : reportFormat(format).mimeType;
}

export { buildHtml, buildIocCsv, buildJson, buildMarkdown, buildMisp, buildStix };
export * from './model.ts';
export * from './derive.ts';
export { incidentReportJsonSchema, validateJsonSchema, type JsonSchema, type SchemaError } from './json-schema.ts';
export { reportDocument, type IncidentReportDocument } from './json.ts';
export { IOC_CSV_COLUMNS } from './iocs.ts';
