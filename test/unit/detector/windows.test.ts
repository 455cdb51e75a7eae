import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importCapture } from '../../../main/core/capture/import.ts';
import { deriveFlaggedWindows, flaggedWindows } from '../../../main/core/detector/service.ts';
import { Project } from '../../../main/core/project.ts';
import type { CaptureInfo } from '../../../preload/contract.ts';
import { V1_HEADER, V1_ROWS, tempDir } from '../helpers.ts';

const CLASSES = ['Benign', 'DDoS', 'DoS'];
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

/** A capture whose flow i comes from srcs[i], and a scan predicting preds[i] with conf[i]. */
async function setup(srcs: string[], preds: number[], conf: number[]): Promise<CaptureInfo> {
  const rows = srcs.map((src, i) => {
    const r = [...V1_ROWS.DoS!];
    r[0] = src;
    r[3] = 1000 + i;
    return r.join(',');
  });
  const csv = join(dir, 'w.csv');
  writeFileSync(csv, [V1_HEADER.join(','), ...rows].join('\n'));
  const { capture } = await importCapture(project, csv);
  await project.withConnection(async (c) => {
    await c.run(`CREATE TABLE scan_1 (flow_id BIGINT, predicted UTINYINT, confidence FLOAT, attack_score FLOAT, p0 FLOAT, p1 FLOAT, p2 FLOAT)`);
    for (let i = 0; i < preds.length; i++) {
      await c.run(`INSERT INTO scan_1 VALUES (?, ?, ?, 0, 0, 0, 0)`, [i, preds[i]!, conf[i]!]);
    }
  });
  return capture;
}

async function windows(capture: CaptureInfo, threshold: number, keyed: boolean) {
  const conn = await project.connect();
  try {
    await deriveFlaggedWindows(conn, capture, 1, CLASSES, threshold, keyed);
  } finally {
    conn.closeSync();
  }
  const { windows: ws, total } = await flaggedWindows(project, 1, 0, 100);
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
    const { windows: [w] } = await flaggedWindows(project, 1, 0, 10);
    expect(w).toMatchObject({ class: 'DoS', flows: 2, srcHosts: [A], dstHosts: ['192.168.100.3'], dstPorts: [1000, 1001] });
    expect(w!.peak).toBeCloseTo(0.75);
    expect(w!.mean).toBeCloseTo(0.75);
  });

  it('an all-benign scan flags nothing', async () => {
    const cap = await setup([A, A, A], [0, 0, 0], [0.9, 0.9, 0.9]);
    expect((await windows(cap, 0.5, false)).total).toBe(0);
  });
});
