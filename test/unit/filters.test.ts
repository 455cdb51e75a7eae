import { describe, expect, it } from 'vitest';
import { buildWhere, resolveField } from '../../main/core/query/filters.ts';
import { V1_HEADER } from './helpers.ts';

const cols = V1_HEADER;

describe('buildWhere', () => {
  const table: { name: string; filter: Parameters<typeof buildWhere>[0]; sql: string; params: unknown[] }[] = [
    { name: 'no clauses', filter: { clauses: [] }, sql: '', params: [] },
    {
      name: 'equality on a text column',
      filter: { clauses: [{ field: 'IPV4_SRC_ADDR', op: '=', value: '192.168.100.3' }] },
      sql: 'WHERE "IPV4_SRC_ADDR" = ?',
      params: ['192.168.100.3'],
    },
    {
      name: 'numeric values are coerced from text',
      filter: { clauses: [{ field: 'L4_DST_PORT', op: '>=', value: '1024' }] },
      sql: 'WHERE "L4_DST_PORT" >= ?',
      params: [1024],
    },
    {
      name: 'host matches either end',
      filter: { clauses: [{ field: 'host', op: '=', value: '10.0.0.1' }] },
      sql: 'WHERE ("IPV4_SRC_ADDR" = ? OR "IPV4_DST_ADDR" = ?)',
      params: ['10.0.0.1', '10.0.0.1'],
    },
    {
      name: 'host != excludes both ends',
      filter: { clauses: [{ field: 'host', op: '!=', value: '10.0.0.1' }] },
      sql: 'WHERE ("IPV4_SRC_ADDR" != ? AND "IPV4_DST_ADDR" != ?)',
      params: ['10.0.0.1', '10.0.0.1'],
    },
    {
      name: 'aliases and the brush range',
      filter: { clauses: [{ field: 'class', op: '!=', value: 'DoS' }], flowRange: { from: 10, to: 20 } },
      sql: 'WHERE ("Attack" IS DISTINCT FROM ?) AND rowid >= ? AND rowid < ?',
      params: ['DoS', 10, 20],
    },
  ];
  for (const t of table) {
    it(t.name, () => {
      const where = buildWhere(t.filter, cols);
      expect(where.sql).toBe(t.sql);
      expect(where.params).toEqual(t.params);
    });
  }

  it('injection attempts in values stay bound values', () => {
    const evil = ["x' OR '1'='1", "'; DROP TABLE captures; --", 'a"b', '\\', '${1}'];
    for (const value of evil) {
      const where = buildWhere({ clauses: [{ field: 'Attack', op: '=', value }] }, cols);
      expect(where.sql).toBe('WHERE "Attack" = ?');
      expect(where.params).toEqual([value]);
    }
  });

  it('unknown fields are refused, never spliced', () => {
    expect(() => buildWhere({ clauses: [{ field: 'IN_BYTES) OR (1=1', op: '=', value: 1 }] }, cols)).toThrow(/unknown filter field/);
    expect(() => resolveField('DNS_QUERY_ID', cols)).toThrow(/no such column/);
  });

  it('a numeric field with a non-number value says so', () => {
    expect(() => buildWhere({ clauses: [{ field: 'port', op: '=', value: 'http' }] }, cols)).toThrow('port expects a number, got "http"');
  });
});
