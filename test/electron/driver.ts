/**
 * Drives the built desktop app (out/) with the Electron stand-in: forks out/main/index.js with
 * `electron` resolved to stand-in.mjs, and gives a Playwright page what Electron gives the
 * window: the built renderer loaded from file://, and the built preload run with a renderer-side
 * `electron` whose ipcRenderer reaches the main process's handlers, and whose listeners get what
 * main sends to the window.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BUILT_MAIN = join(ROOT, 'out', 'main', 'index.js');
export const BUILT_PRELOAD = join(ROOT, 'out', 'preload', 'index.cjs');

export interface StandInMessage {
  kind: string;
  [key: string]: unknown;
}

export interface WindowState {
  id: number;
  options: { webPreferences?: Record<string, unknown>; [key: string]: unknown };
  loaded: { file?: string; url?: string } | null;
  visible: boolean;
  minimized: boolean;
  maximized: boolean;
  bounds: { x: number; y: number; width: number; height: number };
  destroyed: boolean;
}

export interface MenuItemState {
  label: string | null;
  role: string | null;
  type: string | null;
  accelerator: string | null;
  enabled: boolean;
  submenu: MenuItemState[] | null;
}

export interface StandInState {
  ready: boolean;
  sandboxed: boolean;
  windows: WindowState[];
  focusedId: number | null;
  channels: string[];
  appEvents: string[];
  menu: MenuItemState[] | null;
  hardening: {
    navigateElsewherePrevented: boolean;
    navigateSamePrevented: boolean;
    redirectPrevented: boolean;
    webviewPrevented: boolean;
    windowOpen: string;
  } | null;
  permissionGranted: boolean | null;
  dialogsAsked: { kind: string; title: string | null; defaultPath: string | null; properties: string[] }[];
  recentDocuments: string[];
}

/** The renderer side of `electron` for the preload, then the preload itself (it is CommonJS). */
function preloadScript(preloadSource: string): string {
  return `(() => {
  const listeners = new Map();
  const electron = {
    contextBridge: {
      exposeInMainWorld(key, api) {
        Object.defineProperty(window, key, { value: Object.freeze({ ...api }), enumerable: true });
      },
    },
    ipcRenderer: {
      invoke(channel, ...args) {
        return window.__standinInvoke(channel, args);
      },
      on(channel, listener) {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel).add(listener);
      },
      removeListener(channel, listener) {
        listeners.get(channel)?.delete(listener);
      },
    },
    // Electron gives a file's path on disk, '' for one made in the page; the test names the paths
    webUtils: { getPathForFile: (file) => (window.__standinFilePaths ?? {})[file?.name] ?? '' },
  };
  Object.defineProperty(window, '__standinEmit', {
    value(channel, payload) {
      for (const listener of listeners.get(channel) ?? []) listener({ sender: null }, payload);
    },
  });
  // a sandboxed preload gets electron and nothing else from require
  const require = (name) => {
    if (name === 'electron') return electron;
    throw new Error('a sandboxed preload cannot require "' + name + '"');
  };
  const module = { exports: {} };
  (function (require, module, exports) {
${preloadSource}
  })(require, module, module.exports);
})();`;
}

export class StandInApp {
  readonly messages: StandInMessage[] = [];
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private readonly waiters: { match: (m: StandInMessage) => boolean; resolve: (m: StandInMessage) => void }[] = [];
  private page: Page | null = null;
  private delivery: Promise<unknown> = Promise.resolve();
  private stderr = '';
  readonly exited: Promise<number | null>;

