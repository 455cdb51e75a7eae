/**
 * The desktop build (npm run build: out/main, out/preload, out/renderer) booted as the Electron
 * app, with a stand-in for the one part this machine cannot run: the Electron binary
 * (test/electron/stand-in.mjs). Everything else is the build a user gets: the main bundle opens
 * the project, binds the contract to IPC, builds the menu and makes the window; the preload
 * bundle exposes the contract to the renderer bundle, loaded from file:// in real Chromium; the
 * model workers are the bundled worker.js.
 *
 * A user's first launch, the menu, a native dialog, scanning and training in the bundled
 * workers, a second launch handing its project over, and the two ways a launch ends at once.
 */
import { expect, test, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_PRELOAD, ROOT, StandInApp, type MenuItemState, type WindowState } from '../electron/driver';
import { WorkbenchPage } from './pages/workbench';

test.describe.configure({ mode: 'serial' });

// a module script from file:// is what Electron loads; Chromium itself needs leave for it
test.use({
  launchOptions: {
    executablePath: process.env.MINDFLOW_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--allow-file-access-from-files'],
  },
});

const SAMPLE = 'builtin-sample-100000-seed1.csv';
const home = mkdtempSync(join(tmpdir(), 'mindflow-desktop-'));
const sampleProject = join(home, 'userData', 'sample.duckdb');
const caseFile = join(home, 'case-7.duckdb');
let app: StandInApp;
let page: Page;
let workbench: WorkbenchPage;
let mainWindow: WindowState;

test.beforeAll(async ({ browser }) => {
  app = new StandInApp(home);
  await app.waitFor((m) => m.kind === 'shown', 120_000);
  mainWindow = (await app.state()).windows[0]!;
  page = await browser.newPage();
  workbench = new WorkbenchPage(page);
  await app.attach(page, mainWindow);
});

test.afterAll(async () => {
  if (!page.isClosed()) await page.close();
  expect(await app.quit()).toBe(0);
});

test.afterEach(() => workbench.expectNoPageErrors());

const dialogsAsked = async () => (await app.state()).dialogsAsked.length;
/** A capture card's flow count. */
const flowsOf = (fileName: string) => workbench.captures.capture(fileName).locator('dt:text-is("Flows") + dd');
const labels = (items: MenuItemState[] | null | undefined) => (items ?? []).map((i) => i.label ?? i.role ?? i.type);

test('a first launch opens a hardened window on the built-in sample', async () => {
  const state = await app.state();
  expect(state.sandboxed).toBe(true);
  expect(state.windows).toHaveLength(1);
  expect(state.windows[0]!.visible).toBe(true);
  // the window's renderer is sandboxed and isolated, and its preload is the built one
  expect(mainWindow.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, preload: BUILT_PRELOAD });
  expect(mainWindow.loaded).toEqual({ file: join(ROOT, 'out', 'renderer', 'index.html') });
  // nowhere saved yet: the default size, centred by the system
  expect(mainWindow.options).toMatchObject({ width: 1440, height: 900, minWidth: 960, minHeight: 600 });
  expect(mainWindow.options).not.toHaveProperty('x');
  expect(existsSync(mainWindow.loaded!.file!)).toBe(true);
  // one invoke channel, and nothing leaves the app: navigation, redirects, pop-ups, webviews, permissions
  expect(state.channels).toEqual(['mindflow:call']);
  expect(state.hardening).toEqual({ navigateElsewherePrevented: true, navigateSamePrevented: false, redirectPrevented: true, webviewPrevented: true, windowOpen: 'deny' });
  expect(state.permissionGranted).toBe(false);
  expect(state.appEvents).toEqual(expect.arrayContaining(['open-file', 'second-instance', 'activate', 'before-quit', 'window-all-closed']));

  // the menu bar: the palette's commands, Electron's roles, the version; no developer tools in a build
  expect(labels(state.menu)).toEqual(['File', 'editMenu', 'View', 'windowMenu', 'help']);
  const [file, , view, , help] = state.menu!;
  expect(labels(file!.submenu)).toEqual(['Open Project…', 'Open Recent', 'New Project…', 'Compact Project…', 'separator', 'Import Capture…', 'separator', 'Show Project in Folder', 'separator', process.platform === 'darwin' ? 'close' : 'quit']);
  expect(view!.submenu!.find((i) => i.label === 'Command Palette…')?.accelerator).toBe('CmdOrCtrl+Shift+P');
  expect(labels(view!.submenu)).not.toContain('toggleDevTools');
  // nothing opened before this one
  expect(labels(file!.submenu![1]!.submenu)).toEqual(['No other projects yet', 'separator', 'Clear Recently Opened']);
  expect(state.recentDocuments).toEqual([sampleProject]);
  expect(help!.submenu).toEqual([expect.objectContaining({ label: 'MindFlow Workbench 0.1.0', enabled: false }), expect.objectContaining({ label: 'Show App Data Folder', enabled: true })]);

  // the renderer, over the preload's bridge: the sample project made in the app-data folder
  await expect(page.getByRole('button', { name: 'Captures', exact: true })).toBeVisible();
  await expect(page.getByLabel('Project path')).toHaveText(sampleProject);
  await workbench.showCaptures();
  await expect(flowsOf(SAMPLE)).toHaveText('100,000');
  await expect(page.getByRole('button', { name: /^Backend: (?!unknown)/ })).toBeVisible();
  // the desktop's own import: the native file dialog, not a path field
  await expect(page.getByRole('button', { name: 'Import capture…' })).toBeVisible();
  await workbench.screenshot('35-desktop-first-launch');
});

