import { describe, expect, it } from 'vitest';
import { buildMisp, buildMispEvent } from '../../../main/core/report/misp.ts';
import type { IncidentSeverity, IncidentStatus, Tlp } from '../../../main/core/report/model.ts';
import { craftedIncidentReport, HOSTILE, sampleIncidentReport, timedIncidentReport } from './fixture.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('buildMispEvent on the sample incident', () => {
  const { Event: e } = buildMispEvent(sampleIncidentReport());

  it('has every field MISP requires to import an event', () => {
    expect(e).toMatchObject({ info: 'Bot scan and SYN flood against 192.168.100.3', threat_level_id: '1', analysis: '1', distribution: '0', date: '2025-03-14', published: false });
    expect(e.uuid).toMatch(UUID);
    expect(e.timestamp).toBe(String(Date.parse('2025-03-14T11:40:12.000Z') / 1000));
  });

  it('tags the TLP and the ATT&CK techniques', () => {
    expect(e.Tag.map((t) => t.name)).toEqual([
      'tlp:amber',
      'misp-galaxy:mitre-attack-pattern="Network Service Discovery - T1046"',
      'misp-galaxy:mitre-attack-pattern="Endpoint Denial of Service - T1499"',
    ]);
  });

  it('writes ip-src, ip-dst and port attributes with category, to_ids and a comment', () => {
    for (const a of e.Attribute.filter((x) => x.type !== 'comment')) {
      expect(a.uuid).toMatch(UUID);
      expect(a.category).toBe('Network activity');
      expect(typeof a.to_ids).toBe('boolean');
      expect(a.comment.length).toBeGreaterThan(0);
    }
    const byValue = (type: string, value: string) => e.Attribute.find((a) => a.type === type && a.value === value);
    expect(byValue('ip-src', '192.168.100.147')).toMatchObject({ to_ids: true });
    expect(byValue('ip-src', '192.168.100.149')).toMatchObject({ to_ids: true });
    expect(byValue('ip-dst', '192.168.100.3')).toMatchObject({ to_ids: false });
    expect(byValue('port', '80')).toMatchObject({ to_ids: false });
    expect(e.Attribute.filter((a) => a.type !== 'comment').map((a) => a.type).sort()).toEqual([...Array(2).fill('ip-src'), 'ip-dst', ...Array(8).fill('port')].sort());
  });

  it('carries each judged window\'s verdict history, oldest first, as a comment never meant for an IDS', () => {
    const comments = e.Attribute.filter((a) => a.type === 'comment');
    expect(comments.map((a) => a.value.split('\n')[0])).toEqual([
      expect.stringMatching(/^Window w-1201 \(\w+\): true positive\. Verdict history, oldest first:$/),
      expect.stringMatching(/^Window w-4530 \(\w+\): /),
      expect.stringMatching(/^Window w-9007 \(\w+\): false positive\. /),
    ]);
    const w9007 = comments.find((a) => a.value.startsWith('Window w-9007'))!;
    expect(w9007).toMatchObject({ category: 'Other', to_ids: false, disable_correlation: true, comment: 'analyst verdicts on a flagged window' });
    expect(w9007.value.split('\n').slice(1)).toEqual([
      '- 2025-03-14 10:20:05 UTC · j.chen · verdict: not reviewed → true positive (undone)',
      '- 2025-03-14 10:21:40 UTC · j.chen · undo: true positive → not reviewed',
      '- 2025-03-14 10:22:31 UTC · a.rivera · verdict: not reviewed → false positive · reason: backup job',
    ]);
  });

  it('writes network-connection objects with ip-src, ip-dst, dst-port and layer4-protocol', () => {
    expect(e.Object.length).toBeGreaterThan(0);
    for (const o of e.Object) {
      expect(o).toMatchObject({ name: 'network-connection', 'meta-category': 'network', template_uuid: 'af16764b-f8e5-4603-9de1-de34d272f80b' });
      expect(o.Attribute.map((a) => a.object_relation)).toEqual(['ip-src', 'ip-dst', 'dst-port', 'layer4-protocol']);
    }
    const flood = e.Object.find((o) => o.Attribute.some((a) => a.value === '192.168.100.149'));
    expect(flood!.Attribute.map((a) => a.value)).toEqual(['192.168.100.149', '192.168.100.3', '80', 'TCP']);
  });

  it('has unique uuids and is deterministic', () => {
    const uuids = [e.uuid, ...e.Attribute.map((a) => a.uuid), ...e.Object.flatMap((o) => [o.uuid, ...o.Attribute.map((a) => a.uuid)])];
    expect(new Set(uuids).size).toBe(uuids.length);
    expect(buildMispEvent(sampleIncidentReport()).Event).toEqual(e);
  });
});

