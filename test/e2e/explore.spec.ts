/**
 * An analyst's first session: opens the sample capture, imports a real NF-BoT-IoT v2 export,
 * narrows the flows with the histogram brush and a right-click pivot, then asks the SQL console.
 */
import { expect, test, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { WorkbenchPage } from './pages/workbench';

const REAL_SAMPLE = resolve('../shared/data/nf-bot-iot-v2-sample-a.csv.gz');
const REAL_SAMPLE_NAME = 'nf-bot-iot-v2-sample-a.csv.gz';

test.describe.configure({ mode: 'serial' });

let page: Page;
let workbench: WorkbenchPage;

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  workbench = new WorkbenchPage(page);
  await workbench.open(process.env.MINDFLOW_E2E_URL ?? '');
});

test.afterEach(() => workbench.expectNoPageErrors());

test.afterAll(async () => {
  await page.close();
});

test('opens the sample capture and sees its flows over capture order', async () => {
  const sampleName = process.env.MINDFLOW_E2E_SAMPLE ?? 'mindflow-sample.csv';
  await workbench.showCaptures();
  await expect(workbench.captures.capture(sampleName)).toBeVisible();
  await workbench.screenshot('01-captures');
  await workbench.expectAccessible('the welcome page and the Captures view');

  // the welcome offers the capture; nothing is scanned yet, so nothing to triage
  const welcome = page.getByLabel('Next steps');
  await expect(welcome.getByRole('button', { name: new RegExp(`^Explore #\\d+ ${sampleName.replace('.', '\\.')} · [\\d,]+ flows$`) })).toBeVisible();
  await expect(welcome.getByRole('button', { name: /^Triage/ })).toHaveCount(0);
  // and, before any scan, it offers to scan the newest capture with the model a scan would use
  await expect(welcome.getByRole('button', { name: new RegExp(`^Scan #\\d+ ${sampleName.replace('.', '\\.')} with default-v1$`) })).toBeVisible();
  await workbench.captures.openInExplore(sampleName);
  await expect(workbench.explore.activeTab).toContainText(sampleName);
  await workbench.explore.waitForRows();
  expect(await workbench.explore.matchingFlows()).toBeGreaterThan(0);
  await expect(workbench.explore.histogram).toBeVisible();
  await expect(page.getByText('capture order (flow #)')).toBeVisible();
  await workbench.screenshot('02-explore-sample');
  await workbench.expectAccessible('Explore');

  // reached from the keyboard, the table shows a focus ring over its rows, not under them
  const grid = workbench.explore.grid;
  const ring = grid.locator('xpath=following-sibling::*[contains(@class, "focus-ring")]');
  await expect(ring).toBeHidden();
  await grid.focus();
  await page.keyboard.press('ArrowDown');
  await expect(grid).toBeFocused();
  await expect(ring).toBeVisible();

  // a cell cursor: the first key shows it on the first row's first column, arrows move it,
  // Enter opens that cell's pivot menu, Escape comes back to the grid
  const cursorCell = async () => page.locator(`[id="${await grid.getAttribute('aria-activedescendant')}"]`);
  await expect(grid).toHaveAttribute('aria-activedescendant', /-0-0$/);
  await expect(await cursorCell()).toHaveClass(/cursor/);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  await expect(grid).toHaveAttribute('aria-activedescendant', /-1-1$/);
  const value = ((await (await cursorCell()).textContent()) ?? '').trim();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('menu');
  await expect(menu).toBeVisible();
  await expect(menu.getByRole('menuitem').first()).toContainText(value);
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(grid).toBeFocused();
  // End goes to the last column and scrolls it into view; the row numbers stay at the left
  await page.keyboard.press('End');
  const gridBox = (await grid.boundingBox())!;
  const lastBox = (await (await cursorCell()).boundingBox())!;
  expect(lastBox.x + lastBox.width).toBeLessThanOrEqual(gridBox.x + gridBox.width + 1);
  expect(Math.abs((await grid.getByRole('columnheader', { name: '#' }).boundingBox())!.x - gridBox.x)).toBeLessThanOrEqual(2);
  await expect(grid.getByRole('rowheader', { name: '2', exact: true })).toBeInViewport();
  // up past the first row is the header: Enter there sorts by that column
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowUp');
  await expect(grid).toHaveAttribute('aria-activedescendant', /--1-1$/);
  const header = await cursorCell();
  await page.keyboard.press('Enter');
  await expect(header).toHaveAttribute('aria-sort', 'ascending');
  await page.keyboard.press('Enter');
  await expect(header).toHaveAttribute('aria-sort', 'descending');
  await header.getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'none');
});

