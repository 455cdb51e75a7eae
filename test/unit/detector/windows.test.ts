import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deriveFlaggedWindows } from '../../../main/core/detector/service.ts';
import { listWindows } from '../../../main/core/triage/triage.ts';
import { Project } from '../../../main/core/project.ts';
import type { CaptureInfo } from '../../../preload/contract.ts';
import { tempDir } from '../helpers.ts';
import { SCAN_CLASSES, makeScan, makeV3Scan } from './scan-fixture.ts';

let project: Project;
let cleanup: () => void;
let dir: string;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  project = await Project.open(join(dir, 'p.duckdb'));
});
afterEach(() => {
  project.close();
  cleanup();
});

const setup = (srcs: string[], preds: number[], conf: number[]) => makeScan(project, dir, srcs, preds, conf);

async function windows(capture: CaptureInfo, threshold: number, keyed: boolean) {
  const conn = await project.connect();
  try {
    await deriveFlaggedWindows(conn, capture, 1, SCAN_CLASSES, threshold, keyed);
  } finally {
    conn.closeSync();
  }
  const { windows: ws, total } = await listWindows(project, { scanId: 1, offset: 0, limit: 100 });
  return { total, runs: ws.sort((a, b) => a.firstFlow - b.firstFlow).map((w) => [w.class, w.firstFlow, w.lastFlow, w.flows]) };
}

const A = '192.168.100.147';
const B = '192.168.100.148';

describe('flagged windows', () => {
  it('are runs of consecutive flows with the same predicted attack class; benign breaks a run', async () => {
    const cap = await setup([A, A, A, A, A, A, A], [1, 1, 0, 1, 2, 2, 1], [0.9, 0.8, 0.99, 0.7, 0.9, 0.95, 0.6]);
    const { runs } = await windows(cap, 0.5, false);
    expect(runs).toEqual([['DDoS', 0, 1, 2], ['DDoS', 3, 3, 1], ['DoS', 4, 5, 2], ['DDoS', 6, 6, 1]]);
  });

  it('on a v3 capture, span the earliest start and the latest end of their flows; without timestamps they have none', async () => {
    const t = Date.UTC(2021, 5, 12, 1, 23, 45, 0);
    // flow 1 ends after flow 2 does: the window ends at the latest end, not at its last flow's
    const cap = await makeV3Scan(project, dir, [[t, t + 400], [t + 1000, t + 9000], [t + 1500, t + 2000], [t + 3000, t + 3000], [t + 7000, t + 7250]], [1, 1, 1, 0, 2], [0.9, 0.9, 0.9, 0.9, 0.9]);
    expect(cap.order).toBe('FLOW_START_MILLISECONDS');
    await windows(cap, 0.5, false);
    const { windows: ws } = await listWindows(project, { scanId: 1, offset: 0, limit: 10, sort: { by: 'order', dir: 'asc' } });
    expect(ws.map((w) => [w.class, w.firstFlow, w.lastFlow, w.startMs, w.endMs])).toEqual([['DDoS', 0, 2, t, t + 9000], ['DoS', 4, 4, t + 7000, t + 7250]]);

    project.close();
    cleanup();
    ({ dir, cleanup } = tempDir());
    project = await Project.open(join(dir, 'p.duckdb'));
    const v1 = await setup([A, A], [1, 1], [0.9, 0.9]);
    await windows(v1, 0.5, false);
    const { windows: plain } = await listWindows(project, { scanId: 1, offset: 0, limit: 10 });
    expect(plain.map((w) => [w.startMs, w.endMs])).toEqual([[null, null]]);
  });

  it('a flow under the threshold breaks a run and is not flagged', async () => {
    const cap = await setup([A, A, A, A], [1, 1, 1, 1], [0.9, 0.4, 0.9, 0.95]);
    const { runs } = await windows(cap, 0.5, false);
    expect(runs).toEqual([['DDoS', 0, 0, 1], ['DDoS', 2, 3, 2]]);
  });

  it('keyed by source host, runs follow each host and interleaved hosts do not break each other', async () => {
    const cap = await setup([A, B, A, B, A], [1, 2, 1, 2, 1], [0.9, 0.9, 0.9, 0.9, 0.9]);
    const unkeyed = await windows(cap, 0.5, false);
    expect(unkeyed.total).toBe(5);
    const keyed = await windows(cap, 0.5, true);
    expect(keyed.runs).toEqual([['DDoS', 0, 4, 3], ['DoS', 1, 3, 2]]);
  });

  it('carry peak and mean confidence, hosts and ports', async () => {
    const cap = await setup([A, A], [2, 2], [0.75, 0.25 + 0.5]);
    await windows(cap, 0.5, false);
    const { windows: [w] } = await listWindows(project, { scanId: 1, offset: 0, limit: 10 });
    expect(w).toMatchObject({ class: 'DoS', flows: 2, srcHosts: [A], dstHosts: ['192.168.100.3'], dstPorts: [1000, 1001] });
    expect(w!.peak).toBeCloseTo(0.75);
    expect(w!.mean).toBeCloseTo(0.75);
  });

  it('an all-benign scan flags nothing', async () => {
    const cap = await setup([A, A, A], [0, 0, 0], [0.9, 0.9, 0.9]);
    expect((await windows(cap, 0.5, false)).total).toBe(0);
  });
});
