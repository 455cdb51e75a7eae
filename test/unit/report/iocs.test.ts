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
    ['ipv4-src', '192.168.100.149', '4102', '4535', '15', 'DoS', '0.9750', '', ''],
    ['ipv4-src', '192.168.100.147', '1201', '4534', '11', 'Reconnaissance;DoS', '0.9970', '', ''],
    ['ipv4-dst', '192.168.100.3', '1201', '4535', '26', 'DoS;Reconnaissance', '0.9970', '', ''],
    ['dst-port', '80', '1201', '4535', '19', 'DoS;Reconnaissance', '0.9810', '', ''],
    ['protocol', 'tcp', '1201', '4535', '26', 'DoS;Reconnaissance', '0.9970', '', ''],
  ])('row %s %s (no times: a v2 capture has none)', (...row) => expect(rows).toContainEqual(row));
});

describe('buildIocCsv on a v3 capture', () => {
  // a flow every 40 ms from 01:00 UTC, each lasting 15 ms (fixture.ts)
  const rows = parseCsv(buildIocCsv(timedIncidentReport()));

  it.each([
    // flows 4102..4535: 4102 × 40 ms = 2 min 44.080 s; 4535 × 40 + 15 ms = 3 min 1.415 s
    ['ipv4-src', '192.168.100.149', '4102', '4535', '15', 'DoS', '0.9750', '2021-06-12T01:02:44.080Z', '2021-06-12T01:03:01.415Z'],
    // flows 1201..4535: 1201 × 40 ms = 48.040 s
    ['ipv4-dst', '192.168.100.3', '1201', '4535', '26', 'DoS;Reconnaissance', '0.9970', '2021-06-12T01:00:48.040Z', '2021-06-12T01:03:01.415Z'],
  ])('row %s %s says when it was first and last seen', (...row) => expect(rows).toContainEqual(row));
});

describe('buildIocCsv on a crafted capture', () => {
  const csv = buildIocCsv(craftedIncidentReport());
  const rows = parseCsv(csv);

  it('parses as RFC 4180 with nine cells per row', () => {
    for (const r of rows) expect(r).toHaveLength(9);
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
