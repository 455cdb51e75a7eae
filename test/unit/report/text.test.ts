import { describe, expect, it } from 'vitest';
import { canonicalJson, stixScoId, uuidFromContent, uuidV5 } from '../../../main/core/report/ids.ts';
import { csvCell, escapeHtml, escapeMarkdown, escapeMarkdownBlock, flowRange, percent, rfc3339, stixPatternString, windowTime } from '../../../main/core/report/text.ts';
import { unescapedChars } from './helpers.ts';

describe('escapeHtml', () => {
  it.each([
    ['<script>alert(1)</script>', '&#60;script&#62;alert(1)&#60;/script&#62;'],
    ['" onmouseover="x', '&#34; onmouseover=&#34;x'],
    ["'a'", '&#39;a&#39;'],
    ['a & b', 'a &#38; b'],
    ['`x`', '&#96;x&#96;'],
    [42, '42'],
  ])('escapes %j', (input, out) => expect(escapeHtml(input)).toBe(out));
});

describe('escapeMarkdown', () => {
  it.each([
    ['[click](javascript:alert(1))', '\\[click\\]\\(javascript:alert\\(1\\)\\)'],
    ['![x](https://e.x/p.png)', '\\!\\[x\\]\\(https\\://e.x/p.png\\)'],
    ['`code`', '\\`code\\`'],
    ['a|b', 'a\\|b'],
    ['<b>&amp;</b>', '\\<b\\>\\&amp;\\</b\\>'],
    ['*em* _em_ ~~s~~', '\\*em\\* \\_em\\_ \\~\\~s\\~\\~'],
    ['www.evil.example', 'www\\.evil.example'],
    ['@user $x$', '\\@user \\$x\\$'],
    ['line1\nline2', 'line1 line2'],
    ['192.168.100.3', '192.168.100.3'],
    ['back\\slash', 'back\\\\slash'],
  ])('escapes %j', (input, out) => expect(escapeMarkdown(input)).toBe(out));

  it('leaves no markup character unescaped', () => {
    expect(unescapedChars(escapeMarkdown('<>[]()`*_|!#~&@$=+{}\\'))).toMatch(/^[^<>[\]`*_|#~&@$=+{}\\]*$/);
  });

  it('escapes block markers at the start of each line of multi-line text', () => {
    expect(escapeMarkdownBlock('- item\n1. one\n  # h\n> q')).toBe('\\- item  \n1\\. one  \n\\# h  \n\\> q');
  });
});

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ["=cmd|' /C calc'!A0", `"'=cmd|' /C calc'!A0"`],
    ['+SUM(1)', `"'+SUM(1)"`],
    ['-2+3', `"'-2+3"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\t=1', `"'\t=1"`],
    ['\r=1', `"'\r=1"`],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['a=b', 'a=b'],
    [1201, '1201'],
    [null, ''],
  ])('writes %j as %j', (input, out) => expect(csvCell(input)).toBe(out));
});

describe('stixPatternString', () => {
  it.each([
    ['192.168.100.3', "'192.168.100.3'"],
    ["a'b", "'a\\'b'"],
    ['a\\b', "'a\\\\b'"],
    ["\\'", "'\\\\\\''"],
  ])('quotes %j', (input, out) => expect(stixPatternString(input)).toBe(out));
});

describe('formatting', () => {
  it.each([
    ['2025-03-14T10:05:00Z', '2025-03-14T10:05:00.000Z'],
    ['2025-03-14T12:05:00+02:00', '2025-03-14T10:05:00.000Z'],
    ['garbage', '1970-01-01T00:00:00.000Z'],
  ])('rfc3339(%j) is %j', (input, out) => expect(rfc3339(input)).toBe(out));

  it('falls back to a second timestamp', () => expect(rfc3339('x', '2025-01-02T03:04:05.678Z')).toBe('2025-01-02T03:04:05.678Z'));
  it('says when a window ran, in UTC, with its length; nothing without times', () => {
    expect(windowTime({ start: '2021-06-12T01:23:45.012Z', end: '2021-06-12T01:23:47.500Z' })).toBe('2021-06-12 01:23:45.012 – 01:23:47.500 UTC (2.5 s)');
    expect(windowTime({ start: '2021-06-12T23:59:00.000Z', end: '2021-06-13T00:05:00.000Z' })).toBe('2021-06-12 23:59:00.000 – 2021-06-13 00:05:00.000 UTC (6.0 min)');
    expect(windowTime({ start: '2021-06-12T01:00:00.000Z', end: null })).toBe('2021-06-12 01:00:00.000 – 01:00:00.000 UTC (0 ms)');
    expect(windowTime({ start: '2021-06-12T01:00:48.200Z', end: '2021-06-12T01:00:48.215Z' })).toBe('2021-06-12 01:00:48.200 – 01:00:48.215 UTC (15 ms)');
    expect(windowTime({ start: '2021-06-12T01:00:48.040Z', end: '2021-06-12T01:00:49.040Z' })).toBe('2021-06-12 01:00:48.040 – 01:00:49.040 UTC (1.0 s)');
    expect(windowTime({ start: null, end: null })).toBeNull();
  });
  it('formats flow ranges and percentages', () => {
    expect(flowRange(1201, 1208)).toBe('flows 1,201–1,208');
    expect(flowRange(7, 7)).toBe('flow 7');
    expect(percent(0.9812)).toBe('98.1%');
    expect(percent(Number.NaN)).toBe('n/a');
  });
});

describe('ids', () => {
  const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  it('derives v4-layout UUIDs deterministically from content', () => {
    expect(uuidFromContent('a', 'b')).toMatch(V4);
    expect(uuidFromContent('a', 'b')).toBe(uuidFromContent('a', 'b'));
    expect(uuidFromContent('a', 'b')).not.toBe(uuidFromContent('ab'));
  });
  it('computes RFC 4122 v5 UUIDs (python uuid5(NAMESPACE_DNS, "python.org"))', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });
  it('names SCOs by the canonical JSON of their id-contributing properties', () => {
    expect(canonicalJson({ b: 1, a: ['x', { d: 2, c: 'y' }] })).toBe('{"a":["x",{"c":"y","d":2}],"b":1}');
    expect(stixScoId('ipv4-addr', { value: '1.2.3.4' })).toMatch(/^ipv4-addr--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
