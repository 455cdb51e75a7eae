/**
 * Page objects for the workbench: each names what an analyst sees (by role and accessible
 * name), so the stories read as what the analyst does.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';

export const SCREENSHOT_DIR = 'test-results/screenshots';

export class WorkbenchPage {
  readonly captures: CapturesPanel;
  readonly explore: ExploreEditor;
  readonly sql: SqlConsole;

  constructor(readonly page: Page) {
    this.captures = new CapturesPanel(page);
    this.explore = new ExploreEditor(page);
    this.sql = new SqlConsole(page);
  }

  async open(url: string) {
    await this.page.goto(url);
    await expect(this.page.getByRole('button', { name: 'Captures', exact: true })).toBeVisible();
    await expect(this.page.getByLabel('Project path')).not.toHaveText('…');
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
    await this.page.getByRole('button', { name: `Open ${fileName} in Explore` }).first().click();
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

  async waitForRows() {
    await expect(this.grid.getByRole('gridcell').first()).toBeVisible();
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

  get result(): Locator {
    return this.page.getByRole('table', { name: 'Query result' });
  }

  get status(): Locator {
    return this.page.getByRole('region', { name: 'SQL results' }).getByRole('status');
  }
}
