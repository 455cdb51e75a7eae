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

  it('refuses an operator it does not know, whole, instead of reading the rest as the value', () => {
    const ops = 'use one of =, !=, <, <=, >, >=';
    expect(parseClause('IN_BYTES >> foo', [...fields, 'IN_BYTES'])).toEqual({ ok: false, message: `Unknown operator ">>" after IN_BYTES: ${ops}` });
    expect(parseClause('Attack => DoS', fields)).toEqual({ ok: false, message: `Unknown operator "=>" after Attack: ${ops}` });
    expect(parseClause('Attack == DoS', fields)).toEqual({ ok: false, message: `Unknown operator "==" after Attack: ${ops}` });
    expect(parseClause('Attack ~ DoS', fields)).toMatchObject({ ok: false, message: /^Unknown operator "~"/ });
    expect(parseClause('Attack LIKE DoS', fields)).toMatchObject({ ok: false, message: /field op value/ });
    // a value that starts like an operator is quoted
    expect(parseClause('Attack = "=DoS"', fields)).toEqual({ ok: true, clause: { field: 'Attack', op: '=', value: '=DoS' } });
    expect(parseClause('L4_DST_PORT>=-1', fields)).toEqual({ ok: true, clause: { field: 'L4_DST_PORT', op: '>=', value: -1 } });
  });

  it('refuses text for a numeric field, as the core would, and reads numbers there', () => {
    const types = { IN_BYTES: 'integer', L4_DST_PORT: 'integer', IPV4_SRC_ADDR: 'text', Attack: 'text', confidence: 'float' } as const;
    const all = [...fields, 'IN_BYTES', 'confidence'];
    expect(parseClause('IN_BYTES > abc', all, types)).toEqual({ ok: false, message: 'IN_BYTES takes a number, not "abc"' });
    expect(parseClause('in_bytes = "12 kB"', all, types)).toEqual({ ok: false, message: 'IN_BYTES takes a number, not "12 kB"' });
    expect(parseClause(`IN_BYTES > ${'x'.repeat(60)}`, all, types)).toEqual({ ok: false, message: `IN_BYTES takes a number, not "${'x'.repeat(40)}…"` });
    expect(parseClause('confidence >= .9', all, types)).toEqual({ ok: true, clause: { field: 'confidence', op: '>=', value: 0.9 } });
    expect(parseClause('IN_BYTES > 1e6', all, types)).toEqual({ ok: true, clause: { field: 'IN_BYTES', op: '>', value: 1e6 } });
    expect(parseClause('L4_DST_PORT = "80"', all, types)).toEqual({ ok: true, clause: { field: 'L4_DST_PORT', op: '=', value: 80 } });
    // text fields take anything; a quoted number stays text
    expect(parseClause('Attack = Theft', all, types)).toEqual({ ok: true, clause: { field: 'Attack', op: '=', value: 'Theft' } });
    expect(parseClause('IPV4_SRC_ADDR = "10"', all, types)).toEqual({ ok: true, clause: { field: 'IPV4_SRC_ADDR', op: '=', value: '10' } });
    // without types, a column is not checked here (the core still checks it)
    expect(parseClause('IN_BYTES > abc', all)).toEqual({ ok: true, clause: { field: 'IN_BYTES', op: '>', value: 'abc' } });
    // host, port and the flow id have the same type in every capture
    expect(parseClause('port = http', fields)).toEqual({ ok: false, message: 'port takes a number, not "http"' });
    expect(parseClause('flow_id < ten', ['flow_id', ...fields])).toEqual({ ok: false, message: 'flow_id takes a number, not "ten"' });
    expect(parseClause('host = 1.2.3.4', fields, types)).toEqual({ ok: true, clause: { field: 'host', op: '=', value: '1.2.3.4' } });
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
