import { waitForJobs } from './jobs.svelte';
import type { Api, ProjectFile, RecentProject } from '../../../preload/contract';

/**
 * The Open / New Project dialog: a path (or, in the desktop app, the system's file dialog) and
 * the projects opened before. Opening one makes the core swap projects; every window then gets
 * `project:changed` and starts over (see Workbench), so nothing here outlives the switch.
 */
export class ProjectsState {
  /** the dialog: closed, opening an existing project, or creating a new one */
  mode = $state<'open' | 'new' | null>(null);
  /** the path as typed */
  path = $state('');
  recent = $state.raw<RecentProject[]>([]);
  /** the DuckDB files in the open project's folder */
  beside = $state.raw<ProjectFile[]>([]);
  error = $state<string | null>(null);
  /** a project is being opened (the core closes this one first when it can) */
  opening = $state<string | null>(null);

  constructor(
    private readonly api: Api,
    /** the jobs running now: a project cannot be switched under them */
    private readonly runningJobs: () => number,
    /** the core has the project open: the page starts over on it */
    private readonly opened: (projectPath: string) => void,
  ) {}

  /** the projects to offer: every recent one but the one open now */
  others = $derived(this.recent.filter((p) => !p.current));
  /** the files beside the open project that the recent list does not already offer */
  besideOnly = $derived(this.beside.filter((f) => !this.recent.some((r) => r.path === f.path)));
  /** why nothing can be opened now, or null */
  get blocked(): string | null {
    return waitForJobs(this.runningJobs());
  }

  async refresh() {
    const [recent, beside] = await Promise.allSettled([this.api.recentProjects({}), this.api.projectsBeside({})]);
    this.recent = recent.status === 'fulfilled' ? recent.value : [];
    this.beside = beside.status === 'fulfilled' ? beside.value : [];
  }

  show(mode: 'open' | 'new') {
    this.mode = mode;
    this.path = '';
    this.error = null;
    void this.refresh();
  }

  close() {
    this.mode = null;
  }

  /** Opens (or creates) the project at `path`; the page starts over when the core says it is open. */
  async open(path: string, create = this.mode === 'new'): Promise<boolean> {
    const wanted = path.trim();
    if (!wanted || this.opening) return false;
    this.error = null;
    this.opening = wanted;
    try {
      const info = await this.api.openProject({ path: wanted, create });
      // the event says so too, but a window whose event stream is reconnecting would miss it
      this.mode = null;
      this.opened(info.projectPath);
      return true;
    } catch (err) {
      this.error = (err as Error).message;
      return false;
    } finally {
      this.opening = null;
    }
  }

  /** The desktop app's file dialog, then open what was chosen. */
  async browse(): Promise<void> {
    const create = this.mode === 'new';
    const chosen = await this.api.pickProjectFile({ create });
    if (chosen) {
      this.path = chosen;
      await this.open(chosen, create);
    }
  }

  async forget(path: string) {
    await this.api.forgetProject({ path });
    await this.refresh();
  }
}
