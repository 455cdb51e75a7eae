import { describe, expect, it } from 'vitest';
import { V1_FIELDS, V2_EXTRA_FIELDS } from '../../../main/core/capture/schema.ts';
import {
  chooseFeatureSet,
  columnFeatures,
  encodeFlow,
  IDENTIFIER_COLUMNS,
  featureNames,
  fitStats,
  missingColumns,
  standardize,
  V1_FEATURE_COLUMNS,
  type FeatureSet,
} from '../../../main/core/model/features.ts';

const v1Set: FeatureSet = { name: 'v1', columns: [...V1_FEATURE_COLUMNS], identifiers: false };

describe('chooseFeatureSet', () => {
  it.each([
    ['v1 capture, auto', [...V1_FIELDS, 'Attack'], 'auto', 'v1'],
    ['v2 capture, auto', [...V1_FIELDS, ...V2_EXTRA_FIELDS], 'auto', 'v2'],
    ['v2 capture, v1 asked', [...V1_FIELDS, ...V2_EXTRA_FIELDS], 'v1', 'v1'],
  ] as const)('%s -> %s', (_name, cols, choice, expected) => {
    expect(chooseFeatureSet(cols, choice).name).toBe(expected);
  });

  it('uses the 8 non-identifier v1 fields by default and never IPs, ports or DNS ids', () => {
    const set = chooseFeatureSet([...V1_FIELDS, ...V2_EXTRA_FIELDS], 'v1');
    expect(set.columns).toEqual(['PROTOCOL', 'L7_PROTO', 'IN_BYTES', 'OUT_BYTES', 'IN_PKTS', 'OUT_PKTS', 'TCP_FLAGS', 'FLOW_DURATION_MILLISECONDS']);
    const v2 = chooseFeatureSet([...V1_FIELDS, ...V2_EXTRA_FIELDS], 'v2');
    for (const id of ['IPV4_SRC_ADDR', 'IPV4_DST_ADDR', 'L4_SRC_PORT', 'L4_DST_PORT', 'DNS_QUERY_ID']) expect(v2.columns).not.toContain(id);
  });

  it('adds hosts and ports only when asked, after the set, and never DNS ids', () => {
    const v1 = chooseFeatureSet([...V1_FIELDS], 'v1', { identifiers: true });
    expect(v1.columns).toEqual([...V1_FEATURE_COLUMNS, 'IPV4_SRC_ADDR', 'IPV4_DST_ADDR', 'L4_SRC_PORT', 'L4_DST_PORT']);
    expect(v1.identifiers).toBe(true);
    const v2 = chooseFeatureSet([...V1_FIELDS, ...V2_EXTRA_FIELDS], 'v2', { identifiers: true });
    expect(v2.columns.slice(-4)).toEqual([...IDENTIFIER_COLUMNS]);
    expect(v2.columns).not.toContain('DNS_QUERY_ID');
    expect(() => chooseFeatureSet(V1_FEATURE_COLUMNS, 'v1', { identifiers: true })).toThrow(/lacks: IPV4_SRC_ADDR, IPV4_DST_ADDR, L4_SRC_PORT, L4_DST_PORT/);
  });

  it('encodes an address (as its 32-bit number) as its four octets, and a port as log1p', () => {
    const set: FeatureSet = { name: 'v1', columns: ['IPV4_SRC_ADDR', 'L4_DST_PORT'], identifiers: true };
    expect(columnFeatures('IPV4_DST_ADDR')).toEqual(['IPV4_DST_ADDR.octet1', 'IPV4_DST_ADDR.octet2', 'IPV4_DST_ADDR.octet3', 'IPV4_DST_ADDR.octet4']);
    expect(featureNames(set)).toEqual(['IPV4_SRC_ADDR.octet1', 'IPV4_SRC_ADDR.octet2', 'IPV4_SRC_ADDR.octet3', 'IPV4_SRC_ADDR.octet4', 'log1p(L4_DST_PORT)']);
    const out = new Float32Array(5);
    encodeFlow(set, [192 * 2 ** 24 + 168 * 2 ** 16 + 100 * 2 ** 8 + 148, 80], out);
    expect(Array.from(out)).toEqual([192, 168, 100, 148, Math.fround(Math.log1p(80))]);
    encodeFlow(set, [null, 0], out);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0]);
    encodeFlow(set, [2 ** 40, 0], out);
    expect(Array.from(out.slice(0, 4))).toEqual([255, 255, 255, 255]);
  });

  it('refuses v2 on a v1 capture with the missing columns named', () => {
    expect(() => chooseFeatureSet([...V1_FIELDS], 'v2')).toThrow(/needs columns this capture lacks: CLIENT_TCP_FLAGS/);
    expect(missingColumns(v1Set, ['PROTOCOL'])).toContain('IN_BYTES');
  });
});

