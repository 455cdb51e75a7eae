/**
 * Where a host appears across every capture of a project: for each capture that has it, how
 * many flows it sent and received, the span of capture order (and of time, for v3), its classes,
 * its peers and ports, and the flagged windows of the capture's latest scan that name it; and the
 * incidents whose windows carry it. The investigator's "have we seen this address before?".
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { HostLookup, HostSighting } from '../../../preload/contract.ts';
import { flowsTable, queryObjects } from '../db.ts';
import { MindflowError } from '../errors.ts';
import type { Project } from '../project.ts';
import { incidentsWithHost } from '../incidents/related.ts';

/** An address as the capture columns hold it: IPv4 dotted quad or IPv6 text. */
export function checkHost(host: string): string {
  const h = host.trim();
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (ipv4 && ipv4.slice(1).every((o) => Number(o) <= 255)) return h;
  if (/^[0-9A-Fa-f:.]+$/.test(h) && h.includes(':') && h.length <= 45) return h.toLowerCase();
  throw new MindflowError('bad-args', `"${host.slice(0, 60)}" is not an IP address (e.g. 192.168.100.3)`);
}

const TOP = 5;

async function sighting(conn: DuckDBConnection, capture: { id: number; file_name: string; rows: number; labelled: boolean; timed: boolean }, host: string): Promise<HostSighting | null> {
  const t = flowsTable(capture.id);
  // one pass over the capture: the host's flows are gathered once, and every figure is read from them
  const top = (col: string) =>
    `(SELECT to_json(list({'value': value, 'n': n} ORDER BY n DESC, value))::VARCHAR FROM (SELECT ${col} AS value, count(*) AS n FROM m GROUP BY 1 ORDER BY n DESC, value LIMIT ${TOP}))`;
  const [row] = await queryObjects<{ flows: number; sent: number; received: number; first: number | null; last: number | null; start_ms: number | null; end_ms: number | null; classes: string | null; peers: number; top_peers: string | null; top_ports: string | null }>(
    conn,
    `WITH m AS MATERIALIZED (
       SELECT rowid AS r, "IPV4_SRC_ADDR" = $1 AS sent, "IPV4_DST_ADDR" = $1 AS received,
              CASE WHEN "IPV4_SRC_ADDR" = $1 THEN "IPV4_DST_ADDR" ELSE "IPV4_SRC_ADDR" END AS peer, "L4_DST_PORT" AS port,
              ${capture.labelled ? `coalesce("Attack", '')` : 'NULL::VARCHAR'} AS cls,
              ${capture.timed ? '"FLOW_START_MILLISECONDS" AS start_ms, "FLOW_END_MILLISECONDS" AS end_ms' : 'NULL::BIGINT AS start_ms, NULL::BIGINT AS end_ms'}
       FROM ${t} WHERE "IPV4_SRC_ADDR" = $1 OR "IPV4_DST_ADDR" = $1)
     SELECT (SELECT count(*) FROM m) AS flows, (SELECT count(*) FILTER (WHERE sent) FROM m) AS sent, (SELECT count(*) FILTER (WHERE received) FROM m) AS received,
            (SELECT min(r) FROM m) AS first, (SELECT max(r) FROM m) AS last, (SELECT min(start_ms) FROM m) AS start_ms, (SELECT max(end_ms) FROM m) AS end_ms,
            ${capture.labelled ? `(SELECT to_json(list({'value': value, 'n': n} ORDER BY n DESC, value))::VARCHAR FROM (SELECT cls AS value, count(*) AS n FROM m GROUP BY 1))` : 'NULL'} AS classes,
            (SELECT count(DISTINCT peer) FROM m) AS peers, ${top('peer')} AS top_peers, ${top('port')} AS top_ports`,
    [host],
  );
  if (!row || Number(row.flows) === 0) return null;
  const pairs = (json: string | null) => (json ? (JSON.parse(json) as { value: string | number; n: number }[]) : []);
  // the capture's latest scan: its flagged windows with the host on either side
  const [scan] = await queryObjects<{ id: number; windows: number; untriaged: number; tp: number }>(
    conn,
    `SELECT s.id, count(w.id) AS windows, count(w.id) FILTER (WHERE v.verdict IS NULL) AS untriaged, count(w.id) FILTER (WHERE v.verdict = 'tp') AS tp
     FROM (SELECT id FROM scans WHERE capture_id = $2 ORDER BY id DESC LIMIT 1) s
     LEFT JOIN flagged_windows w ON w.scan_id = s.id AND (list_contains(w.src_hosts, $1) OR list_contains(w.dst_hosts, $1))
     LEFT JOIN verdicts v ON v.scan_id = w.scan_id AND v.window_id = w.id
     GROUP BY s.id`,
    [host, capture.id],
  );
  const n = (x: number | null) => (x === null ? null : Number(x));
  return {
    captureId: capture.id,
    fileName: capture.file_name,
    captureFlows: capture.rows,
    flows: Number(row.flows),
    sent: Number(row.sent),
    received: Number(row.received),
    firstFlow: n(row.first)!,
    lastFlow: n(row.last)!,
    startMs: n(row.start_ms),
    endMs: n(row.end_ms),
    classes: Object.fromEntries(pairs(row.classes).map((c) => [String(c.value), Number(c.n)])),
    peers: Number(row.peers),
    topPeers: pairs(row.top_peers).map((p) => ({ value: String(p.value), flows: Number(p.n) })),
    topPorts: pairs(row.top_ports).map((p) => ({ value: Number(p.value), flows: Number(p.n) })),
    scan: scan ? { scanId: scan.id, windows: Number(scan.windows), untriaged: Number(scan.untriaged), tp: Number(scan.tp) } : null,
  };
}

/** Every capture of the project in which `host` sent or received a flow, newest capture first. */
export async function findHost(project: Project, rawHost: string): Promise<HostLookup> {
  const host = checkHost(rawHost);
  const t0 = performance.now();
  const captures = await project.withConnection((c) =>
    queryObjects<{ id: number; file_name: string; rows: number; labelled: boolean; order_by: string }>(c, `SELECT id, file_name, row_count AS rows, labelled, order_by FROM captures ORDER BY id DESC`),
  );
  const sightings: HostSighting[] = [];
  for (const c of captures) {
    const s = await project.withConnection((conn) =>
      sighting(conn, { id: c.id, file_name: c.file_name, rows: Number(c.rows), labelled: c.labelled, timed: c.order_by === 'FLOW_START_MILLISECONDS' }, host),
    );
    if (s) sightings.push(s);
  }
  const incidents = await project.withConnection((c) => incidentsWithHost(c, host));
  return { host, searched: captures.length, captures: sightings, ms: performance.now() - t0, incidents };
}
