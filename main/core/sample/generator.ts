/**
 * The built-in sample: a seeded generator of NF-BoT-IoT v1-schema captures whose per-class
 * distributions follow the measured profile (resources/sample-profile.json).
 *
 * The capture is a sequence of episodes. An episode picks a class (weighted so the row mix
 * follows the profile's class mix), one source/destination host pair and a run length from the
 * class's measured runs, then writes that many flows: each flow's 8 features come from a
 * prototype tuple or the class's log-normal tail, its ports from the class's (protocol-wise)
 * port pairs, and its duration from the prototype's quantiles, which keeps the exporter's
 * ~4,294,967 ms wrap-around where the real data has it. Same seed, same bytes.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { MindflowError } from '../errors.ts';
import { LABEL_FIELDS, V1_FIELDS } from '../capture/schema.ts';
import { SAMPLE_CLASSES, loadProfile, type ClassProfile, type SampleProfile, type TailNumeric } from './profile.ts';

export { loadProfile, defaultProfilePath, type SampleProfile, type SampleClass } from './profile.ts';

export const DEFAULT_SAMPLE_ROWS = 100_000;
export const DEFAULT_SAMPLE_SEED = 1;
export const SAMPLE_HEADER: readonly string[] = [...V1_FIELDS, ...LABEL_FIELDS];

/** The row builder below writes columns in this order; fail loudly if the schema moves. */
const ROW_ORDER = [
  'IPV4_SRC_ADDR', 'L4_SRC_PORT', 'IPV4_DST_ADDR', 'L4_DST_PORT', 'PROTOCOL', 'L7_PROTO', 'IN_BYTES', 'OUT_BYTES',
  'IN_PKTS', 'OUT_PKTS', 'TCP_FLAGS', 'FLOW_DURATION_MILLISECONDS', 'Label', 'Attack',
];
if (SAMPLE_HEADER.join(',') !== ROW_ORDER.join(',')) {
  throw new Error(`sample generator: v1 column order changed (${SAMPLE_HEADER.join(',')})`);
}

export interface GenerateSampleOptions {
  /** flows to write (default 100,000) */
  rows?: number;
  /** any safe integer (default 1); the same seed and profile give byte-identical output */
  seed?: number;
  /** a file path (created or replaced; removed again on abort or error) or a stream, left open */
  out: string | NodeJS.WritableStream;
  /** defaults to loadProfile() */
  profile?: SampleProfile;
  signal?: AbortSignal;
  onProgress?: (rowsDone: number, rows: number) => void;
}

export interface GenerateSampleResult {
  rows: number;
  seed: number;
  /** flows per Attack class, every class present */
  classCounts: Record<string, number>;
  /** bytes written, header included (the output is ASCII) */
  bytes: number;
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness: sfc32 (small, fast, passes PractRand), seeded through splitmix32.

export class SampleRng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = Number.NaN;

  constructor(seed: number) {
    let s = (seed >>> 0) ^ Math.floor(seed / 4294967296) ^ 0x9e3779b9;
    const split = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** uniform in [0, 1) */
  float(): number {
    return this.u32() * 2.3283064365386963e-10;
  }

  /** uniform integer in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** standard normal (Box-Muller, both values used), clamped to ±3 so tails stay plausible */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = Number.NaN;
      return z;
    }
    const u = 1 - this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    const t = 2 * Math.PI * this.float();
    this.spare = Math.max(-3, Math.min(3, r * Math.sin(t)));
    return Math.max(-3, Math.min(3, r * Math.cos(t)));
  }
}

/** Walker's alias table: O(1) weighted choice with one random number. */
class Alias {
  readonly size: number;
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: readonly number[]) {
    const n = weights.length;
    if (n === 0) throw new Error('alias table needs at least one weight');
    const total = weights.reduce((s, w) => s + Math.max(0, w), 0);
    this.size = n;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = weights.map((w) => (total > 0 ? (Math.max(0, w) * n) / total : 1));
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.prob[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      (scaled[l]! < 1 ? small : large).push(l);
    }
    for (const i of [...small, ...large]) {
      this.prob[i] = 1;
      this.alias[i] = i;
    }
  }

  pick(rng: SampleRng): number {
    const u = rng.float() * this.size;
    const i = u | 0;
    return u - i < this.prob[i]! ? i : this.alias[i]!;
  }
}

