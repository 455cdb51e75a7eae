/** How flow fields read in the flow table and the drill-down. */
import { describe, expect, it } from 'vitest';
import { fieldNote, formatEpochMs, formatField } from '../../../renderer/src/lib/format.ts';

describe('formatField', () => {
  it("gives a scan's confidence and attack score three decimals, so a column of them lines up", () => {
    expect(formatField('confidence', 1)).toBe('1.000');
    expect(formatField('attack_score', 0.99951)).toBe('1.000');
    expect(formatField('confidence', 0.4)).toBe('0.400');
    expect(formatField('IN_BYTES', 0.4)).toBe('0.4');
  });

  it("shows v3's epoch-millisecond timestamps as UTC times, to the millisecond", () => {
    expect(formatEpochMs(Date.UTC(2021, 5, 12, 1, 23, 45, 12))).toBe('2021-06-12 01:23:45.012');
    expect(formatField('FLOW_START_MILLISECONDS', Date.UTC(2021, 5, 12, 1, 23, 45, 12))).toBe('2021-06-12 01:23:45.012');
    expect(formatField('FLOW_END_MILLISECONDS', 1_623_461_025_999)).toBe('2021-06-12 01:23:45.999');
  });

  it('leaves a timestamp field that is not a plausible epoch time as a number', () => {
    expect(formatField('FLOW_START_MILLISECONDS', 0)).toBe('0');
    expect(formatField('FLOW_START_MILLISECONDS', 4_294_967)).toBe('4,294,967');
    expect(formatField('FLOW_START_MILLISECONDS', null)).toBe('∅');
  });

  it('writes ports, protocols, flags and ids without separators, and counts with them', () => {
    expect(formatField('L4_SRC_PORT', 64360)).toBe('64360');
    expect(formatField('DNS_QUERY_ID', 12345)).toBe('12345');
    expect(formatField('flow_id', 278780)).toBe('278780');
    expect(formatField('IN_BYTES', 1234567)).toBe('1,234,567');
    expect(formatField('FLOW_DURATION_MILLISECONDS', 4294967)).toBe('4,294,967');
  });
});

describe('fieldNote', () => {
  it("explains a duration the exporter wrapped around, and only that", () => {
    expect(fieldNote('FLOW_DURATION_MILLISECONDS', 4294951)).toBe(
      'Exporter wrap-around, not a duration of 4,294,951 ms: the flow ended 16 ms before it started (a negative duration written as 2^32 µs less it)',
    );
    expect(fieldNote('DURATION_IN', 4293592)).toContain('ended 1,375 ms before it started');
    expect(fieldNote('FLOW_DURATION_MILLISECONDS', 4294967)).toContain('the flow ended as it started');
    expect(fieldNote('FLOW_DURATION_MILLISECONDS', 1375)).toBeUndefined();
    expect(fieldNote('FLOW_DURATION_MILLISECONDS', null)).toBeUndefined();
    expect(fieldNote('IN_BYTES', 4294951)).toBeUndefined();
  });
});

describe('siblingHost (contract)', () => {
  it('writes a host in the same /24 as its last octet, and anything else whole', async () => {
    const { siblingHost } = await import('../../../preload/contract.ts');
    expect(siblingHost('192.168.100.5', '192.168.100.3')).toBe('.5');
    expect(siblingHost('192.168.100.3', '192.168.100.3')).toBe('192.168.100.3');
    expect(siblingHost('192.168.101.5', '192.168.100.3')).toBe('192.168.101.5');
    expect(siblingHost('192.168.100.5', 'fe80::1')).toBe('192.168.100.5');
    expect(siblingHost('192.168.100.5x', '192.168.100.3')).toBe('192.168.100.5x');
  });
});

