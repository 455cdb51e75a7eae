/**
 * Incidents: flagged windows of one scan grouped under a title, status, severity and TLP,
 * with a summary and timestamped notes. Every change is committed at once.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FlaggedWindow, Incident } from '../../../preload/contract.ts';
import { queryObjects, scalar } from '../db.ts';
import { MindflowError } from '../errors.ts';
import type { Project } from '../project.ts';
import { analystName, idList, scanMeta, windowsWhere } from '../triage/triage.ts';

interface IncidentRow {
  id: number;
  scan_id: number;
  title: string;
  status: Incident['status'];
  severity: Incident['severity'];
  tlp: Incident['tlp'];
  summary: string;
  analyst: string;
  created: string;
  updated: string;
}

const SELECT = `SELECT id, scan_id, title, status, severity, tlp, summary, analyst,
  strftime(created, '%Y-%m-%dT%H:%M:%SZ') AS created, strftime(updated, '%Y-%m-%dT%H:%M:%SZ') AS updated FROM incidents`;

async function load(c: DuckDBConnection, row: IncidentRow): Promise<Incident> {
  const meta = await scanMeta(c, row.scan_id);
  const windows = await queryObjects<{ window_id: number }>(c, `SELECT window_id FROM incident_windows WHERE incident_id = ? ORDER BY window_id`, [row.id]);
  const notes = await queryObjects<{ id: number; at: string; analyst: string; text: string }>(
    c, `SELECT id, strftime(ts, '%Y-%m-%dT%H:%M:%SZ') AS at, analyst, text FROM incident_notes WHERE incident_id = ? ORDER BY id`, [row.id]);
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    severity: row.severity,
    tlp: row.tlp,
    summary: row.summary,
    analyst: row.analyst,
    createdAt: row.created,
    updatedAt: row.updated,
    scanId: row.scan_id,
    captureId: meta.captureId,
    windowIds: windows.map((w) => w.window_id),
    notes,
  };
}

export async function getIn(c: DuckDBConnection, id: number): Promise<Incident> {
  const rows = await queryObjects<IncidentRow>(c, `${SELECT} WHERE id = ?`, [id]);
  if (!rows[0]) throw new MindflowError('bad-args', `no incident #${id} in this project`);
  return load(c, rows[0]);
}

/**
 * Refuses ids that are no flagged window of the scan. Ids travel as one list parameter and
 * are written with one statement, so an incident of 10,000 windows takes a moment, not one
 * statement per window (5 s for 10,000 that way).
 */
async function assertWindows(c: DuckDBConnection, scanId: number, windowIds: number[]): Promise<void> {
  const missing = await queryObjects<{ id: number }>(
    c, `SELECT id FROM (SELECT DISTINCT unnest(?::INTEGER[]) AS id) WHERE id NOT IN (SELECT id FROM flagged_windows WHERE scan_id = ?) ORDER BY id LIMIT 5`,
    [idList(windowIds), scanId]);
  if (missing.length) throw new MindflowError('bad-args', `no flagged window${missing.length > 1 ? 's' : ''} ${missing.map((m) => m.id).join(', ')} in scan #${scanId}`);
}

/** Adds windows to an incident (those it holds already stay once). */
async function insertWindows(c: DuckDBConnection, id: number, windowIds: number[]): Promise<void> {
  await c.run(`INSERT OR IGNORE INTO incident_windows SELECT DISTINCT ?, unnest(?::INTEGER[])`, [id, idList(windowIds)]);
}

export async function listIncidents(project: Project): Promise<Incident[]> {
  return project.withConnection(async (c) => {
    const rows = await queryObjects<IncidentRow>(c, `${SELECT} ORDER BY id DESC`);
    return Promise.all(rows.map((r) => load(c, r)));
  });
}

export function getIncident(project: Project, id: number): Promise<Incident> {
  return project.withConnection((c) => getIn(c, id));
}

/**
 * The flagged windows an incident holds, with their verdicts, in capture order (the incident
 * editor's table). Read through `incident_windows`: the editor used to page the scan's whole
 * queue (150,000 windows in sample A, 30 pages each sorting them all) to find three.
 */
