/**
 * Why a window was flagged: occlusion on the model worker. The window's most confident flow is
 * scored with its W-flow input as is, then once per (flow, column) cell with every channel of
 * that column occluded together: its numeric features set to the training mean (0 after
 * standardisation) and its value code to 0, the unknown value (a column's information is in
 * both, so occluding one alone shows little). A cell's attribution is the drop in the flagged
 * class's log-odds, which still tells cells apart when the probability is saturated near 1.
 * W x columns + 1 windows in one batch: fast enough to run on demand.
 */
import { siblingHost, type CaptureInfo, type Explanation, type FlaggedWindow } from '../../../preload/contract.ts';
import { flowsTable, queryObjects } from '../db.ts';
import { MindflowError } from '../errors.ts';
import type { Project } from '../project.ts';
import { ModelWorker } from '../model/client.ts';
import { columnFeatures } from '../model/features.ts';
import { readManifest, type ModelManifest } from '../model/package.ts';
import { streamWindows } from '../model/windows.ts';
import { ModelStore } from '../detector/store.ts';
import { getWindow, scanMeta } from './triage.ts';

const COLUMN_WORDS: Record<string, string> = {
  PROTOCOL: 'protocol',
  L7_PROTO: 'application protocol',
  IN_BYTES: 'bytes in',
  OUT_BYTES: 'bytes out',
  IN_PKTS: 'packets in',
  OUT_PKTS: 'packets out',
  TCP_FLAGS: 'TCP flags',
  CLIENT_TCP_FLAGS: 'client TCP flags',
  SERVER_TCP_FLAGS: 'server TCP flags',
  FLOW_DURATION_MILLISECONDS: 'duration',
  DURATION_IN: 'duration in',
  DURATION_OUT: 'duration out',
  MIN_TTL: 'TTL',
  MAX_TTL: 'TTL',
  L4_SRC_PORT: 'source port',
  L4_DST_PORT: 'destination port',
  IPV4_SRC_ADDR: 'source address',
  IPV4_DST_ADDR: 'destination address',
};

const PROTOCOL_NAMES: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6' };

/** The TCP flags set in `flags`, handshake first: SYN+ACK+RST+FIN+PSH+URG+ECE+CWR. */
export function flagWords(flags: number): string {
  const bits: [number, string][] = [[2, 'SYN'], [16, 'ACK'], [4, 'RST'], [1, 'FIN'], [8, 'PSH'], [32, 'URG'], [64, 'ECE'], [128, 'CWR']];
  return bits.flatMap(([bit, name]) => (flags & bit ? [name] : [])).join('+');
}

function mode<T>(xs: T[]): T | undefined {
  const counts = new Map<T, number>();
  let best: T | undefined;
  let bestN = 0;
  for (const x of xs) {
    const n = (counts.get(x) ?? 0) + 1;
    counts.set(x, n);
    if (n > bestN) {
      best = x;
      bestN = n;
    }
  }
  return best;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : 0;
}

/** "192.168.100.3" then ".5" for siblings in the same /24. */
function hostList(hosts: string[], max = 3): string {
  const shown = hosts.slice(0, max).map((h) => siblingHost(h, hosts[0]!));
  return shown.join(', ') + (hosts.length > max ? ` and ${hosts.length - max} more` : '');
}

