/**
 * The measured profile behind the built-in sample: per-class statistics of the real
 * NF-BoT-IoT-v2 sample (scripts/measure-profile.ts writes resources/sample-profile.json),
 * validated with valibot when loaded. Everything in it is aggregated: feature tuples need at
 * least `minSupport` real flows to become a prototype, the rest is a parametric tail.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import { MindflowError } from '../errors.ts';

/** The class vocabulary of NF-BoT-IoT, in the order the generator walks them. */
export const SAMPLE_CLASSES = ['Benign', 'Reconnaissance', 'DDoS', 'DoS', 'Theft'] as const;
export type SampleClass = (typeof SAMPLE_CLASSES)[number];

/** 2^32 / 1000: where the exporter's unsigned wrap-around puts "negative" durations. */
export const DURATION_WRAP_MS = 4_294_967;

/**
 * A prototype is one feature tuple, in this field order, then its weight within the class,
 * the share of its flows with duration 0 and the quantiles (at `durationQuantiles`) of its
 * non-zero durations, or null when too few flows had one (the class's quantiles apply).
 */
export const PROTOTYPE_FIELDS = [
  'PROTOCOL',
  'L7_PROTO',
  'IN_BYTES',
  'OUT_BYTES',
  'IN_PKTS',
  'OUT_PKTS',
  'TCP_FLAGS',
  'weight',
  'zeroDurationShare',
  'durationQuantiles',
] as const;

const num = v.pipe(v.number(), v.finite());
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const share = v.pipe(v.number(), v.minValue(0), v.maxValue(1));
const port = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535));
/** a service port, or -1 for "an ephemeral port from the class's range" */
const portKey = v.pipe(v.number(), v.integer(), v.minValue(-1), v.maxValue(65535));
const quantiles = v.nullable(v.array(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 32 - 1))));
const logNormal = v.object({ mu: num, sigma: v.pipe(v.number(), v.minValue(0)) });
const range = v.tuple([port, port]);

const PrototypeSchema = v.tuple([count, num, count, count, count, count, count, share, share, quantiles]);

const TailNumericSchema = v.object({
  rows: count,
  inPkts: logNormal,
  inBytesPerPkt: logNormal,
  outZeroShare: share,
  outPkts: logNormal,
  outBytesPerPkt: logNormal,
  /** correlation of log IN_PKTS and log OUT_PKTS where both are > 0 */
  pktsCorrelation: v.pipe(v.number(), v.minValue(-1), v.maxValue(1)),
  zeroDurationShare: share,
  durationQuantiles: quantiles,
});

const ClassProfileSchema = v.object({
  label: v.picklist([0, 1]),
  sampleRows: count,
  prototypes: v.array(PrototypeSchema),
  prototypeMass: share,
  tail: v.object({
    weight: share,
    /** [PROTOCOL, L7_PROTO, TCP_FLAGS, weight] of the flows no prototype covers */
    shapes: v.array(v.tuple([count, num, count, share])),
    /** keyed by PROTOCOL */
    numeric: v.record(v.string(), TailNumericSchema),
  }),
  durationQuantiles: quantiles,
  hosts: v.object({
    /** [source, destination, weight] */
    pairs: v.array(v.tuple([v.string(), v.string(), share])),
    pairMass: share,
    sources: v.array(v.tuple([v.string(), share])),
    destinations: v.array(v.tuple([v.string(), share])),
  }),
  ports: v.object({
    servicePorts: v.array(port),
    /** keyed by PROTOCOL: [source key, destination key, weight] */
    pairsByProtocol: v.record(v.string(), v.array(v.tuple([portKey, portKey, share]))),
    ephemeralSource: range,
    ephemeralDestination: range,
    /** scanners reuse a few source ports per host: share of ephemeral-source flows that do */
    sourceReuseShare: share,
    sourcePoolSize: count,
    topDestinations: v.array(v.tuple([port, share])),
    distinctDestinations: count,
    distinctSources: count,
  }),
  runs: v.object({
    /** [run length, share of runs] of consecutive same-class flows in a source host's flows */
    lengths: v.array(v.tuple([v.pipe(v.number(), v.integer(), v.minValue(1)), share])),
    mean: v.pipe(v.number(), v.minValue(1)),
    /** the mean an independent shuffle of the sample would show, for comparison */
    shuffleMean: v.pipe(v.number(), v.minValue(1)),
  }),
});

/** an object with exactly one entry per class, all required */
function perClass<S extends v.GenericSchema>(schema: S) {
  return v.object({ Benign: schema, Reconnaissance: schema, DDoS: schema, DoS: schema, Theft: schema });
}

export const SampleProfileSchema = v.object({
  format: v.literal('mindflow-sample-profile/1'),
  source: v.object({
    file: v.string(),
    rows: count,
    measuredBy: v.string(),
    minSupport: count,
    note: v.string(),
  }),
  classMix: v.object({
    source: v.string(),
    total: count,
    counts: perClass(count),
  }),
  durationWrapMs: count,
  durationQuantiles: v.array(share),
  prototypeFields: v.array(v.string()),
  classes: perClass(ClassProfileSchema),
});

export type SampleProfile = v.InferOutput<typeof SampleProfileSchema>;
export type ClassProfile = v.InferOutput<typeof ClassProfileSchema>;
export type Prototype = v.InferOutput<typeof PrototypeSchema>;
export type TailNumeric = v.InferOutput<typeof TailNumericSchema>;

/** resources/sample-profile.json: the nearest `resources` folder above this module with it. */
export function defaultProfilePath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'resources', 'sample-profile.json');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  // packaged builds may flatten the tree; the working directory is the last resort
  return join(process.cwd(), 'resources', 'sample-profile.json');
}

export function parseProfile(json: unknown, file = 'sample profile'): SampleProfile {
  const result = v.safeParse(SampleProfileSchema, json);
  if (!result.success) {
    const issue = result.issues[0];
    const where = issue?.path?.map((p) => String(p.key)).join('.') ?? '';
    throw new MindflowError('bad-value', `${file}: ${where ? `${where}: ` : ''}${issue?.message ?? 'invalid profile'}`);
  }
  return result.output;
}

const cache = new Map<string, SampleProfile>();

/** Reads and validates the sample profile (cached per path). */
export function loadProfile(path: string = defaultProfilePath()): SampleProfile {
  const hit = cache.get(path);
  if (hit) return hit;
  if (!existsSync(path)) {
    throw new MindflowError('not-found', `sample profile not found at ${path} (run: node --import tsx scripts/measure-profile.ts)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new MindflowError('bad-value', `${path}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const profile = parseProfile(json, path);
  cache.set(path, profile);
  return profile;
}
