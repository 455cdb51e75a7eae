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
import type { HostIncident, HostRole, RelatedIncident } from '../../../preload/contract.ts';
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
  shared_count: number | bigint;
  shared_sources: number | bigint;
  host: string;
  here_src: boolean;
  here_dst: boolean;
  there_src: boolean;
  there_dst: boolean;
}

const role = (src: boolean, dst: boolean): HostRole => (src && dst ? 'both' : src ? 'source' : 'destination');
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
    // only this incident's hosts are looked for in the others; each related incident's shared
    // hosts are counted and cut at MAX_SHARED_HOSTS here, sources first, IPv4 by its numbers
    const rows = await queryObjects<Row>(
      c,
      `WITH carried AS (${CARRIED}),
       here AS (SELECT host, bool_or(src) AS src, bool_or(NOT src) AS dst FROM carried WHERE incident_id = $1 GROUP BY host),
       there AS (
         SELECT incident_id, host, bool_or(src) AS src, bool_or(NOT src) AS dst FROM carried
         WHERE incident_id <> $1 AND host IN (SELECT host FROM here) GROUP BY incident_id, host
       ),
       pairs AS (
         SELECT there.incident_id, here.host, here.src AS here_src, here.dst AS here_dst, there.src AS there_src, there.dst AS there_dst,
                here.src OR there.src AS is_src,
                CASE WHEN regexp_full_match(here.host, '[0-9]{1,3}[.][0-9]{1,3}[.][0-9]{1,3}[.][0-9]{1,3}')
                     THEN list_reduce(list_transform(string_split(here.host, '.'), x -> x::BIGINT), (a, b) -> a * 256 + b) END AS ip
         FROM here JOIN there ON there.host = here.host
       ),
       ranked AS (
         SELECT *, count(*) OVER per AS shared_count, count(*) FILTER (WHERE is_src) OVER per AS shared_sources,
                row_number() OVER (PARTITION BY incident_id ORDER BY is_src DESC, ip NULLS LAST, host) AS rank
         FROM pairs WINDOW per AS (PARTITION BY incident_id)
       )
       SELECT o.id, o.title, o.status, o.severity, o.tlp, o.scan_id, s.capture_id, coalesce(cap.file_name, '') AS capture_name,
              strftime(o.updated, '%Y-%m-%dT%H:%M:%SZ') AS updated, r.shared_count, r.shared_sources,
              r.host, r.here_src, r.here_dst, r.there_src, r.there_dst
       FROM ranked r
       JOIN incidents o ON o.id = r.incident_id
       JOIN scans s ON s.id = o.scan_id
       LEFT JOIN captures cap ON cap.id = s.capture_id
       WHERE r.rank <= ${MAX_SHARED_HOSTS}
       -- the same attacker (or a target turned source) says more than the same target
       ORDER BY r.shared_sources DESC, r.shared_count DESC, o.updated DESC, o.id DESC, r.rank`,
      [incidentId],
    );
    const related = new Map<number, RelatedIncident>();
    for (const r of rows) {
      let entry = related.get(r.id);
      if (!entry) {
        entry = {
          id: r.id,
          title: r.title,
          status: r.status,
          severity: r.severity,
          tlp: r.tlp,
          scanId: r.scan_id,
          captureId: r.capture_id,
          captureName: r.capture_name,
          updatedAt: r.updated,
          shared: [],
          sharedCount: Number(r.shared_count),
          sharedSources: Number(r.shared_sources),
        };
        related.set(r.id, entry);
      }
      entry.shared.push({ host: r.host, here: role(r.here_src, r.here_dst), there: role(r.there_src, r.there_dst) });
    }
    return [...related.values()];
  });
}
