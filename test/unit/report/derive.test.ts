import { describe, expect, it } from 'vitest';
import {
  affectedHosts,
  attackClasses,
  buildTimeline,
  deriveReport,
  indicators,
  meanProbabilities,
  windowsInOrder,
} from '../../../main/core/report/derive.ts';
import { attackTechnique, isIpv4, protocolName, sortClasses } from '../../../main/core/report/model.ts';
import { sampleIncidentReport } from './fixture.ts';

describe('buildTimeline', () => {
  it('spans the first to the last flagged flow in capture order', () => {
    const t = buildTimeline(sampleIncidentReport());
    expect(t.order).toBe('file order');
    expect(t.firstFlow).toBe(1201);
    expect(t.lastFlow).toBe(9010);
    expect(t.events.map((e) => e.windowId)).toEqual(['w-1201', 'w-4102', 'w-4530', 'w-9007']);
  });

  it('counts each window once, in the bin holding its first flow, per class', () => {
    const t = buildTimeline(sampleIncidentReport(), 10);
    expect(t.bins.length).toBeLessThanOrEqual(10);
    const totals: Record<string, number> = {};
    for (const b of t.bins) for (const [c, n] of Object.entries(b.windows)) totals[c] = (totals[c] ?? 0) + n;
    expect(totals).toEqual({ Reconnaissance: 2, DoS: 2 });
    expect(t.bins[0]!.windows.Reconnaissance).toBe(1);
    expect(t.bins.at(-1)!.lastFlow).toBe(9010);
  });

  it('bins cover the span contiguously', () => {
    const t = buildTimeline(sampleIncidentReport(), 7);
    t.bins.forEach((b, i) => {
      if (i > 0) expect(b.firstFlow).toBe(t.bins[i - 1]!.lastFlow + 1);
      expect(b.lastFlow - b.firstFlow + 1).toBeLessThanOrEqual(t.binSize);
    });
  });

  it('has no bins and null bounds for an incident without windows', () => {
    const r = sampleIncidentReport();
    r.windows = [];
    const t = buildTimeline(r);
    expect(t).toMatchObject({ firstFlow: null, lastFlow: null, bins: [], events: [] });
  });

  it('uses one bin per flow when the span is short', () => {
    const r = sampleIncidentReport();
    r.windows = [r.windows[0]!];
    const t = buildTimeline(r, 24);
    expect(t.binSize).toBe(1);
    expect(t.bins).toHaveLength(8);
  });
});

describe('affectedHosts', () => {
  const hosts = affectedHosts(sampleIncidentReport());
  const byHost = Object.fromEntries(hosts.map((h) => [h.host, h]));

  it.each([
    ['192.168.100.147', ['attacker'], 8 + 3, 0],
    ['192.168.100.149', ['attacker'], 12 + 3, 0],
    ['192.168.100.3', ['victim'], 0, 8 + 12 + 6],
  ])('%s has roles %j, %i flows as source and %i as destination', (host, roles, src, dst) => {
    expect(byHost[host]).toMatchObject({ roles, flowsAsSource: src, flowsAsDestination: dst });
  });

  it('leaves out hosts seen only in false-positive windows', () => {
    expect(byHost['192.168.100.1']).toBeUndefined();
  });

  it('lists attackers first', () => {
    expect(hosts.map((h) => h.host)).toEqual(['192.168.100.149', '192.168.100.147', '192.168.100.3']);
  });

  it('gives a host both roles when it is source and destination of flagged flows', () => {
    const r = sampleIncidentReport();
    r.windows[3]!.verdict = 'tp';
    const h = affectedHosts(r).find((x) => x.host === '192.168.100.3')!;
    expect(h.roles).toEqual(['attacker', 'victim']);
    expect(h.flowsAsSource).toBe(4);
  });

  it('keeps the hosts of a window without evidence rows, with zero flows', () => {
    const r = sampleIncidentReport();
    r.windows = [{ ...r.windows[0]!, flowRows: [], srcHosts: ['10.0.0.9'] }];
    expect(affectedHosts(r).find((h) => h.host === '10.0.0.9')).toMatchObject({ roles: ['attacker'], flowsAsSource: 0 });
  });
});

