import { describe, expect, it } from 'vitest';
import { buildReportFile, reportExtension, reportFormats, reportMimeType } from '../../../main/core/report/index.ts';
import { craftedIncidentReport, HOSTILE, sampleIncidentReport } from './fixture.ts';

describe('reportFormats', () => {
  it('lists each format once with an extension, a MIME type and a builder', () => {
    expect(reportFormats.map((f) => f.name)).toEqual(['html', 'md', 'json', 'iocs', 'stix', 'misp']);
    expect(new Set(reportFormats.map((f) => f.extension)).size).toBe(reportFormats.length);
    for (const f of reportFormats) expect(f.mimeType).toMatch(/^[a-z]+\/[a-z+.-]+/);
  });

  it.each([
    ['html', 'html', 'text/html; charset=utf-8'],
    ['md', 'md', 'text/markdown; charset=utf-8'],
    ['json', 'json', 'application/json'],
    ['iocs', 'csv', 'text/csv; charset=utf-8; header=present'],
    ['stix', 'stix.json', 'application/stix+json;version=2.1'],
    ['misp', 'misp.json', 'application/json'],
    ['pdf', 'pdf', 'application/pdf'],
  ] as const)('%s files end in .%s and are %s', (format, ext, mime) => {
    expect(reportExtension(format)).toBe(ext);
    expect(reportMimeType(format)).toBe(mime);
  });

  it.each(reportFormats.map((f) => [f.name, f] as const))('%s builds the sample and the crafted incident', (name, f) => {
    const out = f.build(sampleIncidentReport());
    expect(out.length).toBeGreaterThan(200);
    expect(buildReportFile(name, sampleIncidentReport())).toBe(out);
    expect(f.build(craftedIncidentReport()).length).toBeGreaterThan(200);
  });
});

/** The crafted capture through every builder: nothing hostile survives in a live form. */
describe('a crafted capture through every format', () => {
  const out = Object.fromEntries(reportFormats.map((f) => [f.name, f.build(craftedIncidentReport())]));

  it.each(['html', 'json', 'stix', 'misp'])('%s has no raw angle-bracket markup from the capture', (name) => {
    expect(out[name]).not.toContain(HOSTILE.script);
    expect(out[name]).not.toContain('</style><img');
  });

  it('markdown has no raw HTML or link from the capture', () => {
    expect(out.md).not.toContain(HOSTILE.script);
    expect(out.md).not.toContain(HOSTILE.mdLink);
    expect(out.md).not.toContain(HOSTILE.mdImage);
  });

  it('the IOC CSV has no cell starting a formula', () => {
    expect(out.iocs).not.toMatch(/(^|,|\r\n)"?[=+\-@]/);
  });

  it.each(['json', 'stix', 'misp'])('%s parses as JSON', (name) => {
    expect(() => JSON.parse(out[name]!)).not.toThrow();
  });
});
