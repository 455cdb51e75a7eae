import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { LABEL_FIELDS, V1_FIELDS } from '../../../main/core/capture/schema.ts';
import { MindflowError } from '../../../main/core/errors.ts';
import {
  DEFAULT_SAMPLE_ROWS,
  SampleRng,
  SAMPLE_HEADER,
  defaultProfilePath,
  generateSample,
  loadProfile,
  type GenerateSampleResult,
} from '../../../main/core/sample/generator.ts';
import { SAMPLE_CLASSES, parseProfile } from '../../../main/core/sample/profile.ts';
import { tempDir } from '../helpers.ts';

/** Collects what the generator writes; `delay` makes it a slow consumer to exercise backpressure. */
class Collector extends Writable {
  chunks: Buffer[] = [];
  constructor(delay = false, highWaterMark = 1 << 20) {
    super({
      highWaterMark,
      write: (chunk: Buffer, _enc, cb) => {
        this.chunks.push(chunk);
        if (delay) setImmediate(cb);
        else cb();
      },
    });
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }
}

async function generate(rows: number, seed?: number): Promise<{ text: string; result: GenerateSampleResult }> {
  const out = new Collector();
  const result = await generateSample({ rows, seed, out });
  return { text: out.text(), result };
}

interface Flow {
  src: string;
  sport: number;
  dst: string;
  dport: number;
  protocol: number;
  l7: number;
  inBytes: number;
  outBytes: number;
  inPkts: number;
  outPkts: number;
  flags: number;
  duration: number;
  label: number;
  attack: string;
}

function parse(text: string): { header: string; flows: Flow[] } {
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  const header = lines.shift()!;
  const flows = lines.map((line) => {
    const c = line.split(',');
    expect(c).toHaveLength(14);
    const n = (i: number) => Number(c[i]);
    return {
      src: c[0]!,
      sport: n(1),
      dst: c[2]!,
      dport: n(3),
      protocol: n(4),
      l7: n(5),
      inBytes: n(6),
      outBytes: n(7),
      inPkts: n(8),
      outPkts: n(9),
      flags: n(10),
      duration: n(11),
      label: n(12),
      attack: c[13]!,
    };
  });
  return { header, flows };
}

const share = (xs: Flow[], pred: (f: Flow) => boolean) => xs.filter(pred).length / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function mode<T>(xs: T[]): T {
  const counts = new Map<T, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}
const WRAPPED = (f: Flow) => f.duration >= 4_290_000 && f.duration <= 4_294_967;

describe('sample profile', () => {
  it('loads from resources/ wherever the module is, validates, and stays small', () => {
    const path = defaultProfilePath();
    expect(path.endsWith(join('resources', 'sample-profile.json'))).toBe(true);
    expect(statSync(path).size).toBeLessThan(200 * 1024);
    const profile = loadProfile();
    expect(profile.classMix.total).toBe(600_100);
    expect(profile.classMix.counts).toEqual({ Benign: 13_859, Reconnaissance: 470_655, DDoS: 56_844, DoS: 56_833, Theft: 1_909 });
  });

  it('holds aggregates only: every prototype stands for at least minSupport real flows', () => {
    const profile = loadProfile();
    for (const cls of SAMPLE_CLASSES) {
      const c = profile.classes[cls];
      const support = c.prototypes.map((p) => Math.round(p[7] * c.sampleRows));
      expect(Math.min(...support), cls).toBeGreaterThanOrEqual(profile.source.minSupport);
      const mass = c.prototypes.reduce((s, p) => s + p[7], 0) + c.tail.weight;
      expect(mass).toBeCloseTo(1, 3);
    }
    // the big classes are almost entirely prototypes
    expect(profile.classes.DoS.prototypeMass).toBeGreaterThan(0.95);
    expect(profile.classes.DDoS.prototypeMass).toBeGreaterThan(0.95);
  });

  it('rejects a malformed profile with a one-line message naming the field', () => {
    const broken = structuredClone(loadProfile()) as unknown as { classes: { DoS: { sampleRows: unknown } } };
    broken.classes.DoS.sampleRows = 'many';
    expect(() => parseProfile(broken, 'p.json')).toThrow(/p\.json: classes\.DoS\.sampleRows/);
  });
});