test('a window whose preload did not run says so, instead of looking for a web host', async ({ browser }) => {
  const bare = await browser.newPage();
  await bare.goto(new URL(`file://${mainWindow.loaded!.file!}`).href);
  const alert = bare.getByRole('alert', { name: 'MindFlow cannot reach its host' });
  await expect(alert).toContainText("MindFlow cannot reach its main process: the desktop app's bridge to its main process did not load (its preload script failed)");
  await expect(alert.getByRole('button', { name: 'Retry' })).toBeVisible();
  await expect(bare.getByLabel('Project path')).toHaveText('not connected');
  await bare.screenshot({ path: 'test-results/screenshots/39-desktop-no-bridge.png' });
  await bare.close();
});

test('refuses a call from any frame but its own', async () => {
  const refused = await app.invoke('mindflow:call', ['listCaptures', {}], 'https://example.com/');
  expect(refused).toEqual({ ok: false, error: { code: 'bad-args', message: 'call from an unknown frame refused' } });
  const answered = (await app.invoke('mindflow:call', ['listCaptures', {}], page.url())) as { ok: boolean; result: { fileName: string }[] };
  expect(answered.ok).toBe(true);
  expect(answered.result.map((c) => c.fileName)).toEqual([SAMPLE]);
});

test('runs the menu bar’s commands in the window', async () => {
  await app.clickMenu('View', 'Command Palette…');
  const palette = page.getByRole('dialog', { name: 'Command palette' });
  await expect(palette).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(palette).toHaveCount(0);
  await app.clickMenu('View', 'Model');
  await expect(page.getByRole('tab', { name: 'Model', exact: true })).toHaveAttribute('aria-selected', 'true');
  await app.clickMenu('View', 'Captures');
  await expect(workbench.captures.list).toBeVisible();
  // where things are on disk, for the file manager
  await app.clickMenu('File', 'Show Project in Folder');
  await app.waitFor((m) => m.kind === 'shell' && m.action === 'show' && m.path === sampleProject);
  await app.clickMenu('Help', 'Show App Data Folder');
  await app.waitFor((m) => m.kind === 'shell' && m.action === 'open' && m.path === join(home, 'userData'));
});

