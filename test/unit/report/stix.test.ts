import { describe, expect, it } from 'vitest';
import type { Tlp } from '../../../main/core/report/model.ts';
import { buildStix, buildStixBundle, stixPattern, STIX_PRODUCER_IDENTITY, tlpMarkingDefinition, type StixObject } from '../../../main/core/report/stix.ts';
import { craftedIncidentReport, HOSTILE, sampleIncidentReport, timedIncidentReport } from './fixture.ts';
import { collectRefs } from './helpers.ts';

const ID_V4 = /^[a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ID_V5 = /^[a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SCO_TYPES = new Set(['ipv4-addr', 'network-traffic']);
const TIMESTAMP_KEYS = ['created', 'modified', 'valid_from', 'published', 'first_observed', 'last_observed'];

/** A STIX pattern of the forms we write: [path = 'string' | int (AND ...)]; returns the literals. */
function parsePattern(p: string): (string | number)[] {
  const comparison = String.raw`[a-z0-9-]+:[a-z_]+(?:\.[a-z_]+)* = (?:'(?:[^'\\]|\\['\\])*'|\d+)`;
  expect(p).toMatch(new RegExp(`^\\[${comparison}(?: AND ${comparison})*\\]$`));
  return [...p.matchAll(/= (?:'((?:[^'\\]|\\['\\])*)'|(\d+))/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!.replace(/\\(['\\])/g, '$1')));
}

function checkBundle(objects: StixObject[]) {
  const ids = new Set(objects.map((o) => o.id));
  it('has unique, well-formed ids (v4 layout; v5 for SCOs)', () => {
    expect(ids.size).toBe(objects.length);
    for (const o of objects) {
      expect(o.id.startsWith(`${o.type}--`)).toBe(true);
      expect(o.id).toMatch(SCO_TYPES.has(o.type) ? ID_V5 : ID_V4);
    }
  });

  it('resolves every *_ref and *_refs inside the bundle', () => {
    const refs = objects.flatMap((o) => collectRefs(o, o.id));
    expect(refs.length).toBeGreaterThan(50);
    expect(refs.filter((r) => !ids.has(r.ref))).toEqual([]);
  });

  it('uses spec_version 2.1 and RFC 3339 millisecond UTC timestamps, modified >= created', () => {
    for (const o of objects) {
      expect(o.spec_version).toBe('2.1');
      for (const k of TIMESTAMP_KEYS) if (k in o) expect(o[k], `${o.id}.${k}`).toMatch(TIMESTAMP);
      if (o.modified) expect(String(o.modified) >= String(o.created)).toBe(true);
    }
  });

  it('marks every object with the TLP marking (but the marking and the shared producer identity)', () => {
    const marking = objects.find((o) => o.type === 'marking-definition')!;
    for (const o of objects) {
      if (o.type === 'marking-definition' || o.id === STIX_PRODUCER_IDENTITY.id) continue;
      expect(o.object_marking_refs, o.id).toEqual([marking.id]);
    }
  });

  it('credits the producer on every SDO and SRO', () => {
    for (const o of objects) if (!SCO_TYPES.has(o.type) && o.type !== 'marking-definition' && o.type !== 'identity') expect(o.created_by_ref).toBe(STIX_PRODUCER_IDENTITY.id);
  });

  it('writes only valid patterns', () => {
    for (const o of objects.filter((x) => x.type === 'indicator')) {
      expect(o.pattern_type).toBe('stix');
      parsePattern(String(o.pattern));
    }
  });

  it('has a report referencing every other object', () => {
    const report = objects.find((o) => o.type === 'report')!;
    expect(new Set(report.object_refs as string[])).toEqual(new Set([...ids].filter((id) => id !== report.id)));
  });
}

describe('buildStixBundle on the sample incident', () => {
  const bundle = buildStixBundle(sampleIncidentReport());
  const of = (type: string) => bundle.objects.filter((o) => o.type === type);

  it('is a bundle, serialised as JSON by buildStix', () => {
    expect(bundle.type).toBe('bundle');
    expect(bundle.id).toMatch(ID_V4);
    expect(JSON.parse(buildStix(sampleIncidentReport()))).toEqual(bundle);
  });

  it('is deterministic', () => expect(buildStixBundle(sampleIncidentReport())).toEqual(bundle));

  checkBundle(bundle.objects);

  it.each([
    ['identity', 1],
    ['marking-definition', 1],
    ['report', 1],
    ['attack-pattern', 2],
    ['observed-data', 4],
    ['indicator', 11],
    ['sighting', 11],
    ['ipv4-addr', 4],
    ['note', 2 + 4],
  ])('has %s objects: %i', (type, n) => expect(of(type)).toHaveLength(n));

  it('names the producer MindFlow Workbench', () => {
    expect(of('identity')[0]).toMatchObject({ name: 'MindFlow Workbench', identity_class: 'system' });
  });

  it('maps classes to MITRE ATT&CK techniques', () => {
    const refs = Object.fromEntries(of('attack-pattern').map((a) => [a.x_mindflow_class, (a.external_references as { source_name: string; external_id: string }[])[0]]));
    expect(refs.Reconnaissance).toMatchObject({ source_name: 'mitre-attack', external_id: 'T1046' });
    expect(refs.DoS).toMatchObject({ source_name: 'mitre-attack', external_id: 'T1499' });
  });

  it('writes network-traffic with src_ref, dst_ref, dst_port and protocols', () => {
    const nt = of('network-traffic');
    expect(nt.length).toBeGreaterThan(0);
    const syn = nt.find((n) => n.dst_port === 80 && (n.protocols as string[]).includes('tcp'));
    expect(syn).toBeDefined();
    const ip = (ref: unknown) => bundle.objects.find((o) => o.id === ref)?.value;
    expect(ip(syn!.dst_ref)).toBe('192.168.100.3');
    expect(['192.168.100.147', '192.168.100.149']).toContain(ip(syn!.src_ref));
  });

  it('writes the patterns for attackers, targets and ports', () => {
    const patterns = of('indicator').map((i) => i.pattern);
    expect(patterns).toContain("[ipv4-addr:value = '192.168.100.147']");
    expect(patterns).toContain("[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '192.168.100.3']");
    expect(patterns).toContain('[network-traffic:dst_port = 80]');
  });

  it('links indicators to attack patterns and sightings to indicators and observed data', () => {
    const rels = of('relationship');
    expect(rels.every((r) => r.relationship_type === 'indicates')).toBe(true);
    const types = (id: unknown) => bundle.objects.find((o) => o.id === id)?.type;
    for (const r of rels) expect([types(r.source_ref), types(r.target_ref)]).toEqual(['indicator', 'attack-pattern']);
    for (const s of of('sighting')) {
      expect(types(s.sighting_of_ref)).toBe('indicator');
      for (const o of s.observed_data_refs as string[]) expect(types(o)).toBe('observed-data');
    }
  });

  it('keeps analyst notes and verdicts as notes', () => {
    const notes = of('note');
    expect(notes.map((n) => n.content)).toContain('Bots .147 and .149 isolated on switch port 12 and 14.');
    expect(notes.find((n) => String(n.abstract).startsWith('Verdict on window w-4102'))).toMatchObject({ authors: ['a.rivera'] });
    // with the window's verdict history, oldest first
    const w9007 = String(notes.find((n) => String(n.abstract).startsWith('Verdict on window w-9007'))!.content);
    expect(w9007.split('\n').slice(w9007.split('\n').indexOf('Verdict history, oldest first:'))).toEqual([
      'Verdict history, oldest first:',
      '- 2025-03-14 10:20:05 UTC · j.chen · verdict: not reviewed → true positive (undone)',
      '- 2025-03-14 10:21:40 UTC · j.chen · undo: true positive → not reviewed',
      '- 2025-03-14 10:22:31 UTC · a.rivera · verdict: not reviewed → false positive · reason: backup job',
    ]);
    expect(String(notes.find((n) => String(n.abstract).startsWith('Verdict on window w-4102'))!.content)).not.toContain('Verdict history');
  });

  it('keeps the history of a window whose verdict was cleared', () => {
    const r = sampleIncidentReport();
    const w = r.windows.find((x) => x.id === 'w-4530')!;
    w.verdict = null;
    w.verdictBy = null;
    const note = buildStixBundle(r).objects.find((o) => o.type === 'note' && String(o.abstract).startsWith('Verdict on window w-4530'));
    expect(note).toMatchObject({ abstract: 'Verdict on window w-4530: not reviewed' });
    expect(String(note!.content)).toMatch(/^Verdict: not reviewed\.\n[\s\S]*- 2025-03-14 10:25:02 UTC · a\.rivera · note: Same scanner as w-1201\?$/);
  });

  it('carries the capture hash on the report', () => {
    const report = of('report')[0]!;
    expect(report.external_references).toContainEqual(expect.objectContaining({ hashes: { 'SHA-256': sampleIncidentReport().capture.sha256 } }));
  });
});

describe('TLP marking definitions', () => {
  it.each<[Tlp, string, string]>([
    ['CLEAR', 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9', 'TLP:WHITE'],
    ['GREEN', 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', 'TLP:GREEN'],
    ['AMBER', 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', 'TLP:AMBER'],
    ['RED', 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed', 'TLP:RED'],
    ['AMBER+STRICT', 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003', 'TLP:AMBER+STRICT'],
  ])('TLP:%s uses the published definition %s', (tlp, id, name) => {
    const m = tlpMarkingDefinition(tlp);
    expect(m).toMatchObject({ id, name, spec_version: '2.1' });
    const r = sampleIncidentReport();
    r.incident.tlp = tlp;
    const bundle = buildStixBundle(r);
    expect(bundle.objects.filter((o) => o.type === 'marking-definition')).toEqual([m]);
    expect(bundle.objects.find((o) => o.type === 'report')!.object_marking_refs).toEqual([id]);
  });

  it('writes TLP 1.0 levels as tlp definitions and AMBER+STRICT through the TLP 2.0 extension', () => {
    expect(tlpMarkingDefinition('GREEN')).toMatchObject({ definition_type: 'tlp', definition: { tlp: 'green' }, created: '2017-01-20T00:00:00.000Z' });
    expect(tlpMarkingDefinition('AMBER+STRICT').extensions).toEqual({
      'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': { extension_type: 'property-extension', tlp_2_0: 'amber+strict' },
    });
  });
});

describe('stixPattern', () => {
  it.each([
    [{ type: 'ipv4-src', value: "1.2.3.4' OR [x:y = 'z" }, "[ipv4-addr:value = '1.2.3.4\\' OR [x:y = \\'z']"],
    [{ type: 'ipv4-src', value: 'a\\b' }, "[ipv4-addr:value = 'a\\\\b']"],
    [{ type: 'dst-port', value: '443' }, '[network-traffic:dst_port = 443]'],
    [{ type: 'dst-port', value: '70000' }, null],
    [{ type: 'dst-port', value: '80 OR 1=1' }, null],
    [{ type: 'protocol', value: 'tcp' }, null],
  ] as const)('%j -> %j', (i, p) => expect(stixPattern(i)).toBe(p));
});

describe('buildStixBundle on a crafted capture', () => {
  const bundle = buildStixBundle(craftedIncidentReport());
  checkBundle(bundle.objects);

  it('escapes hostile values in patterns so they parse back to the original', () => {
    const literals = bundle.objects.filter((o) => o.type === 'indicator').flatMap((o) => parsePattern(String(o.pattern)));
    expect(literals).toContain(HOSTILE.stixQuote);
    expect(literals).toContain(HOSTILE.backslash);
    expect(literals).toContain(HOSTILE.script);
  });

  it('makes ipv4-addr objects only of real IPv4 addresses', () => {
    for (const o of bundle.objects.filter((x) => x.type === 'ipv4-addr')) expect(String(o.value)).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it('round-trips through JSON (serialisation escapes everything)', () => {
    const text = buildStix(craftedIncidentReport());
    expect(JSON.parse(text)).toEqual(bundle);
    expect(text).not.toMatch(/[<>]/);
  });
});

describe('observed data of a capture with real timestamps (v3)', () => {
  const report = sampleIncidentReport();
  report.windows[0]!.start = '2021-06-12T01:23:45.012Z';
  report.windows[0]!.end = '2021-06-12T01:23:47.500Z';
  const observed = buildStixBundle(report).objects.filter((o) => o.type === 'observed-data');

  it('says when the window\'s flows ran, and that it is not the scan time', () => {
    const timed = observed.find((o) => o.x_mindflow_window_id === report.windows[0]!.id)!;
    expect(timed).toMatchObject({ first_observed: '2021-06-12T01:23:45.012Z', last_observed: '2021-06-12T01:23:47.500Z', x_mindflow_observed_is_scan_time: false });
  });

  it('keeps the scan time, and says so, for windows without times', () => {
    const others = observed.filter((o) => o.x_mindflow_window_id !== report.windows[0]!.id);
    expect(others.length).toBeGreaterThan(0);
    for (const o of others) expect(o).toMatchObject({ first_observed: o.last_observed, x_mindflow_observed_is_scan_time: true });
  });
});

describe('sightings of a v3 capture', () => {
  // a flow every 40 ms from 01:00 UTC, each lasting 15 ms (fixture.ts)
  const objects = buildStixBundle(timedIncidentReport()).objects;
  const indicator = objects.find((o) => o.type === 'indicator' && o.pattern === "[ipv4-addr:value = '192.168.100.149']")!;
  const sighting = objects.find((o) => o.type === 'sighting' && o.sighting_of_ref === indicator.id)!;

  it('say when the indicator was first and last seen: its evidence flows, not the window or the scan', () => {
    // flows 4102..4535: 4102 × 40 ms = 2 min 44.080 s; 4535 × 40 + 15 ms = 3 min 1.415 s
    expect(sighting).toMatchObject({ first_seen: '2021-06-12T01:02:44.080Z', last_seen: '2021-06-12T01:03:01.415Z' });
    expect(indicator.description).toContain('(2021-06-12 01:02:44.080 – 01:03:01.415 UTC (17 s))');
  });

  it('keep last_seen at or after first_seen on every sighting', () => {
    const sightings = objects.filter((o) => o.type === 'sighting');
    expect(sightings.length).toBeGreaterThan(0);
    for (const s of sightings) expect(String(s.last_seen) >= String(s.first_seen)).toBe(true);
  });

  it('say nothing of when for a capture without times', () => {
    for (const s of buildStixBundle(sampleIncidentReport()).objects.filter((o) => o.type === 'sighting')) expect(s).not.toHaveProperty('first_seen');
  });
});