describe('generateSample', () => {
  let hundredK: { text: string; flows: Flow[]; result: GenerateSampleResult };
  const byClass = new Map<string, Flow[]>();

  beforeAll(async () => {
    const { text, result } = await generate(DEFAULT_SAMPLE_ROWS, 1);
    const { header, flows } = parse(text);
    expect(header).toBe(SAMPLE_HEADER.join(','));
    hundredK = { text, flows, result };
    for (const f of flows) {
      const list = byClass.get(f.attack) ?? [];
      list.push(f);
      byClass.set(f.attack, list);
    }
  });

  it('writes the v1 header and v1 columns in v1 order', () => {
    expect(SAMPLE_HEADER).toEqual([...V1_FIELDS, ...LABEL_FIELDS]);
    expect(hundredK.text.slice(0, hundredK.text.indexOf('\n'))).toBe(
      'IPV4_SRC_ADDR,L4_SRC_PORT,IPV4_DST_ADDR,L4_DST_PORT,PROTOCOL,L7_PROTO,IN_BYTES,OUT_BYTES,IN_PKTS,OUT_PKTS,TCP_FLAGS,FLOW_DURATION_MILLISECONDS,Label,Attack',
    );
    expect(hundredK.flows).toHaveLength(DEFAULT_SAMPLE_ROWS);
    expect(hundredK.result.rows).toBe(DEFAULT_SAMPLE_ROWS);
    expect(hundredK.result.bytes).toBe(Buffer.byteLength(hundredK.text));
    // L7_PROTO is written as a float, as in the real exports
    expect(hundredK.text).toMatch(/,6,7\.0,280,0,2,0,2,/);
  });

  it('gives byte-identical output for the same seed and different output for another', async () => {
    const digest = (s: string) => createHash('sha256').update(s).digest('hex');
    const a = await generate(20_000, 42);
    const b = await generate(20_000, 42);
    const c = await generate(20_000, 43);
    expect(digest(a.text)).toBe(digest(b.text));
    expect(digest(c.text)).not.toBe(digest(a.text));
    // a prefix of a longer capture with the same seed is the shorter capture
    expect(hundredK.text.startsWith((await generate(5_000, 1)).text)).toBe(true);
  });

  it('counts classes as written and follows the profile class mix', () => {
    const { classCounts } = hundredK.result;
    expect(Object.keys(classCounts)).toEqual([...SAMPLE_CLASSES]);
    const mix = loadProfile().classMix;
    for (const cls of SAMPLE_CLASSES) {
      expect(classCounts[cls]).toBe(byClass.get(cls)?.length ?? 0);
      const expected = (mix.counts[cls] / mix.total) * DEFAULT_SAMPLE_ROWS;
      // run lengths make the mix lumpier than independent draws: wider bands for small classes
      const tolerance = cls === 'Reconnaissance' ? 0.03 : cls === 'DDoS' || cls === 'DoS' ? 0.1 : 0.25;
      expect(Math.abs(classCounts[cls]! - expected) / expected, cls).toBeLessThan(tolerance);
    }
    expect(hundredK.flows.filter((f) => f.label !== (f.attack === 'Benign' ? 0 : 1))).toEqual([]);
  });

  it('DDoS: UDP floods to port 80, 56-byte flows, no TCP flags, wrapped durations', () => {
    const ddos = byClass.get('DDoS')!;
    expect(share(ddos, (f) => f.protocol === 17)).toBeGreaterThan(0.97);
    expect(share(ddos, (f) => f.dport === 80)).toBeGreaterThan(0.99);
    expect(median(ddos.map((f) => f.inBytes))).toBe(56);
    expect(mode(ddos.map((f) => f.outBytes))).toBe(0);
    expect(mode(ddos.map((f) => f.flags))).toBe(0);
    expect(share(ddos, WRAPPED)).toBeGreaterThan(0.9);
    expect(new Set(ddos.map((f) => f.src))).toEqual(new Set(['192.168.100.147', '192.168.100.148', '192.168.100.149', '192.168.100.150']));
  });

  it('DoS: TCP SYN floods to port 80 with IN_BYTES around 280', () => {
    const dos = byClass.get('DoS')!;
    expect(share(dos, (f) => f.protocol === 6)).toBeGreaterThan(0.97);
    expect(share(dos, (f) => f.dport === 80)).toBeGreaterThan(0.99);
    expect(mode(dos.map((f) => f.flags))).toBe(2);
    expect(median(dos.map((f) => f.inBytes))).toBe(280);
    expect(share(dos, WRAPPED)).toBeGreaterThan(0.9);
    // random source ports, as a flood tool picks them
    expect(new Set(dos.map((f) => f.sport)).size).toBeGreaterThan(dos.length * 0.8);
  });

  it('Reconnaissance: SYN+RST+ACK scans of many ports, mostly against .3, often 0 ms', () => {
    const recon = byClass.get('Reconnaissance')!;
    expect(mode(recon.map((f) => f.flags))).toBe(22);
    expect(mode(recon.map((f) => f.dst))).toBe('192.168.100.3');
    expect(share(recon, (f) => f.dst === '192.168.100.3')).toBeGreaterThan(0.8);
    expect(new Set(recon.map((f) => f.dport)).size).toBeGreaterThan(5_000);
    expect(share(recon, (f) => f.dport === 80)).toBeGreaterThan(0.3);
    expect(share(recon, (f) => f.inBytes <= 60)).toBeGreaterThan(0.5);
    expect(share(recon, (f) => f.duration === 0)).toBeGreaterThan(0.4);
    // scanners keep a few source ports per host
    const perHostPort = new Map<string, number>();
    for (const f of recon) perHostPort.set(`${f.src}:${f.sport}`, (perHostPort.get(`${f.src}:${f.sport}`) ?? 0) + 1);
    expect(Math.max(...perHostPort.values())).toBeGreaterThan(100);
  });

  it('Benign: mostly from .3, heavy-tailed bytes', () => {
    const benign = byClass.get('Benign')!;
    expect(mode(benign.map((f) => f.src))).toBe('192.168.100.3');
    expect(share(benign, (f) => f.src === '192.168.100.3')).toBeGreaterThan(0.4);
    const bytes = benign.map((f) => f.inBytes);
    expect(Math.max(...bytes)).toBeGreaterThan(100 * median(bytes));
    expect(benign.some((f) => f.protocol === 17 && f.dport === 53)).toBe(true);
  });

  it('Theft: between .3/.6 and .149/.150 on its few ports, some flows very large', () => {
    const theft = byClass.get('Theft')!;
    const victims = new Set(['192.168.100.3', '192.168.100.6']);
    const bots = new Set(['192.168.100.149', '192.168.100.150']);
    for (const f of theft) {
      expect((victims.has(f.src) && bots.has(f.dst)) || (bots.has(f.src) && victims.has(f.dst)), `${f.src} -> ${f.dst}`).toBe(true);
    }
    const tcp = theft.filter((f) => f.protocol === 6);
    expect(share(tcp, (f) => [4433, 4444, 22, 445].includes(f.dport) || [4433, 4444, 22, 445].includes(f.sport))).toBeGreaterThan(0.9);
    expect(theft.filter((f) => f.protocol === 1).every((f) => f.sport === 0 && f.dport === 0)).toBe(true);
    expect(Math.max(...theft.map((f) => f.inBytes + f.outBytes))).toBeGreaterThan(100_000);
  });

  it('keeps the duration wrap-around artefact within range', () => {
    expect(hundredK.flows.filter((f) => !(f.duration === 0 || WRAPPED(f))).map((f) => f.duration)).toEqual([]);
  });

  it('writes attack flows in runs from one host', () => {
    // consecutive rows with the same class and source host
    const runs = new Map<string, number[]>();
    let prev = '';
    for (const f of hundredK.flows) {
      const key = `${f.attack}|${f.src}`;
      const list = runs.get(f.attack) ?? [];
      if (key === prev) list[list.length - 1]!++;
      else list.push(1);
      runs.set(f.attack, list);
      prev = key;
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    for (const cls of ['Reconnaissance', 'DDoS', 'DoS']) {
      expect(mean(runs.get(cls)!), cls).toBeGreaterThan(1.2);
    }
    expect(mean(runs.get('DoS')!)).toBeGreaterThan(2);
  });

  it('reports progress up to the last row', async () => {
    const seen: [number, number][] = [];
    await generateSample({ rows: 50_000, out: new Collector(), onProgress: (d, n) => seen.push([d, n]) });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toEqual([50_000, 50_000]);
    for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).toBeGreaterThan(seen[i - 1]![0]);
  });

  it('waits for a slow destination and writes the same bytes', async () => {
    const slow = new Collector(true, 1024);
    await generateSample({ rows: 40_000, seed: 7, out: slow });
    expect(slow.text()).toBe((await generate(40_000, 7)).text);
  });

  it('writes a file and reports its size', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'sample.csv');
      const result = await generateSample({ rows: 10_000, seed: 3, out: file });
      expect(statSync(file).size).toBe(result.bytes);
      expect(readFileSync(file, 'latin1')).toBe((await generate(10_000, 3)).text);
    } finally {
      cleanup();
    }
  });

  it('stops on abort with a cancelled error and removes the partial file', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'aborted.csv');
      const controller = new AbortController();
      const run = generateSample({
        rows: 2_000_000,
        out: file,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      });
      await expect(run).rejects.toSatisfy((e: unknown) => e instanceof MindflowError && e.code === 'cancelled');
      expect(existsSync(file)).toBe(false);

      const already = new AbortController();
      already.abort();
      await expect(generateSample({ rows: 10, out: new Collector(), signal: already.signal })).rejects.toThrow(/cancelled/);
    } finally {
      cleanup();
    }
  });

  it('aborts from a timer while writing to a fast sink', async () => {
    const controller = new AbortController();
    const out = new Collector();
    setTimeout(() => controller.abort(), 5);
    await expect(generateSample({ rows: 50_000_000, out, signal: controller.signal })).rejects.toThrow(/cancelled/);
    expect(out.chunks.length).toBeGreaterThan(0);
  });

  it('rejects bad arguments', async () => {
    await expect(generateSample({ rows: -1, out: new Collector() })).rejects.toThrow(/rows/);
    await expect(generateSample({ rows: 1.5, out: new Collector() })).rejects.toThrow(/rows/);
    await expect(generateSample({ rows: 10, seed: Number.NaN, out: new Collector() })).rejects.toThrow(/seed/);
    const empty = await generate(0);
    expect(empty.text).toBe(SAMPLE_HEADER.join(',') + '\n');
  });
});

describe('SampleRng', () => {
  it('is a pure function of the seed', () => {
    const draw = (seed: number) => {
      const rng = new SampleRng(seed);
      return Array.from({ length: 8 }, () => rng.u32());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    // seeds beyond 32 bits still matter
    expect(draw(2 ** 40)).not.toEqual(draw(0));
  });

  it('draws uniform floats in [0, 1)', () => {
    const rng = new SampleRng(9);
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = rng.float();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
    }
    expect(outside).toBe(0);
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
  });
});
