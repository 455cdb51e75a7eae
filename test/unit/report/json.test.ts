import { describe, expect, it } from 'vitest';
import { buildJson } from '../../../main/core/report/json.ts';
import { incidentReportJsonSchema, validateJsonSchema, type JsonSchema } from '../../../main/core/report/json-schema.ts';
import { REPORT_SCHEMA_VERSION } from '../../../main/core/report/model.ts';
import { craftedIncidentReport, sampleIncidentReport, timedIncidentReport } from './fixture.ts';

describe('buildJson', () => {
  const doc = JSON.parse(buildJson(sampleIncidentReport())) as Record<string, unknown> & { derived: Record<string, unknown> };

  it('is the report itself plus the derived sections', () => {
    const r = sampleIncidentReport();
    expect(doc.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(doc.incident).toEqual(r.incident);
    expect(doc.windows).toEqual(r.windows);
    expect(Object.keys(doc.derived)).toEqual(['timeline', 'hosts', 'indicators', 'classes', 'totals']);
  });

  it('validates against its published schema', () => {
    expect(validateJsonSchema(doc)).toEqual([]);
  });

  it('validates on a crafted capture, with hostile strings kept as data', () => {
    const text = buildJson(craftedIncidentReport());
    expect(text).not.toMatch(/[<>]/);
    const crafted = JSON.parse(text) as { incident: { title: string } };
    expect(crafted.incident.title).toBe(craftedIncidentReport().incident.title);
    expect(validateJsonSchema(crafted)).toEqual([]);
  });

  it('validates an incident from a v3 capture, whose windows and timeline carry times', () => {
    const doc = JSON.parse(buildJson(timedIncidentReport())) as { windows: { start: string }[]; derived: { timeline: { start: string; end: string; events: { start: string }[] } } };
    expect(validateJsonSchema(doc)).toEqual([]);
    expect(doc.windows.every((w) => /^2021-06-12T01:\d\d:\d\d\.\d{3}Z$/.test(w.start))).toBe(true);
    expect(doc.derived.timeline.start).toBe([...doc.windows.map((w) => w.start)].sort()[0]);
    expect(doc.derived.timeline.end > doc.derived.timeline.start).toBe(true);
    expect(doc.derived.timeline.events.every((e) => e.start)).toBe(true);
  });

  it('gives a v3 capture\'s evidence flows their times, and its hosts and indicators when they were seen', () => {
    type Seen = { firstSeen: string | null; lastSeen: string | null };
    const doc = JSON.parse(buildJson(timedIncidentReport())) as {
      windows: { start: string; end: string; flowRows: { start: string; end: string }[] }[];
      derived: { hosts: (Seen & { host: string })[]; indicators: (Seen & { type: string; value: string })[] };
    };
    for (const w of doc.windows) {
      for (const f of w.flowRows) {
        expect(f.start >= w.start && f.end <= w.end).toBe(true);
        expect(f.end > f.start).toBe(true);
      }
    }
    expect(doc.derived.hosts.every((h) => h.firstSeen && h.lastSeen! >= h.firstSeen)).toBe(true);
    // flows 4102..4535 at 40 ms from 01:00, each 15 ms long
    expect(doc.derived.indicators.find((i) => i.value === '192.168.100.149')).toMatchObject({ firstSeen: '2021-06-12T01:02:44.080Z', lastSeen: '2021-06-12T01:03:01.415Z' });
    const plain = JSON.parse(buildJson(sampleIncidentReport())) as typeof doc;
    expect([...plain.derived.hosts, ...plain.derived.indicators].every((x) => x.firstSeen === null && x.lastSeen === null)).toBe(true);
  });

  it('validates an incident without windows or metrics', () => {
    const r = sampleIncidentReport();
    r.windows = [];
    r.detection.metrics = null;
    expect(validateJsonSchema(JSON.parse(buildJson(r)))).toEqual([]);
  });
});

describe('the schema and its validator', () => {
  it('is a versioned draft 2020-12 schema', () => {
    expect(incidentReportJsonSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(incidentReportJsonSchema.$id).toMatch(/incident-report:6$/);
    expect(incidentReportJsonSchema.properties?.schemaVersion).toEqual({ const: 'mindflow-incident-report/6' });
  });

  const base = () => JSON.parse(buildJson(sampleIncidentReport())) as Record<string, any>;
  it.each<[string, (d: Record<string, any>) => void, string]>([
    ['a missing property', (d) => delete d.incident.tlp, '/incident'],
    ['an unknown property', (d) => (d.incident.extra = 1), '/incident/extra'],
    ['a wrong enum', (d) => (d.incident.status = 'pending'), '/incident/status'],
    ['a wrong version', (d) => (d.schemaVersion = 'mindflow-incident-report/1'), '/schemaVersion'],
    ['a bad hash', (d) => (d.capture.sha256 = 'xyz'), '/capture/sha256'],
    ['a fractional flow id', (d) => (d.windows[0].flowRows[0].flowId = 1.5), '/windows/0/flowRows/0/flowId'],
    ['a probability above 1', (d) => (d.windows[0].peak = 1.2), '/windows/0/peak'],
    ['a string for null', (d) => (d.windows[0].verdict = 'maybe'), '/windows/0/verdict'],
  ])('rejects %s', (_, mutate, path) => {
    const d = base();
    mutate(d);
    const errors = validateJsonSchema(d);
    expect(errors.map((e) => e.path)).toContain(path);
  });

  it('reports an unresolved $ref', () => {
    const s: JsonSchema = { $ref: '#/$defs/nope' };
    expect(validateJsonSchema({}, s)).toEqual([{ path: '', message: 'unresolved $ref #/$defs/nope' }]);
  });
});