export function explanationSentence(
  w: FlaggedWindow,
  flows: { protocol: number; flags: number; inBytes: number }[],
  topColumns: string[],
): string {
  const proto = mode(flows.map((f) => f.protocol));
  const flags = mode(flows.map((f) => f.flags));
  const bytes = Math.round(median(flows.map((f) => f.inBytes)));
  const protoName = proto === undefined ? '' : (PROTOCOL_NAMES[proto] ?? `protocol ${proto}`);
  const flagText = proto === 6 && flags ? ` ${flagWords(flags)}` : '';
  const ports = w.dstPorts.slice(0, 3).join(',') + (w.dstPorts.length > 3 ? ',…' : '');
  const dst = w.dstHosts.length === 1 ? `${w.dstHosts[0]}:${ports}` : `${hostList(w.dstHosts)} (ports ${ports})`;
  const words = [...new Set(topColumns.map((c) => COLUMN_WORDS[c] ?? c.toLowerCase().replace(/_/g, ' ')))].slice(0, 2);
  const weigh = words.length === 2 ? `${words[0]} and ${words[1]} weigh most` : words.length === 1 ? `${words[0]} weighs most` : 'no single feature dominates';
  return `${w.class} ${w.peak.toFixed(3)}: ${w.flows} ${protoName}${flagText} flow${w.flows === 1 ? '' : 's'} of ~${bytes.toLocaleString('en-US')} bytes from ${hostList(w.srcHosts)} to ${dst}; ${weigh}.`;
}

/** log(p_c / (1 - p_c)) of row `row` from pre-softmax scores: z_c - logsumexp of the others (never saturates) */
export function logOdds(logits: ArrayLike<number>, row: number, k: number, c: number): number {
  let max = -Infinity;
  for (let j = 0; j < k; j++) if (j !== c) max = Math.max(max, logits[row * k + j]!);
  let sum = 0;
  for (let j = 0; j < k; j++) if (j !== c) sum += Math.exp(logits[row * k + j]! - max);
  return logits[row * k + c]! - (max + Math.log(sum));
}

/** For each column of the model's feature set, the input channels that carry it (numeric + code). */
export function columnChannels(manifest: Pick<ModelManifest, 'featureSet' | 'features'>): number[][] {
  const at = new Map(manifest.features.map((name, i) => [name, i]));
  return manifest.featureSet.columns.map((col) => [...columnFeatures(col), `code(${col})`].flatMap((name) => (at.has(name) ? [at.get(name)!] : [])));
}

/** One model worker kept warm for explanations; reloaded when another model is asked for. */
export class Explainer {
  private worker: ModelWorker | null = null;
  private loaded: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  /** Explanations run one at a time on the worker; callers just await theirs. */
  explain(project: Project, captureOf: (id: number) => Promise<CaptureInfo>, scanId: number, windowId: number): Promise<Explanation> {
    const run = this.queue.then(() => this.run(project, captureOf, scanId, windowId));
    this.queue = run.catch(() => {});
    return run;
  }

  private async workerFor(dir: string): Promise<ModelWorker> {
    if (this.worker && this.loaded === dir) return this.worker;
    if (!this.worker) this.worker = new ModelWorker(null);
    await this.worker.load(dir);
    this.loaded = dir;
    return this.worker;
  }

