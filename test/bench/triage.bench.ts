/**
 * npm run bench:triage — verdict changes at the scale of a large scan.
 *
 * A project with two scans of one capture, each with BENCH_WINDOWS flagged windows (200,000 by
 * default; a tenth of the second scan's differ from the first's), half of the first scan's
 * windows judged. Times a bulk verdict of 1,000 / 10,000 / 100,000 windows, the carry offer
 * (carrySources), carrying the first scan's verdicts to the second, undoing that, and the
 * drill-down's other-scan verdicts, then an incident of 10,000 windows created, moved to the second
 * scan and the first scan deleted; the baseline, in the same run and project, is bare DuckDB
 * writing the same number of verdict rows with one INSERT … SELECT. Last, ten such incidents
 * with 20 + 20 hosts a window: their related incidents and a host's incidents, against listing
 * the incidents. Prints figures and ratios; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Project } from '../../main/core/project.ts';
import { carrySources, carryVerdicts, otherVerdicts } from '../../main/core/triage/carry.ts';
import { setVerdict, undoVerdict } from '../../main/core/triage/triage.ts';
import { createIncident, listIncidents } from '../../main/core/incidents/incidents.ts';
import { incidentsWithHost, relatedIncidents } from '../../main/core/incidents/related.ts';
import { incidentMoveTargets, moveIncident } from '../../main/core/incidents/move.ts';
import { deleteScan } from '../../main/core/detector/scans.ts';
import { MAX_INCIDENT_WINDOWS } from '../../preload/contract.ts';

const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 200_000);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

async function main(): Promise<void> {
  console.log(`bench:triage — 2 scans of ${fmt(WINDOWS)} flagged windows, ${process.platform}, node ${process.versions.node}`);
  const dir = mkdtempSync(join(tmpdir(), 'mindflow-bench-triage-'));
  const project = await Project.open(join(dir, 'p.duckdb'));
  try {
    await project.withConnection(async (c) => {
      for (const s of [1, 2]) {
        await c.run(`INSERT INTO scans VALUES (${s}, 1, 'm', 'model', '["Benign","DoS"]', 0.5, false, now()::TIMESTAMP, ${WINDOWS * 5}, 1, 1, 'wasm', '{}', ${WINDOWS}, NULL)`);
        // windows of 3 flows every 5 flows; every tenth of scan #2's has a fourth flow
        const longer = s === 2 ? `(CASE WHEN i % 10 = 0 THEN 1 ELSE 0 END)` : '0';
        await c.run(`INSERT INTO flagged_windows (scan_id, id, class, first_flow, last_flow, flows, peak, mean, src_hosts, dst_hosts, dst_ports, key)
          SELECT ${s}, i + 1, 'DoS', i * 5, i * 5 + 2 + ${longer}, 3 + ${longer}, 0.9, 0.8, ['192.168.100.147'], ['192.168.100.3'], [80], NULL FROM range(${WINDOWS}) t(i)`);
      }
      await c.run(`INSERT INTO verdicts SELECT 1, id, CASE WHEN id % 3 = 0 THEN 'fp' ELSE 'tp' END, 'first pass', 'ana', now()::TIMESTAMP
                   FROM flagged_windows WHERE scan_id = 1 AND id % 2 = 0`);
    });
    const n = Math.min(100_000, WINDOWS);
    // the floor: bare DuckDB writing n verdict rows in one statement (into a scratch copy of the table)
    const bare = await timed(() => project.withConnection(async (c) => {
      await c.run(`CREATE TEMP TABLE bare_verdicts AS SELECT * FROM verdicts LIMIT 0`);
      await c.run(`INSERT INTO bare_verdicts SELECT 2, id, 'fp', 'x', 'ana', now()::TIMESTAMP FROM flagged_windows WHERE scan_id = 2 AND id <= ${n}`);
      await c.run(`DROP TABLE bare_verdicts`);
    }));
    console.log(`\nbaseline: bare DuckDB INSERT … SELECT of ${fmt(n)} verdict rows: ${bare.ms.toFixed(0)} ms`);

    console.log('\nbulk verdict (audit row per window, one transaction)');
    for (const k of [1_000, 10_000, n]) {
      const ids = Array.from({ length: k }, (_, i) => i + 1);
      const r = await timed(() => setVerdict(project, 2, ids, 'review'));
      console.log(`  ${fmt(k).padStart(7)} windows: ${r.ms.toFixed(0).padStart(5)} ms${k === n ? `  (ratio to the baseline ${(r.ms / bare.ms).toFixed(1)})` : ''}`);
    }
    const undoBulk = await timed(() => undoVerdict(project));
    console.log(`  undo of the ${fmt(undoBulk.value.undone)}: ${undoBulk.ms.toFixed(0)} ms`);
    for (let i = 0; i < 2; i++) await undoVerdict(project);

    console.log('\ncarrying scan #1\'s verdicts to scan #2');
    const offer = await timed(() => carrySources(project, 2));
    console.log(`  the offer (carrySources): ${offer.ms.toFixed(0)} ms, ${fmt(offer.value[0]?.matches ?? 0)} windows to carry`);
    const carry = await timed(() => carryVerdicts(project, 1, 2));
    console.log(`  carryVerdicts           : ${carry.ms.toFixed(0)} ms, ${fmt(carry.value.carried)} windows  (ratio to the baseline for ${fmt(n)} rows ${(carry.ms / bare.ms).toFixed(1)})`);
    const undo = await timed(() => undoVerdict(project));
    console.log(`  undo                    : ${undo.ms.toFixed(0)} ms, ${fmt(undo.value.undone)} windows`);
    const others = await timed(() => project.withConnection((c) => otherVerdicts(c, 2, Math.floor(WINDOWS / 2))));
    console.log(`  a drill-down's verdicts in other scans: ${others.ms.toFixed(1)} ms (${others.value.length} found)`);

    // an incident as large as the incident calls take, of windows scan #2 has with the same flows
    const size = Math.min(MAX_INCIDENT_WINDOWS, Math.floor(WINDOWS * 0.9));
    const ids: number[] = [];
    for (let id = 2; ids.length < size; id++) if ((id - 1) % 10 !== 0) ids.push(id);
    console.log(`\nan incident of ${fmt(size)} windows of scan #1, moved to scan #2, then scan #1 deleted`);
    const created = await timed(() => createIncident(project, { scanId: 1, windowIds: ids, title: 'bench' }));
    console.log(`  createIncident          : ${created.ms.toFixed(0)} ms`);
    const targets = await timed(() => incidentMoveTargets(project, created.value.id));
    console.log(`  incidentMoveTargets     : ${targets.ms.toFixed(0)} ms (${fmt(targets.value[0]?.matched ?? 0)} of ${fmt(size)} matched)`);
    const moved = await timed(() => moveIncident(project, created.value.id, 2));
    console.log(`  moveIncident            : ${moved.ms.toFixed(0)} ms (${fmt(moved.value.carried)} verdicts carried)`);
    const deleted = await timed(() => deleteScan(project, 1));
    console.log(`  deleteScan (${fmt(deleted.value.windows)} windows, ${fmt(deleted.value.verdicts)} verdicts): ${deleted.ms.toFixed(0)} ms  (ratio to the baseline ${(deleted.ms / bare.ms).toFixed(1)})`);

    // incidents found through their hosts: scan #2's windows given 20 sources and 20
    // destinations each, overlapping from window to window, and 9 more incidents beside the moved one
    await project.withConnection((c) =>
      c.run(`UPDATE flagged_windows SET
               src_hosts = list_transform(range(20), k -> '10.' || ((id + k) % 250)::VARCHAR || '.' || (k % 7)::VARCHAR || '.1'),
               dst_hosts = list_transform(range(20), k -> '192.168.' || ((id * 3 + k) % 250)::VARCHAR || '.' || (k % 5)::VARCHAR)
             WHERE scan_id = 2`),
    );
    const more = Math.min(9, Math.floor(WINDOWS / size) - 1);
    for (let k = 0; k < more; k++) {
      const from = (k + 1) * size + 1;
      await createIncident(project, { scanId: 2, windowIds: Array.from({ length: size }, (_, j) => from + j), title: `bench ${k}` });
    }
    console.log(`\n${more + 1} incidents of ${fmt(size)} windows, 20 + 20 hosts a window`);
    const listed = await timed(() => listIncidents(project));
    console.log(`  listIncidents (the baseline here): ${listed.ms.toFixed(0)} ms`);
    const related = await timed(() => relatedIncidents(project, created.value.id));
    console.log(`  relatedIncidents        : ${related.ms.toFixed(0)} ms (${related.value.length} related, ${fmt(related.value[0]?.sharedCount ?? 0)} hosts shared with the first)  (ratio ${(related.ms / listed.ms).toFixed(1)})`);
    const withHost = await timed(() => project.withConnection((c) => incidentsWithHost(c, '10.3.2.1')));
    console.log(`  incidentsWithHost       : ${withHost.ms.toFixed(0)} ms (${withHost.value.length} incidents)  (ratio ${(withHost.ms / listed.ms).toFixed(1)})`);
  } finally {
    project.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