describe('MISP mappings', () => {
  it.each<[IncidentSeverity, string]>([
    ['critical', '1'],
    ['high', '1'],
    ['medium', '2'],
    ['low', '3'],
  ])('severity %s is threat level %s', (severity, level) => {
    const r = sampleIncidentReport();
    r.incident.severity = severity;
    expect(buildMispEvent(r).Event.threat_level_id).toBe(level);
  });

  it.each<[IncidentStatus, string]>([
    ['open', '0'],
    ['contained', '1'],
    ['closed', '2'],
  ])('status %s is analysis %s', (status, analysis) => {
    const r = sampleIncidentReport();
    r.incident.status = status;
    expect(buildMispEvent(r).Event.analysis).toBe(analysis);
  });

  it.each<[Tlp, string, string]>([
    ['CLEAR', '3', 'tlp:clear'],
    ['GREEN', '1', 'tlp:green'],
    ['AMBER', '0', 'tlp:amber'],
    ['AMBER+STRICT', '0', 'tlp:amber+strict'],
    ['RED', '0', 'tlp:red'],
  ])('TLP %s is distribution %s and tag %s', (tlp, distribution, tag) => {
    const r = sampleIncidentReport();
    r.incident.tlp = tlp;
    const { Event: e } = buildMispEvent(r);
    expect(e.distribution).toBe(distribution);
    expect(e.Tag[0]!.name).toBe(tag);
  });
});

describe('buildMispEvent on a crafted capture', () => {
  const text = buildMisp(craftedIncidentReport());
  const { Event: e } = JSON.parse(text) as ReturnType<typeof buildMispEvent>;

  it('keeps hostile values as data, never as IDS signatures', () => {
    const hostile = e.Attribute.filter((a) => a.value === HOSTILE.script || a.value === HOSTILE.stixQuote);
    expect(hostile.length).toBeGreaterThan(0);
    for (const a of hostile) expect(a.to_ids).toBe(false);
    expect(text).not.toMatch(/[<>]/);
    expect(e.info).toBe(craftedIncidentReport().incident.title);
  });
});

describe('buildMispEvent on a v3 capture', () => {
  // a flow every 40 ms from 01:00 UTC, each lasting 15 ms (fixture.ts)
  const { Event: e } = buildMispEvent(timedIncidentReport());
  const MISP_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;

  it('gives attributes first_seen and last_seen as MISP writes them', () => {
    // flows 4102..4535: 4102 × 40 ms = 2 min 44.080 s; 4535 × 40 + 15 ms = 3 min 1.415 s
    expect(e.Attribute.find((a) => a.type === 'ip-src' && a.value === '192.168.100.149')).toMatchObject({
      first_seen: '2021-06-12T01:02:44.080000+00:00',
      last_seen: '2021-06-12T01:03:01.415000+00:00',
    });
    for (const a of e.Attribute) {
      // a window's verdict history spans its flows too
      expect(a.first_seen).toMatch(MISP_TIME);
      expect(a.last_seen! >= a.first_seen!).toBe(true);
    }
  });

  it('gives each network-connection object the span of its own flows', () => {
    const ipSrc = e.Attribute.find((a) => a.type === 'ip-src' && a.value === '192.168.100.149')!;
    for (const o of e.Object) {
      expect(o.first_seen).toMatch(MISP_TIME);
      expect(o.last_seen! >= o.first_seen!).toBe(true);
    }
    const flood = e.Object.filter((o) => o.Attribute.some((a) => a.value === '192.168.100.149'));
    expect(flood.length).toBeGreaterThan(0);
    for (const o of flood) {
      expect(o.first_seen! >= ipSrc.first_seen!).toBe(true);
      expect(o.last_seen! <= ipSrc.last_seen!).toBe(true);
    }
  });

  it('writes no times for a capture without them', () => {
    const { Event: plain } = buildMispEvent(sampleIncidentReport());
    for (const x of [...plain.Attribute, ...plain.Object]) {
      expect(x).not.toHaveProperty('first_seen');
      expect(x).not.toHaveProperty('last_seen');
    }
  });
});
