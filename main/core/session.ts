/**
 * A session is what a host serves: one workbench at a time, on one project, and the way to
 * another. Electron and the web host dispatch calls and forward events through it; when the
 * analyst opens another project, the session opens that one first (a project that cannot be
 * opened leaves the current one as it was), then swaps, closes the old one once its queries
 * are done, remembers the new one in the recent list and tells every window.
 */
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { AppInfo, CompactResult, Envelope, Events } from '../../preload/contract.ts';
import { compactProject } from './compact.ts';
import { MindflowError } from './errors.ts';
import type { ProjectOpenMode } from './project.ts';
import { RecentProjects } from './recentProjects.ts';
import { Workbench, exportTarget, type WorkbenchOptions } from './workbench.ts';

export interface SessionOptions extends Omit<WorkbenchOptions, 'projects'> {
  /** where the recent-projects list is kept */
  recentFile: string;
  /** Electron's native dialog for a project file */
  pickProject?: (create: boolean) => Promise<string | null>;
}

type Listener = <E extends keyof Events>(event: E, payload: Events[E]) => void;

/**
 * Where a project path typed by the analyst points: `~/…` is the home folder, a relative path
 * is beside the current project. A new project without an extension gets `.duckdb`; an
 * existing one may be named without it.
 */
export function projectTarget(currentPath: string, typed: string, create: boolean): string {
  const path = exportTarget(currentPath, typed);
  if (!path) throw new MindflowError('bad-args', 'name the project file to open');
  if (extname(path) !== '') return resolve(path);
  if (create) return resolve(`${path}.duckdb`);
  return existsSync(path) || !existsSync(`${path}.duckdb`) ? resolve(path) : resolve(`${path}.duckdb`);
}

export class Session {
  private current: Workbench;
  private readonly listeners = new Set<Listener>();
  private readonly prepared = new Set<(workbench: Workbench) => void>();
  private unsubscribe: () => void;
  private switching = false;
  /** set while compacting: calls wait for it */
  private paused: Promise<void> | null = null;
  readonly recent: RecentProjects;

  private constructor(first: Workbench, private readonly options: SessionOptions) {
    this.recent = new RecentProjects(options.recentFile);
    this.current = first;
    this.unsubscribe = this.forward(first);
    this.recent.touch(first.project.path);
  }

  /** Opens the session on its first project (the modes of `Project.open`). */
  static async open(projectPath: string, options: SessionOptions, mode: ProjectOpenMode = 'any'): Promise<Session> {
    let session: Session | undefined;
    const workbench = await Workbench.open(projectPath, Session.workbenchOptions(options, () => session!), mode);
    session = new Session(workbench, options);
    return session;
  }

  private static workbenchOptions(options: SessionOptions, session: () => Session): WorkbenchOptions {
    const { recentFile: _recent, pickProject, ...rest } = options;
    return {
      ...rest,
      projects: {
        open: (path, create) => session().openProject(path, create),
        recent: async () => session().recent.list(session().workbench.project.path),
        forget: async (path) => session().recent.forget(path),
        compact: () => session().compact(),
        pick: pickProject,
      },
    };
  }

  get workbench(): Workbench {
    return this.current;
  }

  async dispatch(name: string, args: unknown): Promise<Envelope> {
    // while the project file is being swapped, calls wait for the project to be back
    while (this.paused) await this.paused;
    return this.current.dispatch(name, args);
  }

  /** Subscribes to the events of whichever project is open, now and after a switch. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs `fn` on the workbench open now and on every one opened after it (a host sets its hooks so). */
  onWorkbench(fn: (workbench: Workbench) => void): void {
    this.prepared.add(fn);
    fn(this.current);
  }

  /** Makes `next` the workbench calls and events go to, with the host's hooks set on it. */
  private install(next: Workbench): void {
    for (const fn of this.prepared) fn(next);
    this.unsubscribe();
    this.current = next;
    this.unsubscribe = this.forward(next);
  }

  private forward(workbench: Workbench): () => void {
    return workbench.subscribe((event, payload) => this.emit(event, payload));
  }

  private emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    for (const l of this.listeners) l(event, payload);
  }

  /** Opens another project (or creates one) in place of the current one; see the file's comment. */
  async openProject(typed: string, create: boolean): Promise<AppInfo> {
    const path = projectTarget(this.current.project.path, typed, create);
    if (path === this.current.project.path) {
      if (create) throw new MindflowError('bad-args', `${path} is the project open now`);
      return this.current.info();
    }
    if (this.switching) throw new MindflowError('busy', 'another project is being opened');
    const busy = this.busyWith('opening another project');
    if (busy) throw busy;
    this.switching = true;
    try {
      const next = await Workbench.open(path, Session.workbenchOptions(this.options, () => this), create ? 'new' : 'existing');
      const previous = this.current;
      this.install(next);
      this.recent.touch(next.project.path);
      await previous.closeWhenIdle();
      this.emit('project:changed', { projectPath: next.project.path });
      return next.info();
    } finally {
      this.switching = false;
    }
  }

  /** A job running now, as a refusal says it, or null. */
  private busyWith(what: string): MindflowError | null {
    const running = this.current.jobs.list();
    if (!running.length) return null;
    const names = running.map((j) => j.label).slice(0, 2).join(', ');
    const them = running.length === 1 ? 'it' : 'them';
    return new MindflowError('busy', `${running.length === 1 ? 'a job is' : `${running.length} jobs are`} running (${names}${running.length > 2 ? ', …' : ''}): let ${them} finish or cancel ${them} before ${what}`);
  }

  /**
   * Compacts the open project (main/core/compact.ts) in place: the same project, with the same
   * ids, so windows go on as they were; calls made meanwhile wait for it.
   */
  async compact(): Promise<CompactResult> {
    if (this.switching) throw new MindflowError('busy', 'another project is being opened');
    const busy = this.busyWith('compacting the project');
    if (busy) throw busy;
    this.switching = true;
    const previous = this.current;
    const path = previous.project.path;
    let reopened: Workbench | null = null;
    // from the start until the project is back, calls wait: a change made after the copy was
    // taken would be lost with the old file
    let release = () => {};
    this.paused = new Promise<void>((resolve) => (release = resolve));
    try {
      await previous.project.idle();
      return await compactProject(
        previous.project,
        () => previous.closeWhenIdle(),
        async () => {
          reopened = await Workbench.open(path, Session.workbenchOptions(this.options, () => this), 'existing');
        },
      );
    } finally {
      if (reopened) {
        this.install(reopened);
      }
      this.paused = null;
      release();
      this.switching = false;
    }
  }

  close(): void {
    this.unsubscribe();
    this.current.close();
  }
}
