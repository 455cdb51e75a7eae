import { describe, expect, it } from 'vitest';
import { buildHtml, HTML_CSP } from '../../../main/core/report/html.ts';
import type { Tlp } from '../../../main/core/report/model.ts';
import { craftedIncidentReport, HOSTILE, sampleIncidentReport, timedIncidentReport } from './fixture.ts';
import { htmlTags } from './helpers.ts';

const ALLOWED_TAGS = new Set([
  '!doctype', 'html', 'head', 'meta', 'title', 'style', 'body', 'main', 'header', 'footer', 'section', 'article', 'div', 'span', 'p', 'h1', 'h2', 'h3',
  'dl', 'dt', 'dd', 'ul', 'li', 'strong', 'b', 'table', 'caption', 'thead', 'tbody', 'tr', 'th', 'td', 'figure', 'figcaption', 'wbr',
  'svg', 'g', 'rect', 'line', 'text', 'title',
]);
const ALLOWED_ATTRS = new Set([
  'lang', 'charset', 'http-equiv', 'content', 'name', 'class', 'style', 'id', 'scope', 'viewbox', 'width', 'height', 'role', 'aria-label',
  'x', 'y', 'x1', 'x2', 'y1', 'y2', 'dy', 'fill', 'stroke', 'stroke-width', 'transform', 'text-anchor', 'font-family', 'font-size', 'html',
]);

