import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importCapture } from '../../main/core/capture/import.ts';
import { MindflowError } from '../../main/core/errors.ts';
import { Project } from '../../main/core/project.ts';
import { query } from '../../main/core/db.ts';
import { CYCLE_CLASSES, REAL_SAMPLE, REAL_SAMPLE_SKIP, V1_HEADER, V1_ROWS, hasRealSample, tempDir, v1Csv, v2Header, v3Header } from './helpers.ts';

let dir: string;
let cleanup: () => void;
let project: Project;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  project = await Project.open(join(dir, 'p.duckdb'));
});
afterEach(() => {
  project.close();
  cleanup();
});

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function importError(path: string): Promise<MindflowError> {
  const err = await importCapture(project, path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `importing ${path} should fail`).toBeInstanceOf(MindflowError);
  return err as MindflowError;
}

async function tableNames(): Promise<string[]> {
  return project.withConnection(async (c) => (await query(c, `SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'flows_%'`)).rows.map((r) => String(r[0])));
}

const manyRows = (n: number) => Array.from({ length: n }, (_, i) => ['Benign', 'Reconnaissance', 'DDoS', 'DoS', 'Theft'][i % 5]!);

describe('importCapture: schema detection', () => {
  it('imports a v1 CSV, records hash, size, rows, class counts, file order', async () => {
    const path = write('v1.csv', v1Csv(manyRows(50)));
    const { capture, reused } = await importCapture(project, path);
    expect(reused).toBe(false);
    expect(capture.schemaVersion).toBe('v1');
    expect(capture.labelled).toBe(true);
    expect(capture.rows).toBe(50);
    expect(capture.classCounts).toEqual({ Benign: 10, Reconnaissance: 10, DDoS: 10, DoS: 10, Theft: 10 });
    expect(capture.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(capture.sizeBytes).toBe(readFileSync(path).length);
    expect(capture.order).toBe('file order');
    expect(capture.columns).toEqual(V1_HEADER);
  });

  it('keeps flows with empty numeric values and says which columns and how many', async () => {
    const lines = v1Csv(manyRows(10)).trimEnd().split('\n');
    const at = (name: string) => V1_HEADER.indexOf(name);
    const blank = (line: string, ...names: string[]) => line.split(',').map((v, i) => (names.some((n) => at(n) === i) ? '' : v)).join(',');
    lines[2] = blank(lines[2]!, 'IN_BYTES');
    lines[5] = blank(lines[5]!, 'IN_BYTES', 'OUT_PKTS');
    const result = await importCapture(project, write('blanks.csv', `${lines.join('\n')}\n`));
    expect(result.capture.rows).toBe(10);
    expect(result.emptyValues).toEqual({ IN_BYTES: 2, OUT_PKTS: 1 });
    const clean = await importCapture(project, write('clean.csv', v1Csv(manyRows(10))));
    expect(clean.emptyValues).toBeUndefined();
  });

  it('reads columns by name: a v2 export (other column order, extra Dataset column) is v2', async () => {
    const header = v2Header();
    const row = header.map((h) => (h === 'IPV4_SRC_ADDR' ? '192.168.100.147' : h === 'IPV4_DST_ADDR' ? '192.168.100.3' : h === 'Attack' ? 'DoS' : h === 'Dataset' ? 'NF-BoT-IoT-v2' : h === 'Label' ? 1 : 7));
    const path = write('v2.csv', [header.join(','), row.join(','), row.join(',')].join('\n'));
    const { capture } = await importCapture(project, path);
    expect(capture.schemaVersion).toBe('v2');
    expect(capture.ignoredColumns).toEqual(['Dataset']);
    expect(capture.classCounts).toEqual({ DoS: 2 });
  });

  it('orders a v3 capture by FLOW_START_MILLISECONDS', async () => {
    const header = v3Header();
    const make = (start: number, attack: string) =>
      header.map((h) => (h.startsWith('IPV4') ? '10.0.0.1' : h === 'FLOW_START_MILLISECONDS' ? start : h === 'Attack' ? attack : 1)).join(',');
    const path = write('v3.csv', [header.join(','), make(3000, 'C'), make(1000, 'A'), make(2000, 'B')].join('\n'));
    const { capture } = await importCapture(project, path);
    expect(capture.schemaVersion).toBe('v3');
    expect(capture.order).toBe('FLOW_START_MILLISECONDS');
    const rows = await project.withConnection((c) => query(c, `SELECT rowid, "Attack" FROM flows_${capture.id} ORDER BY rowid`));
    expect(rows.rows.map((r) => r[1])).toEqual(['A', 'B', 'C']);
  });

  it('accepts an unlabelled capture (no Label, no Attack)', async () => {
    const header = V1_HEADER.slice(0, 12);
    const path = write('soc.csv', [header.join(','), V1_ROWS.DoS!.slice(0, 12).join(',')].join('\n'));
    const { capture } = await importCapture(project, path);
    expect(capture.labelled).toBe(false);
    expect(capture.classCounts).toEqual({});
  });

  it('keeps the Attack vocabulary as found (sister datasets)', async () => {
    const rows = [V1_ROWS.DoS!.slice(0, 13).concat(['scanning']), V1_ROWS.DoS!.slice(0, 13).concat(['xss'])];
    const path = write('toniot.csv', [V1_HEADER.join(','), ...rows.map((r) => r.join(','))].join('\n'));
    const { capture } = await importCapture(project, path);
    expect(Object.keys(capture.classCounts).sort()).toEqual(['scanning', 'xss']);
  });

  it('file order is preserved as the flow id', async () => {
    const classes = manyRows(5000);
    const path = write('order.csv', v1Csv(classes));
    const { capture } = await importCapture(project, path);
    const rows = await project.withConnection((c) => query(c, `SELECT "Attack" FROM flows_${capture.id} ORDER BY rowid`));
    expect(rows.rows.map((r) => r[0])).toEqual(classes);
  });
});

describe('importCapture: formats', () => {
  it('imports CSV.gz', async () => {
    const path = write('v1.csv.gz', gzipSync(v1Csv(manyRows(20))));
    const { capture } = await importCapture(project, path);
    expect(capture.rows).toBe(20);
  });

  it('imports Parquet', async () => {
    const csv = write('v1.csv', v1Csv(manyRows(30)));
    const pq = join(dir, 'v1.parquet');
    const inst = await DuckDBInstance.create(':memory:');
    const c = await inst.connect();
    await c.run(`COPY (SELECT * FROM read_csv('${csv}')) TO '${pq}' (FORMAT parquet)`);
    c.closeSync();
    const { capture } = await importCapture(project, pq);
    expect(capture.rows).toBe(30);
    expect(capture.schemaVersion).toBe('v1');
    expect(capture.classCounts.Theft).toBe(6);
  });

  it('transcodes UTF-16 text (with a BOM) instead of refusing it', async () => {
    const text = '\uFEFF' + v1Csv(manyRows(10));
    const path = write('utf16.csv', Buffer.from(text, 'utf16le'));
    const { capture } = await importCapture(project, path);
    expect(capture.rows).toBe(10);
  });

  it('re-importing the same file says so and reuses the capture', async () => {
    const path = write('a.csv', v1Csv(manyRows(10)));
    const first = await importCapture(project, path);
    const copy = join(dir, 'renamed.csv');
    copyFileSync(path, copy);
    const second = await importCapture(project, copy);
    expect(second.reused).toBe(true);
    expect(second.capture.id).toBe(first.capture.id);
    expect((await project.listCaptures()).length).toBe(1);
  });
});

describe('importCapture: bad input gets a specific one-line error and leaves nothing behind', () => {
  const cases: { name: string; make: () => string; code: string; message: RegExp }[] = [
    { name: 'missing file', make: () => join(dir, 'nope.csv'), code: 'not-found', message: /file not found: .*nope\.csv/ },
    { name: 'empty file', make: () => write('empty.csv', ''), code: 'empty-file', message: /empty\.csv is empty/ },
    { name: 'binary file', make: () => write('blob.bin', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))), code: 'unsupported-format', message: /binary file/ },
    { name: 'pcap', make: () => write('cap.pcap', Buffer.concat([Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]), Buffer.alloc(64)])), code: 'unsupported-format', message: /pcap packet capture/ },
    { name: 'pcapng', make: () => write('cap.pcapng', Buffer.concat([Buffer.from([0x0a, 0x0d, 0x0d, 0x0a]), Buffer.alloc(64)])), code: 'unsupported-format', message: /pcapng/ },
    {
      name: 'truncated gzip',
      make: () => {
        const lines = manyRows(20000).map((c, i) => V1_ROWS[c]!.map((v, j) => (j === 1 ? i : v)).join(','));
        const gz = gzipSync([V1_HEADER.join(','), ...lines].join('\n'));
        return write('cut.csv.gz', gz.subarray(0, Math.floor(gz.length * 0.6)));
      },
      code: 'truncated',
      message: /cut\.csv\.gz: the gzip stream is truncated/,
    },
    {
      name: 'ragged row',
      make: () => write('ragged.csv', v1Csv(['DoS', 'DoS']) + V1_ROWS.DoS!.slice(0, 12).join(',') + '\n'),
      code: 'ragged-row',
      message: /ragged\.csv, line 4: expected 14 fields but found 12/,
    },
    {
      name: 'a carriage return inside a line',
      // what appending columns to a CRLF file with a Unix tool leaves: "...,Attack\r,extra"
      make: () => write('cr.csv', v1Csv(['DoS', 'DoS']).replace(/\n/g, '\r\n') + V1_ROWS.DoS!.join(',') + '\r,x\r\n'),
      code: 'ragged-row',
      message: /cr\.csv, line 4: a carriage return inside the line \(mixed line endings\?\)/,
    },
    {
      name: 'a carriage return inside a line of an LF file',
      make: () => write('cr-lf.csv', v1Csv(['DoS', 'DoS']) + V1_ROWS.DoS!.join(',') + '\r,x\n' + V1_ROWS.DoS!.join(',') + '\n'),
      code: 'ragged-row',
      message: /cr-lf\.csv, line 4: a carriage return inside the line \(mixed line endings\?\)/,
    },
    {
      name: 'a carriage return inside a line of a gzipped file with a CRLF header over LF rows',
      make: () => write('cr-mixed.csv.gz', gzipSync(v1Csv(['DoS', 'DoS', 'DoS']).replace('\n', '\r\n') + V1_ROWS.DoS!.join(',') + '\r,x\n')),
      code: 'ragged-row',
      message: /cr-mixed\.csv\.gz, line 5: a carriage return inside the line \(mixed line endings\?\)/,
    },
    {
      name: 'mixed line endings and a ragged row: the row is named at its line',
      make: () => write('mixed-ragged.csv', v1Csv(['DoS', 'DoS']).replace('\n', '\r\n') + V1_ROWS.DoS!.join(',') + ',extra\r\n' + V1_ROWS.DoS!.join(',') + '\n'),
      code: 'ragged-row',
      message: /mixed-ragged\.csv, line 4: expected 14 fields but found 15/,
    },
    {
      name: 'mixed line endings and text in a numeric column: named at its line and column',
      make: () => write('mixed-text.csv', v1Csv(['DoS', 'DoS']).replace(/\n/g, '\r\n') + V1_ROWS.DoS!.map((v, j) => (j === 6 ? 'lots' : v)).join(',') + '\n'),
      code: 'bad-value',
      message: /mixed-text\.csv, line 4, column IN_BYTES: expected an integer, found "lots"/,
    },
    {
      name: 'a header naming a column twice',
      make: () => write('dup.csv', v1Csv(['DoS'], [...V1_HEADER.slice(0, 7), 'IN_BYTES', ...V1_HEADER.slice(7)]).replace(/280,/, '280,999,')),
      code: 'duplicate-columns',
      message: /^dup\.csv: column IN_BYTES \(columns 7 and 8\) appears twice in the header: keep one and import again$/,
    },
    {
      name: 'a header naming a column twice, once in lower case (gzipped)',
      make: () => write('dup-case.csv.gz', gzipSync(v1Csv(['DoS'], [...V1_HEADER.slice(0, 7), 'in_bytes', ...V1_HEADER.slice(7)]).replace(/280,/, '280,999,'))),
      code: 'duplicate-columns',
      message: /^dup-case\.csv\.gz: column IN_BYTES \(columns 7 "IN_BYTES" and 8 "in_bytes": names match ignoring case\) appears twice in the header/,
    },
    {
      name: 'a header naming two columns more than once',
      make: () => write('dups.csv', `${[...V1_HEADER, 'attack', 'Label', 'Label'].join(',')}\n${[...V1_ROWS.DoS!, 'x', 1, 1].join(',')}\n`),
      code: 'duplicate-columns',
      message: /columns Label \(columns 13, 16 and 17\) and Attack \(columns 14 "Attack" and 15 "attack": names match ignoring case\) each appear more than once in the header: keep one of each/,
    },
    {
      name: 'text in a numeric column',
      make: () => write('text.csv', v1Csv(['DoS']) + V1_ROWS.DoS!.map((v, j) => (j === 6 ? 'lots' : v)).join(',') + '\n'),
      code: 'bad-value',
      message: /text\.csv, line 3, column IN_BYTES: expected an integer, found "lots"/,
    },
    {
      name: 'missing required columns',
      make: () => write('cols.csv', 'IPV4_SRC_ADDR,IPV4_DST_ADDR,IN_BYTES,Attack\n1.2.3.4,5.6.7.8,10,DoS\n'),
      code: 'missing-columns',
      message: /missing required NetFlow columns: L4_SRC_PORT, L4_DST_PORT, PROTOCOL, L7_PROTO, OUT_BYTES, IN_PKTS, OUT_PKTS, TCP_FLAGS, FLOW_DURATION_MILLISECONDS/,
    },
    { name: 'not NetFlow at all', make: () => write('people.csv', 'name,age\nann,3\n'), code: 'missing-columns', message: /does not look like an NF-BoT-IoT/ },
    { name: 'header only', make: () => write('header.csv', V1_HEADER.join(',') + '\n'), code: 'no-flows', message: /header but no flows/ },
    {
      name: 'corrupt Parquet',
      make: () => write('bad.parquet', Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(200, 7), Buffer.from([10, 0, 0, 0]), Buffer.from('PAR1')])),
      code: 'corrupt-parquet',
      message: /bad\.parquet: corrupt Parquet file/,
    },
    { name: 'truncated Parquet', make: () => write('cut.parquet', Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(100, 1)])), code: 'corrupt-parquet', message: /no footer/ },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const err = await importError(c.make());
      expect(err.code).toBe(c.code);
      expect(err.message).toMatch(c.message);
      expect(err.message).not.toContain('\n');
      expect(await project.listCaptures()).toEqual([]);
      expect(await tableNames()).toEqual([]);
    });
  }

  it('a refused import leaves a project with captures exactly as it was, and no temporary copy', async () => {
    const lfCopies = () => readdirSync(tmpdir()).filter((f) => f.startsWith('mindflow-lf-')).length;
    const copiesBefore = lfCopies();
    await importCapture(project, write('good.csv', v1Csv(manyRows(10))));
    const before = { captures: await project.listCaptures(), tables: await tableNames() };
    const refused = [
      write('dup.csv', v1Csv(['DoS'], [...V1_HEADER, 'IN_BYTES']).replace(/DoS\n$/, 'DoS,1\n')),
      // refused at line 12 only once a copy with LF endings was made
      write('late.csv', v1Csv(manyRows(10)).replace('\n', '\r\n') + V1_ROWS.DoS!.join(',') + '\r,x\n'),
      write('late-value.csv', v1Csv(manyRows(10)).replace('\n', '\r\n') + V1_ROWS.DoS!.map((v, j) => (j === 7 ? 'x' : v)).join(',') + '\n'),
    ];
    for (const path of refused) {
      const err = await importError(path);
      expect(['duplicate-columns', 'ragged-row', 'bad-value']).toContain(err.code);
      expect(await project.listCaptures()).toEqual(before.captures);
      expect(await tableNames()).toEqual(before.tables);
    }
    expect(lfCopies()).toBe(copiesBefore);
  });

  it('a cancelled import leaves no partial capture', async () => {
    const lines = manyRows(200_000).map((c) => V1_ROWS[c]!.join(','));
    const path = write('big.csv', [V1_HEADER.join(','), ...lines].join('\n'));
    const controller = new AbortController();
    const pending = importCapture(project, path, {
      signal: controller.signal,
      progress: (p) => {
        if (p.phase === 'reading') controller.abort();
      },
    });
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
    expect(await project.listCaptures()).toEqual([]);
    expect(await tableNames()).toEqual([]);
    // and the project still works afterwards
    const ok = await importCapture(project, write('small.csv', v1Csv(['DoS'])));
    expect(ok.capture.rows).toBe(1);
  });
});

