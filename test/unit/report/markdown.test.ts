import { describe, expect, it } from 'vitest';
import { buildMarkdown } from '../../../main/core/report/markdown.ts';
import { craftedIncidentReport, sampleIncidentReport, timedIncidentReport } from './fixture.ts';
import { unescapedChars } from './helpers.ts';

/** Cells of a GFM table row, split on unescaped pipes. */
function cells(line: string): number {
  return unescapedChars(line.replace(/\\\|/g, '')).split('|').length - 2;
}

function tables(md: string): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  for (const line of md.split('\n')) {
    if (line.startsWith('|')) cur.push(line);
    else if (cur.length) {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

describe('buildMarkdown on the sample incident', () => {
  const md = buildMarkdown(sampleIncidentReport());

  it('says what the metrics were measured on', () => {
    expect(md).toContain('Measured by this scan against the capture');
    expect(md).toContain('55,756 labelled flows');
    expect(md).not.toContain('Held-out evaluation:');
    const r = sampleIncidentReport();
    r.detection.metrics!.scope = 'held-out';
    expect(buildMarkdown(r)).toContain('flows of its training capture that it never saw');
  });

  it.each([
    '# Incident report: Bot scan and SYN flood against 192.168.100.3',
    '## 1. Executive summary',
    '## 2. Detection source',
    '## 3. Timeline (capture order)',
    '## 4. Affected hosts',
    '## 5. Indicators',
    '## 6. Attack classes',
    '## 7. Evidence',
    '## 8. Analyst verdicts and notes',
    '## 9. Provenance',
  ])('has the heading %j', (h) => expect(md.split('\n')).toContain(h));

  it('carries the same facts as the HTML report', () => {
    const r = sampleIncidentReport();
    for (const s of ['**TLP:AMBER**', '| Severity | high |', '| Status | contained |', r.capture.sha256, 'cnn-bilstm-v2-w10', '| Theft | 0.7500 | 0.7143 | 0.7317 | 7 |', 'T1046 Network Service Discovery', 'T1499 Endpoint Denial of Service'])
      expect(md).toContain(s);
    expect(md.match(/^### Window /gm)).toHaveLength(4);
    expect(md).toContain('| 192.168.100.149 | attacker | 15 | 0 | DoS | flows 4,102–4,535 |');
    expect(md).toContain('not time');
  });

  it('lists the verdict history oldest first, an undone change struck through, a note with its text', () => {
    const history = md.slice(md.indexOf('**Verdict history**'), md.indexOf('**Notes**'));
    const rows = history.split('\n').filter((l) => l.startsWith('| 2025'));
    expect(rows).toHaveLength(5);
    expect(rows[0]).toContain('| w-9007 | verdict (undone) | ~~not reviewed → true positive~~ | j.chen | – |');
    expect(rows[1]).toContain('| w-9007 | undo | true positive → not reviewed | j.chen |');
    expect(rows[3]).toContain('| w-9007 | verdict | not reviewed → false positive | a.rivera | backup job |');
    expect(rows[4]).toContain('| w-4530 | note | Same scanner as w-1201? | a.rivera |');
    const empty = sampleIncidentReport();
    empty.auditTrail = [];
    expect(buildMarkdown(empty)).toContain('_No verdict changes or window notes._');
  });

  it('lists the related incidents with their shared hosts, the title of a more restricted one withheld', () => {
    const related = md.slice(md.indexOf('**Related incidents**'), md.indexOf('## 9. Provenance'));
    const rows = related.split('\n').filter((l) => l.startsWith('| #inc-'));
    expect(rows).toEqual([
      // markdown-escaped: a parenthesis right after a link's text would make a link of it
      '| #inc-0009 Same bots against .5 on Tuesday | open | medium | TLP:GREEN | tuesday.csv.gz (scan #scan-4) | 192.168.100.147 \\(source in both\\), 192.168.100.149 \\(source in both\\), 192.168.100.3 \\(destination here, source there\\) |',
      '| #inc-0011 title withheld \\(TLP:RED\\) | closed | high | TLP:RED | monday.csv (scan #scan-2) | 192.168.100.3 \\(destination in both\\) |',
    ]);
    const none = sampleIncidentReport();
    none.relatedIncidents = [];
    expect(buildMarkdown(none)).toContain('_No other incident in the project shares a host with this one._');
  });

  it('says when a window ran only for captures with timestamps', () => {
    expect(md).not.toContain('- Time: ');
    const r = sampleIncidentReport();
    r.windows[1]!.start = '2021-06-12T01:23:45.012Z';
    r.windows[1]!.end = '2021-06-12T01:23:47.500Z';
    const timed = buildMarkdown(r);
    expect(timed.match(/^- Time: .*$/gm)).toEqual(['- Time: 2021-06-12 01:23:45.012 – 01:23:47.500 UTC (2.5 s)']);
  });

  it('a v3 capture\'s timeline is in time order, says when the windows ran and gives each one\'s time', () => {
    const timed = buildMarkdown(timedIncidentReport());
    expect(timed).toContain('## 3. Timeline (time order)');
    expect(timed).not.toContain('## 3. Timeline (capture order)');
    expect(timed).toMatch(/Flows are in time order \(FLOW\\_START\\_MILLISECONDS\); positions are flow ids in that order\. The windows ran 2021-06-12 01:\d\d:\d\d\.\d{3} – 01:\d\d:\d\d\.\d{3} UTC \([\d.]+ (s|min)\)\./);
    expect(timed).toMatch(/^\| Window \| Class \| Flows \| Span \| Time \| Peak \| Verdict \|$/m);
    for (const t of tables(timed)) for (const line of t) expect(cells(line)).toBe(cells(t[0]!));
    expect(timed).toMatch(/^\| Host \| Role \| Flows from \| Flows to \| Classes \| Span \| Seen \|$/m);
    expect(timed).toMatch(/^\| Type \| Value \| Count \| First flow \| Last flow \| Seen \| Class \| Max confidence \|$/m);
    expect(timed).toContain('| ipv4-src | 192.168.100.149 | 15 | 4,102 | 4,535 | 2021-06-12 01:02:44.080 – 01:03:01.415 UTC (17 s) | DoS |');
    expect(timed).toMatch(/^\| Flow \| Start \(UTC\) \| Source \|/m);
    expect(md).not.toContain('| Seen |');
    expect(md).not.toContain('Start (UTC)');
  });

  it('writes well-formed tables: every row has the header\'s cell count', () => {
    const all = tables(md);
    expect(all.length).toBeGreaterThanOrEqual(10);
    for (const t of all) for (const row of t) expect(cells(row)).toBe(cells(t[0]!));
  });
});

describe('buildMarkdown on a crafted capture', () => {
  const md = buildMarkdown(craftedIncidentReport());

  it('leaves no link, image, code, HTML or autolink markup unescaped', () => {
    const raw = unescapedChars(md);
    expect(raw).not.toMatch(/[<>[\]`]/);
    expect(raw).not.toMatch(/:\/\//);
    expect(md).toContain('\\[click\\]\\(javascript:alert\\(1\\)\\)');
    expect(md).toContain('\\<script\\>alert\\(1\\)\\</script\\>');
  });

  it('keeps tables intact despite pipes and line breaks in values', () => {
    for (const t of tables(md)) for (const row of t) expect(cells(row)).toBe(cells(t[0]!));
  });

  it('lets no value open a heading or a list', () => {
    const headings = md.split('\n').filter((l) => /^\s{0,3}#/.test(l));
    for (const h of headings) expect(h).toMatch(/^#{1,3} (Incident report|\d\. |Window )/);
    expect(md).not.toMatch(/^\s{0,3}# heading/m);
    expect(md).toContain('\\# heading');
  });
});