  /** Boots the built app with the stand-in; `home` is Electron's app-data folder for this run. */
  constructor(home: string, env: NodeJS.ProcessEnv = {}) {
    if (!existsSync(BUILT_MAIN) || !existsSync(BUILT_PRELOAD)) throw new Error(`the desktop app is not built (${BUILT_MAIN}): run npm run build`);
    this.child = fork(BUILT_MAIN, [], {
      cwd: ROOT,
      execArgv: ['--import', join(ROOT, 'test', 'electron', 'register.mjs')],
      serialization: 'advanced',
      env: { ...process.env, MINDFLOW_STANDIN_HOME: home, MINDFLOW_HOME: join(home, 'mindflow-home'), ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.child.stdout?.resume();
    this.exited = new Promise((done) => this.child.once('exit', (code) => done(code)));
    this.child.on('message', (message: StandInMessage) => this.receive(message));
  }

  private receive(message: StandInMessage): void {
    if (message.kind === 'reply') {
      const waiting = this.pending.get(message.id as number);
      this.pending.delete(message.id as number);
      if (message.ok) waiting?.resolve(message.value);
      else waiting?.reject(new Error(String(message.error)));
      return;
    }
    this.messages.push(message);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(message)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
    const page = this.page;
    if (message.kind === 'send' && page) {
      // in order, one after another, as Electron delivers a window's messages
      this.delivery = this.delivery.then(() =>
        page.evaluate(([channel, payload]) => (window as unknown as { __standinEmit: (c: string, p: unknown) => void }).__standinEmit(channel, payload), [message.channel as string, message.payload] as const).catch(() => {}),
      );
    }
  }

  /** The first message (already received or still to come) that matches. */
  waitFor(match: (m: StandInMessage) => boolean, timeoutMs = 60_000): Promise<StandInMessage> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolveMessage, reject) => {
      const timer = setTimeout(() => reject(new Error(`stand-in: no matching message within ${timeoutMs} ms; stderr:\n${this.stderr}`)), timeoutMs);
      this.waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolveMessage(m)) });
    });
  }

  private ask<T>(request: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolveReply, reject) => {
      this.pending.set(id, { resolve: resolveReply as (v: unknown) => void, reject });
      this.child.send({ ...request, id });
    });
  }

  state(): Promise<StandInState> {
    return this.ask({ kind: 'state' });
  }

  /** What ipcRenderer.invoke(channel, ...args) does from a frame at `url`. */
  invoke(channel: string, args: unknown[], url: string): Promise<unknown> {
    return this.ask({ kind: 'invoke', channel, args, url });
  }

  clickMenu(...path: string[]): Promise<void> {
    return this.ask({ kind: 'menu-click', path });
  }

  emitAppEvent(name: string, ...args: unknown[]): Promise<void> {
    return this.ask({ kind: 'app-event', name, args });
  }

  /** The paths the next file dialogs answer (null: the user cancels). */
  answerDialogs(...answers: (string | null)[]): Promise<void> {
    return this.ask({ kind: 'dialog-answers', answers });
  }

  /** The user closes the window; false when the app kept it open. */
  closeWindow(id: number): Promise<boolean> {
    return this.ask({ kind: 'close-window', windowId: id });
  }

  /** The user moves or resizes the window (and maximises it, or not). */
  placeWindow(id: number, bounds: WindowState['bounds'], maximized = false): Promise<void> {
    return this.ask({ kind: 'set-bounds', windowId: id, bounds, maximized });
  }

  /** The analyst switches to another program: no MindFlow window has focus. */
  blur(): Promise<void> {
    return this.ask({ kind: 'blur' });
  }

  clickNotification(): Promise<void> {
    return this.ask({ kind: 'click-notification' });
  }

  /** The buttons (by index) the next message boxes are answered with. */
  answerMessages(...answers: number[]): Promise<void> {
    return this.ask({ kind: 'message-answers', answers });
  }

  minimize(id: number): Promise<void> {
    return this.ask({ kind: 'minimize', windowId: id });
  }

  /** Opens the window's renderer in `page` the way Electron would, with the preload's bridge. */
  async attach(page: Page, window: WindowState): Promise<void> {
    const file = window.loaded?.file;
    if (!file) throw new Error('stand-in: the window loaded no file');
    this.page = page;
    await page.exposeFunction('__standinInvoke', (channel: string, args: unknown[]) => this.invoke(channel, args, page.url()));
    await page.addInitScript({ content: preloadScript(readFileSync(BUILT_PRELOAD, 'utf8')) });
    await page.goto(new URL(`file://${file}`).href);
  }

  /** Asks the app to quit as its menu's Quit would, without waiting: it may ask, and stay. */
  requestQuit(): Promise<void> {
    return this.ask({ kind: 'quit' });
  }

  /** Quits the app as its menu's Quit would, and waits for the process to end. */
  async quit(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.connected) await this.ask({ kind: 'quit' }).catch(() => {});
    return this.exited;
  }

  get errorOutput(): string {
    return this.stderr;
  }
}