test('imports a capture chosen in the native dialog, and a cancelled dialog does nothing', async () => {
  const csv = join(home, 'three-flows.csv');
  writeFileSync(
    csv,
    [
      'IPV4_SRC_ADDR,L4_SRC_PORT,IPV4_DST_ADDR,L4_DST_PORT,PROTOCOL,L7_PROTO,IN_BYTES,OUT_BYTES,IN_PKTS,OUT_PKTS,TCP_FLAGS,FLOW_DURATION_MILLISECONDS,Label,Attack',
      '192.168.100.3,52044,192.168.100.1,53,17,5.0,70,120,1,1,0,0,0,Benign',
      '192.168.100.147,41800,192.168.100.3,80,6,7.0,280,0,5,0,2,4294967,1,DoS',
      '192.168.100.150,34122,192.168.100.3,80,17,0.0,56,0,1,0,0,0,1,DDoS',
    ].join('\n') + '\n',
  );
  const importButton = page.getByRole('button', { name: 'Import capture…' });
  await app.answerDialogs(null);
  await importButton.click();
  await expect.poll(dialogsAsked).toBe(1);
  await expect(workbench.captures.capture('three-flows.csv')).toHaveCount(0);

  await app.answerDialogs(csv);
  await importButton.click();
  await expect(flowsOf('three-flows.csv')).toHaveText('3', { timeout: 30_000 });
  expect((await app.state()).dialogsAsked).toEqual([
    { kind: 'open', title: 'Import a NetFlow capture', defaultPath: null, properties: ['openFile'] },
    { kind: 'open', title: 'Import a NetFlow capture', defaultPath: null, properties: ['openFile'] },
  ]);
});

test('exports flows to a file chosen in the save dialog, then shows it in its folder', async () => {
  await workbench.captures.openInExplore('three-flows.csv');
  await workbench.explore.waitForRows();
  await page.getByRole('button', { name: 'Export flows…' }).click();
  const ex = workbench.flowExportDialog;
  await expect(ex.dialog).toBeVisible();
  const target = join(home, 'exports', 'three flows.csv');
  await app.answerDialogs(target);
  await ex.dialog.getByRole('button', { name: 'Choose…' }).click();
  await expect(ex.dialog.getByRole('textbox', { name: 'Target path' })).toHaveValue(target);
  // the dialog started in the project's reports folder, at the default name without its time
  const asked = (await app.state()).dialogsAsked.at(-1)!;
  expect(asked).toEqual({ kind: 'save', title: 'Export to', defaultPath: `${sampleProject}.reports/capture-2-flows.csv`, properties: ['createDirectory', 'showOverwriteConfirmation'] });
  await workbench.screenshot('36-desktop-export-choose');
  await ex.export();
  await expect(ex.result).toContainText(target);
  expect(readFileSync(target, 'utf8').trim().split('\n')).toHaveLength(4);
  await ex.dialog.getByRole('button', { name: 'Show in folder' }).click();
  await app.waitFor((m) => m.kind === 'shell' && m.action === 'show' && m.path === target);
  await ex.dialog.getByRole('button', { name: 'Open', exact: true }).click();
  await app.waitFor((m) => m.kind === 'shell' && m.action === 'open' && m.path === target);
  await ex.close();
});

test('scans and trains in the bundled model workers, and says so in a notification when the analyst is away', async () => {
  test.setTimeout(300_000);
  await workbench.showCaptures();
  const latest = workbench.captures.latestScan(SAMPLE);
  await workbench.captures.scan(SAMPLE);
  await expect(latest).toContainText('flagged windows', { timeout: 200_000 });
  // the window had focus: it said so itself
  expect(app.messages.filter((m) => m.kind === 'notification')).toEqual([]);

  // training runs one thread per core: the worker spawns its peers from the bundle too
  const model = workbench.model;
  await model.open();
  await model.chooseCapture(SAMPLE);
  await model.configure({ 'Model name': 'desktop small detector', 'Conv1D filters': '8,16', 'BiLSTM units': '8', Epochs: '1', 'Batch size': '512' });
  await model.train();
  await app.blur(); // the analyst reads mail while it trains
  const note = await app.waitFor((m) => m.kind === 'notification', 200_000);
  expect(note).toMatchObject({ title: 'MindFlow: job finished', body: `train on ${SAMPLE}` });
  await app.clickNotification();
  expect((await app.state()).focusedId).toBe(mainWindow.id);
  await expect(model.trainingResult).toContainText('trained desktop small detector', { timeout: 200_000 });
  await expect(model.models.getByRole('listitem', { name: 'Model desktop small detector' })).toBeVisible();
  await workbench.screenshot('37-desktop-trained');
});

