import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importCapture } from '../../../main/core/capture/import.ts';
import { deriveFlaggedWindows } from '../../../main/core/detector/service.ts';
import type { Project } from '../../../main/core/project.ts';
import { Workbench } from '../../../main/core/workbench.ts';
import type { EventName } from '../../../preload/contract.ts';
import type { CaptureInfo, FlaggedWindow } from '../../../preload/contract.ts';
import { listWindows } from '../../../main/core/triage/triage.ts';
import { V1_HEADER, V1_ROWS, v3Header } from '../helpers.ts';

export const SCAN_CLASSES = ['Benign', 'DDoS', 'DoS'];

/** The two sources of the three-window scan below. */
export const HOST_A = '192.168.100.147';
export const HOST_B = '192.168.100.148';

/**
 * Nine flows whose unkeyed windows at threshold 0.5 are: #1 DDoS flows 0-1 (A, peak .9),
 * #2 DoS flows 3-5 (B, peak .99), #3 DDoS flow 7 (A, .6).
 */
export const THREE_WINDOWS = {
  srcs: [HOST_A, HOST_A, HOST_B, HOST_B, HOST_B, HOST_B, HOST_A, HOST_A, HOST_A],
  preds: [1, 1, 0, 2, 2, 2, 0, 1, 0],
  conf: [0.9, 0.8, 0.9, 0.7, 0.99, 0.8, 0.9, 0.6, 0.9],
};

/** makeScan, then the scan's flagged windows derived as a scan leaves them (threshold 0.5, unkeyed). */
export async function makeFlaggedScan(project: Project, dir: string, srcs: string[], preds: number[], conf: number[], labels?: string[]): Promise<CaptureInfo> {
  const capture = await makeScan(project, dir, srcs, preds, conf, labels);
  const conn = await project.connect();
  try {
    await deriveFlaggedWindows(conn, capture, 1, SCAN_CLASSES, 0.5, false);
  } finally {
    conn.closeSync();
  }
  return capture;
}

/**
 * A capture whose flow i comes from srcs[i] (to 192.168.100.3, port 1000 + i, labelled
 * labels[i] or DoS) and scan #1 of it predicting preds[i] with confidence conf[i], as a real
 * scan would leave them in the project.
 */
export async function makeScan(project: Project, dir: string, srcs: string[], preds: number[], conf: number[], labels?: string[]): Promise<CaptureInfo> {
  const capture = await makeCapture(project, dir, srcs, labels);
  await insertScan(project, capture, preds, conf);
  return capture;
}

/** The capture of makeScan, imported without a scan. */
export async function makeCapture(project: Project, dir: string, srcs: string[], labels?: string[]): Promise<CaptureInfo> {
  const rows = srcs.map((src, i) => {
    const r = [...V1_ROWS.DoS!];
    r[0] = src;
    r[3] = 1000 + i;
    if (labels) r[13] = labels[i]!;
    return r.join(',');
  });
  const csv = join(dir, `scan-${srcs.length}-${Date.now()}.csv`);
  writeFileSync(csv, [V1_HEADER.join(','), ...rows].join('\n'));
  return (await importCapture(project, csv)).capture;
}

/**
 * Like makeScan, on a v3 capture whose flow i started at times[i][0] and ended at times[i][1]
 * (epoch ms). The file lists the flows last to first: the import puts them in time order.
 */
export async function makeV3Scan(project: Project, dir: string, times: [number, number][], preds: number[], conf: number[]): Promise<CaptureInfo> {
  const header = v3Header();
  const rows = times.map(([start, end], i) =>
    header
      .map((h) => (h === 'IPV4_SRC_ADDR' ? '192.168.100.147' : h === 'IPV4_DST_ADDR' ? '192.168.100.3' : h === 'L4_DST_PORT' ? 1000 + i : h === 'FLOW_START_MILLISECONDS' ? start : h === 'FLOW_END_MILLISECONDS' ? end : h === 'Attack' ? 'DoS' : 1))
      .join(','),
  );
  const csv = join(dir, `scan-v3-${times.length}-${Date.now()}.csv`);
  writeFileSync(csv, [header.join(','), ...rows.reverse()].join('\n'));
  const { capture } = await importCapture(project, csv);
  await insertScan(project, capture, preds, conf);
  return capture;
}

/**
 * Scan #scanId of a capture scanned before (a rescan: another model, threshold or keying),
 * predicting preds[i] with confidence conf[i], with its flagged windows derived.
 */
export async function addFlaggedScan(project: Project, capture: CaptureInfo, scanId: number, preds: number[], conf: number[], opts: { threshold?: number; keyed?: boolean } = {}): Promise<void> {
  await insertScan(project, capture, preds, conf, scanId);
  await project.withConnection((c) => deriveFlaggedWindows(c, capture, scanId, SCAN_CLASSES, opts.threshold ?? 0.5, opts.keyed ?? false));
}

async function insertScan(project: Project, capture: CaptureInfo, preds: number[], conf: number[], scanId = 1): Promise<void> {
  await project.withConnection(async (c) => {
    await c.run(`INSERT INTO scans VALUES (?, ?, 'm', 'test model', ?, 0.5, false, now()::TIMESTAMP, ?, 1, 1, 'cpu', '{}', 0, NULL)`, [scanId, capture.id, JSON.stringify(SCAN_CLASSES), preds.length]);
    await c.run(`CREATE TABLE scan_${scanId} (flow_id BIGINT, predicted UTINYINT, confidence FLOAT, attack_score FLOAT, p0 FLOAT, p1 FLOAT, p2 FLOAT)`);
    for (let i = 0; i < preds.length; i++) {
      const p = [0, 0, 0];
      p[preds[i]!] = conf[i]!;
      p[(preds[i]! + 1) % 3] = 1 - conf[i]!;
      await c.run(`INSERT INTO scan_${scanId} VALUES (?, ?, ?, ?, ?, ?, ?)`, [i, preds[i]!, conf[i]!, 1 - p[0]!, p[0]!, p[1]!, p[2]!]);
    }
  });
}

/** A scan's flagged windows in capture order (the first 50). */
export async function scanWindows(project: Project, scanId: number): Promise<FlaggedWindow[]> {
  return (await listWindows(project, { scanId, offset: 0, limit: 50, sort: { by: 'order', dir: 'asc' } })).windows;
}

/** The project at `path` behind the contract (as the web host serves it), and the payloads of one event it emits. */
export async function workbenchWatching(path: string, event: EventName): Promise<{ wb: Workbench; events: unknown[] }> {
  const wb = await Workbench.open(path, { host: 'web' });
  const events: unknown[] = [];
  wb.subscribe((name, payload) => {
    if (name === event) events.push(payload);
  });
  return { wb, events };
}
