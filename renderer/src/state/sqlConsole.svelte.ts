import type { Api, SqlResult } from '../../../preload/contract';

/** The read-only SQL console: the core refuses writes; we show its message as is. */
export class SqlConsoleState {
  sql = $state('');
  result = $state.raw<SqlResult | null>(null);
  error = $state<string | null>(null);
  running = $state(false);
  elapsedMs = $state<number | null>(null);

  constructor(private api: Api) {}

  async run() {
    const sql = this.sql.trim();
    if (!sql || this.running) return;
    this.running = true;
    this.error = null;
    const started = performance.now();
    try {
      this.result = await this.api.runSql({ sql, limit: 10_000 });
      this.elapsedMs = this.result.ms;
    } catch (err) {
      this.result = null;
      this.error = (err as Error).message;
      this.elapsedMs = performance.now() - started;
    } finally {
      this.running = false;
    }
  }
}
