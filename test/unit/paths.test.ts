import { describe, expect, it } from 'vitest';
import { projectFromArgv } from '../../main/core/paths.ts';

describe('the project a launch names', () => {
  const cwd = '/home/ana/cases';
  it('reads --project=P and --project P, relative to the launch folder', () => {
    expect(projectFromArgv(['--project=case-7.duckdb'], cwd)).toBe('/home/ana/cases/case-7.duckdb');
    expect(projectFromArgv(['.', '--project', '/srv/p.duckdb'], cwd)).toBe('/srv/p.duckdb');
    expect(projectFromArgv(['--project=/tmp/x'], cwd)).toBe('/tmp/x');
  });

  it('takes a .duckdb file the desktop passes when a project is opened with the app', () => {
    expect(projectFromArgv(['--no-sandbox', 'C.DUCKDB'], cwd)).toBe('/home/ana/cases/C.DUCKDB');
    // --project wins over a bare file
    expect(projectFromArgv(['a.duckdb', '--project=b.duckdb'], cwd)).toBe('/home/ana/cases/b.duckdb');
  });

  it('names nothing otherwise: the app path, Chromium flags, an empty --project', () => {
    expect(projectFromArgv(['.', '--enable-logging', '--inspect=9229'], cwd)).toBeNull();
    expect(projectFromArgv(['--project='], cwd)).toBeNull();
    expect(projectFromArgv(['--project', '--web'], cwd)).toBeNull();
    expect(projectFromArgv([], cwd)).toBeNull();
  });
});
