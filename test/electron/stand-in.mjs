/**
 * A stand-in for the `electron` module's main-process API, for booting the built desktop app
 * (out/main/index.js) where the Electron binary cannot be installed. It implements only what
 * main/ uses, the way Electron behaves, and reports to the test that forked it (process IPC):
 * windows made and what they load, what is sent to them, dialogs, message and error boxes,
 * notifications, the shell, quitting. The test drives it back as a user and the system would:
 * IPC invokes from the page, menu clicks, app events, dialog and message-box answers, closing,
 * moving, minimising or leaving the window, clicking a notification.
 *
 * Everything behind it is the real build: the core, DuckDB, the model workers.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const report = (message) => process.send?.(message);

/** What the test asked the next dialogs to answer, in order (null = cancelled). */
const dialogAnswers = [];
const dialogsAsked = [];
/** The buttons the next message boxes answer with (their index). */
const messageAnswers = [];

class App extends EventEmitter {
  ready = false;
  sandboxed = false;
  #readyPromise = new Promise((resolve) => setImmediate(() => {
    // macOS: a project file opened from the Finder arrives before the app is ready
    if (process.env.MINDFLOW_STANDIN_OPEN_FILE) this.emit('open-file', { preventDefault() {} }, process.env.MINDFLOW_STANDIN_OPEN_FILE);
    this.ready = true;
    this.emit('ready');
    resolve();
  }));

  whenReady() {
    return this.#readyPromise;
  }
  isReady() {
    return this.ready;
  }
  enableSandbox() {
    if (this.ready) throw new Error('app.enableSandbox() must be called before the app is ready');
    this.sandboxed = true;
  }
  requestSingleInstanceLock() {
    return process.env.MINDFLOW_STANDIN_LOCKED !== '1';
  }
  getPath(name) {
    const home = process.env.MINDFLOW_STANDIN_HOME;
    if (!home) throw new Error('stand-in: MINDFLOW_STANDIN_HOME is not set');
    return join(home, name);
  }
  recentDocuments = [];
  addRecentDocument(path) {
    this.recentDocuments = [path, ...this.recentDocuments.filter((p) => p !== path)];
  }
  clearRecentDocuments() {
    this.recentDocuments = [];
  }
  /** Like Electron's: the version in the app's package.json (the folder it was started in). */
  getVersion() {
    return JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')).version;
  }
  /** Like Electron: before-quit, then every window is asked to close; one that refuses stops the quit. */
  quit() {
    const event = preventable();
    this.emit('before-quit', event);
    if (event.defaultPrevented) return;
    for (const win of BrowserWindow.getAllWindows()) {
      if (!win.tryClose(false)) {
        report({ kind: 'quit-cancelled' });
        return;
      }
    }
    this.emit('will-quit', preventable());
    report({ kind: 'quit' });
    // like Electron, quitting finishes what the current tick started
    setTimeout(() => process.exit(0), 50);
  }
}

function preventable() {
  return { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
}

export const app = new App();

class WebContents extends EventEmitter {
  #url = '';
  #windowOpenHandler = null;
  constructor(win) {
    super();
    this.win = win;
  }
  getURL() {
    return this.#url;
  }
  setURL(url) {
    this.#url = url;
  }
  setWindowOpenHandler(handler) {
    this.#windowOpenHandler = handler;
  }
  windowOpenAnswer(url) {
    return this.#windowOpenHandler ? this.#windowOpenHandler({ url }) : { action: 'allow' };
  }
  send(channel, payload) {
    report({ kind: 'send', windowId: this.win.id, channel, payload });
  }
  /**
   * Electron prints the loaded page with its own Chromium; the stand-in uses Debian's, through
   * playwright-core, with the window's JavaScript setting and the options' page size and
   * background, and reports how it was asked.
   */
  async printToPDF(options = {}) {
    const javaScript = this.win.options.webPreferences?.javascript !== false;
    report({ kind: 'print-to-pdf', url: this.getURL(), javaScript, options });
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: process.env.MINDFLOW_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    try {
      const page = await browser.newPage({ javaScriptEnabled: javaScript });
      await page.goto(this.getURL());
      return new Uint8Array(await page.pdf({ format: options.pageSize === 'A4' ? 'A4' : 'Letter', printBackground: options.printBackground === true }));
    } finally {
      await browser.close();
    }
  }
}

let nextWindowId = 1;
const windows = [];
let focusedId = null;

export class BrowserWindow extends EventEmitter {
  constructor(options = {}) {
    super();
    this.id = nextWindowId++;
    this.options = options;
    this.webContents = new WebContents(this);
    this.visible = options.show !== false;
    this.minimized = false;
    this.maximized = false;
    const area = displays()[0].workArea;
    const width = options.width ?? 800;
    const height = options.height ?? 600;
    // no x and y: the system centres the window on the first screen
    this.bounds = { x: options.x ?? Math.round(area.x + (area.width - width) / 2), y: options.y ?? Math.round(area.y + (area.height - height) / 2), width, height };
    this.destroyed = false;
    this.loaded = null;
    windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
    report({ kind: 'window', id: this.id, options: serialisable(options) });
  }
  static getAllWindows() {
    return windows.filter((w) => !w.destroyed);
  }
  static getFocusedWindow() {
    return windows.find((w) => w.id === focusedId && !w.destroyed) ?? null;
  }
  async loadFile(path) {
    return this.#load({ file: path }, new URL(`file://${path}`).href);
  }
  async loadURL(url) {
    return this.#load({ url }, url);
  }
  async #load(what, url) {
    this.loaded = what;
    this.webContents.setURL(url);
    report({ kind: 'load', id: this.id, ...what });
    setImmediate(() => this.emit('ready-to-show'));
  }
  show() {
    this.visible = true;
    focusedId = this.id;
    report({ kind: 'shown', id: this.id });
  }
  isMinimized() {
    return this.minimized;
  }
  isMaximized() {
    return this.maximized;
  }
  /** Like Electron's: maximising shows the window too. */
  maximize() {
    this.maximized = true;
    this.show();
  }
  getNormalBounds() {
    return { ...this.bounds };
  }
  setBounds(bounds) {
    this.bounds = { ...this.bounds, ...bounds };
  }
  restore() {
    this.minimized = false;
  }
  focus() {
    focusedId = this.id;
    report({ kind: 'focused', id: this.id });
  }
  destroy() {
    this.destroyed = true;
  }
  /**
   * What the user's close does: 'close' (which may prevent it), then the window goes, and with
   * the last one (unless the app is quitting) the app hears window-all-closed. False when prevented.
   */
  tryClose(lastClosesApp = true) {
    const event = preventable();
    this.emit('close', event);
    if (event.defaultPrevented) return false;
    this.destroyed = true;
    if (focusedId === this.id) focusedId = null;
    this.emit('closed');
    if (lastClosesApp && BrowserWindow.getAllWindows().length === 0) app.emit('window-all-closed');
    return true;
  }
}