test('exports an incident report as PDF, printed by Chromium from a window that runs no script', async () => {
  test.setTimeout(180_000);
  await workbench.hidePanel();
  await workbench.detections.selectFirstTwo(SAMPLE);
  await page.getByRole('button', { name: /^Create incident…/ }).click();
  await workbench.incidents.dialog.create({ title: 'Desktop report', severity: 'High' });
  await expect(workbench.incidents.editor).toBeVisible();

  await workbench.incidents.openExport();
  const ex = workbench.exportDialog;
  await ex.choose('PDF');
  await ex.export();
  await expect(ex.result).toContainText(/incident-\d+\.pdf/, { timeout: 150_000 });
  await expect(ex.error).toHaveText('');
  const path = (await ex.result.locator('.path').textContent())!.trim();
  expect(readFileSync(path).subarray(0, 5).toString()).toBe('%PDF-');
  const text = spawnSync('pdftotext', [path, '-'], { encoding: 'utf8' });
  expect(text.status, 'pdftotext (poppler-utils) reads the report').toBe(0);
  expect(text.stdout).toContain('Desktop report');
  // the report is data: printed from a throw-away page with JavaScript off, which is gone after
  const printed = await app.waitFor((m) => m.kind === 'print-to-pdf');
  expect(printed).toMatchObject({ javaScript: false, options: { pageSize: 'A4', printBackground: true } });
  const page0 = new URL(String(printed.url));
  expect(page0.protocol).toBe('file:');
  expect(existsSync(join(decodeURIComponent(page0.pathname), '..'))).toBe(false);
  await ex.dialog.getByRole('button', { name: 'Open', exact: true }).click();
  await app.waitFor((m) => m.kind === 'shell' && m.action === 'open' && m.path === path);
  await ex.close();
});

test('closing or quitting while a training run goes asks first, and keeps working when told to', async () => {
  test.skip(process.platform === 'darwin', 'on macOS closing the window leaves the app and its jobs running');
  test.setTimeout(180_000);
  const model = workbench.model;
  await model.open();
  await model.configure({ 'Model name': 'long run', Epochs: '200', 'Early-stop patience': '0' });
  await model.train();
  await expect(model.epochCounter).toContainText('/ 200', { timeout: 60_000 });

  await app.answerMessages(0);
  expect(await app.closeWindow(mainWindow.id)).toBe(false);
  const asked = await app.waitFor((m) => m.kind === 'message-box');
  expect(asked).toMatchObject({ type: 'warning', message: 'A job is still running', buttons: ['Keep working', 'Stop it and close'], answer: 0 });
  expect(asked.detail).toBe(`• train on ${SAMPLE}\n\nClosing MindFlow stops it, and what it was making is not kept.`);
  // Quit in the menu asks the same, and Keep working cancels the quit
  await app.answerMessages(0);
  await app.requestQuit();
  await app.waitFor((m) => m.kind === 'quit-cancelled');
  expect(app.messages.filter((m) => m.kind === 'message-box')).toHaveLength(2);
  expect((await app.state()).windows[0]!.destroyed).toBe(false);
  // the run went on through both questions
  await expect(page.getByRole('status', { name: 'Training status' })).toBeVisible();
  await model.cancelTraining();
  await expect(model.trainingResult).toContainText('training cancelled', { timeout: 60_000 });
  await model.configure({ Epochs: '1', 'Early-stop patience': '5' });
});

