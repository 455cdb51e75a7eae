import { waitForJobs } from './jobs.svelte';
import type { Api, CompactResult } from '../../../preload/contract';

/**
 * The Compact Project dialog: the project's size now, then the compaction (the core holds other
 * calls meanwhile) and what it gave back. The ids stay the same, so nothing else reloads.
 */
export class CompactState {
  open = $state(false);
  /** the project file's size when the dialog opened, when known */
  sizeBytes = $state<number | null>(null);
  running = $state(false);
  result = $state.raw<CompactResult | null>(null);
  error = $state<string | null>(null);

  constructor(
    private readonly api: Api,
    private readonly runningJobs: () => number,
    /** the project was compacted (the nudge to compact after a delete can go) */
    private readonly compacted: () => void = () => {},
  ) {}

  get blocked(): string | null {
    return waitForJobs(this.runningJobs());
  }

  async show() {
    this.open = true;
    if (this.running) return;
    this.result = null;
    this.error = null;
    this.sizeBytes = null;
    try {
      this.sizeBytes = (await this.api.recentProjects({})).find((p) => p.current)?.sizeBytes ?? null;
    } catch {
      this.sizeBytes = null;
    }
  }

  close() {
    this.open = false;
  }

  async compact(): Promise<boolean> {
    if (this.running) return false;
    this.running = true;
    this.error = null;
    try {
      this.result = await this.api.compactProject({});
      this.sizeBytes = this.result.bytesAfter;
      this.compacted();
      return true;
    } catch (err) {
      this.error = (err as Error).message;
      return false;
    } finally {
      this.running = false;
    }
  }
}
