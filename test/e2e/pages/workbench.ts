/**
 * Page objects for the workbench: each names what an analyst sees (by role and accessible
 * name), so the stories read as what the analyst does.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export const SCREENSHOT_DIR = 'test-results/screenshots';

/** axe-core, the accessibility rules engine, as a script to evaluate in the page */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core's rules (WCAG 2.x A and AA, and its best practices) over a page as it stands
 * and fails with each violation: rule, impact, and the first elements it found.
 */
export async function expectAccessible(page: Page, where: string) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[]; failureSummary?: string }[] }[] }> } }).axe;
    const result = await axe.run(document);
    return result.violations.map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.slice(0, 3).map((n) => `  ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`).join('\n')}`);
  });
  expect(violations, `accessibility violations in ${where}`).toEqual([]);
}

export class WorkbenchPage {
  readonly captures: CapturesPanel;
  readonly explore: ExploreEditor;
  readonly sql: SqlConsole;
  readonly model: ModelView;
  readonly detections: DetectionsView;
  readonly drilldown: DrilldownEditor;
  readonly incidents: IncidentsView;
  readonly exportDialog: ExportDialog;
  readonly flowExportDialog: ExportDialog;

  /** uncaught errors the page threw since the last check: a story fails on any */
  private readonly pageErrors: string[] = [];

  constructor(readonly page: Page) {
    page.on('pageerror', (e) => this.pageErrors.push(e.stack ?? e.message));
    this.captures = new CapturesPanel(page);
    this.explore = new ExploreEditor(page);
    this.sql = new SqlConsole(page);
    this.model = new ModelView(page);
    this.detections = new DetectionsView(page);
    this.drilldown = new DrilldownEditor(page);
    this.incidents = new IncidentsView(page);
    this.exportDialog = new ExportDialog(page);
    this.flowExportDialog = new ExportDialog(page, /^Export flows/);
  }

  async open(url: string) {
    await this.page.goto(url);
    await expect(this.page.getByRole('button', { name: 'Captures', exact: true })).toBeVisible();
    await expect(this.page.getByLabel('Project path')).not.toHaveText('…');
  }

  /** Fails with the page's uncaught errors, if it threw any since the last call. */
  expectNoPageErrors() {
    const errors = this.pageErrors.splice(0);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  }

  /** Fails on any axe-core violation in the workbench as it stands (see expectAccessible). */
  async expectAccessible(where: string) {
    await expectAccessible(this.page, where);
  }

  async showCaptures() {
    const button = this.page.getByRole('button', { name: 'Captures', exact: true });
    if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
  }

  async runCommand(title: string) {
    await this.page.keyboard.press('Control+Shift+P');
    const palette = this.page.getByRole('dialog', { name: 'Command palette' });
    await palette.getByRole('combobox').fill(title);
    await palette.getByRole('option', { name: title }).first().click();
  }

  /** Downloads an exported file the way the web host serves it: same origin, token header. */
  async download(url: string): Promise<Buffer> {
    const token = await this.page.evaluate(() => sessionStorage.getItem('mindflow.token') ?? '');
    const response = await this.page.request.get(new URL(url, this.page.url()).href, { headers: { 'x-mindflow-token': token } });
    expect(response.status()).toBe(200);
    return response.body();
  }

  /** Hides the bottom panel (jobs, SQL) to give the editor the room. */
  async hidePanel() {
    if (await this.page.getByRole('tab', { name: 'SQL Console' }).isVisible()) await this.page.keyboard.press('Control+J');
  }

  async screenshot(name: string) {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await this.page.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png` });
  }
}

export class CapturesPanel {
  constructor(readonly page: Page) {}

  get list(): Locator {
    return this.page.getByRole('list', { name: 'Captures list' });
  }

  capture(fileName: string): Locator {
    return this.list.getByRole('listitem').filter({ hasText: fileName });
  }

  async importPath(path: string) {
    await this.page.getByRole('textbox', { name: 'Capture file path' }).fill(path);
    await this.page.getByRole('button', { name: 'Import path' }).click();
  }