test('exports the model to a folder named in the save dialog, and imports it back from the folder dialog', async () => {
  const model = workbench.model;
  const packages = page.getByRole('region', { name: 'Model packages' });
  // the desktop has no path fields here: its own dialogs name the folders
  await expect(packages.getByRole('textbox')).toHaveCount(0);
  await expect(model.models.getByRole('button', { name: 'Select model desktop small detector' })).toHaveAttribute('aria-pressed', 'true');
  const folder = join(home, 'packages', 'small');
  await app.answerDialogs(folder);
  await packages.getByRole('button', { name: 'Export package…' }).click();
  await expect(model.packageResult).toContainText(`exported to ${folder}`);
  expect(existsSync(join(folder, 'model.json'))).toBe(true);
  // suggested: the model's name, beside the project
  expect((await app.state()).dialogsAsked.at(-1)).toEqual({ kind: 'save', title: 'Export model package', defaultPath: join(home, 'userData', 'desktop small detector'), properties: ['createDirectory', 'showOverwriteConfirmation'] });

  const row = model.models.getByRole('listitem', { name: 'Model desktop small detector' });
  await row.getByRole('button', { name: 'Delete model desktop small detector' }).click();
  await row.getByRole('group', { name: 'Confirm delete' }).getByRole('button', { name: 'Delete' }).click();
  await expect(row).toHaveCount(0);
  // a cancelled dialog imports nothing and says nothing
  const before = await dialogsAsked();
  await app.answerDialogs(null, folder);
  await packages.getByRole('button', { name: 'Import package…' }).click();
  await expect.poll(dialogsAsked).toBe(before + 1);
  await expect(row).toHaveCount(0);
  await packages.getByRole('button', { name: 'Import package…' }).click();
  await expect(model.packageResult).toContainText('imported desktop small detector');
  await expect(model.models.getByRole('button', { name: 'Select model desktop small detector' })).toHaveAttribute('aria-pressed', 'true');
  expect((await app.state()).dialogsAsked.at(-1)).toEqual({ kind: 'open', title: 'Import a model package', defaultPath: join(home, 'userData'), properties: ['openDirectory'] });
  await workbench.screenshot('38-desktop-model-packages');
});

test('a second launch hands its project to this window, which comes to the front', async () => {
  // a new case, made through the desktop's Browse… and its save dialog
  await app.clickMenu('File', 'New Project…');
  const dialog = page.getByRole('dialog', { name: 'New project' });
  await expect(dialog).toBeVisible();
  await app.answerDialogs(caseFile);
  await dialog.getByRole('button', { name: 'Browse…' }).click();
  await expect(page.getByLabel('Project path')).toHaveText(caseFile);
  expect((await app.state()).dialogsAsked.at(-1)).toMatchObject({ kind: 'save', title: 'New MindFlow project' });

  // the sample project, opened from the desktop while this window is minimised
  await app.minimize(mainWindow.id);
  expect((await app.state()).windows[0]!.minimized).toBe(true);
  await app.emitAppEvent('second-instance', ['/opt/MindFlow/mindflow', '--no-sandbox', sampleProject], home);
  await expect(page.getByLabel('Project path')).toHaveText(sampleProject);
  await expect(workbench.captures.capture(SAMPLE)).toBeVisible();
  const after = await app.state();
  expect(after.focusedId).toBe(mainWindow.id);
  expect(after.windows[0]!.minimized).toBe(false);

  // one that is not a project: said in a box, and the open project stays
  const notAProject = join(home, 'notes.duckdb');
  writeFileSync(notAProject, 'not a database\n');
  await app.emitAppEvent('second-instance', ['/opt/MindFlow/mindflow', notAProject], home);
  const box = await app.waitFor((m) => m.kind === 'error-box');
  expect(box.title).toBe(`MindFlow Workbench could not open ${notAProject}`);
  expect(String(box.content)).toContain(notAProject);
  await expect(page.getByLabel('Project path')).toHaveText(sampleProject);

  // File › Open Recent: the other projects, newest first, and the way back
  const recent = async () => labels((await app.state()).menu![0]!.submenu!.find((i) => i.label === 'Open Recent')!.submenu);
  expect(await recent()).toEqual([`case-7 — ${home}`, 'separator', 'Clear Recently Opened']);
  await app.clickMenu('File', 'Open Recent', `case-7 — ${home}`);
  await expect(page.getByLabel('Project path')).toHaveText(caseFile);
  await expect.poll(recent).toEqual([`sample — ${join(home, 'userData')}`, 'separator', 'Clear Recently Opened']);
  await app.clickMenu('File', 'Open Recent', `sample — ${join(home, 'userData')}`);
  await expect(page.getByLabel('Project path')).toHaveText(sampleProject);
  expect((await app.state()).recentDocuments).toEqual([sampleProject, caseFile]);
  await app.clickMenu('File', 'Open Recent', 'Clear Recently Opened');
  expect(await recent()).toEqual(['No other projects yet', 'separator', 'Clear Recently Opened']);
  expect((await app.state()).recentDocuments).toEqual([]);
  // the project dialog's recent list follows; the case's file stays where it is
  const listed = (await app.invoke('mindflow:call', ['recentProjects', {}], page.url())) as { result: { path: string }[] };
  expect(listed.result.map((p) => p.path)).toEqual([sampleProject]);
  expect(existsSync(caseFile)).toBe(true);
});