// ---------------------------------------------------------------------------------------------
// The profile compiled into lookup tables, built once per profile object.

interface DurationModel {
  zeroShare: number;
  /** quantile values at the profile's probabilities, or null: always 0 */
  q: Float64Array | null;
}

interface PortModel {
  pairs: Alias;
  src: Int32Array;
  dst: Int32Array;
}

interface CompiledClass {
  name: string;
  /** ",label,Attack\n" */
  suffix: Uint8Array;
  /** prototypes, then (when the class has one) the tail as the last entry */
  features: Alias;
  /** ",PROTOCOL,L7_PROTO,IN_BYTES,OUT_BYTES,IN_PKTS,OUT_PKTS,TCP_FLAGS," */
  prefixes: Uint8Array[];
  protocols: Int32Array;
  durations: DurationModel[];
  tailIndex: number;
  tailShapes: Alias | null;
  tailShapeProtocol: Int32Array;
  tailShapePrefix: Uint8Array[];
  tailShapeFlags: Int32Array;
  tailNumeric: (TailNumeric & { duration: DurationModel })[];
  hostPairs: Alias;
  /** "a.b.c.d," */
  pairSrc: Uint8Array[];
  /** ",a.b.c.d," */
  pairDst: Uint8Array[];
  /** index into `sources` of each pair's source host */
  pairSrcIndex: Int32Array;
  sources: string[];
  /** indexed by PROTOCOL (0..255) */
  ports: (PortModel | null)[];
  fallbackPorts: PortModel;
  ephSrcLo: number;
  ephSrcSpan: number;
  ephDstLo: number;
  ephDstSpan: number;
  reuseShare: number;
  poolSize: number;
  runs: Alias;
  runLengths: Int32Array;
}

interface CompiledProfile {
  classes: CompiledClass[];
  episodes: Alias;
  durationP: Float64Array;
}

function ascii(text: string): Uint8Array {
  if (!/^[\x20-\x7e\n]*$/.test(text)) throw new MindflowError('bad-value', `sample profile: non-ASCII value ${JSON.stringify(text)}`);
  return Uint8Array.from(Buffer.from(text, 'latin1'));
}

