/**
 * Gathers everything an incident report needs from the project into the pure
 * `IncidentReport` the format builders take: the incident, its capture, the scan and model
 * that flagged its windows, each window's flows, probabilities, verdict and explanation.
 */
import type { CaptureInfo, Explanation } from '../../../preload/contract.ts';
import { flowsTable, queryObjects } from '../db.ts';
import type { Project } from '../project.ts';
import { ModelStore } from '../detector/store.ts';
import { getScan } from '../detector/service.ts';
import { columnFeatures } from '../model/features.ts';
import { REPORT_SCHEMA_VERSION, tlpAllows, type IncidentReport, type ReportAuditEntry, type ReportFlow, type ReportRelatedIncident, type ReportWindow } from '../report/model.ts';
import { auditLog, getWindow, scanMeta } from '../triage/triage.ts';
import { getIncident } from './incidents.ts';
import { relatedIncidents } from './related.ts';

/** Evidence limits keep a report readable: the most confident flows and windows first. */
export const MAX_FLOWS_PER_WINDOW = 50;
export const MAX_EXPLAINED_WINDOWS = 25;

export type Explain = (scanId: number, windowId: number) => Promise<Explanation>;

function topFeatures(e: Explanation, columns: readonly string[]): { name: string; weight: number }[] {
  return columns
    .map((col) => {
      const names = new Set(columnFeatures(col));
      return { name: col, weight: e.features.reduce((s, n, i) => s + (names.has(n) ? e.featureWeights[i]! : 0), 0) };
    })
    .filter((f) => f.weight > 0)
    .sort((a, b) => b.weight - a.weight)
    .slice(0, 5);
}

/** Epoch milliseconds (a window's, or a flow's cell) as ISO 8601 UTC; null when there is no time. */
function isoTime(v: string | number | bigint | null | undefined): string | null {
  if (v === null || v === undefined || v === '') return null;
  const ms = Number(v);
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : null;
}

async function windowFlows(project: Project, capture: CaptureInfo, scanId: number, classes: string[], w: { firstFlow: number; lastFlow: number; key: string | null; class: string }): Promise<ReportFlow[]> {
  const cls = Math.max(0, classes.indexOf(w.class));
  const col = (name: string, fallback = 'NULL') => (capture.columns.includes(name) ? `f."${name}"` : fallback);
  const rows = await project.withConnection((c) =>
    queryObjects<Record<string, string | number | null>>(
      c,
      `SELECT f.rowid AS flow_id, f."IPV4_SRC_ADDR" AS src, f."L4_SRC_PORT" AS sport, f."IPV4_DST_ADDR" AS dst, f."L4_DST_PORT" AS dport,
              f."PROTOCOL" AS protocol, f."L7_PROTO" AS l7, f."IN_BYTES" AS in_bytes, f."OUT_BYTES" AS out_bytes, f."IN_PKTS" AS in_pkts,
              f."OUT_PKTS" AS out_pkts, f."TCP_FLAGS" AS tcp_flags, f."FLOW_DURATION_MILLISECONDS" AS duration, ${col('Attack')} AS label,
              ${col('FLOW_START_MILLISECONDS')} AS start_ms, coalesce(${col('FLOW_END_MILLISECONDS')}, ${col('FLOW_START_MILLISECONDS')}) AS end_ms,
              p.predicted, p.confidence, ${classes.map((_, i) => `p.p${i}`).join(', ')}
       FROM ${flowsTable(capture.id)} f POSITIONAL JOIN scan_${scanId} p
       WHERE f.rowid BETWEEN ? AND ? ${w.key === null ? '' : 'AND f."IPV4_SRC_ADDR" = ?'}
       ORDER BY p.p${cls} DESC, f.rowid LIMIT ?`,
      w.key === null ? [w.firstFlow, w.lastFlow, MAX_FLOWS_PER_WINDOW] : [w.firstFlow, w.lastFlow, w.key, MAX_FLOWS_PER_WINDOW],
    ),
  );
  return rows
    .map((r) => ({
      flowId: Number(r.flow_id),
      src: String(r.src),
      sport: Number(r.sport),
      dst: String(r.dst),
      dport: Number(r.dport),
      protocol: Number(r.protocol),
      l7: Number(r.l7),
      inBytes: Number(r.in_bytes),
      outBytes: Number(r.out_bytes),
      inPkts: Number(r.in_pkts),
      outPkts: Number(r.out_pkts),
      tcpFlags: Number(r.tcp_flags),
      durationMs: Number(r.duration),
      start: isoTime(r.start_ms),
      end: isoTime(r.end_ms),
      label: r.label === null ? null : String(r.label),
      predicted: classes[Number(r.predicted)] ?? String(r.predicted),
      confidence: Number(r.confidence),
      probs: Object.fromEntries(classes.map((c, i) => [c, Number(r[`p${i}`])])),
    }))
    .sort((a, b) => a.flowId - b.flowId);
}

