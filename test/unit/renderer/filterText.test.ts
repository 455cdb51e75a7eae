/** The Explore filter bar's typed clauses. */
import { describe, expect, it } from 'vitest';
import { formatClause, parseClause, parseUtcTime } from '../../../renderer/src/lib/filterText.ts';

const fields = ['IPV4_SRC_ADDR', 'L4_DST_PORT', 'Attack', 'FLOW_START_MILLISECONDS', 'FLOW_END_MILLISECONDS'];

describe('parseClause', () => {
  it('reads field, operator and value; numbers become numbers, quotes keep text', () => {
    expect(parseClause('l4_dst_port = 80', fields)).toEqual({ ok: true, clause: { field: 'L4_DST_PORT', op: '=', value: 80 } });
    expect(parseClause('Attack != "DoS"', fields)).toEqual({ ok: true, clause: { field: 'Attack', op: '!=', value: 'DoS' } });
    expect(parseClause('host = 192.168.100.3', fields)).toEqual({ ok: true, clause: { field: 'host', op: '=', value: '192.168.100.3' } });
  });

  it('says what is wrong', () => {
    expect(parseClause('nonsense', fields)).toMatchObject({ ok: false, message: /field op value/ });
    expect(parseClause('SRC = 1', fields)).toMatchObject({ ok: false, message: 'Unknown field "SRC". Try host, port or a column name.' });
    expect(parseClause('Attack =', fields)).toMatchObject({ ok: false });
  });

  it('takes a UTC time for a v3 timestamp field and keeps epoch milliseconds as they are', () => {
    expect(parseClause('FLOW_START_MILLISECONDS >= 2021-06-12 01:05', fields)).toEqual({ ok: true, clause: { field: 'FLOW_START_MILLISECONDS', op: '>=', value: Date.UTC(2021, 5, 12, 1, 5) } });
    expect(parseClause('flow_end_milliseconds < 2021-06-12T01:05:30.25Z', fields)).toEqual({ ok: true, clause: { field: 'FLOW_END_MILLISECONDS', op: '<', value: Date.UTC(2021, 5, 12, 1, 5, 30, 250) } });
    expect(parseClause('FLOW_START_MILLISECONDS >= 1623459900000', fields)).toEqual({ ok: true, clause: { field: 'FLOW_START_MILLISECONDS', op: '>=', value: 1623459900000 } });
    expect(parseClause('FLOW_START_MILLISECONDS >= yesterday', fields)).toMatchObject({ ok: false, message: /takes a UTC time such as 2021-06-12 01:05:00\.250, or epoch milliseconds/ });
  });

  it('writes a timestamp clause back as a time, and that text parses to the same clause', () => {
    const parsed = parseClause('FLOW_START_MILLISECONDS >= 2021-06-12 01:05:00.250', fields);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(formatClause(parsed.clause)).toBe('FLOW_START_MILLISECONDS >= 2021-06-12 01:05:00.250');
    expect(parseClause(formatClause(parsed.clause), fields)).toEqual(parsed);
    expect(formatClause({ field: 'IN_BYTES', op: '>', value: 1234 })).toBe('IN_BYTES > 1234');
  });
});

describe('parseUtcTime', () => {
  it.each([
    ['2021-06-12', Date.UTC(2021, 5, 12)],
    ['2021-06-12 01:05', Date.UTC(2021, 5, 12, 1, 5)],
    ['2021-06-12 01:05:07 UTC', Date.UTC(2021, 5, 12, 1, 5, 7)],
    ['2021-06-12T01:05:07.5Z', Date.UTC(2021, 5, 12, 1, 5, 7, 500)],
  ])('%s', (text, ms) => expect(parseUtcTime(text)).toBe(ms));

  it.each(['2021-02-30', '2021-06-12 25:00', '12/06/2021', '2021-06-12 01:05+02:00', ''])('refuses %j', (text) => expect(parseUtcTime(text)).toBeNull());
});