function formatL7(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

function durationModel(zeroShare: number, q: readonly number[] | null, fallback: readonly number[] | null): DurationModel {
  const values = q ?? fallback;
  return { zeroShare: values ? zeroShare : 1, q: values ? Float64Array.from(values) : null };
}

function compileClass(name: string, c: ClassProfile): CompiledClass {
  const prefixes: Uint8Array[] = [];
  const protocols: number[] = [];
  const durations: DurationModel[] = [];
  const weights: number[] = [];
  for (const [p, l7, ib, ob, ip, op, flags, w, zero, q] of c.prototypes) {
    prefixes.push(ascii(`,${p},${formatL7(l7)},${ib},${ob},${ip},${op},${flags},`));
    protocols.push(p);
    durations.push(durationModel(zero, q, c.durationQuantiles));
    weights.push(w);
  }
  const numericKeys = Object.keys(c.tail.numeric);
  const hasTail = c.tail.weight > 0 && c.tail.shapes.length > 0 && numericKeys.length > 0;
  let tailIndex = -1;
  if (hasTail) {
    tailIndex = weights.length;
    weights.push(c.tail.weight);
    prefixes.push(new Uint8Array(0));
    protocols.push(-1);
    durations.push({ zeroShare: 1, q: null });
  }
  const tailNumeric: CompiledClass['tailNumeric'] = [];
  for (let p = 0; p < 256; p++) {
    const n = c.tail.numeric[String(p)];
    if (n) tailNumeric[p] = { ...n, duration: durationModel(n.zeroDurationShare, n.durationQuantiles, c.durationQuantiles) };
  }
  const shapes = hasTail ? c.tail.shapes.filter(([p]) => tailNumeric[p] !== undefined) : [];

  const sources = [...new Set(c.hosts.pairs.map(([s]) => s))];
  const compilePorts = (pairs: readonly (readonly [number, number, number])[]): PortModel => ({
    pairs: new Alias(pairs.map(([, , w]) => w)),
    src: Int32Array.from(pairs.map(([s]) => s)),
    dst: Int32Array.from(pairs.map(([, d]) => d)),
  });
  const ports: (PortModel | null)[] = new Array<PortModel | null>(256).fill(null);
  let fallbackPorts: PortModel | null = null;
  let fallbackWeight = -1;
  for (const [key, pairs] of Object.entries(c.ports.pairsByProtocol)) {
    if (pairs.length === 0) continue;
    const model = compilePorts(pairs);
    const p = Number(key);
    if (p >= 0 && p < 256) ports[p] = model;
    const mass = c.prototypes.filter((t) => t[0] === p).reduce((s, t) => s + t[7], 0);
    if (mass > fallbackWeight) {
      fallbackWeight = mass;
      fallbackPorts = model;
    }
  }
  if (!ports[1]) ports[1] = compilePorts([[0, 0, 1]]); // ICMP carries no ports
  const [ephSrcLo, ephSrcHi] = c.ports.ephemeralSource;
  const [ephDstLo, ephDstHi] = c.ports.ephemeralDestination;
  if (c.hosts.pairs.length === 0) throw new MindflowError('bad-value', `sample profile: class ${name} has no host pairs`);
  if (c.runs.lengths.length === 0) throw new MindflowError('bad-value', `sample profile: class ${name} has no run lengths`);

  return {
    name,
    suffix: ascii(`,${c.label},${name}\n`),
    features: new Alias(weights),
    prefixes,
    protocols: Int32Array.from(protocols),
    durations,
    tailIndex,
    tailShapes: shapes.length > 0 ? new Alias(shapes.map(([, , , w]) => w)) : null,
    tailShapeProtocol: Int32Array.from(shapes.map(([p]) => p)),
    tailShapePrefix: shapes.map(([p, l7]) => ascii(`,${p},${formatL7(l7)},`)),
    tailShapeFlags: Int32Array.from(shapes.map(([, , flags]) => flags)),
    tailNumeric,
    hostPairs: new Alias(c.hosts.pairs.map(([, , w]) => w)),
    pairSrc: c.hosts.pairs.map(([s]) => ascii(`${s},`)),
    pairDst: c.hosts.pairs.map(([, d]) => ascii(`,${d},`)),
    pairSrcIndex: Int32Array.from(c.hosts.pairs.map(([s]) => sources.indexOf(s))),
    sources,
    ports,
    fallbackPorts: fallbackPorts ?? compilePorts([[-1, -1, 1]]),
    ephSrcLo,
    ephSrcSpan: Math.max(0, ephSrcHi - ephSrcLo) + 1,
    ephDstLo,
    ephDstSpan: Math.max(0, ephDstHi - ephDstLo) + 1,
    reuseShare: c.ports.sourceReuseShare,
    poolSize: c.ports.sourcePoolSize,
    runs: new Alias(c.runs.lengths.map(([, w]) => w)),
    runLengths: Int32Array.from(c.runs.lengths.map(([len]) => len)),
  };
}

const compiledCache = new WeakMap<SampleProfile, CompiledProfile>();

function compile(profile: SampleProfile): CompiledProfile {
  const hit = compiledCache.get(profile);
  if (hit) return hit;
  const classes = SAMPLE_CLASSES.map((name) => compileClass(name, profile.classes[name]));
  // a class's episodes are runs.mean flows long on average, so its episode weight is its
  // share of rows divided by that: the rows then follow the class mix
  const episodes = new Alias(SAMPLE_CLASSES.map((name) => profile.classMix.counts[name] / profile.classes[name].runs.mean));
  const compiled = { classes, episodes, durationP: Float64Array.from(profile.durationQuantiles) };
  compiledCache.set(profile, compiled);
  return compiled;
}

// ---------------------------------------------------------------------------------------------

function drawDuration(m: DurationModel, p: Float64Array, rng: SampleRng): number {
  if (m.q === null || rng.float() < m.zeroShare) return 0;
  const q = m.q;
  const u = rng.float();
  const last = p.length - 1;
  if (u <= p[0]!) return Math.round(q[0]!);
  if (u >= p[last]!) return Math.round(q[last]!);
  let i = 1;
  while (u > p[i]!) i++;
  const p0 = p[i - 1]!;
  const t = (u - p0) / (p[i]! - p0);
  return Math.round(q[i - 1]! + t * (q[i]! - q[i - 1]!));
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/**
 * Rows are written as bytes into a chunk buffer: no per-row strings, no garbage, no UTF-8
 * encoding pass. `pos` is the write position; the chunk is flushed long before it can fill.
 */
class ChunkWriter {
  buf: Buffer;
  pos = 0;
  constructor(readonly size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  bytes(b: Uint8Array): void {
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < b.length; i++) buf[p++] = b[i]!;
    this.pos = p;
  }

  /** a non-negative integer in decimal */
  uint(n: number): void {
    const buf = this.buf;
    if (n < 10) {
      buf[this.pos++] = 48 + n;
      return;
    }
    let digits = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    while (n >= 10) {
      const q = Math.floor(n / 10);
      buf[--p] = 48 + (n - q * 10);
      n = q;
    }
    buf[--p] = 48 + n;
  }

  comma(): void {
    this.buf[this.pos++] = 44;
  }

  /** hands the filled part over and starts a fresh buffer (the stream keeps the old one) */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.size);
    this.pos = 0;
    return out;
  }
}