export async function assembleIncidentReport(project: Project, incidentId: number, explain: Explain, appVersion: string, progress: (fraction: number) => void = () => {}): Promise<IncidentReport> {
  const incident = await getIncident(project, incidentId);
  const scan = await getScan(project, incident.scanId);
  const capture = await project.capture(scan.captureId);
  const meta = await project.withConnection((c) => scanMeta(c, scan.id));
  const model = await new ModelStore(project).get(scan.modelId).catch(() => null);
  const windows = await project.withConnection((c) => Promise.all(incident.windowIds.map((id) => getWindow(c, scan.id, id))));
  const explainOrder = [...windows].sort((a, b) => b.peak - a.peak).slice(0, MAX_EXPLAINED_WINDOWS).map((w) => w.id);
  const out: ReportWindow[] = [];
  for (const [i, w] of windows.entries()) {
    const explanation = explainOrder.includes(w.id) ? await explain(scan.id, w.id).catch(() => null) : null;
    out.push({
      id: String(w.id),
      class: w.class,
      firstFlow: w.firstFlow,
      lastFlow: w.lastFlow,
      flows: w.flows,
      peak: w.peak,
      mean: w.mean,
      srcHosts: w.srcHosts,
      dstHosts: w.dstHosts,
      dstPorts: w.dstPorts,
      start: isoTime(w.startMs),
      end: isoTime(w.endMs),
      verdict: w.verdict,
      verdictReason: w.verdictReason,
      verdictBy: w.verdictBy,
      verdictAt: w.verdictAt,
      explanation: explanation?.sentence ?? null,
      topFeatures: explanation && model ? topFeatures(explanation, model.summary.featureColumns) : [],
      flowRows: await windowFlows(project, capture, scan.id, meta.classes, w),
    });
    progress((i + 1) / windows.length);
  }
  // the scan against this capture's labels, else what the model carries from training
  const metrics = scan.metrics ?? model?.summary.metrics ?? null;
  const scope = scan.metrics ? 'capture' : 'held-out';
  // who decided what on these windows, and when: the scan's trail, oldest first
  const inIncident = new Set(incident.windowIds);
  const trail = await auditLog(project, { scanId: scan.id, limit: Number.MAX_SAFE_INTEGER });
  const auditTrail: ReportAuditEntry[] = trail.entries
    // a scan's deletion is no window's history (and a scan an incident holds is never deleted)
    .filter((e): e is typeof e & { action: ReportAuditEntry['action'] } => e.action !== 'scan-deleted' && e.action !== 'incident-moved' && inIncident.has(e.windowId))
    .reverse()
    .map((e) => ({
      at: e.at,
      analyst: e.analyst,
      action: e.action,
      windowId: String(e.windowId),
      previous: e.action === 'note' ? null : (e.previous as ReportAuditEntry['previous']),
      value: e.value,
      reason: e.reason,
      undone: e.undone,
    }));
  // other incidents sharing a host; a title marked more restrictive than this report stays out
  const related: ReportRelatedIncident[] = (await relatedIncidents(project, incident.id)).map((r) => ({
    id: String(r.id),
    title: tlpAllows(incident.tlp, r.tlp) ? r.title : null,
    status: r.status,
    severity: r.severity,
    tlp: r.tlp,
    scanId: String(r.scanId),
    captureFileName: r.captureName,
    sharedHosts: r.shared,
    sharedCount: r.sharedCount,
  }));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    incident: {
      id: String(incident.id),
      title: incident.title,
      status: incident.status,
      severity: incident.severity,
      tlp: incident.tlp,
      summary: incident.summary,
      analyst: incident.analyst,
      createdAt: incident.createdAt,
      updatedAt: incident.updatedAt,
      notes: incident.notes.map((n) => ({ at: n.at, author: n.analyst, text: n.text })),
    },
    capture: {
      id: String(capture.id),
      fileName: capture.fileName,
      sha256: capture.sha256,
      sizeBytes: capture.sizeBytes,
      schemaVersion: capture.schemaVersion,
      rows: capture.rows,
      order: capture.order,
    },
    detection: {
      modelName: scan.modelName,
      modelId: scan.modelId,
      appVersion: model?.summary.appVersion ?? '',
      backend: scan.backend,
      threshold: scan.threshold,
      scanId: String(scan.id),
      scannedAt: scan.createdAt,
      metrics: metrics
        ? { scope, classes: metrics.classes, accuracy: metrics.accuracy, macroF1: metrics.macroF1, weightedF1: metrics.weightedF1, perClass: metrics.perClass, confusion: metrics.confusion }
        : null,
    },
    windows: out,
    auditTrail,
    relatedIncidents: related,
    generatedAt: new Date().toISOString(),
    appVersion,
  };
}