  private async run(project: Project, captureOf: (id: number) => Promise<CaptureInfo>, scanId: number, windowId: number): Promise<Explanation> {
    const t0 = performance.now();
    const conn = await project.connect();
    try {
      const meta = await scanMeta(conn, scanId);
      const capture = await captureOf(meta.captureId);
      const w = await getWindow(conn, scanId, windowId);
      const modelId = (await queryObjects<{ model_id: string }>(conn, `SELECT model_id FROM scans WHERE id = ?`, [scanId]))[0]!.model_id;
      const model = await new ModelStore(project).get(modelId).catch(() => {
        throw new MindflowError('bad-args', `the model of scan #${scanId} (${modelId}) is no longer in this project: rescan to explain its windows`);
      });
      const manifest: ModelManifest = await readManifest(model.dir);
      const cls = manifest.classes.indexOf(w.class);
      // A keyed window is every flow of its key in its range; an unkeyed one, every flow in it.
      const conf = await queryObjects<{ id: number; p: number; proto: number; flags: number; bytes: number }>(
        conn,
        `SELECT f.rowid AS id, p.p${cls} AS p, f."PROTOCOL" AS proto, f."TCP_FLAGS" AS flags, f."IN_BYTES" AS bytes
         FROM ${flowsTable(capture.id)} f POSITIONAL JOIN scan_${scanId} p
         WHERE f.rowid BETWEEN ? AND ? ${w.key === null ? '' : `AND f."IPV4_SRC_ADDR" = ?`} ORDER BY p.p${cls} DESC LIMIT 5000`,
        w.key === null ? [w.firstFlow, w.lastFlow] : [w.firstFlow, w.lastFlow, w.key],
      );
      if (conf.length === 0) throw new MindflowError('internal', `window #${windowId} has no flows`);
      const peak = conf[0]!;
      // The peak flow's input: the W flows ending at it in key order (reading from far enough
      // back that a keyed window has its whole history).
      const W = manifest.window;
      const from = manifest.keyed ? Math.max(0, peak.id - 50_000) : Math.max(0, peak.id - W + 1);
      let last: Float32Array | null = null;
      for await (const b of streamWindows(conn, flowsTable(capture.id), {
        set: manifest.featureSet, stats: manifest.normalization, window: W, keyed: manifest.keyed, from, to: peak.id + 1, batchSize: 65_536,
      })) {
        const per = b.x.length / b.size;
        last = b.x.slice((b.size - 1) * per, b.size * per);
      }
      if (!last) throw new MindflowError('internal', `could not rebuild the input of flow ${peak.id}`);
      const C = last.length / W;
      const F = manifest.features.length;
      const columns = manifest.featureSet.columns;
      const channels = columnChannels(manifest);
      const K = columns.length;
      const x = new Float32Array((W * K + 1) * W * C);
      x.set(last, 0);
      for (let j = 0; j < W; j++) {
        for (let c = 0; c < K; c++) {
          const o = (1 + j * K + c) * W * C;
          x.set(last, o);
          for (const f of channels[c]!) x[o + j * C + f] = 0;
        }
      }
      const worker = await this.workerFor(model.dir);
      const logits = await worker.score(x, W * K + 1, { logits: true });
      const k = manifest.classes.length;
      const base = logOdds(logits, 0, k, cls);
      const attribution = Array.from({ length: W }, (_, j) => Array.from({ length: K }, (_, c) => base - logOdds(logits, 1 + j * K + c, k, cls)));
      // A padded row (mask 0: before the key's first flow) carries nothing.
      for (let j = 0; j < W; j++) if (C > F && last[j * C + F] === 0) attribution[j]!.fill(0);
      const flowWeights = attribution.map((row) => row.reduce((s, a) => s + Math.abs(a), 0));
      const featureWeights = columns.map((_, c) => attribution.reduce((s, row) => s + Math.abs(row[c]!), 0));
      const byColumn = columns.map((col, c) => ({ col, weight: featureWeights[c]! })).sort((a, b) => b.weight - a.weight);
      const inputIds = manifest.keyed
        ? (await queryObjects<{ id: number }>(conn, `SELECT rowid AS id FROM ${flowsTable(capture.id)} WHERE "IPV4_SRC_ADDR" = ? AND rowid <= ? ORDER BY rowid DESC LIMIT ?`, [w.key ?? '', peak.id, W])).map((r) => r.id).reverse()
        : Array.from({ length: Math.min(W, peak.id + 1) }, (_, i) => peak.id - Math.min(W, peak.id + 1) + 1 + i);
      const pad = W - inputIds.length;
      return {
        scanId,
        windowId,
        className: w.class,
        method: `occlusion of each (flow, column) cell of flow ${peak.id}'s ${W}-flow input (drop in ${w.class} log-odds), on ${(await worker.backend()).label}`,
        flowIds: [...new Array<number>(pad).fill(-1), ...inputIds],
        features: columns,
        attribution,
        flowWeights,
        featureWeights,
        sentence: explanationSentence(w, conf.map((r) => ({ protocol: r.proto, flags: r.flags, inBytes: r.bytes })), byColumn.filter((b) => b.weight > 0).map((b) => b.col)),
        ms: performance.now() - t0,
      };
    } finally {
      conn.closeSync();
    }
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = null;
    this.loaded = null;
  }
}