/** IN_BYTES,OUT_BYTES,IN_PKTS,OUT_PKTS of one tail flow, correlated in log space */
function writeTailCounts(w: ChunkWriter, n: TailNumeric, rng: SampleRng): void {
  const z1 = rng.normal();
  const inPkts = Math.max(1, Math.round(Math.exp(n.inPkts.mu + n.inPkts.sigma * z1)));
  const inBytes = Math.round(inPkts * clamp(Math.exp(n.inBytesPerPkt.mu + n.inBytesPerPkt.sigma * rng.normal()), 20, 65535));
  let outPkts = 0;
  let outBytes = 0;
  if (rng.float() >= n.outZeroShare) {
    const rho = n.pktsCorrelation;
    const z = rho * z1 + Math.sqrt(Math.max(0, 1 - rho * rho)) * rng.normal();
    outPkts = Math.max(1, Math.round(Math.exp(n.outPkts.mu + n.outPkts.sigma * z)));
    outBytes = Math.round(outPkts * clamp(Math.exp(n.outBytesPerPkt.mu + n.outBytesPerPkt.sigma * rng.normal()), 20, 65535));
  }
  w.uint(inBytes);
  w.comma();
  w.uint(outBytes);
  w.comma();
  w.uint(inPkts);
  w.comma();
  w.uint(outPkts);
}

const CHUNK_ROWS = 16_384;
/** rows are under 200 bytes (numbers are bounded); the margin keeps a chunk from overflowing */
const CHUNK_BYTES = CHUNK_ROWS * 256;

function cancelled(): MindflowError {
  return new MindflowError('cancelled', 'sample generation cancelled');
}

/**
 * Writes a labelled NF-BoT-IoT v1 capture of `rows` flows as CSV. Streams in ~1.5 MB chunks,
 * waits for the destination to drain, reports progress per chunk and stops with a
 * `cancelled` MindflowError when `signal` aborts.
 */