describe('encodeFlow', () => {
  const names = featureNames(v1Set);
  const encode = (values: (number | null)[]) => {
    const out = new Float32Array(names.length);
    encodeFlow(v1Set, values, out);
    return Object.fromEntries(names.map((n, i) => [n, out[i]]));
  };
  // PROTOCOL, L7_PROTO, IN_BYTES, OUT_BYTES, IN_PKTS, OUT_PKTS, TCP_FLAGS, FLOW_DURATION_MILLISECONDS
  it.each([
    ['TCP one-hot', [6, 0, 0, 0, 0, 0, 0, 0], { 'PROTOCOL=6': 1, 'PROTOCOL=17': 0, 'PROTOCOL=other': 0 }],
    ['UDP one-hot', [17, 0, 0, 0, 0, 0, 0, 0], { 'PROTOCOL=6': 0, 'PROTOCOL=17': 1 }],
    ['unknown protocol', [47, 0, 0, 0, 0, 0, 0, 0], { 'PROTOCOL=other': 1, 'PROTOCOL=1': 0 }],
    ['SYN+RST+ACK flags as bits', [6, 0, 0, 0, 0, 0, 22, 0], { 'TCP_FLAGS.SYN': 1, 'TCP_FLAGS.RST': 1, 'TCP_FLAGS.ACK': 1, 'TCP_FLAGS.FIN': 0, 'TCP_FLAGS.PSH': 0 }],
    ['log1p counts', [6, 0, Math.E - 1, 0, 0, 0, 0, 0], { 'log1p(IN_BYTES)': 1, 'log1p(OUT_BYTES)': 0 }],
    // 4294967.296 - 4294966.296 = 1 ms before the start stamp: log1p(1)
    ['duration wrap-around -> wrapped flag + its magnitude', [6, 0, 0, 0, 0, 0, 0, 4294966.296], { 'FLOW_DURATION_MILLISECONDS.wrapped': 1, 'log1p(|FLOW_DURATION_MILLISECONDS|)': Math.log1p(1) }],
    ['two wrapped values stay apart', [6, 0, 0, 0, 0, 0, 0, 4292404], { 'FLOW_DURATION_MILLISECONDS.wrapped': 1, 'log1p(|FLOW_DURATION_MILLISECONDS|)': Math.log1p(2563.296) }],
    ['a real duration', [6, 0, 0, 0, 0, 0, 0, Math.E ** 2 - 1], { 'FLOW_DURATION_MILLISECONDS.wrapped': 0, 'log1p(|FLOW_DURATION_MILLISECONDS|)': 2 }],
    ['missing values are 0', [null, null, null, null, null, null, null, null], { 'PROTOCOL=other': 1, 'log1p(IN_BYTES)': 0 }],
  ] as const)('%s', (_name, values, expected) => {
    const got = encode([...values]);
    for (const [k, v] of Object.entries(expected)) expect(got[k], k).toBeCloseTo(v, 5);
  });

  it('writes exactly featureNames().length values', () => {
    expect(encodeFlow(v1Set, [6, 7, 1, 1, 1, 1, 2, 3], new Float32Array(100), 10)).toBe(names.length);
    expect(names.length).toBe(19);
  });
});