describe('indicators', () => {
  const list = indicators(sampleIncidentReport());
  const find = (type: string, value: string) => list.find((i) => i.type === type && i.value === value);

  it.each([
    ['ipv4-src', '192.168.100.147', 11, 1201, 4534, 'Reconnaissance', 0.997],
    ['ipv4-src', '192.168.100.149', 15, 4102, 4535, 'DoS', 0.975],
    ['ipv4-dst', '192.168.100.3', 26, 1201, 4535, 'DoS', 0.997],
    ['dst-port', '80', 19, 1201, 4535, 'DoS', 0.981],
    ['dst-port', '1883', 1, 1202, 1202, 'Reconnaissance', 0.992],
    ['protocol', 'tcp', 26, 1201, 4535, 'DoS', 0.997],
  ])('%s %s: count %i, flows %i..%i, class %s, max confidence %f', (type, value, n, first, last, cls, conf) => {
    expect(find(type, value)).toMatchObject({ count: n, firstFlow: first, lastFlow: last, class: cls, maxConfidence: conf });
  });

  it('lists every class an indicator was seen with, most flows first', () => {
    expect(find('ipv4-src', '192.168.100.147')!.classes).toEqual(['Reconnaissance', 'DoS']);
  });

  it('excludes false-positive windows (no UDP/53 from the DNS lookups)', () => {
    expect(find('dst-port', '53')).toBeUndefined();
    expect(find('protocol', 'udp')).toBeUndefined();
  });

  it('marks indicators confirmed only when a true-positive window carries them', () => {
    const r = sampleIncidentReport();
    r.windows[0]!.verdict = 'review';
    expect(indicators(r).find((i) => i.value === '1883')!.confirmed).toBe(false);
    expect(find('dst-port', '1883')!.confirmed).toBe(true);
  });

  it('orders by type, then flow count', () => {
    const types = list.map((i) => i.type);
    expect(types.indexOf('ipv4-dst')).toBeGreaterThan(types.lastIndexOf('ipv4-src'));
    expect(list[0]!.value).toBe('192.168.100.149');
  });
});

describe('attackClasses', () => {
  it('summarises windows, flows and flow-weighted confidence per class', () => {
    const [recon, dos] = attackClasses(sampleIncidentReport());
    expect(recon).toMatchObject({ name: 'Reconnaissance', windows: 2, flows: 12, technique: { id: 'T1046' } });
    expect(dos).toMatchObject({ name: 'DoS', windows: 2, flows: 18, peakConfidence: 0.975, technique: { id: 'T1499' } });
    expect(dos!.verdicts).toEqual({ tp: 1, fp: 0, review: 1, none: 0 });
    const r = sampleIncidentReport();
    const [w1, w2] = [r.windows[1]!, r.windows[2]!];
    expect(dos!.meanConfidence).toBeCloseTo((w1.mean * 12 + w2.mean * 6) / 18, 9);
  });
});

describe('model helpers', () => {
  it.each([
    ['Reconnaissance', 'T1046'],
    ['dos', 'T1499'],
    ['DDoS', 'T1498'],
    ['Theft', 'T1041'],
    ['Benign', null],
    ['Worm', null],
  ])('ATT&CK technique of %s is %s', (c, id) => {
    expect(attackTechnique(c)?.id ?? null).toBe(id);
  });

  it.each([
    [6, 'tcp'],
    [17, 'udp'],
    [1, 'icmp'],
    [99, 'proto-99'],
  ])('protocol %i is %s', (n, name) => expect(protocolName(n)).toBe(name));

  it.each([
    ['192.168.100.3', true],
    ['0.0.0.0', true],
    ['256.1.1.1', false],
    ['1.2.3', false],
    ['1.2.3.4<script>', false],
    [' 1.2.3.4', false],
  ])('isIpv4(%j) is %s', (v, ok) => expect(isIpv4(v)).toBe(ok));

  it('sorts known classes in a fixed order, others after', () => {
    expect(sortClasses(['Zeta', 'Theft', 'DoS', 'Alpha', 'Reconnaissance'])).toEqual(['Reconnaissance', 'DoS', 'Theft', 'Alpha', 'Zeta']);
  });
});

describe('deriveReport', () => {
  it('totals the incident', () => {
    const d = deriveReport(sampleIncidentReport());
    expect(d.totals).toMatchObject({ windows: 4, flaggedFlows: 30, evidenceFlows: 30, attackers: 2, victims: 1, classes: 2 });
    expect(d.totals.verdicts).toEqual({ tp: 2, fp: 1, review: 1, none: 0 });
    expect(d.totals.indicators).toBe(d.indicators.length);
  });

  it('averages class probabilities over a window and orders windows by capture order', () => {
    const r = sampleIncidentReport();
    r.windows.reverse();
    expect(windowsInOrder(r.windows)[0]!.id).toBe('w-1201');
    const p = meanProbabilities(r.windows.find((w) => w.id === 'w-4102')!);
    expect(p.map((x) => x.name)).toEqual(['Benign', 'Reconnaissance', 'DoS', 'DDoS', 'Theft']);
    expect(p.reduce((s, x) => s + x.p, 0)).toBeCloseTo(1, 5);
  });
});