describe('buildHtml on the sample incident', () => {
  const html = buildHtml(sampleIncidentReport());

  it('is one HTML document with a strict CSP', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${HTML_CSP.replace(/'/g, '&#39;')}">`);
    expect(HTML_CSP).toMatch(/^default-src 'none'; style-src 'unsafe-inline'; img-src data:/);
  });

  it.each([
    ['summary', '1. Executive summary'],
    ['detection', '2. Detection source'],
    ['timeline', '3. Timeline (capture order)'],
    ['hosts', '4. Affected hosts'],
    ['indicators', '5. Indicators'],
    ['classes', '6. Attack classes'],
    ['evidence', '7. Evidence'],
    ['verdicts', '8. Analyst verdicts and notes'],
    ['provenance', '9. Capture and provenance'],
  ])('has the %s section (NIST SP 800-61 order)', (id, heading) => {
    expect(html).toContain(`<section id="${id}"`);
    expect(html).toContain(`<h2>${heading}</h2>`);
  });

  it('puts the sections in order', () => {
    const ids = [...html.matchAll(/<section id="(\w+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(['summary', 'detection', 'timeline', 'hosts', 'indicators', 'classes', 'evidence', 'verdicts', 'provenance']);
  });

  it('shows the title, id, status, severity and the TLP banner in its colour', () => {
    expect(html).toContain('<h1>Bot scan and SYN flood against 192.168.100.3</h1>');
    expect(html).toContain('<div class="tlp tlp-amber" style="color:#FFC000"><span class="label">TLP:AMBER</span>');
    // the marking opens and closes the page, each in a landmark of its own
    expect(html).toMatch(/<body>\n<header><div class="tlp tlp-amber"/);
    expect(html).toMatch(/<\/main>\n<footer><div class="tlp tlp-amber"[^\n]*<\/footer>\n<\/body>/);
    expect(html).toContain('inc-0007');
    expect(html).toContain('<dd>contained</dd>');
    expect(html).toContain('<span class="sev-high">high</span>');
  });

  it('shows the detection source with its per-class metrics', () => {
    for (const s of ['cnn-bilstm-v2-w10', 'model-3f9c2a', 'tensorflow (CUDA)', '0.60', 'macro F1 0.9312', '0.7317', '33,401']) expect(html).toContain(s);
  });

  it('says what the metrics were measured on: the scanned capture\'s labels, or the held-out flows of training', () => {
    expect(html).toContain('Measured by this scan against the capture&#39;s own labels (55,756 labelled flows)');
    expect(html).toContain('the figures overstate how it does on traffic it has not seen');
    expect(html).not.toContain('did not see');
    const r = sampleIncidentReport();
    r.detection.metrics!.scope = 'held-out';
    const heldOut = buildHtml(r);
    expect(heldOut).toContain('Held-out evaluation from the model&#39;s training, on 55,756 flows of its training capture that it never saw');
    expect(heldOut).not.toContain('Measured by this scan');
  });

  it('has two inline SVG charts: the timeline over capture order and the class confidence bars', () => {
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('flow id (capture order, not time)');
    expect(html).toContain('aria-label="Mean and peak detector confidence per attack class"');
    expect(html).not.toMatch(/\btime\b[^"]*windows per/i);
  });

  it('for a v3 capture, says time order and gives each window its time', () => {
    const timed = buildHtml(timedIncidentReport());
    expect(timed).toContain('<h2>3. Timeline (time order)</h2>');
    expect(timed).toContain('flow id (time order);');
    expect(timed).toContain('aria-label="Flagged windows per class over time order, flows');
    expect(timed).toMatch(/<dt>Time<\/dt><dd>2021-06-12 01:\d\d:\d\d\.\d{3} – 01:\d\d:\d\d\.\d{3} UTC \([\d.]+ m?s\)<\/dd>/);
    expect(timed.match(/<dt>Time<\/dt>/g)).toHaveLength(4);
    expect(html).not.toContain('<dt>Time</dt>');
    // hosts and indicators say when they were seen, evidence flows when they started
    const th = (name: string, num = false) => `<th scope="col"${num ? ' class="num"' : ''}><span class="w">${name}</span></th>`;
    expect(timed.match(new RegExp(`${th('Span')}${th('Seen')}`, 'g'))).toHaveLength(2);
    // a time span breaks only between its parts
    expect(timed).toContain('<td><span class="mono nb">2021-06-12</span> <span class="mono nb">01:02:44.080</span> <span class="mono nb">– 01:03:01.415</span> <span class="nb">UTC (17 s)</span></td>');
    expect(timed).toContain(th('Start (UTC)'));
    expect(html).not.toContain(th('Seen'));
    expect(html).not.toContain('Start (UTC)');
  });

  it('lists hosts with roles, the indicators and every window with its flows', () => {
    expect(html).toMatch(/192\.168\.100\.149<\/span><\/td><td><span class="nb">attacker<\/span><\/td>/);
    expect(html).toMatch(/192\.168\.100\.3<\/span><\/td><td><span class="nb">victim<\/span><\/td>/);
    // short count headers, so the Seen column of an A4 page keeps its time span on two lines
    expect(html).toContain('<span class="w">Role</span></th><th scope="col" class="num"><span class="w">Flows from</span></th><th scope="col" class="num"><span class="w">Flows to</span></th>');
    expect(html.match(/<article class="window"/g)).toHaveLength(4);
    expect(html).toContain('All 12 flows');
    expect(html).toContain('Why it was flagged.');
    expect(html).toContain('SYN flood against the web server on .3:80.');
    expect(html).toContain('Bots .147 and .149 isolated on switch port 12 and 14.');
  });

  it("writes the exporter's wrapped durations as the negative ms they stand for, starred and explained", () => {
    const r = sampleIncidentReport();
    const w = r.windows[0]!;
    w.flowRows[0]!.durationMs = 4294951;
    w.flowRows[1]!.durationMs = 1375;
    w.flowRows[2]!.durationMs = 4293592;
    const out = buildHtml(r);
    expect(out).toContain('<td class="num"><span class="nb">−16*</span></td>');
    expect(out).toContain('<td class="num">1,375</td>');
    expect(out).toContain('<span class="nb">−1,375*</span>');
    expect(out).toContain('* a duration the exporter wrapped around (stored as about 4,294,967 ms less it), shown as the negative ms it stands for');
    expect(out).not.toMatch(/>4,29\d,\d{3}</);
    // a window whose durations are all real says nothing of wrapping
    for (const f of w.flowRows) f.durationMs = 12;
    const plain = buildHtml({ ...r, windows: [w] });
    expect(plain).not.toContain('wrapped around');
  });

  it('ends with the capture file, its SHA-256, the app version and the generated time', () => {
    const r = sampleIncidentReport();
    expect(html).toContain(r.capture.sha256);
    expect(html).toContain('nf-bot-iot-v2-sample-a.csv.gz');
    expect(html).toContain('2025-03-14 11:45:00 UTC');
    expect(html).toContain('MindFlow Workbench 0.1.0');
  });

  it('prints well: page breaks between sections, rows and figures never cut, headers repeat', () => {
    expect(html).toContain('@media print');
    expect(html).toMatch(/section\.page \{ break-before: page; \}/);
    expect(html).toMatch(/tr, figure[^{]*\{ break-inside: avoid; \}/);
    expect(html).toContain('thead { display: table-header-group; }');
  });

  it('loads nothing: no scripts, links, sources, URLs or imports', () => {
    const tags = htmlTags(html);
    expect(tags.filter((t) => !ALLOWED_TAGS.has(t.name)).map((t) => t.name)).toEqual([]);
    expect(tags.flatMap((t) => Object.keys(t.attrs)).filter((a) => !ALLOWED_ATTRS.has(a))).toEqual([]);
    expect(html).not.toMatch(/https?:|url\(|@import|xlink|href|src=/i);
  });

  it.each<[Tlp, string]>([
    ['CLEAR', '#FFFFFF'],
    ['GREEN', '#33FF00'],
    ['AMBER', '#FFC000'],
    ['AMBER+STRICT', '#FFC000'],
    ['RED', '#FF2B2B'],
  ])('colours TLP:%s %s', (tlp, colour) => {
    const r = sampleIncidentReport();
    r.incident.tlp = tlp;
    expect(buildHtml(r)).toContain(`style="color:${colour}"><span class="label">TLP:${tlp.replace('+', '+')}</span>`);
  });

  it('lists the related incidents under the notes, the title of a more restricted one withheld', () => {
    const section = html.slice(html.indexOf('<h3>Related incidents</h3>'), html.indexOf('id="provenance"'));
    expect(section).toContain('Same bots against .5 on Tuesday');
    expect(section).toContain('192.168.100.3 (destination here, source there)');
    expect(section).toContain('<span class="muted">title withheld (TLP:RED)</span>');
    expect(section).toContain('TLP:RED');
    const none = sampleIncidentReport();
    none.relatedIncidents = [];
    expect(buildHtml(none)).toContain('No other incident in the project shares a host with this one.');
  });

  it('says so when the model has no metrics and the incident no windows', () => {
    const r = sampleIncidentReport();
    r.detection.metrics = null;
    r.windows = [];
    const out = buildHtml(r);
    expect(out).toContain('The model carries no evaluation metrics.');
    expect(out).toContain('The incident has no windows.');
    expect(out).toContain('No windows.');
  });
});

describe('buildHtml on a crafted capture', () => {
  const html = buildHtml(craftedIncidentReport());
  const tags = htmlTags(html);

  it('writes only its own tags and attributes', () => {
    expect(tags.filter((t) => !ALLOWED_TAGS.has(t.name)).map((t) => t.name)).toEqual([]);
    expect(tags.flatMap((t) => Object.keys(t.attrs)).filter((a) => !ALLOWED_ATTRS.has(a))).toEqual([]);
    expect(tags.filter((t) => t.name === 'style' && !t.closing)).toHaveLength(1);
    expect(html.match(/<\/style>/g)).toHaveLength(1);
  });

  it('escapes every hostile value', () => {
    expect(html).not.toMatch(/<script|<img|<\/?style[^>]*>[^:]*alert/i);
    expect(tags.flatMap((t) => Object.keys(t.attrs)).filter((a) => a.startsWith('on'))).toEqual([]);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('&#60;/style&#62;&#60;img src=x onerror=alert(1)&#62;');
    expect(html).toContain('&#34; onmouseover=&#34;alert(1)&#34; x=&#34;');
  });

  it('keeps hostile values out of attribute values', () => {
    for (const t of tags) for (const v of Object.values(t.attrs)) expect(v).not.toMatch(/alert|javascript|evil/);
  });

  it('keeps a hostile class name in text only (colours come from the fixed palette)', () => {
    expect(html).toContain('=cmd|&#39; /C calc&#39;!A0');
    expect(html).not.toContain("class=\"=cmd");
  });
});
