import { waitForJobs } from './jobs.svelte';
import type { Api, CompactResult, ProjectSpace } from '../../../preload/contract';

/**
 * The Compact Project dialog: the project's size now, then the compaction (the core holds other
 * calls meanwhile) and what it gave back. The ids stay the same, so nothing else reloads.
 */
export class CompactState {
  open = $state(false);
  /** the project's size and free space when the dialog opened (or after compacting), when known */
  space = $state.raw<ProjectSpace | null>(null);
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
    this.space = null;
    await this.measure();
  }

  private async measure() {
    try {
      this.space = await this.api.projectSpace({});
    } catch {
      this.space = null;
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
      this.compacted();
      await this.measure();
      return true;
    } catch (err) {
      this.error = (err as Error).message;
      return false;
    } finally {
      this.running = false;
    }
  }
}
