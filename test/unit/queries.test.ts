import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../main/core/workbench.ts';
import { importCapture } from '../../main/core/capture/import.ts';
import type { CaptureInfo } from '../../preload/contract.ts';
import { CYCLE_CLASSES as CLASSES, cycleWorkbench, v3Header } from './helpers.ts';

const N = 3000;
let wb: Workbench;
let capture: CaptureInfo;
let cleanup: () => void;

// flow i has class CLASSES[i % 5] and IN_BYTES = i (so sorts and ranges are checkable)
beforeAll(async () => {
  ({ wb, capture, cleanup } = await cycleWorkbench(N));
});
afterAll(() => cleanup());

const page = (args: Partial<Parameters<Workbench['handlers']['queryFlows']>[0]>) =>
  wb.handlers.queryFlows({ captureId: capture.id, filter: { clauses: [] }, offset: 0, limit: 50, ...args });

describe('queryFlows', () => {
  it('pages the unfiltered capture in capture order', async () => {
    const p = await page({ offset: 1000, limit: 5 });
    expect(p.total).toBe(N);
    expect(p.columns[0]).toEqual({ name: 'flow_id', type: 'integer' });
    expect(p.rows.map((r) => r[0])).toEqual([1000, 1001, 1002, 1003, 1004]);
  });

  it('pages a filtered capture in capture order, with its total', async () => {
    const p = await page({ filter: { clauses: [{ field: 'Attack', op: '=', value: 'DoS' }] }, offset: 10, limit: 3 });
    expect(p.total).toBe(N / 5);
    expect(p.rows.map((r) => r[0])).toEqual([53, 58, 63]);
  });

  it('sorts by flow id descending and by any column', async () => {
    expect((await page({ sort: { column: 'flow_id', dir: 'desc' }, limit: 3 })).rows.map((r) => r[0])).toEqual([2999, 2998, 2997]);
    const byBytes = await page({ sort: { column: 'IN_BYTES', dir: 'desc' }, filter: { clauses: [{ field: 'Attack', op: '=', value: 'Theft' }] }, offset: 1, limit: 3 });
    expect(byBytes.rows.map((r) => r[0])).toEqual([2994, 2989, 2984]);
  });

  it('applies the brush range as a half-open flow range', async () => {
    const p = await page({ filter: { clauses: [], flowRange: { from: 100, to: 110 } }, limit: 50 });
    expect(p.total).toBe(10);
    expect(p.rows.map((r) => r[0])).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
  });

  it('an injection attempt in a value matches nothing and changes nothing', async () => {
    const p = await page({ filter: { clauses: [{ field: 'Attack', op: '=', value: "DoS' OR '1'='1" }] } });
    expect(p.total).toBe(0);
    expect((await wb.project.listCaptures()).length).toBe(1);
  });
});

describe('aggregates, count by and the histogram', () => {
  it('counts classes, protocols, talkers, pairs and ports under a filter', async () => {
    const a = await wb.handlers.aggregates({ captureId: capture.id, filter: { clauses: [{ field: 'Attack', op: '!=', value: 'Benign' }] } });
    expect(a.total).toBe(N - N / 5);
    expect(a.classCounts.map((c) => c.count)).toEqual([600, 600, 600, 600]);
    expect(a.classCounts.map((c) => c.value)).not.toContain('Benign');
    expect(a.topSources[0]!.count).toBe(600);
    expect(a.topDstPorts.find((p) => p.value === 80)?.count).toBe(1200);
    expect(a.topPairs[0]).toMatchObject({ dst: '192.168.100.3' });
  });

  it('counts by any column', async () => {
    const rows = await wb.handlers.countBy({ captureId: capture.id, filter: { clauses: [{ field: 'port', op: '=', value: 80 }] }, column: 'PROTOCOL' });
    expect(rows).toEqual([{ value: 6, count: 600 }, { value: 17, count: 600 }]);
  });

  it('bins flows by class over capture order; every flow lands in one bin', async () => {
    const h = await wb.handlers.histogram({ captureId: capture.id, filter: { clauses: [] }, bins: 7 });
    expect(h.counts).toHaveLength(7);
    expect(h.series.sort()).toEqual([...CLASSES].sort());
    expect(h.counts.flat().reduce((a, b) => a + b, 0)).toBe(N);
    expect(h.binWidth).toBeCloseTo(N / 7);
    const dos = h.series.indexOf('DoS');
    expect(h.counts.reduce((a, bin) => a + bin[dos]!, 0)).toBe(N / 5);
  });

  it('ignores the brush range (the histogram always shows the whole capture)', async () => {
    const h = await wb.handlers.histogram({ captureId: capture.id, filter: { clauses: [], flowRange: { from: 0, to: 10 } }, bins: 3 });
    expect(h.counts.flat().reduce((a, b) => a + b, 0)).toBe(N);
    expect(h.axis).toBe('flow');
  });

  it('has no time axis for a capture without flow start times', async () => {
    await expect(wb.handlers.histogram({ captureId: capture.id, filter: { clauses: [] }, bins: 3, axis: 'time' })).rejects.toThrow(/has no flow start times \(only v3 captures do\)/);
  });

  it('bins a v3 capture over time: equal spans of flow start, each with the flow ids it holds', async () => {
    // 7 flows, written out of order: 3 at 0-2 s, a gap of 10 s with none, 4 from 12 s (the last at 15 s)
    const starts = [12_000, 0, 1000, 13_000, 2000, 14_000, 15_000];
    const attack = (t: number) => (t < 10_000 ? 'Benign' : 'DoS');
    const header = v3Header();
    const line = (t: number) =>
      header.map((h) => (h.startsWith('IPV4') ? '10.0.0.1' : h === 'FLOW_START_MILLISECONDS' ? T0 + t : h === 'FLOW_END_MILLISECONDS' ? T0 + t + 5 : h === 'Attack' ? attack(t) : h === 'Label' ? Number(t >= 10_000) : 1)).join(',');
    const T0 = Date.UTC(2021, 5, 12, 1, 0, 0);
    const path = join(dirname(wb.project.path), 'timed.csv');
    writeFileSync(path, [header.join(','), ...starts.map(line)].join('\n'));
    const v3 = (await importCapture(wb.project, path)).capture;
    const h = await wb.handlers.histogram({ captureId: v3.id, filter: { clauses: [] }, bins: 4, axis: 'time' });
    expect(h.axis).toBe('time');
    // 15,001 ms in 4 spans of 3,750.25 ms
    expect(h.time!.from).toBe(T0);
    expect(h.time!.binMs).toBeCloseTo(15_001 / 4);
    expect(h.time!.to).toBeCloseTo(T0 + 15_001);
    const benign = h.series.indexOf('Benign');
    const dos = h.series.indexOf('DoS');
    expect(h.counts.map((bin) => [bin[benign], bin[dos]])).toEqual([[3, 0], [0, 0], [0, 0], [0, 4]]);
    // flows are stored by start time: ids 0-2, nothing, nothing, ids 3-6 (an empty span sits where the next one starts)
    expect(h.time!.flows).toEqual([[0, 3], [3, 3], [3, 3], [3, 7]]);
    // the other clauses still apply; the axis stays the whole capture's
    const dosOnly = await wb.handlers.histogram({ captureId: v3.id, filter: { clauses: [{ field: 'Attack', op: '=', value: 'DoS' }] }, bins: 4, axis: 'time' });
    expect(dosOnly.counts.flat().reduce((a, b) => a + b, 0)).toBe(4);
    expect(dosOnly.time).toEqual(h.time);
  });
});