  /** The one-line outcome of the last import (success, reuse or the error). */
  get outcome(): Locator {
    return this.page.getByLabel('Import result', { exact: true });
  }

  async openInExplore(fileName: string) {
    await this.page.getByRole('button', { name: new RegExp(`^Open #\\d+ ${fileName.replaceAll('.', '\\.')} in Explore$`) }).first().click();
  }

  async scan(fileName: string) {
    await this.page.getByRole('button', { name: `Scan ${fileName}`, exact: true }).click();
  }

  scanProgress(fileName: string): Locator {
    return this.page.getByRole('progressbar', { name: `Scan of ${fileName}` });
  }

  /** The card's summary of its newest scan: flows scored, windows/s, flagged windows, predicted classes. */
  latestScan(fileName: string): Locator {
    return this.page.getByRole('status', { name: `Latest scan of ${fileName}` });
  }
}

/** The Model view: its side bar (models, packages) and its editor (train, live curves, metrics). */
export class ModelView {
  constructor(readonly page: Page) {}

  async open() {
    const button = this.page.getByRole('button', { name: 'Model', exact: true });
    if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
    await expect(this.page.getByRole('tab', { name: 'Model', exact: true })).toHaveAttribute('aria-selected', 'true');
  }

  get settings(): Locator {
    return this.page.getByRole('form', { name: 'Training settings' });
  }

  /** Fills the training form: labels as the analyst reads them, values as typed. */
  async configure(fields: Record<string, string>) {
    for (const [label, value] of Object.entries(fields)) {
      await this.settings.getByLabel(label, { exact: true }).fill(value);
    }
  }

  async chooseCapture(fileName: string) {
    const select = this.settings.getByLabel('Capture', { exact: true });
    const value = await select.locator('option').filter({ hasText: fileName }).first().getAttribute('value');
    await select.selectOption(value ?? '');
  }

  async train() {
    await this.settings.getByRole('button', { name: 'Train', exact: true }).click();
  }

  async cancelTraining() {
    await this.settings.getByRole('button', { name: 'Cancel training' }).click();
  }

  get epochCounter(): Locator {
    return this.page.getByLabel('Epoch counter');
  }

  get lossChart(): Locator {
    return this.page.getByRole('img', { name: /^Training loss:/ });
  }

  get scoreChart(): Locator {
    return this.page.getByRole('img', { name: /^Training accuracy and macro F1:/ });
  }

  get trainingResult(): Locator {
    return this.page.getByRole('status', { name: 'Training result' });
  }

  get models(): Locator {
    return this.page.getByRole('list', { name: 'Models' });
  }

  get perClassTable(): Locator {
    return this.page.getByRole('table', { name: 'Per-class metrics' });
  }

  get confusionMatrix(): Locator {
    return this.page.getByRole('img', { name: /^Confusion matrix/ });
  }

  /** Evaluates the selected model on the capture chosen beside the Evaluate button. */
  async evaluate() {
    await this.page.getByRole('form', { name: 'Evaluate model' }).getByRole('button', { name: 'Evaluate', exact: true }).click();
  }

  get evaluationResult(): Locator {
    return this.page.getByRole('status', { name: 'Evaluation result' });
  }

  /** The note by the figures when an evaluation is clearly below the model's held-out estimate. */
  get heldOutNote(): Locator {
    return this.page.getByRole('note', { name: 'Why the evaluation is below the held-out estimate' });
  }

  async exportPackage(dir: string) {
    await this.page.getByRole('textbox', { name: 'Export directory' }).fill(dir);
    await this.page.getByRole('button', { name: 'Export package' }).click();
  }

  async importPackage(dir: string) {
    await this.page.getByRole('textbox', { name: 'Package directory to import' }).fill(dir);
    await this.page.getByRole('button', { name: 'Import package' }).click();
  }

  get packageResult(): Locator {
    return this.page.getByLabel('Package result', { exact: true });
  }

