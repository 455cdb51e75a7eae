/**
 * A crafted capture through the whole pipeline: hostile strings in address and label fields are
 * imported, scanned with the built-in model, grouped into an incident and exported in every
 * format; each file must carry them inert.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCapture } from '../../../main/core/capture/import.ts';
import { scanCapture } from '../../../main/core/detector/service.ts';
import { createIncident, addIncidentNote } from '../../../main/core/incidents/incidents.ts';
import { exportReport } from '../../../main/core/incidents/export.ts';
import { addNote, listWindows, setVerdict, undoVerdict } from '../../../main/core/triage/triage.ts';
import { Workbench } from '../../../main/core/workbench.ts';
import type { ReportFormat } from '../../../preload/contract.ts';
import { V1_HEADER, V1_ROWS, tempDir } from '../helpers.ts';

const EVIL_SRC = `=cmd|' /C calc'!A0<script>alert(1)</script>`;
const EVIL_DST = `"><img src=x onerror=alert(2)>[x](javascript:alert(3))`;
const EVIL_LABEL = `<b>DoS</b>|@SUM(1)`;
const EVIL_NOTE = `</style><script>alert(4)</script> | =HYPERLINK("http://evil")`;

let wb: Workbench;
let cleanup: () => void;
let dir: string;
let incidentId: number;
let trailWindow: number;
let outside: number | null;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  const rows = Array.from({ length: 60 }, (_, i) => {
    const r = [...V1_ROWS[i % 3 === 0 ? 'DDoS' : 'DoS']!];
    r[0] = i % 2 ? EVIL_SRC : '192.168.100.149';
    r[2] = i % 2 ? EVIL_DST : '192.168.100.3';
    r[13] = EVIL_LABEL;
    return r.map((v) => `"${String(v).replace(/"/g, '""')}"`).join(',');
  });
  const csv = join(dir, 'crafted.csv');
  writeFileSync(csv, [V1_HEADER.join(','), ...rows].join('\n'));
  wb = await Workbench.open(join(dir, 'p.duckdb'), { host: 'web' });
  const { capture } = await importCapture(wb.project, csv);
  const ctx = { signal: new AbortController().signal, progress: () => {} };
  const scan = await scanCapture(wb.project, capture, {}, ctx);
  const { windows } = await listWindows(wb.project, { scanId: scan.id, offset: 0, limit: 5 });
  expect(windows.length).toBeGreaterThan(0);
  const incident = await createIncident(wb.project, { scanId: scan.id, windowIds: windows.map((w) => w.id), title: `<script>alert(5)</script> =1+1`, summary: EVIL_NOTE });
  await addIncidentNote(wb.project, incident.id, EVIL_NOTE);
  incidentId = incident.id;
  // the trail: a verdict undone, a verdict kept with a hostile reason, a window note; and one on a window outside the incident
  const [first, second] = windows;
  await setVerdict(wb.project, scan.id, [first!.id], 'tp');
  await undoVerdict(wb.project);
  await setVerdict(wb.project, scan.id, [first!.id], 'fp', EVIL_NOTE);
  await addNote(wb.project, scan.id, second?.id ?? first!.id, EVIL_LABEL);
  outside = (await listWindows(wb.project, { scanId: scan.id, offset: 5, limit: 1 })).windows[0]?.id ?? null;
  if (outside !== null) await setVerdict(wb.project, scan.id, [outside], 'review', 'not in the incident');
  trailWindow = first!.id;
}, 120_000);

afterAll(() => {
  wb.close();
  cleanup();
});

async function exported(format: ReportFormat): Promise<string> {
  const ctx = { signal: new AbortController().signal, progress: () => {} };
  const r = await exportReport(wb.project, incidentId, format, join(dir, `report.${format}`), ctx, {
    explain: (scanId, windowId) => wb.handlers.explainWindow({ scanId, windowId }),
    appVersion: 'test',
  });
  expect(r.bytes).toBeGreaterThan(0);
  return readFileSync(r.path, 'latin1');
}

describe('a crafted capture comes out inert in every report format', () => {
  it('HTML: no live markup, no script, the values escaped', async () => {
    const html = await exported('html');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>DoS</b>');
    expect(html).toMatch(/(&lt;|&#60;)script(&gt;|&#62;)alert\(5\)/);
    expect(html).toMatch(/(&lt;|&#60;)script(&gt;|&#62;)alert\(1\)/);
    expect(html).toMatch(/(&lt;|&#60;)img src=x onerror=alert\(2\)/);
    expect(html).not.toMatch(/href="javascript:/i);
  });

  it('Markdown: no raw HTML and no live links', async () => {
    const md = await exported('md');
    // Markdown escapes a character with a backslash: an escaped < renders as text
    expect(md).not.toMatch(/(?<!\\)<(script|img|b>)/i);
    expect(md).not.toMatch(/\]\(javascript:/i);
  });

  it('IOC CSV: formula cells are neutralised', async () => {
    const csv = await exported('iocs');
    const cells = csv.split(/\r?\n/).flatMap((line) => line.split(','));
    for (const cell of cells) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@]/);
    expect(csv).toContain(`'=cmd`);
  });

  it('JSON, STIX and MISP: valid JSON that cannot open a tag', async () => {
    for (const format of ['json', 'stix', 'misp'] as const) {
      const text = await exported(format);
      expect(() => JSON.parse(text), format).not.toThrow();
      expect(text, format).not.toMatch(/<script|<img/i);
    }
    const stix = JSON.parse(await exported('stix')) as { objects: { type: string; pattern?: string }[] };
    for (const o of stix.objects.filter((x) => x.type === 'indicator')) expect(o.pattern).toMatch(/^\[.*\]$/);
  });

  it('JSON: the verdict history of the incident\'s windows, oldest first, and of no other window', async () => {
    const doc = JSON.parse(await exported('json')) as { auditTrail: { windowId: string; action: string; previous: string | null; value: string | null; reason: string | null; undone: boolean }[] };
    const mine = doc.auditTrail.filter((e) => e.windowId === String(trailWindow));
    expect(mine.map((e) => [e.action, e.previous, e.value, e.undone])).toEqual([
      ['verdict', null, 'tp', true],
      ['undo', 'tp', null, false],
      ['verdict', null, 'fp', false],
    ]);
    expect(mine[2]!.reason).toBe(EVIL_NOTE);
    expect(doc.auditTrail.some((e) => e.action === 'note' && e.value === EVIL_LABEL)).toBe(true);
    if (outside !== null) expect(doc.auditTrail.some((e) => e.windowId === String(outside))).toBe(false);
    const html = await exported('html');
    expect(html).toContain('Verdict history');
    // (read as latin1 above: the arrow is three bytes)
    expect(html).toMatch(/<span class="undone">not reviewed .{1,3} true positive<\/span>/);
  });

  it.skipIf(!existsSync(process.env.MINDFLOW_CHROMIUM ?? '/usr/bin/chromium'))('PDF: printed by headless Chromium', async () => {
    const pdf = await exported('pdf');
    expect(pdf.startsWith('%PDF-')).toBe(true);
  }, 120_000);
});
