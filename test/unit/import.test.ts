import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importCapture } from '../../main/core/capture/import.ts';
import { MindflowError } from '../../main/core/errors.ts';
import { Project } from '../../main/core/project.ts';
import { query } from '../../main/core/db.ts';
import { REAL_SAMPLE, REAL_SAMPLE_SKIP, V1_HEADER, V1_ROWS, hasRealSample, tempDir, v1Csv, v2Header, v3Header } from './helpers.ts';

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