  get historyLossChart(): Locator {
    return this.page.getByRole('img', { name: /^Loss:/ });
  }
}

export class ExploreEditor {
  constructor(readonly page: Page) {}

  get activeTab(): Locator {
    return this.page.getByRole('tab', { selected: true }).filter({ hasText: 'Explore:' });
  }

  get grid(): Locator {
    return this.page.getByRole('grid', { name: 'Flows' });
  }

  get histogram(): Locator {
    return this.page.getByRole('img', { name: /^Flows by class over capture order/ });
  }

  get chips(): Locator {
    return this.page.getByRole('list', { name: 'Filter clauses' }).getByRole('listitem');
  }

  /** The "N flows" count above the table. */
  async matchingFlows(): Promise<number> {
    const text = await this.page.getByLabel('Matching flows').textContent();
    return Number((text ?? '').replace(/[^\d]/g, ''));
  }

  /** Waits until the visible rows are in: no row still says "loading…". */
  async waitForRows() {
    await expect(this.grid.getByRole('gridcell').first()).toBeVisible();
    await expect(this.grid.getByRole('gridcell', { name: 'loading…' })).toHaveCount(0);
  }

  async addFilter(text: string) {
    const input = this.page.getByRole('textbox', { name: 'Add filter clause' });
    await input.fill(text);
    await input.press('Enter');
  }

  /** Drags across the histogram's plot between two fractions of its width. */
  async brush(fromFraction: number, toFraction: number) {
    const box = await this.histogram.boundingBox();
    if (!box) throw new Error('histogram not visible');
    // the plot area inside the chart's margins (left 52, right 14, top 8, bottom 32)
    const left = box.x + 52;
    const width = box.width - 52 - 14;
    const y = box.y + 8 + (box.height - 40) / 2;
    await this.page.mouse.move(left + width * fromFraction, y);
    await this.page.mouse.down();
    await this.page.mouse.move(left + width * ((fromFraction + toFraction) / 2), y, { steps: 4 });
    await this.page.mouse.move(left + width * toFraction, y, { steps: 4 });
    await this.page.mouse.up();
  }

  async clearBrush() {
    await this.page.getByRole('button', { name: 'Clear brush' }).click();
  }

  /** Right-clicks the first visible cell showing `value` and picks a pivot from the menu. */
  async pivot(value: string, action: RegExp | string) {
    const cell = this.grid.getByRole('gridcell', { name: value, exact: true }).first();
    await cell.click({ button: 'right' });
    await this.page.getByRole('menu').getByRole('menuitem', { name: action }).click();
  }

  countBy(column: string): Locator {
    return this.page.getByRole('complementary', { name: `Count by ${column}` });
  }
}

export class SqlConsole {
  constructor(readonly page: Page) {}

  async open() {
    const tab = this.page.getByRole('tab', { name: 'SQL Console' });
    if (!(await tab.isVisible())) await this.page.keyboard.press('Control+J');
    await tab.click();
  }

  async run(sql: string) {
    const editor = this.page.getByRole('textbox', { name: 'SQL query' });
    await editor.fill(sql);
    await editor.press('Control+Enter');
  }

  /** the result: a virtual grid (only the rows in view are in the page) */
  get result(): Locator {
    return this.page.getByRole('grid', { name: 'Query result' });
  }

  get status(): Locator {
    return this.page.getByRole('region', { name: 'SQL results' }).getByRole('status');
  }
}

/** The Detections view: side bar (capture, scan, status, filters) and the queue editor. */
export class DetectionsView {
  constructor(readonly page: Page) {}

  async open() {
    const button = this.page.getByRole('button', { name: 'Detections', exact: true });
    if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
    const tab = this.page.getByRole('tab', { name: 'Detections', exact: true });
    // a drill-down may be the active editor: the Detections tab brings the queue back
    if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
    await expect(tab).toHaveAttribute('aria-selected', 'true');
  }

