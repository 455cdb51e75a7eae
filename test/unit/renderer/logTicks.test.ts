import { describe, expect, it } from 'vitest';
import { logTicks, niceLogDomain } from '../../../renderer/src/lib/logTicks.ts';

describe('logTicks', () => {
  it('gives the powers of ten of a domain spanning several decades', () => {
    expect(logTicks(0.001, 1)).toEqual([0.001, 0.01, 0.1, 1]);
  });

  it('adds 2x and 5x steps when fewer than three powers fall inside', () => {
    expect(logTicks(0.1, 1)).toEqual([0.1, 0.2, 0.5, 1]);
    expect(logTicks(0.3, 0.7)).toEqual([0.5]);
    expect(logTicks(0.03, 0.7)).toEqual([0.05, 0.1, 0.2, 0.5]);
    // 2x and 5x would make 7 ticks: the 5x steps alone
    expect(logTicks(0.0046, 0.77)).toEqual([0.005, 0.01, 0.05, 0.1, 0.5]);
  });

  it('drops every other power on a very long axis and keeps the top one', () => {
    const t = logTicks(1e-9, 1);
    expect(t.length).toBeLessThanOrEqual(6);
    expect(t.at(-1)).toBe(1);
    expect(t).toEqual([1e-8, 1e-6, 1e-4, 1e-2, 1]);
  });

  it('has no ticks for a domain a log axis cannot show', () => {
    expect(logTicks(0, 1)).toEqual([]);
    expect(logTicks(-1, 1)).toEqual([]);
    expect(logTicks(1, 0.5)).toEqual([]);
    expect(logTicks(Number.NaN, 1)).toEqual([]);
  });
});

describe('niceLogDomain', () => {
  it('widens each end to the nearest 1, 2 or 5 step', () => {
    expect(niceLogDomain(0.21, 1.6)).toEqual([0.2, 2]);
    expect(niceLogDomain(0.0116, 0.768)).toEqual([0.01, 1]);
    expect(niceLogDomain(0.003, 0.05)).toEqual([0.002, 0.05]);
    expect(niceLogDomain(3, 7)).toEqual([2, 10]);
  });

  it('keeps a one-value domain open', () => {
    expect(niceLogDomain(0.5, 0.5)).toEqual([0.5, 1]);
    expect(niceLogDomain(1, 1)).toEqual([1, 2]);
  });
});