export async function generateSample(opts: GenerateSampleOptions): Promise<GenerateSampleResult> {
  const rows = opts.rows ?? DEFAULT_SAMPLE_ROWS;
  const seed = opts.seed ?? DEFAULT_SAMPLE_SEED;
  if (!Number.isSafeInteger(rows) || rows < 0) throw new MindflowError('bad-args', `rows must be a whole number >= 0, got ${rows}`);
  if (!Number.isSafeInteger(seed)) throw new MindflowError('bad-args', `seed must be a whole number, got ${seed}`);
  const { signal, onProgress } = opts;
  if (signal?.aborted) throw cancelled();

  const model = compile(opts.profile ?? loadProfile());
  const rng = new SampleRng(seed);
  const { classes, durationP } = model;
  // scanners' reused source ports: one pool per (class, source host), drawn up front
  const pools = classes.map((c) =>
    c.sources.map(() => Int32Array.from({ length: c.poolSize }, () => c.ephSrcLo + Math.floor(rng.float() * c.ephSrcSpan))),
  );

  const path = typeof opts.out === 'string' ? opts.out : null;
  const file = path ? createWriteStream(path, { highWaterMark: 1 << 22 }) : null;
  const stream: NodeJS.WritableStream = file ?? (opts.out as NodeJS.WritableStream);
  let streamError: Error | null = null;
  const onError = (err: Error) => {
    streamError ??= err;
  };
  stream.on('error', onError);
  const write = async (chunk: Buffer): Promise<void> => {
    if (streamError) throw streamError;
    if (!stream.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const done = (err?: Error) => {
          stream.off('drain', done);
          stream.off('error', done);
          signal?.removeEventListener('abort', onAbort);
          if (err) reject(err);
          else resolve();
        };
        const onAbort = () => done(cancelled());
        stream.on('drain', done);
        stream.on('error', done);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    } else {
      // let timers and I/O run so an abort from elsewhere is seen between chunks
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (streamError) throw streamError;
  };

  const counts = new Float64Array(classes.length);
  let bytes = 0;
  try {
    const header = Buffer.from(SAMPLE_HEADER.join(',') + '\n', 'latin1');
    bytes += header.length;
    await write(header);
    const w = new ChunkWriter(CHUNK_BYTES);

    let done = 0;
    let left = 0; // flows left in the current episode
    let cls = classes[0]!;
    let ci = 0;
    let src: Uint8Array = new Uint8Array(0);
    let dst = src;
    let pool: Int32Array = new Int32Array(0);
    while (done < rows) {
      if (signal?.aborted) throw cancelled();
      const end = Math.min(rows, done + CHUNK_ROWS);
      for (; done < end; done++) {
        if (left === 0) {
          ci = model.episodes.pick(rng);
          cls = classes[ci]!;
          const pair = cls.hostPairs.pick(rng);
          src = cls.pairSrc[pair]!;
          dst = cls.pairDst[pair]!;
          pool = pools[ci]![cls.pairSrcIndex[pair]!]!;
          left = cls.runLengths[cls.runs.pick(rng)]!;
        }
        left--;
        counts[ci]!++;

        const f = cls.features.pick(rng);
        const tailShape = f === cls.tailIndex ? cls.tailShapes!.pick(rng) : -1;
        const protocol = tailShape >= 0 ? cls.tailShapeProtocol[tailShape]! : cls.protocols[f]!;

        const ports = cls.ports[protocol] ?? cls.fallbackPorts;
        const pp = ports.pairs.pick(rng);
        let sport = ports.src[pp]!;
        if (sport < 0) {
          sport =
            pool.length > 0 && rng.float() < cls.reuseShare
              ? pool[(rng.float() * pool.length) | 0]!
              : cls.ephSrcLo + ((rng.float() * cls.ephSrcSpan) | 0);
        }
        let dport = ports.dst[pp]!;
        if (dport < 0) dport = cls.ephDstLo + ((rng.float() * cls.ephDstSpan) | 0);

        w.bytes(src);
        w.uint(sport);
        w.bytes(dst);
        w.uint(dport);
        let duration: DurationModel;
        if (tailShape >= 0) {
          const numeric = cls.tailNumeric[protocol]!;
          w.bytes(cls.tailShapePrefix[tailShape]!);
          writeTailCounts(w, numeric, rng);
          w.comma();
          w.uint(cls.tailShapeFlags[tailShape]!);
          w.comma();
          duration = numeric.duration;
        } else {
          w.bytes(cls.prefixes[f]!);
          duration = cls.durations[f]!;
        }
        w.uint(drawDuration(duration, durationP, rng));
        w.bytes(cls.suffix);
        if (w.pos > CHUNK_BYTES - 512) {
          done++;
          break;
        }
      }
      const chunk = w.take();
      bytes += chunk.length;
      await write(chunk);
      onProgress?.(done, rows);
    }
    if (rows === 0) onProgress?.(0, 0);
    if (file) {
      await new Promise<void>((resolve, reject) => {
        file.once('error', reject);
        file.end(() => resolve());
      });
    }
  } catch (err) {
    if (file && path) {
      // wait for the descriptor to close so the removal cannot race a late open
      if (!file.closed) {
        const closed = new Promise<void>((resolve) => file.once('close', () => resolve()));
        file.destroy();
        await closed;
      }
      await rm(path, { force: true }).catch(() => {});
    }
    throw err;
  } finally {
    stream.off('error', onError);
  }

  const classCounts: Record<string, number> = {};
  classes.forEach((c, i) => (classCounts[c.name] = counts[i]!));
  return { rows, seed, classCounts, bytes };
}
