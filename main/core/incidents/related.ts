/**
 * Related incidents: the other incidents of the project whose flagged windows carry a host this
 * incident's windows carry, whatever scan or capture they are on. An incident holds windows of
 * one scan; this is how an analyst finds the same attacker (or the same target) in another
 * capture's incident, or a target here that is a source there.
 *
 * Hosts come from the windows' `src_hosts` and `dst_hosts` lists (each cut at 20 per window when
 * the scan derived it), so a host that only a window's 21st source was goes unseen.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { HostIncident, HostRole, RelatedIncident, SharedHost } from '../../../preload/contract.ts';
import { queryObjects } from '../db.ts';
import type { Project } from '../project.ts';
import { getIn } from './incidents.ts';

/** The most shared hosts listed per related incident (`sharedCount` has them all). */
export const MAX_SHARED_HOSTS = 20;

interface Row {
  id: number;
  title: string;
  status: RelatedIncident['status'];
  severity: RelatedIncident['severity'];
  tlp: RelatedIncident['tlp'];
  scan_id: number;
  capture_id: number;
  capture_name: string;
  updated: string;
  host: string;
  here_src: boolean;
  here_dst: boolean;
  there_src: boolean;
  there_dst: boolean;
}

const role = (src: boolean, dst: boolean): HostRole => (src && dst ? 'both' : src ? 'source' : 'destination');
const isSource = (h: SharedHost) => h.here !== 'destination' || h.there !== 'destination';

/** Compares IPv4 addresses by their numbers (anything else after them, as text). */
function compareHosts(a: string, b: string): number {
  const num = (h: string) => {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
    return m ? ((Number(m[1]) * 256 + Number(m[2])) * 256 + Number(m[3])) * 256 + Number(m[4]) : null;
  };
  const x = num(a);
  const y = num(b);
  if (x !== null && y !== null) return x - y;
  if (x !== null) return -1;
  if (y !== null) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Each incident's windows' hosts, one row per (incident, host, side): `incident_id, host, src`. */
const CARRIED = `
  SELECT iw.incident_id, unnest(f.src_hosts) AS host, true AS src
  FROM incident_windows iw JOIN incidents i ON i.id = iw.incident_id JOIN flagged_windows f ON f.scan_id = i.scan_id AND f.id = iw.window_id
  UNION ALL
  SELECT iw.incident_id, unnest(f.dst_hosts) AS host, false AS src
  FROM incident_windows iw JOIN incidents i ON i.id = iw.incident_id JOIN flagged_windows f ON f.scan_id = i.scan_id AND f.id = iw.window_id`;

/** The incidents whose windows carry `host`, with its role there and how many windows carry it; newest change first. */
export async function incidentsWithHost(c: DuckDBConnection, host: string): Promise<HostIncident[]> {
  const rows = await queryObjects<{ id: number; title: string; status: HostIncident['status']; severity: HostIncident['severity']; tlp: HostIncident['tlp']; scan_id: number; capture_id: number; src: boolean; dst: boolean; windows: number | bigint }>(
    c,
    `SELECT i.id, i.title, i.status, i.severity, i.tlp, i.scan_id, s.capture_id,
            bool_or(list_contains(f.src_hosts, $1)) AS src, bool_or(list_contains(f.dst_hosts, $1)) AS dst, count(*) AS windows
     FROM incidents i
     JOIN scans s ON s.id = i.scan_id
     JOIN incident_windows iw ON iw.incident_id = i.id
     JOIN flagged_windows f ON f.scan_id = i.scan_id AND f.id = iw.window_id
     WHERE list_contains(f.src_hosts, $1) OR list_contains(f.dst_hosts, $1)
     GROUP BY ALL
     ORDER BY max(i.updated) DESC, i.id DESC`,
    [host],
  );
  return rows.map((r) => ({
    id: r.id, title: r.title, status: r.status, severity: r.severity, tlp: r.tlp, scanId: r.scan_id, captureId: r.capture_id,
    role: role(r.src, r.dst), windows: Number(r.windows),
  }));
}

export async function relatedIncidents(project: Project, incidentId: number): Promise<RelatedIncident[]> {
  return project.withConnection(async (c) => {
    await getIn(c, incidentId);
    const rows = await queryObjects<Row>(
      c,
      `WITH carried AS (${CARRIED}),
       roles AS (
         SELECT incident_id, host, bool_or(src) AS src, bool_or(NOT src) AS dst FROM carried GROUP BY incident_id, host
       )
       SELECT o.id, o.title, o.status, o.severity, o.tlp, o.scan_id, s.capture_id, coalesce(cap.file_name, '') AS capture_name,
              strftime(o.updated, '%Y-%m-%dT%H:%M:%SZ') AS updated,
              here.host, here.src AS here_src, here.dst AS here_dst, there.src AS there_src, there.dst AS there_dst
       FROM roles here
       JOIN roles there ON there.host = here.host AND there.incident_id <> here.incident_id
       JOIN incidents o ON o.id = there.incident_id
       JOIN scans s ON s.id = o.scan_id
       LEFT JOIN captures cap ON cap.id = s.capture_id
       WHERE here.incident_id = ?`,
      [incidentId],
    );
    const byIncident = new Map<number, { row: Row; shared: SharedHost[] }>();
    for (const r of rows) {
      let entry = byIncident.get(r.id);
      if (!entry) byIncident.set(r.id, (entry = { row: r, shared: [] }));
      entry.shared.push({ host: r.host, here: role(r.here_src, r.here_dst), there: role(r.there_src, r.there_dst) });
    }
    const related = [...byIncident.values()].map(({ row, shared }): RelatedIncident => {
      shared.sort((a, b) => Number(isSource(b)) - Number(isSource(a)) || compareHosts(a.host, b.host));
      return {
        id: row.id,
        title: row.title,
        status: row.status,
        severity: row.severity,
        tlp: row.tlp,
        scanId: row.scan_id,
        captureId: row.capture_id,
        captureName: row.capture_name,
        updatedAt: row.updated,
        shared: shared.slice(0, MAX_SHARED_HOSTS),
        sharedCount: shared.length,
        sharedSources: shared.filter(isSource).length,
      };
    });
    // the same attacker (or a target turned source) says more than the same target
    return related.sort((a, b) => b.sharedSources - a.sharedSources || b.sharedCount - a.sharedCount || b.updatedAt.localeCompare(a.updatedAt) || b.id - a.id);
  });
}