/** Drops a file from disk on the Captures side bar, as from the file manager (Electron gives its path). */
async function dropOnCaptures(path: string) {
  const name = path.split('/').pop()!;
  await workbench.showCaptures();
  await page.getByRole('region', { name: 'Captures view' }).evaluate(
    (el, [fileName, filePath]) => {
      const w = window as unknown as { __standinFilePaths?: Record<string, string> };
      w.__standinFilePaths = { ...(w.__standinFilePaths ?? {}), [fileName]: filePath };
      const dt = new DataTransfer();
      dt.items.add(new File(['not read: the core reads the path'], fileName));
      el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    [name, path] as const,
  );
}

test('a file dropped on Captures: a capture is imported from where it lies, a project opens', async () => {
  await dropOnCaptures(caseFile);
  await expect(page.getByLabel('Project path')).toHaveText(caseFile);
  await dropOnCaptures(join(home, 'three-flows.csv'));
  await expect(flowsOf('three-flows.csv')).toHaveText('3', { timeout: 30_000 });
  // read in place: the desktop uploads nothing
  expect(((await app.invoke('mindflow:call', ['listCaptures', {}], page.url())) as { result: { filePath: string }[] }).result.map((c) => c.filePath)).toEqual([join(home, 'three-flows.csv')]);
  await dropOnCaptures(sampleProject);
  await expect(page.getByLabel('Project path')).toHaveText(sampleProject);
});

test('closing the window mid-training, told to stop, quits; the project it leaves opens again with all it held', async () => {
  test.skip(process.platform === 'darwin', 'on macOS the app stays open without windows');
  const model = workbench.model;
  await model.open();
  await model.configure({ 'Model name': 'cut short', Epochs: '200', 'Early-stop patience': '0' });
  await model.train();
  await expect(page.getByRole('status', { name: 'Training status' })).toBeVisible();
  const asked = app.messages.filter((m) => m.kind === 'message-box').length;
  await app.placeWindow(mainWindow.id, { x: 120, y: 60, width: 1280, height: 820 });
  await page.close();
  await app.answerMessages(1);
  expect(await app.closeWindow(mainWindow.id)).toBe(true);
  expect(await app.exited).toBe(0);
  expect(app.messages.filter((m) => m.kind === 'message-box').slice(asked)).toEqual([expect.objectContaining({ message: 'A job is still running', answer: 1 })]);
  expect(app.messages.at(-1)?.kind).toBe('quit');
  const listed = spawnSync(process.execPath, [join(ROOT, 'bin', 'mindflow.js'), 'captures', '--project', sampleProject, '--json'], { encoding: 'utf8' });
  expect(listed.status, listed.stderr).toBe(0);
  expect((JSON.parse(listed.stdout) as { captures: { fileName: string }[] }).captures.map((c) => c.fileName)).toEqual([SAMPLE, 'three-flows.csv']);
});

/** Boots the desktop build again on the same app data folder, and waits for its window. */
async function relaunch(env: NodeJS.ProcessEnv = {}) {
  const next = new StandInApp(home, env);
  await next.waitFor((m) => m.kind === 'shown', 60_000);
  const call = async (name: string, args: object) => (await next.invoke('mindflow:call', [name, args], `file://${join(ROOT, 'out', 'renderer', 'index.html')}`)) as { ok: boolean; result: unknown };
  return { next, window: (await next.state()).windows[0]!, call };
}

test('the next launch reopens the project open when MindFlow closed, or the sample when that one cannot be opened', async () => {
  const first = await relaunch();
  expect(((await first.call('appInfo', {})).result as { projectPath: string }).projectPath).toBe(sampleProject);
  expect((await first.call('openProject', { path: caseFile })).ok).toBe(true);
  expect(await first.next.quit()).toBe(0);

  const second = await relaunch();
  expect(((await second.call('appInfo', {})).result as { projectPath: string }).projectPath).toBe(caseFile);
  expect(second.next.messages.some((m) => m.kind === 'message-box')).toBe(false);
  expect(await second.next.quit()).toBe(0);

  // the case file was damaged since: say so, and open the sample
  writeFileSync(caseFile, 'not a database any more\n');
  const third = await relaunch();
  expect(((await third.call('appInfo', {})).result as { projectPath: string }).projectPath).toBe(sampleProject);
  const box = await third.next.waitFor((m) => m.kind === 'message-box');
  expect(box).toMatchObject({ type: 'warning', message: 'MindFlow could not reopen case-7' });
  expect(String(box.detail)).toContain(`The sample project is open instead; open ${caseFile} again from File › Open Project… once it can be.`);
  expect(await third.next.quit()).toBe(0);
});

test('a project file opened from the Finder before the app is ready is the project it starts on', async () => {
  const other = join(home, 'opened-from-finder.duckdb');
  const mindflow = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'mindflow.js'), ...args], { encoding: 'utf8' });
  const flows = join(home, 'finder-flows.csv');
  const written = mindflow('sample', '--rows', '50', '--out', flows);
  expect(written.status, written.stderr).toBe(0);
  // only an import makes a project: a read-only command refuses a missing one
  const created = mindflow('import', flows, '--project', other, '--json');
  expect(created.status, created.stderr).toBe(0);
  const opened = await relaunch({ MINDFLOW_STANDIN_OPEN_FILE: other });
  expect(((await opened.call('appInfo', {})).result as { projectPath: string }).projectPath).toBe(other);
  expect(await opened.next.quit()).toBe(0);
});

