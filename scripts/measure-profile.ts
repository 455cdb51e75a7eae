/**
 * Measures the real NF-BoT-IoT-v2 sample with DuckDB and writes resources/sample-profile.json,
 * the profile the built-in sample generator (main/core/sample/generator.ts) draws from.
 *
 *   node --import tsx scripts/measure-profile.ts [--in ../shared/data/nf-bot-iot-v2-sample-a.csv.gz] [--out resources/sample-profile.json]
 *
 * Only aggregates leave the sample: a feature tuple becomes a prototype only when at least
 * MIN_SUPPORT real flows share it, durations are summarised as quantiles, the remaining flows
 * as a log-normal tail, hosts and ports as weighted categories. No row is copied.
 */
import { writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { V1_FIELDS } from '../main/core/capture/schema.ts';
import {
  DURATION_WRAP_MS,
  PROTOTYPE_FIELDS,
  SAMPLE_CLASSES,
  parseProfile,
  type ClassProfile,
  type SampleClass,
  type SampleProfile,
  type TailNumeric,
} from '../main/core/sample/profile.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_IN = resolve(ROOT, '../shared/data/nf-bot-iot-v2-sample-a.csv.gz');
const DEFAULT_OUT = join(ROOT, 'resources', 'sample-profile.json');

/** k-anonymity floor: a feature tuple needs this many real flows to become a prototype */
const MIN_SUPPORT = 5;
const MAX_PROTOTYPES = 64;
const MAX_HOST_PAIRS = 32;
const MAX_PORT_PAIRS = 40;
const MAX_SHAPES = 12;
const DURATION_QUANTILES = [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99];

/** NF-BoT-IoT v1 class mix (dataset.md): what the generated capture follows. */
const V1_MIX: Record<SampleClass, number> = {
  Benign: 13_859,
  Reconnaissance: 470_655,
  DDoS: 56_844,
  DoS: 56_833,
  Theft: 1_909,
};

const FEATURES = ['PROTOCOL', 'L7_PROTO', 'IN_BYTES', 'OUT_BYTES', 'IN_PKTS', 'OUT_PKTS', 'TCP_FLAGS'] as const;
const FEATURE_LIST = FEATURES.join(', ');

function round(x: number, digits = 6): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function toNum(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'bigint') return Number(x);
  if (typeof x === 'string') return Number(x);
  if (x === null || x === undefined) return Number.NaN;
  return Number(x);
}