test('imports the real NF-BoT-IoT v2 sample by path', async () => {
  test.skip(!existsSync(REAL_SAMPLE), `real sample not found at ${REAL_SAMPLE} (it lives in ../shared/data and is never committed)`);
  test.setTimeout(180_000);
  await workbench.showCaptures();
  await workbench.captures.importPath(REAL_SAMPLE);
  await expect(workbench.captures.outcome).toHaveText(/imported 278,781 flows, schema v2|already imported as capture #\d+ — reused/, { timeout: 150_000 });
  await expect(workbench.captures.capture(REAL_SAMPLE_NAME)).toBeVisible();
  await workbench.screenshot('03-imported-real-sample');

  await workbench.captures.openInExplore(REAL_SAMPLE_NAME);
  await expect(workbench.explore.activeTab).toContainText(REAL_SAMPLE_NAME);
  await workbench.explore.waitForRows();
  expect(await workbench.explore.matchingFlows()).toBe(278_781);
  // most of its durations are the exporter's wrap-around: each such cell says what it stands for
  await expect(workbench.explore.grid.locator('[title^="Exporter wrap-around, not a duration of 4,29"]').first()).toBeAttached();
});

test('narrows to a stretch of capture order with the histogram brush', async () => {
  await workbench.explore.waitForRows();
  const before = await workbench.explore.matchingFlows();
  await workbench.explore.brush(0.25, 0.5);
  await expect(workbench.explore.chips.filter({ hasText: 'flow #' })).toBeVisible();
  await expect.poll(() => workbench.explore.matchingFlows()).toBeLessThan(before);
  const brushed = await workbench.explore.matchingFlows();
  expect(brushed).toBeGreaterThan(before * 0.15);
  expect(brushed).toBeLessThan(before * 0.35);
  await workbench.screenshot('04-brushed');

  await workbench.explore.clearBrush();
  await expect(workbench.explore.chips.filter({ hasText: 'flow #' })).toHaveCount(0);
  await expect.poll(() => workbench.explore.matchingFlows()).toBe(before);

  // the same from the keyboard: clauses on the flow id
  await workbench.explore.addFilter('flow_id >= 2000');
  await workbench.explore.addFilter('flow_id < 4000');
  await expect.poll(() => workbench.explore.matchingFlows()).toBe(2000);
  for (let i = 0; i < 2; i++) await workbench.explore.chips.filter({ hasText: 'flow_id' }).first().getByRole('button').click();
  await expect.poll(() => workbench.explore.matchingFlows()).toBe(before);

  // and with the brush's own keys: a bin, its end moved two bins on, the capture's end, cleared
  const slider = page.getByRole('slider', { name: 'Flow range' });
  const selected = async () => Number(/\(([\d,]+) flows\)/.exec((await slider.getAttribute('aria-valuetext')) ?? '')?.[1]?.replaceAll(',', '') ?? NaN);
  await slider.focus();
  await page.keyboard.press('ArrowRight');
  await expect(workbench.explore.chips.filter({ hasText: 'flow #' })).toBeVisible();
  const bin = await selected();
  expect(bin).toBeGreaterThan(0);
  await expect.poll(() => workbench.explore.matchingFlows()).toBe(bin);
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('Shift+ArrowRight');
  await expect.poll(selected).toBeGreaterThanOrEqual(3 * bin - 2);
  await expect.poll(() => workbench.explore.matchingFlows()).toBe(await selected());
  await page.keyboard.press('End');
  await expect(slider).toHaveAttribute('aria-valuetext', new RegExp(`to ${(before - 1).toLocaleString('en-US')} selected`));
  await expect(workbench.explore.chips.filter({ hasText: 'flow #' })).toContainText(`${(before - (await selected())).toLocaleString('en-US')} – ${before.toLocaleString('en-US')}`);
  await expect.poll(() => workbench.explore.matchingFlows()).toBe(await selected());
  await workbench.screenshot('04b-brushed-by-keys');
  await page.keyboard.press('Escape');
  await expect(workbench.explore.chips.filter({ hasText: 'flow #' })).toHaveCount(0);
  await expect.poll(() => workbench.explore.matchingFlows()).toBe(before);
  await expect(slider).toBeFocused();
});

test('pivots on a class cell: filter on it, then count by class', async () => {
  await workbench.explore.waitForRows();
  const before = await workbench.explore.matchingFlows();
  await workbench.explore.pivot('DoS', 'Filter Attack = DoS');
  await expect(workbench.explore.chips.filter({ hasText: 'Attack' })).toContainText('DoS');
  await expect.poll(() => workbench.explore.matchingFlows()).toBeLessThan(before);
  await workbench.explore.waitForRows();
  const classes = await workbench.explore.grid.getByRole('gridcell', { name: /^(Benign|Reconnaissance|DDoS|DoS|Theft)$/ }).allTextContents();
  expect(classes.length).toBeGreaterThan(0);
  expect(new Set(classes.map((c) => c.trim()))).toEqual(new Set(['DoS']));

  // the menu from the keyboard: Home / End, and Escape gives focus back to the table
  const cell = workbench.explore.grid.getByRole('gridcell', { name: 'DoS', exact: true }).first();
  await cell.click({ button: 'right' });
  const menu = page.getByRole('menu');
  await page.keyboard.press('End');
  await expect(menu.getByRole('menuitem').last()).toBeFocused();
  await page.keyboard.press('Home');
  await expect(menu.getByRole('menuitem').first()).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(workbench.explore.grid).toBeFocused();

  // copy a value, and the whole flow as JSON (for a ticket)
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await workbench.explore.pivot('DoS', 'Copy value');
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('DoS');
  await workbench.explore.pivot('DoS', 'Copy flow as JSON');
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toMatch(/^\{/);
  const flow = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as Record<string, unknown>;
  expect(flow).toMatchObject({ Attack: 'DoS' });
  expect(Object.keys(flow)[0]).toBe('flow_id');
  expect(typeof flow.IN_BYTES).toBe('number');

  await workbench.explore.pivot('DoS', 'Count by Attack');
  const countBy = workbench.explore.countBy('Attack');
  await expect(countBy).toBeVisible();
  await expect(countBy.getByRole('row')).toHaveCount(2); // header + DoS
  await workbench.screenshot('05-pivot-dos');

  await page.getByRole('button', { name: 'Remove filter Attack = DoS' }).click();
  await expect.poll(() => workbench.explore.matchingFlows()).toBe(before);
});

test('exports the flows a filter matches, in the table’s order, as CSV and Parquet', async () => {
  const explore = workbench.explore;
  // the built-in sample's tab: 20,000 flows, a download of a few hundred kilobytes
  await page.getByRole('tab', { name: /mindflow-sample\.csv/ }).click();
  await explore.waitForRows();
  await explore.addFilter('Attack = DoS');
  const grid = explore.grid;
  const sortBy = grid.getByRole('columnheader', { name: 'IN_BYTES', exact: true }).getByRole('button');
  await sortBy.click();
  await sortBy.click();
  await expect(page.getByText('sorted by IN_BYTES desc')).toBeVisible();
  await explore.waitForRows();
  const matching = await explore.matchingFlows();
  expect(matching).toBeGreaterThan(0);

  // hide a column: the table drops it, and the export can write just the shown ones
  await page.getByRole('button', { name: /^Columns all…$/ }).click();
  const chooser = page.getByRole('dialog', { name: 'Columns of the flow table' });
  await expect(chooser.getByRole('checkbox')).not.toHaveCount(0);
  await workbench.screenshot('06-columns');
  await chooser.getByRole('searchbox', { name: 'Filter columns' }).fill('l7');
  await chooser.getByRole('checkbox', { name: 'L7_PROTO' }).uncheck();
  await workbench.expectAccessible('the column chooser');
  await page.keyboard.press('Escape');
  await expect(chooser).toBeHidden();
  await expect(grid.getByRole('columnheader', { name: 'L7_PROTO', exact: true })).toHaveCount(0);
  const shownButton = page.getByRole('button', { name: /^Columns \d+ of \d+…$/ });
  const [shown, all] = ((await shownButton.textContent()) ?? '').match(/\d+/g)!.map(Number);
  expect(shown).toBe(all! - 1);

  const opener = page.getByRole('button', { name: 'Export flows…' });
  await opener.click();
  const ex = workbench.flowExportDialog;
  await expect(ex.dialog).toBeVisible();
  const what = ex.dialog.getByRole('definition');
  await expect(what.nth(0)).toHaveText(`${matching.toLocaleString('en-US')} matching`);
  await expect(what.nth(1)).toHaveText('Attack = DoS');
  await expect(what.nth(2)).toHaveText('IN_BYTES descending');
  await expect(ex.dialog.getByRole('checkbox', { name: new RegExp(`only the ${shown} shown in the table`) })).toBeChecked();
  await workbench.expectAccessible('the flow export dialog');
  await ex.choose('CSV');
  await ex.export();
  await expect(ex.result).toContainText(`CSV written · ${matching.toLocaleString('en-US')} flows × ${shown} columns`);
  await expect(page.getByRole('region', { name: 'Bottom panel' })).toContainText(`wrote ${matching.toLocaleString('en-US')} flows to `);
  await workbench.screenshot('06-export-flows');
  const csv = (await workbench.download((await ex.download.getAttribute('href')) ?? '')).toString('utf8').trim().split('\n');
  expect(csv).toHaveLength(matching + 1);
  const header = csv[0]!.split(',');
  expect(header[0]).toBe('flow_id');
  expect(header).toHaveLength(shown!);
  expect(header).not.toContain('L7_PROTO');
  const [bytes, attack] = [header.indexOf('IN_BYTES'), header.indexOf('Attack')];
  const rows = csv.slice(1).map((l) => l.split(','));
  expect(new Set(rows.map((r) => r[attack]))).toEqual(new Set(['DoS']));
  const inBytes = rows.map((r) => Number(r[bytes]));
  expect(inBytes).toEqual([...inBytes].sort((a, b) => b - a));

  // every column, in Parquet
  await ex.dialog.getByRole('checkbox', { name: /only the \d+ shown/ }).uncheck();
  await ex.choose('Parquet');
  await ex.export();
  await expect(ex.result).toContainText(`× ${all} columns`);
  await expect(ex.result).toContainText('Parquet written');
  const parquet = await workbench.download((await ex.download.getAttribute('href')) ?? '');
  expect(parquet.subarray(0, 4).toString()).toBe('PAR1');
  await ex.close();
  await expect(opener).toBeFocused();

  await sortBy.click();
  await page.getByRole('button', { name: 'Remove filter Attack = DoS' }).click();
  await shownButton.click();
  await chooser.getByRole('button', { name: 'Show all' }).click();
  await chooser.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByRole('button', { name: /^Columns all…$/ })).toBeVisible();
});

test('finds a host in every capture from a cell, and explores it in one of them', async () => {
  const explore = workbench.explore;
  await page.getByRole('tab', { name: /mindflow-sample\.csv/ }).click();
  await explore.waitForRows();
  await explore.pivot('192.168.100.3', /^Find 192\.168\.100\.3 in every capture$/);
  const dialog = page.getByRole('dialog', { name: 'A host in every capture' });
  await expect(dialog.getByRole('status', { name: 'Lookup result' })).toContainText(/^192\.168\.100\.3 appears in \d+ of \d+ captures/);
  await expect(dialog.getByRole('textbox', { name: 'IP address' })).toHaveValue('192.168.100.3');
  const card = dialog.getByRole('listitem', { name: /mindflow-sample\.csv$/ });
  await expect(card).toBeVisible();
  const flows = Number(((await card.getByRole('definition').first().locator('strong').textContent()) ?? '').replace(/,/g, ''));
  expect(flows).toBeGreaterThan(0);
  await workbench.expectAccessible('the host lookup');
  await workbench.screenshot('07-host-lookup');
  // an address no capture has, and one that is not an address
  await dialog.getByRole('textbox', { name: 'IP address' }).fill('10.9.9.9');
  await dialog.getByRole('button', { name: 'Find' }).click();
  await expect(dialog.getByRole('status', { name: 'Lookup result' })).toContainText('10.9.9.9 appears in none of the');
  await dialog.getByRole('textbox', { name: 'IP address' }).fill('not-an-ip');
  await page.keyboard.press('Enter');
  await expect(dialog.getByRole('alert', { name: 'Lookup error' })).toHaveText('"not-an-ip" is not an IP address (e.g. 192.168.100.3)');
  // back to the address, then into the capture with a host filter: the same count of flows
  await dialog.getByRole('textbox', { name: 'IP address' }).fill('192.168.100.3');
  await page.keyboard.press('Enter');
  await card.getByRole('button', { name: /^Explore 192\.168\.100\.3 in capture #\d+$/ }).click();
  await expect(dialog).toBeHidden();
  await expect(explore.chips).toContainText(['192.168.100.3']);
  await expect.poll(() => explore.matchingFlows()).toBe(flows);
  await page.getByRole('button', { name: 'Remove filter host = 192.168.100.3' }).click();
});

test('refuses a clause that cannot apply before it becomes a chip, and says why once', async () => {
  const explore = workbench.explore;
  await explore.waitForRows();
  const all = await explore.matchingFlows();
  const input = page.getByRole('textbox', { name: 'Add filter clause' });
  const alerts = page.getByRole('alert');

  await explore.addFilter('Attack = Theft');
  await expect(explore.chips).toHaveCount(1);
  const theft = async () => explore.matchingFlows();
  await expect.poll(theft).toBeLessThan(all);
  const theftFlows = await theft();

  // an operator it does not know, and a number column compared with text: refused at the input
  await explore.addFilter('IN_BYTES >> foo');
  await expect(alerts).toHaveCount(1);
  await expect(alerts).toHaveText('Unknown operator ">>" after IN_BYTES: use one of =, !=, <, <=, >, >=');
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  await expect(input).toHaveValue('IN_BYTES >> foo');
  await expect(explore.chips).toHaveCount(1);
  await explore.addFilter('IN_BYTES > abc');
  await expect(alerts).toHaveCount(1);
  await expect(alerts).toHaveText('IN_BYTES takes a number, not "abc"');
  await expect(explore.chips).toHaveCount(1);
  await page.setViewportSize({ width: 1280, height: 800 });
  await workbench.screenshot('08-filter-refused-clause');
  await page.setViewportSize({ width: 1440, height: 900 });

  // the clauses after it still apply
  await explore.addFilter('host = 1.2.3.4');
  await expect(alerts).toHaveCount(0);
  await expect(explore.chips).toHaveCount(2);
  await expect.poll(() => explore.matchingFlows()).toBe(0);
  await expect(page.getByText('No flows match this filter.')).toBeVisible();
  await expect(page.getByLabel('Current capture')).toContainText(/· 0 of [\d,]+ flows/);
  await page.getByRole('button', { name: 'Remove filter host = 1.2.3.4' }).click();
  await expect.poll(() => explore.matchingFlows()).toBe(theftFlows);

  // should the core still refuse a filter, Explore says why once and shows nothing of the one before
  const refusal = JSON.stringify({ ok: false, error: { code: 'bad-args', message: 'IN_BYTES expects a number, got "> foo"' } });
  const refuse = (route: import('@playwright/test').Route) => route.fulfill({ status: 200, contentType: 'application/json', body: refusal });
  const calls = /\/api\/call\/(queryFlows|aggregates|histogram|countBy)$/;
  await page.route(calls, refuse);
  await explore.addFilter('IN_BYTES > 100');
  await expect(explore.chips).toHaveCount(2);
  await expect(alerts).toHaveCount(1);
  await expect(alerts).toHaveText('The filter was not applied: IN_BYTES expects a number, got "> foo". Remove or change the clause on IN_BYTES.');
  await expect(explore.chips.filter({ hasText: 'IN_BYTES' })).toHaveClass(/refused/);
  await expect(page.getByLabel('Matching flows')).toHaveText('–');
  await expect(page.getByText('No flows shown: the filter was not applied')).toBeVisible();
  await expect(explore.grid.getByRole('gridcell', { name: 'loading…' })).toHaveCount(0);
  await expect(page.getByLabel('Current capture')).toContainText('filter not applied');
  await expect(page.getByText('No histogram: the filter was not applied.')).toBeVisible();
  await page.setViewportSize({ width: 1280, height: 800 });
  await workbench.screenshot('09-filter-not-applied');
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.unroute(calls, refuse);
  await page.getByRole('button', { name: 'Remove filter IN_BYTES > 100' }).click();
  await expect(alerts).toHaveCount(0);
  await expect.poll(() => explore.matchingFlows()).toBe(theftFlows);
  await page.getByRole('button', { name: 'Remove filter Attack = Theft' }).click();
  await expect.poll(() => explore.matchingFlows()).toBe(all);
  await explore.waitForRows();
});

test('asks the read-only SQL console', async () => {
  await workbench.sql.open();
  await workbench.sql.run('SELECT Attack, count(*) AS flows FROM flows_1 GROUP BY 1 ORDER BY 2 DESC');
  await expect(workbench.sql.result).toBeVisible();
  await expect(workbench.sql.result.getByRole('columnheader', { name: 'flows' })).toBeVisible();
  expect(await workbench.sql.result.getByRole('row').count()).toBeGreaterThan(1);
  await expect(workbench.sql.status).toContainText(/ms|s$/);
  await workbench.screenshot('06-sql-console');

  await workbench.sql.run('DELETE FROM flows_1');
  await expect(workbench.sql.status).toContainText(/read-only console: .*refused/);
  await workbench.screenshot('07-sql-refused');

  // the panel's tabs from the keyboard: one tab stop, arrows move selection and focus together
  const sqlTab = page.getByRole('tab', { name: 'SQL Console' });
  const jobsTab = page.getByRole('tab', { name: /^Jobs/ });
  const auditTab = page.getByRole('tab', { name: 'Audit Trail' });
  await sqlTab.focus();
  await expect(jobsTab).toHaveAttribute('tabindex', '-1');
  await page.keyboard.press('ArrowRight');
  await expect(auditTab).toBeFocused();
  await expect(auditTab).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowRight');
  await expect(jobsTab).toBeFocused();
  await expect(jobsTab).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('End');
  await expect(auditTab).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await expect(sqlTab).toBeFocused();
  await expect(sqlTab).toHaveAttribute('aria-selected', 'true');
});

test('keeps a large SQL result responsive: only the rows in view, the header on top, every row reachable', async () => {
  await workbench.sql.open();
  await workbench.sql.run('SELECT * FROM flows_1');
  const grid = workbench.sql.result;
  await expect(workbench.sql.status).toContainText('10,000 rows (truncated)');
  await expect(grid.getByRole('rowheader', { name: '1', exact: true })).toBeVisible();
  // 10,000 rows of every column came back; the page holds only those in view
  expect(await grid.getByRole('row').count()).toBeLessThan(100);
  const header = grid.getByRole('columnheader', { name: 'IPV4_SRC_ADDR' });
  await expect(header).toBeInViewport();
  await page.setViewportSize({ width: 1280, height: 800 });
  await workbench.screenshot('10-sql-large-result');
  await page.setViewportSize({ width: 1440, height: 900 });

  // from the keyboard: the first key shows the cursor, Ctrl+End goes to the last row's last cell
  await grid.focus();
  await page.keyboard.press('ArrowDown');
  await expect(grid).toHaveAttribute('aria-activedescendant', /-0-0$/);
  await page.keyboard.press('ArrowDown');
  await expect(grid).toHaveAttribute('aria-activedescendant', /-1-0$/);
  await page.keyboard.press('Control+End');
  await expect(grid.getByRole('rowheader', { name: '10,000', exact: true })).toBeInViewport();
  await expect(grid).toHaveAttribute('aria-activedescendant', /-9999-\d+$/);
  await expect(page.locator(`[id="${await grid.getAttribute('aria-activedescendant')}"]`)).toBeInViewport();
  // the header stays on top (scrolled right with the last column) and the row numbers at the left
  await expect(grid.getByRole('columnheader', { name: '#' })).toBeInViewport();
  await expect(grid.getByRole('columnheader').last()).toBeInViewport();
  expect(await grid.getByRole('row').count()).toBeLessThan(100);
  await page.keyboard.press('Control+Home');
  await expect(grid.getByRole('rowheader', { name: '1', exact: true })).toBeInViewport();
  // the wheel scrolls it too
  await grid.hover();
  await page.mouse.wheel(0, 2000);
  await expect(grid.getByRole('rowheader', { name: '1', exact: true })).toHaveCount(0);
  await expect(header).toBeInViewport();

  // the page still answers: the editor takes typing, and the next query replaces the result
  const editor = page.getByRole('textbox', { name: 'SQL query' });
  await editor.fill('SELECT 43600 AS L4_DST_PORT, 43600 AS IN_BYTES, 6 AS PROTOCOL');
  await expect(editor).toHaveValue(/43600 AS L4_DST_PORT/);
  await editor.press('Control+Enter');
  await expect(workbench.sql.status).toContainText(/^1 row\b/);
  // ports and other codes read as Explore shows them: without thousands separators
  const cells = grid.getByRole('gridcell');
  await expect(cells).toHaveText(['43600', '43,600', '6']);
  await workbench.expectAccessible('the SQL console with a result');
});

test('keeps the chosen theme after a reload', async () => {
  const html = page.locator('html');
  const before = await html.getAttribute('data-theme');
  await page.getByRole('button', { name: /Switch to (light|dark) theme/ }).click();
  const after = before === 'dark' ? 'light' : 'dark';
  await expect(html).toHaveAttribute('data-theme', after);
  await page.reload();
  await expect(html).toHaveAttribute('data-theme', after);
  await workbench.showCaptures();
  await workbench.screenshot(`08-theme-${after}`);
});

test('moves less when the system asks for reduced motion', async () => {
  // a busy indicator as the jobs panel and dialogs draw it, measured in each motion setting
  const probe = () =>
    page.evaluate(() => {
      const bar = document.createElement('div');
      bar.className = 'progress indeterminate';
      bar.append(document.createElement('div'));
      document.body.append(bar);
      const style = getComputedStyle(bar.firstElementChild!);
      const result = { animation: style.animationName, opacity: style.opacity };
      bar.remove();
      return result;
    });
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  expect(await probe()).toEqual({ animation: 'indeterminate', opacity: '1' });
  await page.emulateMedia({ reducedMotion: 'reduce' });
  expect(await probe()).toEqual({ animation: 'none', opacity: '0.5' });
  await page.emulateMedia({ reducedMotion: null });
});

test('resizes the side bar and the panel, and keeps the sizes after a reload', async () => {
  await workbench.showCaptures();
  if (!(await page.getByRole('region', { name: 'Bottom panel' }).isVisible())) await page.keyboard.press('Control+J');
  const side = page.getByRole('complementary', { name: 'Captures' });
  const panel = page.getByRole('region', { name: 'Bottom panel' });
  const width = async () => Math.round((await side.boundingBox())!.width);
  const height = async () => Math.round((await panel.boundingBox())!.height);
  const [w0, h0] = [await width(), await height()];

  // the panel's top edge dragged 100 px up
  const sash = page.getByRole('separator', { name: 'Panel height' });
  const box = (await sash.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 100, { steps: 5 });
  await page.mouse.up();
  expect(Math.abs((await height()) - (h0 + 100))).toBeLessThanOrEqual(2);
  await expect(sash).toHaveAttribute('aria-valuenow', String(await height()));

  // the side bar's edge from the keyboard: three steps wider
  const edge = page.getByRole('separator', { name: 'Side bar width' });
  await edge.focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  expect(await width()).toBe(w0 + 48);
  const [w1, h1] = [await width(), await height()];
  await workbench.screenshot('09-resized-layout');

  await page.reload();
  await workbench.showCaptures();
  await expect(side).toBeVisible();
  expect(await width()).toBe(w1);
  expect(await height()).toBe(h1);

  await workbench.runCommand('View: Reset Side Bar and Panel Sizes');
  await expect.poll(width).toBe(w0);
  await expect.poll(height).toBe(h0);

  // a panel closed to give the editors room stays closed after a reload, as does the side bar
  await page.keyboard.press('Control+J');
  await page.keyboard.press('Control+B');
  await expect(panel).toBeHidden();
  await expect(side).toBeHidden();
  await page.reload();
  await expect(page.getByLabel('Project path')).not.toHaveText('…');
  await expect(panel).toBeHidden();
  await expect(side).toBeHidden();
  await page.keyboard.press('Control+J');
  await page.keyboard.press('Control+B');
  await expect(panel).toBeVisible();
  await expect(side).toBeVisible();
  await page.reload();
  await expect(panel).toBeVisible();
  await expect(side).toBeVisible();
});