  async chooseCapture(fileName: string) {
    const select = this.page.getByRole('combobox', { name: 'Capture to triage' });
    const value = await select.locator('option').filter({ hasText: fileName }).first().getAttribute('value');
    await select.selectOption(value ?? '');
  }

  get queue(): Locator {
    return this.page.getByRole('grid', { name: 'Flagged windows' });
  }

  /** The queue row at a 0-based position. */
  row(index: number): Locator {
    return this.page.locator(`#qrow-${index}`);
  }

  /** "TP 1" etc. in the editor's always-visible counts. */
  count(status: 'Untriaged' | 'TP' | 'FP' | 'Review'): Locator {
    return this.page.getByRole('list', { name: 'Triage counts' }).getByRole('listitem').filter({ hasText: status });
  }

  async countOf(status: 'Untriaged' | 'TP' | 'FP' | 'Review'): Promise<number> {
    const text = await this.count(status).locator('strong').textContent();
    return Number((text ?? '').replace(/[^\d]/g, ''));
  }

  get result(): Locator {
    return this.page.getByRole('status', { name: 'Triage result' });
  }

  /** Opens Detections on a capture's latest scan and selects its first two windows (x on each). */
  async selectFirstTwo(captureName: string) {
    await this.open();
    await this.chooseCapture(captureName);
    await expect(this.row(1)).toContainText(/\d\.\d{3}/);
    await this.keys('Home', 'x', 'j', 'x');
  }

  /** Types triage keys into the queue, one by one, waiting for each verdict to be answered. */
  async keys(...keys: string[]) {
    await this.queue.focus();
    for (const key of keys) await this.page.keyboard.press(key);
  }

  async showMetrics() {
    await this.page.getByRole('tab', { name: 'Scan metrics & threshold' }).click();
  }

  async showQueue() {
    await this.page.getByRole('tab', { name: 'Queue', exact: true }).click();
  }

  get threshold(): Locator {
    return this.page.getByRole('slider', { name: 'Threshold' });
  }

  get thresholdChart(): Locator {
    return this.page.getByRole('img', { name: /^Threshold effect/ });
  }

  get thresholdNumbers(): Locator {
    return this.page.getByLabel('At this threshold');
  }
}

/** One window drill-down editor tab. */
export class DrilldownEditor {
  constructor(readonly page: Page) {}

  get region(): Locator {
    return this.page.getByRole('region', { name: /^Window \d+ drill-down$/ });
  }

  get explanation(): Locator {
    return this.page.getByLabel('Explanation', { exact: true });
  }

  get heatmap(): Locator {
    return this.page.getByRole('img', { name: /^Attribution heatmap/ });
  }

  get flows(): Locator {
    return this.page.getByRole('table', { name: 'Flows of the window' });
  }

  get windowProbabilities(): Locator {
    return this.page.getByRole('list', { name: 'Window class probabilities' });
  }
}

/** The create / add-to incident dialog opened from Detections or a drill-down. */
export class IncidentDialog {
  constructor(readonly page: Page) {}

  get dialog(): Locator {
    return this.page.getByRole('dialog', { name: /^(Create incident|Add to incident)$/ });
  }

  async create(fields: { title: string; severity?: string; tlp?: string; summary?: string }) {
    const d = this.dialog;
    await expect(d).toBeVisible();
    await d.getByRole('textbox', { name: 'Incident title' }).fill(fields.title);
    if (fields.severity) await d.getByRole('combobox', { name: 'Severity' }).selectOption({ label: fields.severity });
    if (fields.tlp) await d.getByRole('combobox', { name: 'TLP' }).selectOption({ label: fields.tlp });
    if (fields.summary) await d.getByRole('textbox', { name: 'Summary' }).fill(fields.summary);
    await d.getByRole('button', { name: 'Create incident', exact: true }).click();
    await expect(d).toBeHidden();
  }
}

/** The Incidents view: the list in the side bar and one editor tab per incident. */
export class IncidentsView {
  readonly dialog: IncidentDialog;

  constructor(readonly page: Page) {
    this.dialog = new IncidentDialog(page);
  }

