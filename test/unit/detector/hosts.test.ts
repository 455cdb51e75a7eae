import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCapture } from '../../../main/core/capture/import.ts';
import { Project } from '../../../main/core/project.ts';
import { checkHost, findHost } from '../../../main/core/query/hosts.ts';
import { setVerdict } from '../../../main/core/triage/triage.ts';
import { tempDir, v1Csv, v3Header } from '../helpers.ts';
import { HOST_A as A, THREE_WINDOWS, makeFlaggedScan } from './scan-fixture.ts';

const VICTIM = '192.168.100.3';
let project: Project;
let cleanup: () => void;
let ids: { scanned: number; plain: number; other: number; timed: number };

// capture 1 (scanned, scan #1): flows from A and B to the victim (ports 1000+i); windows:
// #1 DDoS flows 0-1 (A), #2 DoS flows 3-5 (B), #3 DDoS flow 7 (A)
// capture 2: the helpers' one row per class (the victim sends the Benign one, to .1:53)
// capture 3: Theft only, .150 to .6: no victim
// capture 4 (v3): A to the victim, flows at known times
beforeAll(async () => {
  let dir: string;
  ({ dir, cleanup } = tempDir());
  project = await Project.open(join(dir, 'p.duckdb'));
  const scanned = await makeFlaggedScan(project, dir, THREE_WINDOWS.srcs, THREE_WINDOWS.preds, THREE_WINDOWS.conf);
  await setVerdict(project, 1, [2], 'tp');
  const plainCsv = join(dir, 'plain.csv');
  writeFileSync(plainCsv, v1Csv(['Benign', 'Reconnaissance', 'DDoS', 'DoS', 'DoS']));
  const plain = (await importCapture(project, plainCsv)).capture;
  const otherCsv = join(dir, 'other.csv');
  writeFileSync(otherCsv, v1Csv(['Theft', 'Theft']));
  const other = (await importCapture(project, otherCsv)).capture;
  const t = Date.UTC(2021, 5, 12, 1, 0, 0);
  const header = v3Header();
  const timedCsv = join(dir, 'timed.csv');
  const v3Row = (start: number, end: number) =>
    header.map((h) => (h === 'IPV4_SRC_ADDR' ? A : h === 'IPV4_DST_ADDR' ? VICTIM : h === 'FLOW_START_MILLISECONDS' ? start : h === 'FLOW_END_MILLISECONDS' ? end : h === 'Attack' ? 'DoS' : 1)).join(',');
  writeFileSync(timedCsv, [header.join(','), v3Row(t + 1500, t + 2000), v3Row(t + 1000, t + 9000), v3Row(t, t + 400)].join('\n'));
  const timed = (await importCapture(project, timedCsv)).capture;
  ids = { scanned: scanned.id, plain: plain.id, other: other.id, timed: timed.id };
});
afterAll(() => {
  project.close();
  cleanup();
});

describe('a host across the captures of a project', () => {
  it('lists every capture it appears in, newest first, with what it did there', async () => {
    const found = await findHost(project, ` ${VICTIM} `);
    expect(found.host).toBe(VICTIM);
    expect(found.searched).toBe(4);
    expect(found.captures.map((c) => c.captureId)).toEqual([ids.timed, ids.plain, ids.scanned]);

    const plain = found.captures.find((c) => c.captureId === ids.plain)!;
    expect(plain).toMatchObject({ fileName: 'plain.csv', captureFlows: 5, flows: 5, sent: 1, received: 4, firstFlow: 0, lastFlow: 4, startMs: null, endMs: null, peers: 4, scan: null });
    expect(plain.classes).toEqual({ DoS: 2, Benign: 1, DDoS: 1, Reconnaissance: 1 });
    expect(plain.topPeers[0]).toEqual({ value: '192.168.100.149', flows: 2 });
    expect(plain.topPorts[0]).toEqual({ value: 80, flows: 3 });

    // the scanned capture: every flagged window names the victim as destination; #2 is a true positive
    const scanned = found.captures.find((c) => c.captureId === ids.scanned)!;
    expect(scanned).toMatchObject({ flows: 9, sent: 0, received: 9, peers: 2, scan: { scanId: 1, windows: 3, untriaged: 2, tp: 1 } });
  });

  it('counts only the windows that name the host, and reads v3 times', async () => {
    const a = await findHost(project, A);
    const scanned = a.captures.find((c) => c.captureId === ids.scanned)!;
    expect(scanned).toMatchObject({ flows: 5, sent: 5, received: 0, firstFlow: 0, lastFlow: 8, scan: { windows: 2, untriaged: 2, tp: 0 } });
    const timed = a.captures.find((c) => c.captureId === ids.timed)!;
    const t = Date.UTC(2021, 5, 12, 1, 0, 0);
    // stored in time order: the first flow in capture order is the earliest
    expect(timed).toMatchObject({ flows: 3, firstFlow: 0, lastFlow: 2, startMs: t, endMs: t + 9000, classes: { DoS: 3 }, scan: null });
  });

  it('finds nothing for a host no capture has, and refuses what is not an address', async () => {
    expect((await findHost(project, '10.9.9.9')).captures).toEqual([]);
    expect(checkHost('FE80::1')).toBe('fe80::1');
    for (const bad of ['', 'host', '300.1.1.1', "1.1.1.1' OR 1=1", '1.2.3']) expect(() => checkHost(bad)).toThrow('is not an IP address');
  });
});