test('the next launch opens the window where it was closed, maximised if it was, and centred when that screen is gone', async () => {
  const first = await relaunch();
  expect(first.window.options).toMatchObject({ x: 120, y: 60, width: 1280, height: 820 });
  expect(first.window.maximized).toBe(false);
  await first.next.placeWindow(first.window.id, { x: 200, y: 100, width: 1100, height: 700 }, true);
  expect(await first.next.quit()).toBe(0);

  const second = await relaunch();
  expect(second.window.options).toMatchObject({ x: 200, y: 100, width: 1100, height: 700 });
  expect(second.window.maximized).toBe(true);
  await second.next.placeWindow(second.window.id, { x: 200, y: 100, width: 1100, height: 700 }, false);
  expect(await second.next.quit()).toBe(0);

  // the screen it was on is unplugged: only a smaller one, left of where it was
  const third = await relaunch({ MINDFLOW_STANDIN_DISPLAYS: JSON.stringify([{ x: -1280, y: 0, width: 1280, height: 1000 }]) });
  expect(third.window.options).toMatchObject({ width: 1280, height: 900 });
  expect(third.window.options).not.toHaveProperty('x');
  expect(await third.next.quit()).toBe(0);
});

test('a launch while MindFlow runs quits at once, without a window', async () => {
  const second = new StandInApp(mkdtempSync(join(tmpdir(), 'mindflow-desktop-')), { MINDFLOW_STANDIN_LOCKED: '1' });
  expect(await second.exited).toBe(0);
  expect(second.messages.map((m) => m.kind)).toEqual(['quit']);
});

test('a project it cannot open is said in a box, and the app quits instead of running windowless', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mindflow-desktop-'));
  const broken = join(dir, 'broken.duckdb');
  writeFileSync(broken, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]));
  const launch = new StandInApp(dir, { MINDFLOW_PROJECT: broken });
  expect(await launch.exited).toBe(0);
  const box = launch.messages.find((m) => m.kind === 'error-box');
  expect(box?.title).toBe('MindFlow Workbench could not open the project');
  expect(String(box?.content)).toContain(broken);
  expect(launch.messages.some((m) => m.kind === 'window')).toBe(false);
});