const handlers = new Map();
export const ipcMain = {
  handle(channel, handler) {
    if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    handlers.set(channel, handler);
  },
  removeHandler(channel) {
    handlers.delete(channel);
  },
};

function answerDialog(kind, args) {
  const options = args.length > 1 ? args[1] : args[0];
  dialogsAsked.push({ kind, title: options?.title ?? null, defaultPath: options?.defaultPath ?? null, properties: options?.properties ?? [] });
  const answer = dialogAnswers.length > 0 ? dialogAnswers.shift() : null;
  if (kind === 'save') return { canceled: answer === null, filePath: answer ?? undefined };
  return { canceled: answer === null, filePaths: answer === null ? [] : [answer] };
}

export const dialog = {
  async showOpenDialog(...args) {
    return answerDialog('open', args);
  },
  async showSaveDialog(...args) {
    return answerDialog('save', args);
  },
  /** Answers with the button the test queued (else the cancel button), and reports the question. */
  showMessageBoxSync(...args) {
    const options = args.length > 1 ? args[1] : args[0];
    const answer = messageAnswers.length > 0 ? messageAnswers.shift() : (options.cancelId ?? 0);
    report({ kind: 'message-box', type: options.type ?? 'none', message: options.message, detail: options.detail ?? '', buttons: options.buttons ?? [], answer });
    return answer;
  },
  async showMessageBox(...args) {
    const options = args.length > 1 ? args[1] : args[0];
    const response = messageAnswers.length > 0 ? messageAnswers.shift() : (options.cancelId ?? 0);
    report({ kind: 'message-box', type: options.type ?? 'none', message: options.message, detail: options.detail ?? '', buttons: options.buttons ?? ['OK'], answer: response });
    return { response, checkboxChecked: false };
  },
  showErrorBox(title, content) {
    report({ kind: 'error-box', title, content });
  },
};

let applicationMenu = null;
export const Menu = {
  buildFromTemplate(template) {
    return { template };
  },
  setApplicationMenu(menu) {
    applicationMenu = menu;
  },
};

export const shell = {
  showItemInFolder(path) {
    report({ kind: 'shell', action: 'show', path });
  },
  async openPath(path) {
    report({ kind: 'shell', action: 'open', path });
    return '';
  },
};

/** The screens: MINDFLOW_STANDIN_DISPLAYS (JSON work areas), else one 1920 × 1040 screen. */
function displays() {
  const areas = process.env.MINDFLOW_STANDIN_DISPLAYS ? JSON.parse(process.env.MINDFLOW_STANDIN_DISPLAYS) : [{ x: 0, y: 0, width: 1920, height: 1040 }];
  return areas.map((workArea, i) => ({ id: i + 1, workArea, bounds: workArea }));
}

export const screen = {
  getAllDisplays: displays,
  getPrimaryDisplay: () => displays()[0],
};

/** System notifications: each shown one is reported; the test can click the newest. */
const notifications = [];
export class Notification extends EventEmitter {
  static isSupported() {
    return true;
  }
  constructor(options = {}) {
    super();
    this.options = options;
  }
  show() {
    notifications.push(this);
    report({ kind: 'notification', title: this.options.title ?? '', body: this.options.body ?? '' });
  }
}

