import { describe, expect, it } from 'vitest';
import { buildIocCsv, IOC_CSV_COLUMNS } from '../../../main/core/report/iocs.ts';
import { craftedIncidentReport, HOSTILE, sampleIncidentReport, timedIncidentReport } from './fixture.ts';
import { parseCsv } from './helpers.ts';

describe('buildIocCsv on the sample incident', () => {
  const csv = buildIocCsv(sampleIncidentReport());
  const rows = parseCsv(csv);

  it('has a header and one row per indicator, CRLF line ends', () => {
    expect(rows[0]).toEqual([...IOC_CSV_COLUMNS]);
    expect(rows).toHaveLength(13);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it.each([
    // .149 is in w-4102 (tp) and w-4530 (review); .3 is the destination of three windows, and
    // of w-9007 too, which is marked false positive and gives no indicator
    ['ipv4-src', '192.168.100.149', '4102', '4535', '15', 'DoS', '0.9750', '', '', '2', 'tp=1;review=1;untriaged=0', 'true'],
    ['ipv4-src', '192.168.100.147', '1201', '4534', '11', 'Reconnaissance;DoS', '0.9970', '', '', '2', 'tp=1;review=1;untriaged=0', 'true'],
    ['ipv4-dst', '192.168.100.3', '1201', '4535', '26', 'DoS;Reconnaissance', '0.9970', '', '', '3', 'tp=2;review=1;untriaged=0', 'true'],
    ['dst-port', '80', '1201', '4535', '19', 'DoS;Reconnaissance', '0.9810', '', '', '3', 'tp=2;review=1;untriaged=0', 'true'],
    ['dst-port', '1883', '1202', '1202', '1', 'Reconnaissance', '0.9920', '', '', '1', 'tp=1;review=0;untriaged=0', 'true'],
    ['protocol', 'tcp', '1201', '4535', '26', 'DoS;Reconnaissance', '0.9970', '', '', '3', 'tp=2;review=1;untriaged=0', 'true'],
  ])('row %s %s (no times: a v2 capture has none)', (...row) => expect(rows).toContainEqual(row));
});

describe('buildIocCsv where the analysts stand', () => {
  it('counts untriaged windows and says unconfirmed when no window is a true positive', () => {
    const report = sampleIncidentReport();
    for (const w of report.windows) if (w.id === 'w-4102') w.verdict = null;
    const rows = parseCsv(buildIocCsv(report));
    expect(rows).toContainEqual(['ipv4-src', '192.168.100.149', '4102', '4535', '15', 'DoS', '0.9750', '', '', '2', 'tp=0;review=1;untriaged=1', 'false']);
    // .147 keeps its true positive in w-1201
    expect(rows.find((r) => r[1] === '192.168.100.147')?.slice(9)).toEqual(['2', 'tp=1;review=1;untriaged=0', 'true']);
  });

  it('drops what only a false-positive window carried', () => {
    const report = sampleIncidentReport();
    for (const w of report.windows) if (w.id === 'w-4102' || w.id === 'w-4530') w.verdict = 'fp';
    const values = parseCsv(buildIocCsv(report)).map((r) => r[1]);
    expect(values).not.toContain('192.168.100.149');
    expect(values).toContain('192.168.100.147');
  });
});

describe('buildIocCsv on a v3 capture', () => {
  // a flow every 40 ms from 01:00 UTC, each lasting 15 ms (fixture.ts)
  const rows = parseCsv(buildIocCsv(timedIncidentReport()));

  it.each([
    // flows 4102..4535: 4102 × 40 ms = 2 min 44.080 s; 4535 × 40 + 15 ms = 3 min 1.415 s
    ['ipv4-src', '192.168.100.149', '4102', '4535', '15', 'DoS', '0.9750', '2021-06-12T01:02:44.080Z', '2021-06-12T01:03:01.415Z', '2', 'tp=1;review=1;untriaged=0', 'true'],
    // flows 1201..4535: 1201 × 40 ms = 48.040 s
    ['ipv4-dst', '192.168.100.3', '1201', '4535', '26', 'DoS;Reconnaissance', '0.9970', '2021-06-12T01:00:48.040Z', '2021-06-12T01:03:01.415Z', '3', 'tp=2;review=1;untriaged=0', 'true'],
  ])('row %s %s says when it was first and last seen', (...row) => expect(rows).toContainEqual(row));
});

describe('buildIocCsv on a crafted capture', () => {
  const csv = buildIocCsv(craftedIncidentReport());
  const rows = parseCsv(csv);

  it('parses as RFC 4180 with twelve cells per row', () => {
    for (const r of rows) expect(r).toHaveLength(12);
  });

  it('neutralises every cell a spreadsheet would read as a formula', () => {
    for (const r of rows) for (const cell of r) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it.each([HOSTILE.csvPlus, HOSTILE.csvMinus, HOSTILE.csvAt, HOSTILE.csvTab, HOSTILE.stixQuote, HOSTILE.backslash, HOSTILE.newline])('keeps %j recoverable (quote-prefixed when it starts a formula)', (v) => {
    const values = rows.map((r) => r[1]);
    expect(values).toContain(/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
  });

  it('neutralises a formula in the class column', () => {
    expect(rows.some((r) => r[5] === `'${HOSTILE.csvCmd}`)).toBe(true);
    expect(csv).toContain(`"'=cmd|' /C calc'!A0"`);
  });
});