async function rows(con: DuckDBConnection, sql: string, params: DuckDBValue[] = []): Promise<Record<string, unknown>[]> {
  const reader = await con.runAndReadAll(sql, params);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

function quantileList(x: unknown): number[] | null {
  if (!Array.isArray(x) || x.length === 0 || x.some((q) => q === null)) return null;
  return x.map((q) => Math.round(toNum(q)));
}

/** Normalises [key..., count] rows into [key..., weight] with weights summing to 1. */
function weighted<T extends unknown[]>(items: [...T, number][]): { list: [...T, number][]; mass: number; total: number } {
  const total = items.reduce((s, it) => s + (it[it.length - 1] as number), 0);
  return { list: items.map((it) => [...it.slice(0, -1), round((it[it.length - 1] as number) / total)] as [...T, number]), mass: 1, total };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { in: { type: 'string' }, out: { type: 'string' } } });
  const input = resolve(values.in ?? DEFAULT_IN);
  const output = resolve(values.out ?? DEFAULT_OUT);
  if (!existsSync(input)) {
    process.stderr.write(`real sample not found at ${input} (pass --in FILE)\n`);
    process.exit(1);
  }
  const t0 = performance.now();
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  // one thread while loading so row_number() follows the file's row order (the runs need it)
  await con.run('SET threads = 1');
  const cols = [...V1_FIELDS, 'Attack'].join(', ');
  await con.run(`CREATE TABLE f AS SELECT row_number() OVER () AS rn, ${cols} FROM read_csv($1, header = true)`, [input]);
  await con.run('SET threads = 4');
  const [{ n: totalRows } = { n: 0 }] = await rows(con, 'SELECT count(*)::INTEGER AS n FROM f');
  const qList = `[${DURATION_QUANTILES.join(', ')}]`;

  // Prototypes: the most frequent feature tuples with at least MIN_SUPPORT flows.
  await con.run(
    `CREATE TABLE proto AS
     SELECT Attack, ${FEATURE_LIST}, count(*) AS n,
            avg((FLOW_DURATION_MILLISECONDS = 0)::DOUBLE) AS zero,
            count(*) FILTER (WHERE FLOW_DURATION_MILLISECONDS <> 0) AS nz,
            quantile_cont(FLOW_DURATION_MILLISECONDS, ${qList}) FILTER (WHERE FLOW_DURATION_MILLISECONDS <> 0) AS q
     FROM f GROUP BY Attack, ${FEATURE_LIST}
     HAVING count(*) >= $1
     QUALIFY row_number() OVER (PARTITION BY Attack ORDER BY count(*) DESC, ${FEATURE_LIST}) <= $2`,
    [MIN_SUPPORT, MAX_PROTOTYPES],
  );
  await con.run(`CREATE TABLE tail AS SELECT * FROM f ANTI JOIN proto USING (Attack, ${FEATURE_LIST})`);

  // Ports that behave like services: seen at least `threshold` times in the class, mostly as a
  // destination or as the source port of several hosts. One host's reused source port is a
  // scanner's (nmap keeps one per scan), modelled as that host's source pool instead.
  const classes = {} as Record<SampleClass, ClassProfile>;
  for (const cls of SAMPLE_CLASSES) {
    const [{ n: classRows } = { n: 0 }] = await rows(con, 'SELECT count(*)::INTEGER AS n FROM f WHERE Attack = $1', [cls]);
    const nRows = toNum(classRows);
    if (nRows === 0) throw new Error(`class ${cls} has no flows in ${input}`);
    const threshold = nRows < 1000 ? 2 : Math.max(10, Math.round(nRows * 0.001));

    const protoRows = await rows(
      con,
      `SELECT ${FEATURE_LIST}, n, zero, nz, q FROM proto WHERE Attack = $1 ORDER BY n DESC, ${FEATURE_LIST}`,
      [cls],
    );
    const prototypes: ClassProfile['prototypes'] = protoRows.map((r) => [
      toNum(r.PROTOCOL),
      toNum(r.L7_PROTO),
      toNum(r.IN_BYTES),
      toNum(r.OUT_BYTES),
      toNum(r.IN_PKTS),
      toNum(r.OUT_PKTS),
      toNum(r.TCP_FLAGS),
      round(toNum(r.n) / nRows),
      round(toNum(r.zero), 4),
      toNum(r.nz) >= MIN_SUPPORT ? quantileList(r.q) : null,
    ]);
    const prototypeMass = protoRows.reduce((s, r) => s + toNum(r.n), 0) / nRows;

    const [classDur] = await rows(
      con,
      `SELECT quantile_cont(FLOW_DURATION_MILLISECONDS, ${qList}) FILTER (WHERE FLOW_DURATION_MILLISECONDS <> 0) AS q FROM f WHERE Attack = $1`,
      [cls],
    );

    // Tail: shapes and a log-normal fit per protocol of the flows no prototype covers.
    const shapeRows = await rows(
      con,
      `SELECT PROTOCOL, L7_PROTO, TCP_FLAGS, count(*) AS n FROM tail WHERE Attack = $1
       GROUP BY ALL ORDER BY n DESC, PROTOCOL, L7_PROTO, TCP_FLAGS LIMIT $2`,
      [cls, MAX_SHAPES],
    );
    const shapeTotal = shapeRows.reduce((s, r) => s + toNum(r.n), 0);
    const shapes: ClassProfile['tail']['shapes'] = shapeRows.map((r) => [
      toNum(r.PROTOCOL),
      toNum(r.L7_PROTO),
      toNum(r.TCP_FLAGS),
      round(toNum(r.n) / shapeTotal),
    ]);
    const numericRows = await rows(
      con,
      `SELECT PROTOCOL, count(*)::INTEGER AS n,
         avg(ln(greatest(IN_PKTS, 1))) AS ip_mu, coalesce(stddev_pop(ln(greatest(IN_PKTS, 1))), 0) AS ip_sd,
         avg(ln(greatest(IN_BYTES, 1) / greatest(IN_PKTS, 1))) AS ib_mu, coalesce(stddev_pop(ln(greatest(IN_BYTES, 1) / greatest(IN_PKTS, 1))), 0) AS ib_sd,
         avg((OUT_PKTS = 0)::DOUBLE) AS out_zero,
         avg(ln(nullif(OUT_PKTS, 0))) AS op_mu, stddev_pop(ln(nullif(OUT_PKTS, 0))) AS op_sd,
         avg(ln(greatest(OUT_BYTES, 1) / nullif(OUT_PKTS, 0))) AS ob_mu,
         stddev_pop(ln(greatest(OUT_BYTES, 1) / nullif(OUT_PKTS, 0))) AS ob_sd,
         corr(ln(greatest(IN_PKTS, 1)), ln(nullif(OUT_PKTS, 0))) AS rho,
         avg((FLOW_DURATION_MILLISECONDS = 0)::DOUBLE) AS zero,
         count(*) FILTER (WHERE FLOW_DURATION_MILLISECONDS <> 0) AS nz,
         quantile_cont(FLOW_DURATION_MILLISECONDS, ${qList}) FILTER (WHERE FLOW_DURATION_MILLISECONDS <> 0) AS q
       FROM tail WHERE Attack = $1 GROUP BY PROTOCOL ORDER BY PROTOCOL`,
      [cls],
    );
    const fin = (x: unknown, fallback = 0): number => {
      const n = toNum(x);
      return Number.isFinite(n) ? round(n, 4) : fallback;
    };
    const numeric: Record<string, TailNumeric> = {};
    for (const r of numericRows) {
      numeric[String(toNum(r.PROTOCOL))] = {
        rows: toNum(r.n),
        inPkts: { mu: fin(r.ip_mu), sigma: fin(r.ip_sd) },
        inBytesPerPkt: { mu: fin(r.ib_mu, round(Math.log(60), 4)), sigma: fin(r.ib_sd) },
        outZeroShare: fin(r.out_zero, 1),
        outPkts: { mu: fin(r.op_mu), sigma: fin(r.op_sd) },
        outBytesPerPkt: { mu: fin(r.ob_mu, round(Math.log(40), 4)), sigma: fin(r.ob_sd) },
        pktsCorrelation: Math.max(-1, Math.min(1, fin(r.rho))),
        zeroDurationShare: fin(r.zero),
        durationQuantiles: toNum(r.nz) >= MIN_SUPPORT ? quantileList(r.q) : null,
      };
    }
    const tailRows = nRows - protoRows.reduce((s, r) => s + toNum(r.n), 0);

    // Hosts: (source, destination) pairs with the marginals beside them.
    const pairRows = await rows(
      con,
      `SELECT IPV4_SRC_ADDR AS s, IPV4_DST_ADDR AS d, count(*) AS n FROM f WHERE Attack = $1
       GROUP BY ALL HAVING count(*) >= $2 ORDER BY n DESC, s, d LIMIT $3`,
      [cls, Math.min(threshold, MIN_SUPPORT), MAX_HOST_PAIRS],
    );
    const pairCount = pairRows.reduce((s, r) => s + toNum(r.n), 0);
    const marginal = async (col: 'IPV4_SRC_ADDR' | 'IPV4_DST_ADDR') =>
      (
        await rows(con, `SELECT ${col} AS h, count(*) AS n FROM f WHERE Attack = $1 GROUP BY ALL ORDER BY n DESC, h LIMIT 16`, [cls])
      ).map((r) => [String(r.h), round(toNum(r.n) / nRows)] as [string, number]);

    // Ports.
    const serviceRows = await rows(
      con,
      `WITH uses AS (
         SELECT L4_SRC_PORT AS port, IPV4_SRC_ADDR AS host, 'src' AS role FROM f WHERE Attack = $1
         UNION ALL SELECT L4_DST_PORT, IPV4_DST_ADDR, 'dst' FROM f WHERE Attack = $1),
       per_host AS (SELECT port, role, host, count(*) AS n FROM uses GROUP BY ALL),
       per_port AS (
         SELECT port, sum(n) AS n,
                coalesce(sum(n) FILTER (WHERE role = 'dst'), 0) AS dst_n,
                coalesce(sum(n) FILTER (WHERE role = 'src'), 0) AS src_n,
                coalesce(max(n) FILTER (WHERE role = 'src'), 0) AS src_top
         FROM per_host GROUP BY port)
       SELECT port FROM per_port
       WHERE n >= $2 AND (dst_n >= src_n OR src_top < 0.8 * src_n)
       ORDER BY port`,
      [cls, threshold],
    );
    const servicePorts = serviceRows.map((r) => toNum(r.port));
    const svcList = servicePorts.length > 0 ? servicePorts.join(', ') : '-1';
    const key = (col: string) => `CASE WHEN ${col} IN (${svcList}) THEN ${col} ELSE -1 END`;
    const portPairRows = await rows(
      con,
      `SELECT PROTOCOL, ${key('L4_SRC_PORT')} AS sk, ${key('L4_DST_PORT')} AS dk, count(*) AS n
       FROM f WHERE Attack = $1 GROUP BY ALL ORDER BY PROTOCOL, n DESC, sk, dk`,
      [cls],
    );
    const pairsByProtocol: Record<string, [number, number, number][]> = {};
    const byProto = new Map<number, [number, number, number][]>();
    for (const r of portPairRows) {
      const p = toNum(r.PROTOCOL);
      const list = byProto.get(p) ?? [];
      if (list.length < MAX_PORT_PAIRS) list.push([toNum(r.sk), toNum(r.dk), toNum(r.n)]);
      byProto.set(p, list);
    }
    for (const [p, list] of byProto) pairsByProtocol[String(p)] = weighted<[number, number]>(list).list;
    const ephRange = async (col: 'L4_SRC_PORT' | 'L4_DST_PORT'): Promise<[number, number]> => {
      const [r] = await rows(
        con,
        `SELECT quantile_disc(${col}, 0.01) AS lo, quantile_disc(${col}, 0.99) AS hi, count(*) AS n
         FROM f WHERE Attack = $1 AND ${col} NOT IN (${svcList})`,
        [cls],
      );
      if (!r || toNum(r.n) < MIN_SUPPORT) return [1024, 65535];
      return [toNum(r.lo), toNum(r.hi)];
    };
    const [pool] = await rows(
      con,
      `WITH eph AS (SELECT IPV4_SRC_ADDR AS h, L4_SRC_PORT AS p FROM f WHERE Attack = $1 AND L4_SRC_PORT NOT IN (${svcList})),
            g AS (SELECT h, p, count(*) AS n FROM eph GROUP BY ALL)
       SELECT coalesce(sum(n) FILTER (WHERE n >= 10), 0) / greatest(sum(n), 1) AS reuse,
              coalesce(count(*) FILTER (WHERE n >= 10), 0) AS pool_ports,
              count(DISTINCT h) FILTER (WHERE n >= 10) AS pool_hosts
       FROM g`,
      [cls],
    );
    const poolHosts = toNum(pool?.pool_hosts ?? 0);
    const topDst = await rows(
      con,
      `SELECT L4_DST_PORT AS p, count(*) AS n FROM f WHERE Attack = $1 GROUP BY ALL HAVING count(*) >= $2 ORDER BY n DESC, p LIMIT 16`,
      [cls, threshold],
    );
    const [distinct] = await rows(
      con,
      'SELECT count(DISTINCT L4_DST_PORT) AS d, count(DISTINCT L4_SRC_PORT) AS s FROM f WHERE Attack = $1',
      [cls],
    );

    // Runs: in each source host's flows (file order), maximal stretches of one class.
    const runRows = await rows(
      con,
      `WITH g AS (SELECT rn, IPV4_SRC_ADDR AS h, Attack,
                    CASE WHEN Attack = lag(Attack) OVER (PARTITION BY IPV4_SRC_ADDR ORDER BY rn) THEN 0 ELSE 1 END AS brk FROM f),
            r AS (SELECT h, Attack, sum(brk) OVER (PARTITION BY h ORDER BY rn) AS rid FROM g),
            runs AS (SELECT h, rid, count(*) AS len FROM r WHERE Attack = $1 GROUP BY h, rid)
       SELECT len, count(*) AS n FROM runs GROUP BY len ORDER BY len`,
      [cls],
    );
    const runTotal = runRows.reduce((s, r) => s + toNum(r.n), 0);
    const runMean = runRows.reduce((s, r) => s + toNum(r.len) * toNum(r.n), 0) / runTotal;
    // what independent draws would give: per host, 1 / (1 - share of this class in the host's flows)
    const [shuffle] = await rows(
      con,
      `WITH h AS (SELECT IPV4_SRC_ADDR AS h, avg((Attack = $1)::DOUBLE) AS p, sum((Attack = $1)::INTEGER) AS n FROM f GROUP BY 1)
       SELECT sum(n * (1 - p)) AS runs, sum(n) AS flows FROM h WHERE n > 0`,
      [cls],
    );
    const shuffleRuns = toNum(shuffle?.runs);
    const shuffleMean = shuffleRuns > 0 ? toNum(shuffle?.flows) / shuffleRuns : 1;

    classes[cls] = {
      label: cls === 'Benign' ? 0 : 1,
      sampleRows: nRows,
      prototypes,
      prototypeMass: round(prototypeMass),
      tail: { weight: round(tailRows / nRows), shapes, numeric },
      durationQuantiles: quantileList(classDur?.q),
      hosts: {
        pairs: weighted<[string, string]>(pairRows.map((r) => [String(r.s), String(r.d), toNum(r.n)])).list,
        pairMass: round(pairCount / nRows),
        sources: await marginal('IPV4_SRC_ADDR'),
        destinations: await marginal('IPV4_DST_ADDR'),
      },
      ports: {
        servicePorts,
        pairsByProtocol,
        ephemeralSource: await ephRange('L4_SRC_PORT'),
        ephemeralDestination: await ephRange('L4_DST_PORT'),
        sourceReuseShare: round(toNum(pool?.reuse ?? 0), 4),
        sourcePoolSize: poolHosts > 0 ? Math.max(1, Math.round(toNum(pool?.pool_ports) / poolHosts)) : 0,
        topDestinations: topDst.map((r) => [toNum(r.p), round(toNum(r.n) / nRows)] as [number, number]),
        distinctDestinations: toNum(distinct?.d),
        distinctSources: toNum(distinct?.s),
      },
      runs: {
        lengths: runRows.map((r) => [toNum(r.len), round(toNum(r.n) / runTotal)] as [number, number]),
        mean: round(runMean, 4),
        shuffleMean: round(Math.max(1, shuffleMean), 4),
      },
    };
  }
  con.closeSync();
  instance.closeSync();

  const profile: SampleProfile = {
    format: 'mindflow-sample-profile/1',
    source: {
      file: relative(ROOT, input).split('\\').join('/'),
      rows: toNum(totalRows),
      measuredBy: 'scripts/measure-profile.ts',
      minSupport: MIN_SUPPORT,
      note:
        'Aggregates of a real NF-BoT-IoT-v2 sample; no row is copied. Prototypes are feature tuples shared by at least minSupport flows; ' +
        'the rest of each class is a log-normal tail per protocol. Run lengths are measured in each source host\'s flows in file order; ' +
        'the sample is shuffled, so they are close to what an independent shuffle gives (shuffleMean).',
    },
    classMix: {
      source: 'NF-BoT-IoT v1 (dataset.md)',
      total: Object.values(V1_MIX).reduce((a, b) => a + b, 0),
      counts: V1_MIX,
    },
    durationWrapMs: DURATION_WRAP_MS,
    durationQuantiles: DURATION_QUANTILES,
    prototypeFields: [...PROTOTYPE_FIELDS],
    classes,
  };
  parseProfile(profile, 'measured profile');
  const json = JSON.stringify(profile);
  writeFileSync(output, json + '\n');
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  process.stdout.write(`measured ${profile.source.rows.toLocaleString('en-US')} flows in ${s} s; wrote ${output} (${(json.length / 1024).toFixed(1)} KB)\n`);
  for (const cls of SAMPLE_CLASSES) {
    const c = classes[cls];
    process.stdout.write(
      `  ${cls.padEnd(15)} ${String(c.sampleRows).padStart(7)} flows  ${String(c.prototypes.length).padStart(3)} prototypes cover ${(c.prototypeMass * 100).toFixed(1)}%  ` +
        `runs mean ${c.runs.mean} (shuffle ${c.runs.shuffleMean})  service ports ${c.ports.servicePorts.length}\n`,
    );
  }
}

await main();
