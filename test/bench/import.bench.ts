/**
 * npm run bench:import — import speed against bare DuckDB, and interactive query latency.
 *
 * Generates a 5M-flow built-in sample CSV (or BENCH_ROWS), imports it with importCapture and
 * with bare DuckDB `CREATE TABLE AS SELECT * FROM read_csv(...)` in the same run (two rounds,
 * alternating, best of each), then times a filtered page and the class aggregate on the
 * imported flows, and the export of matching flows against a bare DuckDB COPY. Prints figures
 * and ratios; asserts nothing.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { importCapture, noJobContext } from '../../main/core/capture/import.ts';
import { exportFlows } from '../../main/core/query/exportFlows.ts';
import { findHost } from '../../main/core/query/hosts.ts';
import { generateSample } from '../../main/core/sample/generator.ts';
import { Workbench } from '../../main/core/workbench.ts';
import type { FlowFilter } from '../../preload/contract.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 5_000_000);
const dir = process.env.BENCH_DIR ?? tmpdir();
const csv = join(dir, `mindflow-bench-${ROWS}.csv`);

function removeDb(path: string): void {
  rmSync(path, { force: true });
  rmSync(`${path}.wal`, { force: true });
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function bareDuckDb(): Promise<number> {
  const db = join(dir, 'mindflow-bench-bare.duckdb');
  removeDb(db);
  const inst = await DuckDBInstance.create(db);
  const c = await inst.connect();
  const t0 = performance.now();
  await c.run(`CREATE TABLE flows AS SELECT * FROM read_csv('${csv}')`);
  const s = (performance.now() - t0) / 1000;
  c.closeSync();
  inst.closeSync();
  removeDb(db);
  return s;
}

async function ours(keep: boolean): Promise<{ seconds: number; project: string }> {
  const db = join(dir, 'mindflow-bench-ours.duckdb');
  removeDb(db);
  const wb = await Workbench.open(db, { host: 'web' });
  const t0 = performance.now();
  await importCapture(wb.project, csv);
  const seconds = (performance.now() - t0) / 1000;
  wb.close();
  if (!keep) removeDb(db);
  return { seconds, project: db };
}

async function main(): Promise<void> {
  console.log(`bench:import — ${fmt(ROWS)} flows, ${process.platform}, node ${process.versions.node}, ${(await import('node:os')).cpus().length} cores`);
  if (!existsSync(csv) || process.env.BENCH_REGENERATE) {
    const t0 = performance.now();
    await generateSample({ rows: ROWS, seed: 7, out: csv });
    console.log(`generated ${csv} (${(statSync(csv).size / 1e6).toFixed(0)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const size = statSync(csv).size;

  const bare: number[] = [];
  const mine: number[] = [];
  let project = '';
  for (let round = 0; round < 2; round++) {
    bare.push(await bareDuckDb());
    const r = await ours(round === 1);
    mine.push(r.seconds);
    project = r.project;
  }
  const b = Math.min(...bare);
  const m = Math.min(...mine);
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log('\nimport (best of 2)');
  console.log(`  bare DuckDB CTAS read_csv : ${b.toFixed(2)} s  ${fmt(ROWS / b)} rows/s  ${(size / 1e6 / b).toFixed(0)} MB/s`);
  console.log(`  mindflow importCapture    : ${m.toFixed(2)} s  ${fmt(ROWS / m)} rows/s  (hash, gzip check, typed columns, class counts, transaction)`);
  console.log(`  ratio mindflow / bare     : ${(m / b).toFixed(2)}  (goal <= 1.25)`);
  console.log(`  peak RSS of this process  : ${rss.toFixed(0)} MB`);

  const wb = await Workbench.open(project, { host: 'web' });
  const [capture] = await wb.project.listCaptures();
  if (!capture) throw new Error('no capture imported');
  const h = wb.handlers;
  const filters: FlowFilter[] = [
    { clauses: [{ field: 'Attack', op: '=', value: 'DDoS' }] },
    { clauses: [{ field: 'host', op: '=', value: '192.168.100.3' }, { field: 'L4_DST_PORT', op: '=', value: 80 }] },
    { clauses: [{ field: 'Attack', op: '!=', value: 'Reconnaissance' }], flowRange: { from: 1_000_000, to: 3_000_000 } },
    { clauses: [{ field: 'IN_BYTES', op: '>', value: 1000 }] },
  ];
  const page: number[] = [];
  const agg: number[] = [];
  const hist: number[] = [];
  for (let i = 0; i < 40; i++) {
    const filter = filters[i % filters.length]!;
    let t0 = performance.now();
    await h.queryFlows({ captureId: capture.id, filter, offset: (i * 997) % 5000, limit: 100 });
    page.push(performance.now() - t0);
    t0 = performance.now();
    await h.countBy({ captureId: capture.id, filter, column: 'Attack' });
    agg.push(performance.now() - t0);
    t0 = performance.now();
    await h.histogram({ captureId: capture.id, filter: { clauses: filter.clauses }, bins: 200 });
    hist.push(performance.now() - t0);
  }
  const scroll: number[] = [];
  for (let i = 0; i < 40; i++) {
    const t0 = performance.now();
    await h.queryFlows({ captureId: capture.id, filter: { clauses: [] }, offset: Math.floor((i / 40) * (ROWS - 100)), limit: 100 });
    scroll.push(performance.now() - t0);
  }
  const line = (name: string, xs: number[]) => console.log(`  ${name.padEnd(34)} p50 ${quantile(xs, 0.5).toFixed(1)} ms  p95 ${quantile(xs, 0.95).toFixed(1)} ms`);
  console.log(`\nquery latency on ${fmt(capture.rows)} flows (40 runs each; goal p95 < 150 ms)`);
  line('filtered page (100 rows + count)', page);
  line('class aggregate (count by Attack)', agg);
  line('class histogram (200 bins)', hist);
  line('unfiltered page at any offset', scroll);

  // a host across the project's captures (one capture here): the busiest address and a rare one
  const lookups: Record<string, number[]> = { '192.168.100.3': [], '192.168.100.55': [] };
  for (let i = 0; i < 10; i++) {
    for (const host of Object.keys(lookups)) {
      const t0 = performance.now();
      await findHost(wb.project, host);
      lookups[host]!.push(performance.now() - t0);
    }
  }
  line('host lookup, busiest host (10 runs)', lookups['192.168.100.3']!);
  line('host lookup, a rare host (10 runs)', lookups['192.168.100.55']!);

  // exporting flows: mindflow's export job against a bare DuckDB COPY of the same table, in turn
  const out = (name: string) => join(dir, `mindflow-bench-export-${name}`);
  const bareCopy = async (): Promise<number> => {
    const t0 = performance.now();
    await wb.project.withConnection((c) => c.run(`COPY (SELECT * FROM flows_${capture.id}) TO '${out('bare.csv')}' (FORMAT csv, HEADER true)`));
    return (performance.now() - t0) / 1000;
  };
  const ourExport = async (format: 'csv' | 'parquet', filter: FlowFilter, sort?: { column: string; dir: 'asc' | 'desc' }): Promise<{ seconds: number; rows: number; bytes: number }> => {
    const t0 = performance.now();
    const r = await exportFlows(wb.project, { captureId: capture.id, filter, sort, format, path: out(`ours.${format}`) }, noJobContext);
    return { seconds: (performance.now() - t0) / 1000, rows: r.rows, bytes: r.bytes };
  };
  const copies: number[] = [];
  const every: number[] = [];
  for (let round = 0; round < 2; round++) {
    copies.push(await bareCopy());
    every.push((await ourExport('csv', { clauses: [] })).seconds);
  }
  const [bb, eb] = [Math.min(...copies), Math.min(...every)];
  const pq = await ourExport('parquet', { clauses: [] });
  const picked = await ourExport('csv', { clauses: [{ field: 'Attack', op: '!=', value: 'Reconnaissance' }] }, { column: 'IN_BYTES', dir: 'desc' });
  console.log(`\nexport of ${fmt(capture.rows)} flows (best of 2)`);
  console.log(`  bare DuckDB COPY to CSV         : ${bb.toFixed(2)} s  ${fmt(capture.rows / bb)} rows/s`);
  console.log(`  mindflow export, CSV            : ${eb.toFixed(2)} s  ${fmt(capture.rows / eb)} rows/s  (flow_id, capture order, temp file + rename)`);
  console.log(`  ratio mindflow / bare           : ${(eb / bb).toFixed(2)}`);
  console.log(`  mindflow export, Parquet (zstd) : ${pq.seconds.toFixed(2)} s  ${fmt(capture.rows / pq.seconds)} rows/s  ${(pq.bytes / 1e6).toFixed(0)} MB`);
  console.log(`  filtered + sorted, CSV          : ${picked.seconds.toFixed(2)} s  ${fmt(picked.rows)} flows (Attack != Reconnaissance, IN_BYTES desc)`);
  for (const f of ['bare.csv', 'ours.csv', 'ours.parquet']) rmSync(out(f), { force: true });
  wb.close();
  removeDb(project);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