describe('importCapture: line endings', () => {
  // every flow's values differ, a quoted Attack holds the delimiter, and the file is longer
  // than the sniffed head (64 KiB), so a late switch of ending is one DuckDB meets mid-read
  const N = 3000;
  const rows = Array.from({ length: N }, (_, i) => {
    const row = [...V1_ROWS[CYCLE_CLASSES[i % 5]!]!];
    row[1] = i;
    row[6] = i * 7;
    if (i % 9 === 0) row[13] = '"DoS, slow"';
    return row.join(',');
  });
  const lines = [V1_HEADER.join(','), ...rows];
  const withEndings = (ending: (line: number) => string) => lines.map((l, i) => l + ending(i)).join('');

  async function flows(id: number): Promise<unknown[][]> {
    return project.withConnection(async (c) => (await query(c, `SELECT * FROM flows_${id} ORDER BY rowid`)).rows);
  }

  const variants: { name: string; ending: (line: number) => string }[] = [
    { name: 'a CRLF header over LF rows', ending: (i) => (i === 0 ? '\r\n' : '\n') },
    { name: 'an LF header over CRLF rows', ending: (i) => (i === 0 ? '\n' : '\r\n') },
    { name: 'a bare-CR header over LF rows', ending: (i) => (i === 0 ? '\r' : '\n') },
    { name: 'CRLF and LF alternating', ending: (i) => (i % 2 ? '\r\n' : '\n') },
    { name: 'LF switching to CRLF past the head of the file', ending: (i) => (i < N - 100 ? '\n' : '\r\n') },
    { name: 'CR, LF and CRLF in turn, the last line without one', ending: (i) => (i === N ? '' : ['\r', '\n', '\r\n'][i % 3]!) },
    { name: 'bare CR only (old Mac exports)', ending: () => '\r' },
  ];

  for (const v of variants) {
    for (const gz of [false, true]) {
      it(`reads ${v.name}${gz ? ' (gzipped)' : ''}: every flow, with the values an LF file gives`, async () => {
        const reference = await importCapture(project, write('lf.csv', withEndings(() => '\n')));
        const text = withEndings(v.ending);
        const file = write(`mixed.csv${gz ? '.gz' : ''}`, gz ? gzipSync(text) : text);
        const { capture, reused } = await importCapture(project, file);
        expect(reused).toBe(false);
        expect(capture.rows).toBe(N);
        expect(capture.columns).toEqual(V1_HEADER);
        expect(capture.classCounts).toEqual(reference.capture.classCounts);
        expect(capture.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
        const got = await flows(capture.id);
        expect(got).toEqual(await flows(reference.capture.id));
        expect(got[9]![13]).toBe('DoS, slow');
        expect(got.flat().some((value) => typeof value === 'string' && /[\r\n]/.test(value))).toBe(false);
      });
    }
  }

  it('keeps a quoted value\'s own line break as it is', async () => {
    const quoted = [...V1_ROWS.DoS!.slice(0, 13), '"two\r\nlines"'].join(',');
    const { capture } = await importCapture(project, write('quoted.csv', `${V1_HEADER.join(',')}\r\n${quoted}\n${V1_ROWS.DoS!.join(',')}\n`));
    expect(capture.rows).toBe(2);
    expect((await flows(capture.id)).map((r) => r[13])).toEqual(['two\r\nlines', 'DoS']);
  });
});

describe('importCapture: repeated or unnamed columns it ignores', () => {
  it('accepts an extra column named twice and an index column with no name, and lists them as ignored', async () => {
    const header = ['', ...V1_HEADER, 'note', 'note'];
    const path = write('extras.csv', [header.join(','), ...['DoS', 'Theft'].map((c, i) => [i, ...V1_ROWS[c]!, 'a', 'b'].join(','))].join('\n'));
    const { capture } = await importCapture(project, path);
    expect(capture.rows).toBe(2);
    expect(capture.columns).toEqual(V1_HEADER);
    expect(capture.ignoredColumns).toEqual(['(column 1, no name)', 'note', 'note']);
    expect(capture.classCounts).toEqual({ DoS: 1, Theft: 1 });
  });
});

describe.skipIf(!hasRealSample)('importCapture: the real NF-BoT-IoT-v2 sample', () => {
  it('imports 278,781 flows as v2 with the documented class mix', async () => {
    const { capture } = await importCapture(project, REAL_SAMPLE);
    expect(capture.schemaVersion).toBe('v2');
    expect(capture.rows).toBe(278_781);
    expect(capture.classCounts).toEqual({ DoS: 167_004, DDoS: 84_552, Reconnaissance: 25_907, Benign: 1_285, Theft: 33 });
    expect(capture.ignoredColumns).toEqual(['Dataset']);
  });
});
if (!hasRealSample) console.warn(REAL_SAMPLE_SKIP);