  async open() {
    const button = this.page.getByRole('button', { name: 'Incidents', exact: true });
    if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
    await expect(this.list).toBeVisible();
  }

  get list(): Locator {
    return this.page.getByRole('list', { name: 'Incidents list' });
  }

  item(title: string): Locator {
    return this.list.getByRole('listitem').filter({ hasText: title });
  }

  async openIncident(title: string) {
    await this.item(title).getByRole('button').click();
  }

  /** The editor of the shown incident. */
  get editor(): Locator {
    return this.page.getByRole('region', { name: /^Incident \d+$/ });
  }

  get details(): Locator {
    return this.editor.getByRole('form', { name: 'Incident details' });
  }

  async setDetails(fields: { severity?: string; tlp?: string; status?: string; analyst?: string; summary?: string }) {
    const f = this.details;
    if (fields.severity) await f.getByRole('combobox', { name: 'Severity' }).selectOption({ label: fields.severity });
    if (fields.tlp) await f.getByRole('combobox', { name: 'TLP' }).selectOption({ label: fields.tlp });
    if (fields.status) await f.getByRole('combobox', { name: 'Status' }).selectOption({ label: fields.status });
    if (fields.analyst) await f.getByRole('textbox', { name: 'Analyst' }).fill(fields.analyst);
    if (fields.summary) await f.getByRole('textbox', { name: 'Summary' }).fill(fields.summary);
    await f.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(this.result).toContainText('Saved');
  }

  get result(): Locator {
    return this.editor.getByRole('status', { name: 'Incident editor result' });
  }

  get windows(): Locator {
    return this.editor.getByRole('table', { name: 'Incident windows' });
  }

  get notes(): Locator {
    return this.editor.getByRole('list', { name: 'Incident notes' });
  }

  async addNote(text: string) {
    await this.editor.getByRole('textbox', { name: 'New incident note' }).fill(text);
    await this.editor.getByRole('button', { name: 'Add note' }).click();
    await expect(this.notes).toContainText(text);
  }

  async openExport() {
    await this.editor.getByRole('button', { name: 'Export report…' }).click();
  }
}

/** The export dialog: format, optional path, progress, outcome. */
/** An export job's dialog: an incident report's, or an Explore tab's flows'. */
export class ExportDialog {
  constructor(
    readonly page: Page,
    private readonly name: RegExp = /^Export report/,
  ) {}

  get dialog(): Locator {
    return this.page.getByRole('dialog', { name: this.name });
  }

  async choose(label: string) {
    await this.dialog.getByRole('radio', { name: label, exact: true }).check();
  }

  async export() {
    await this.dialog.getByRole('button', { name: /^(Export|Export again)$/ }).click();
  }

  get result(): Locator {
    return this.dialog.getByRole('status', { name: 'Export result' });
  }

  get error(): Locator {
    return this.dialog.getByRole('alert', { name: 'Export error' });
  }

  get download(): Locator {
    return this.dialog.getByRole('link', { name: 'Download' });
  }

  async close() {
    await this.dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(this.dialog).toBeHidden();
  }
}

/** The Open / New Project dialog (Ctrl+O, the status bar's project, the welcome page). */
export class ProjectDialog {
  readonly dialog: Locator;
  constructor(readonly page: Page) {
    this.dialog = page.getByRole('dialog', { name: /^(Open a project|New project)$/ });
  }

  get path(): Locator {
    return this.dialog.getByRole('textbox', { name: /project file/i });
  }

  get error(): Locator {
    return this.dialog.getByRole('alert', { name: 'Project error' });
  }

  recent(name: string): Locator {
    return this.dialog.getByRole('list', { name: 'Recent projects' }).getByRole('button', { name: new RegExp(`^${name} /`) });
  }

  /** Types a path and opens (or creates) it; the page then starts over on that project. */
  async submit(path: string) {
    await this.path.fill(path);
    await this.dialog.getByRole('button', { name: /^(Open|Create)$/ }).click();
  }
}