describe('fitStats / standardize', () => {
  it('fits mean and population std on the given rows only, std 0 -> 1', () => {
    const m = Float32Array.from([1, 5, 3, 5, 100, 7]); // 3 rows x 2
    const s = fitStats(m, 2, [0, 1]);
    expect(s.mean).toEqual([2, 5]);
    expect(s.std).toEqual([1, 1]);
    const z = standardize(Float32Array.from([3, 6]), s);
    expect(Array.from(z)).toEqual([1, 1]);
  });
  it('survives a JSON round trip (manifest)', () => {
    const s = fitStats(Float32Array.from([1, 2, 3, 4]), 2);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});

describe('encodeColumns (batch, column-major)', () => {
  it('equals encodeFlow row by row, for every column kind', async () => {
    const { encodeColumns } = await import('../../../main/core/model/features.ts');
    const rows = [
      [6, 7, 100, 0, 2, 0, 22, 4294967],
      [17, 5.5, 56, 0, 1, 0, 0, 12],
      [1, 0, null, -3, Number.NaN, 0, 255, 0],
      [47, 188, 1e9, 1e6, 1e5, 1e5, 24, 4290001],
    ];
    const f = featureNames(v1Set).length;
    const columns = v1Set.columns.map((_, c) => rows.map((r) => r[c] ?? null));
    const batch = encodeColumns(v1Set, columns, rows.length);
    rows.forEach((r, i) => {
      const one = new Float32Array(f);
      encodeFlow(v1Set, r, one);
      expect(Array.from(batch.subarray(i * f, (i + 1) * f))).toEqual(Array.from(one));
    });
  });
});

describe('value codes', () => {
  const coded: FeatureSet = { ...v1Set, codes: true };

  it('a fixed codebook gives each vocabulary value its 1-based index and 0 to anything else', async () => {
    const { Codebook } = await import('../../../main/core/model/features.ts');
    const book = Codebook.fromVocabulary([[6, 17], [0.5]]);
    expect([book.code(0, 6), book.code(0, 17), book.code(0, 1), book.code(1, 0.5), book.code(1, 6)]).toEqual([1, 2, 0, 1, 0]);
    expect(book.code(0, 1)).toBe(0); // asking does not add
  });

  it('a growing codebook numbers new values in the order met and lists them back', async () => {
    const { Codebook } = await import('../../../main/core/model/features.ts');
    const book = Codebook.growing(1);
    expect([book.code(0, 9), book.code(0, 3), book.code(0, 9), book.code(0, 4)]).toEqual([1, 2, 1, 3]);
    expect(book.values(0)).toEqual([9, 3, 4]);
  });

  it('adds one code channel per column after the numeric features', async () => {
    const { codeCount, featureCount, numericFeatureCount, Codebook } = await import('../../../main/core/model/features.ts');
    const names = featureNames(coded);
    expect(names.slice(-8)).toEqual(V1_FEATURE_COLUMNS.map((c) => `code(${c})`));
    expect([numericFeatureCount(coded), codeCount(coded), featureCount(coded)]).toEqual([19, 8, 27]);
    const out = new Float32Array(27);
    const book = Codebook.fromVocabulary(V1_FEATURE_COLUMNS.map(() => [0, 6, 22]));
    expect(encodeFlow(coded, [6, 0, 22, 5, null, 0, 22, 6], out, 0, book)).toBe(27);
    expect(Array.from(out.subarray(19))).toEqual([2, 1, 3, 0, 1, 1, 3, 2]);
  });

  it('encodeColumns writes the same codes as encodeFlow', async () => {
    const { encodeColumns, Codebook } = await import('../../../main/core/model/features.ts');
    const rows = [
      [6, 7, 100, 0, 2, 0, 22, 4294967],
      [17, 5.5, 56, 0, 1, 0, 0, 12],
      [6, 7, 100, 3, 2, 0, 22, 11],
    ];
    const book = Codebook.growing(8);
    const batch = encodeColumns(coded, coded.columns.map((_, c) => rows.map((r) => r[c]!)), rows.length, undefined, book);
    const again = Codebook.fromVocabulary(coded.columns.map((_, c) => book.values(c)));
    rows.forEach((r, i) => {
      const one = new Float32Array(27);
      encodeFlow(coded, r, one, 0, again);
      expect(Array.from(batch.subarray(i * 27, (i + 1) * 27))).toEqual(Array.from(one));
    });
    expect(Array.from(batch.subarray(2 * 27 + 19, 3 * 27))).toEqual([1, 1, 1, 2, 1, 1, 1, 3]);
  });

  it('codeInto codes a column with a stride, through runs of one value and non-finite values', async () => {
    const { Codebook } = await import('../../../main/core/model/features.ts');
    const values = [6, 6, 17, 6, Number.NaN, 0, 0, 5, 5, Number.POSITIVE_INFINITY, 17];
    const fixed = Codebook.fromVocabulary([[0, 6, 17]]);
    const out = new Float32Array(values.length * 2).fill(-1);
    fixed.codeInto(0, values, values.length, out, 1, 2);
    // NaN and Infinity read as 0 (code 1); 5 is not in the vocabulary (0); even cells untouched
    expect(Array.from(out.filter((_, i) => i % 2 === 1))).toEqual([2, 2, 3, 2, 1, 1, 1, 0, 0, 1, 3]);
    expect(out.filter((_, i) => i % 2 === 0).every((v) => v === -1)).toBe(true);
    expect(Array.from(out.filter((_, i) => i % 2 === 1))).toEqual(values.map((v) => fixed.code(0, Number.isFinite(v) ? v : 0)));
    const growing = Codebook.growing(1);
    const grown = new Float32Array(values.length);
    growing.codeInto(0, values, values.length, grown, 0, 1);
    expect(Array.from(grown)).toEqual([1, 1, 2, 1, 3, 3, 3, 4, 4, 3, 2]);
    expect(growing.values(0)).toEqual([6, 17, 0, 5]);
  });

  it('refuses to encode a coded set without a codebook', () => {
    expect(() => encodeFlow(coded, [6, 0, 0, 0, 0, 0, 0, 0], new Float32Array(27))).toThrow(/codebook/);
  });

  it('chooseFeatureSet gives codes unless asked not to', () => {
    expect(chooseFeatureSet([...V1_FIELDS], 'v1').codes).toBe(true);
    expect(chooseFeatureSet([...V1_FIELDS], 'v1', { codes: false }).codes).toBe(false);
  });
});