let permissionHandler = null;
export const session = {
  defaultSession: {
    setPermissionRequestHandler(handler) {
      permissionHandler = handler;
    },
  },
};

export default { app, BrowserWindow, ipcMain, dialog, Menu, Notification, shell, screen, session };

/** Options as plain data (functions and undefined dropped). */
function serialisable(value) {
  return JSON.parse(JSON.stringify(value ?? null));
}

/** The menu as data: labels, roles, accelerators and submenus; click handlers stay here. */
function menuData(items) {
  return items.map((item) => ({
    label: item.label ?? null,
    role: item.role ?? null,
    type: item.type ?? null,
    accelerator: item.accelerator ?? null,
    enabled: item.enabled ?? true,
    submenu: Array.isArray(item.submenu) ? menuData(item.submenu) : null,
  }));
}

/** The labels Electron gives role menus that have none of their own. */
const ROLE_LABELS = { help: 'Help', editMenu: 'Edit', windowMenu: 'Window', fileMenu: 'File', viewMenu: 'View' };

function findMenuItem(path) {
  let items = applicationMenu?.template ?? [];
  let item = null;
  for (const label of path) {
    item = items.find((i) => (i.label ?? ROLE_LABELS[i.role]) === label);
    if (!item) throw new Error(`stand-in: no menu item "${path.join(' > ')}"`);
    items = Array.isArray(item.submenu) ? item.submenu : [];
  }
  return item;
}

/** Asks the app's web-contents hardening what it does with a navigation, a redirect, a popup and a webview. */
function hardening() {
  const contents = windows[0]?.webContents;
  if (!contents) return null;
  const probe = (event, ...args) => {
    let prevented = false;
    contents.emit(event, { preventDefault: () => (prevented = true) }, ...args);
    return prevented;
  };
  return {
    navigateElsewherePrevented: probe('will-navigate', 'https://example.com/'),
    navigateSamePrevented: probe('will-navigate', contents.getURL()),
    redirectPrevented: probe('will-redirect', 'https://example.com/'),
    webviewPrevented: probe('will-attach-webview', {}, {}),
    windowOpen: contents.windowOpenAnswer('https://example.com/').action,
  };
}

function permissionAnswer() {
  if (!permissionHandler) return null;
  let granted = null;
  permissionHandler(null, 'media', (ok) => (granted = ok));
  return granted;
}

function state() {
  return {
    ready: app.ready,
    sandboxed: app.sandboxed,
    windows: windows.map((w) => ({ id: w.id, options: serialisable(w.options), loaded: w.loaded, visible: w.visible, minimized: w.minimized, maximized: w.maximized, bounds: w.bounds, destroyed: w.destroyed })),
    focusedId,
    channels: [...handlers.keys()],
    appEvents: app.eventNames().map(String),
    menu: applicationMenu ? menuData(applicationMenu.template) : null,
    hardening: hardening(),
    permissionGranted: permissionAnswer(),
    dialogsAsked: [...dialogsAsked],
    recentDocuments: [...app.recentDocuments],
  };
}

function openWindow(id) {
  const win = windows.find((w) => w.id === id && !w.destroyed);
  if (!win) throw new Error(`stand-in: no open window ${id}`);
  return win;
}

async function handle(message) {
  switch (message.kind) {
    case 'state':
      return state();
    case 'invoke': {
      const handler = handlers.get(message.channel);
      if (!handler) throw new Error(`No handler registered for '${message.channel}'`);
      const event = { sender: windows[0]?.webContents ?? null, senderFrame: { url: message.url } };
      return handler(event, ...message.args);
    }
    case 'menu-click': {
      const item = findMenuItem(message.path);
      if (typeof item.click !== 'function') throw new Error(`stand-in: "${message.path.join(' > ')}" is a role item (${item.role}), not a command`);
      item.click(item, BrowserWindow.getFocusedWindow(), {});
      return true;
    }
    case 'app-event': {
      const event = { preventDefault() {} };
      app.emit(message.name, event, ...message.args);
      return true;
    }
    case 'dialog-answers':
      dialogAnswers.push(...message.answers);
      return true;
    case 'close-window':
      return openWindow(message.windowId).tryClose();
    case 'set-bounds': {
      // the user moves or resizes the window, or maximises it
      const win = openWindow(message.windowId);
      win.setBounds(message.bounds);
      win.maximized = message.maximized ?? false;
      return true;
    }
    case 'blur':
      // the analyst goes to another program
      focusedId = null;
      return true;
    case 'click-notification': {
      const newest = notifications.at(-1);
      if (!newest) throw new Error('stand-in: no notification shown');
      newest.emit('click');
      return true;
    }
    case 'message-answers':
      messageAnswers.push(...message.answers);
      return true;
    case 'minimize': {
      openWindow(message.windowId).minimized = true;
      focusedId = null;
      return true;
    }
    case 'quit':
      app.quit();
      return true;
    default:
      throw new Error(`stand-in: unknown request ${message.kind}`);
  }
}

process.on('message', (message) => {
  if (!message || typeof message.id !== 'number') return;
  handle(message).then(
    (value) => report({ kind: 'reply', id: message.id, ok: true, value }),
    (err) => report({ kind: 'reply', id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