export async function incidentWindows(project: Project, id: number): Promise<FlaggedWindow[]> {
  return project.withConnection(async (c) => {
    const scanId = await scalar(c, `SELECT scan_id FROM incidents WHERE id = ?`, [id]);
    if (scanId === null) throw new MindflowError('bad-args', `no incident #${id} in this project`);
    return windowsWhere(c, Number(scanId), `w.id IN (SELECT window_id FROM incident_windows WHERE incident_id = ?)`, [id]);
  });
}

export async function createIncident(
  project: Project,
  args: { scanId: number; windowIds: number[]; title: string; severity?: Incident['severity'] | undefined; tlp?: Incident['tlp'] | undefined; summary?: string | undefined },
): Promise<Incident> {
  return project.transaction(async (c) => {
    await scanMeta(c, args.scanId);
    await assertWindows(c, args.scanId, args.windowIds);
    const id = Number(await scalar(c, `SELECT nextval('incident_ids')`));
    await c.run(`INSERT INTO incidents VALUES (?, ?, ?, 'open', ?, ?, ?, ?, now()::TIMESTAMP, now()::TIMESTAMP)`, [
      id, args.scanId, args.title, args.severity ?? 'medium', args.tlp ?? 'AMBER', args.summary ?? '', analystName(),
    ]);
    await insertWindows(c, id, args.windowIds);
    return getIn(c, id);
  });
}

export async function updateIncident(project: Project, id: number, patch: Partial<Pick<Incident, 'title' | 'status' | 'severity' | 'tlp' | 'summary' | 'analyst'>>): Promise<Incident> {
  return project.transaction(async (c) => {
    await getIn(c, id);
    const cols = Object.entries(patch).filter(([, v]) => v !== undefined);
    for (const [key, value] of cols) {
      // keys come from the validated contract, never from the user
      await c.run(`UPDATE incidents SET ${key} = ?, updated = now()::TIMESTAMP WHERE id = ?`, [value as string, id]);
    }
    return getIn(c, id);
  });
}

export async function addIncidentWindows(project: Project, id: number, windowIds: number[]): Promise<Incident> {
  return project.transaction(async (c) => {
    const incident = await getIn(c, id);
    await assertWindows(c, incident.scanId, windowIds);
    await insertWindows(c, id, windowIds);
    await c.run(`UPDATE incidents SET updated = now()::TIMESTAMP WHERE id = ?`, [id]);
    return getIn(c, id);
  });
}

export async function removeIncidentWindows(project: Project, id: number, windowIds: number[]): Promise<Incident> {
  return project.transaction(async (c) => {
    const incident = await getIn(c, id);
    const left = incident.windowIds.filter((w) => !windowIds.includes(w));
    if (left.length === 0) throw new MindflowError('bad-args', `incident #${id} must keep at least one window (delete the incident instead)`);
    await c.run(`DELETE FROM incident_windows WHERE incident_id = ? AND window_id IN (SELECT unnest(?::INTEGER[]))`, [id, idList(windowIds)]);
    await c.run(`UPDATE incidents SET updated = now()::TIMESTAMP WHERE id = ?`, [id]);
    return getIn(c, id);
  });
}

export async function addIncidentNote(project: Project, id: number, text: string): Promise<Incident> {
  return project.transaction(async (c) => {
    await getIn(c, id);
    await c.run(`INSERT INTO incident_notes VALUES (nextval('incident_note_ids'), ?, now()::TIMESTAMP, ?, ?)`, [id, analystName(), text]);
    await c.run(`UPDATE incidents SET updated = now()::TIMESTAMP WHERE id = ?`, [id]);
    return getIn(c, id);
  });
}

export async function deleteIncident(project: Project, id: number): Promise<void> {
  await project.transaction(async (c) => {
    await getIn(c, id);
    await c.run(`DELETE FROM incident_windows WHERE incident_id = ?`, [id]);
    await c.run(`DELETE FROM incident_notes WHERE incident_id = ?`, [id]);
    await c.run(`DELETE FROM incidents WHERE id = ?`, [id]);
  });
}
