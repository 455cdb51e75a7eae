/**
 * An analyst reports: scans the sample when it has no scan yet, selects two flagged windows in
 * Detections and makes an incident of them, sets its severity and TLP, writes a note, exports
 * the report as HTML and PDF, downloads both through the web host, opens the HTML in the
 * browser and renders the PDF's first page, and looks at each. Then makes a second incident of
 * later windows and finds the first through the hosts they share.
 */
import { expect, test, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectAccessible, SCREENSHOT_DIR, WorkbenchPage } from './pages/workbench';

test.describe.configure({ mode: 'serial' });

const sampleName = process.env.MINDFLOW_E2E_SAMPLE ?? 'mindflow-sample.csv';
const title = 'Suspected data theft in the sample capture';
const note = 'Hosts isolated at the switch; forwarding to the network team.';
const PDFTOPPM = '/usr/bin/pdftoppm';
let page: Page;
let workbench: WorkbenchPage;
let htmlUrl = '';
let pdfUrl = '';

const download = (url: string) => workbench.download(url);

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  workbench = new WorkbenchPage(page);
  await workbench.open(process.env.MINDFLOW_E2E_URL ?? '');
});

test.afterEach(() => workbench.expectNoPageErrors());

test.afterAll(async () => {
  await page.close();
});

test('scans the sample unless it has a scan already', async () => {
  test.setTimeout(240_000);
  await workbench.showCaptures();
  const card = workbench.captures.capture(sampleName);
  await expect(card.getByText(/with default/)).toBeVisible();
  const latest = workbench.captures.latestScan(sampleName);
  if (!(await latest.isVisible())) {
    await workbench.captures.scan(sampleName);
    await expect(latest).toContainText('flagged windows', { timeout: 200_000 });
  }
  await expect(latest).toContainText('flagged windows');
});

test('selects two windows in Detections and creates an incident', async () => {
  const det = workbench.detections;
  await workbench.hidePanel();
  await det.selectFirstTwo(sampleName);
  await expect(page.getByLabel('Selected windows')).toContainText('2 selected');
  await page.getByRole('button', { name: /^Create incident…/ }).click();
  const dialog = workbench.incidents.dialog;
  await expect(dialog.dialog).toContainText('2 windows of scan');
  await dialog.create({ title, severity: 'Medium', tlp: 'TLP:GREEN', summary: 'Two high-scoring windows from the sample capture.' });

  // the new incident opens in its editor, listed in the Incidents view; focus is in the editor, not lost to the page
  const inc = workbench.incidents;
  await expect(inc.editor).toBeVisible();
  await expect(inc.editor).toBeFocused();
  await expect(inc.editor.getByRole('heading', { level: 2 })).toContainText(title);
  await expect(inc.windows.getByRole('row')).toHaveCount(3);
  await expect(inc.item(title)).toContainText('2 windows');
  await expect(inc.item(title)).toContainText('TLP:GREEN');
  // a medium-severity badge on the active row keeps its contrast
  await expect(inc.item(title)).toContainText('Medium');
  await workbench.expectAccessible('the incidents list with a medium-severity incident');
});

test('adds a third window from its drill-down, then removes it in the editor', async () => {
  const det = workbench.detections;
  await det.open();
  await det.keys('Home', 'j', 'j', 'Enter');
  await expect(workbench.drilldown.region).toBeVisible();
  await workbench.drilldown.region.getByRole('button', { name: 'Add to incident…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add to incident' });
  await expect(dialog.getByRole('combobox', { name: 'Incident to add to' })).toContainText(title);
  await dialog.getByRole('button', { name: 'Add windows' }).click();
  await expect(dialog).toBeHidden();

  const inc = workbench.incidents;
  await inc.open();
  await expect(inc.item(title)).toContainText('3 windows');
  await inc.openIncident(title);
  await expect(inc.windows.getByRole('row')).toHaveCount(4);
  await inc.windows.getByRole('button', { name: /^Remove window #\d+$/ }).last().click();
  await expect(inc.windows.getByRole('row')).toHaveCount(3);
  await expect(inc.item(title)).toContainText('2 windows');
});

test('sets severity, TLP and analyst, and writes a note', async () => {
  const inc = workbench.incidents;
  await inc.setDetails({ severity: 'High', tlp: 'TLP:AMBER', analyst: 'e2e analyst' });
  await expect(inc.item(title)).toContainText('High');
  await expect(inc.item(title)).toContainText('TLP:AMBER');
  await inc.addNote(note);
  await expect(inc.notes.getByRole('listitem')).toHaveCount(1);
  await expect(inc.notes).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  // the verdict column and Open / Remove per window
  await expect(inc.windows.getByRole('button', { name: /^Open window #\d+$/ })).toHaveCount(2);
  await expect(inc.windows.getByRole('button', { name: /^Remove window #\d+$/ })).toHaveCount(2);
  await workbench.screenshot('32-incidents');
  await workbench.expectAccessible('the incident editor');
});

test('keeps keyboard focus inside the export dialog and gives it back on Escape', async () => {
  const inc = workbench.incidents;
  const ex = workbench.exportDialog;
  const opener = inc.editor.getByRole('button', { name: 'Export report…' });
  await inc.openExport();
  await expect(ex.dialog).toBeVisible();
  // the chosen format has focus; the format group is one tab stop, as in any radio group
  await ex.choose('PDF');
  const pdf = ex.dialog.getByRole('radio', { name: 'PDF', exact: true });
  await expect(pdf).toBeFocused();
  const exportButton = ex.dialog.getByRole('button', { name: 'Export', exact: true });
  await page.keyboard.press('Shift+Tab');
  await expect(exportButton).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(pdf).toBeFocused();
  // a full round of Tab never leaves the dialog
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    expect(await ex.dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await page.keyboard.press('Escape');
  await expect(ex.dialog).toBeHidden();
  await expect(opener).toBeFocused();
});

test('exports the report as HTML and PDF', async () => {
  test.setTimeout(180_000);
  const inc = workbench.incidents;
  const ex = workbench.exportDialog;
  await inc.openExport();
  await expect(ex.dialog).toBeVisible();
  await expect(ex.dialog.getByRole('radio')).toHaveCount(7);
  for (const label of ['HTML', 'PDF', 'Markdown', 'JSON', 'IOC CSV', 'STIX 2.1', 'MISP']) await expect(ex.dialog.getByRole('radio', { name: label, exact: true })).toBeVisible();

  await ex.choose('HTML');
  await ex.export();
  await expect(ex.result).toContainText(/incident-\d+\.html/, { timeout: 120_000 });
  await expect(ex.result).toContainText(/\d+(\.\d)? (KB|MB|B)/);
  await expect(ex.download).toBeVisible();
  htmlUrl = (await ex.download.getAttribute('href')) ?? '';
  expect(htmlUrl).toMatch(/^\/api\/report\/incident-\d+\.html$/);
  await workbench.screenshot('33-export');
  await workbench.expectAccessible('the export dialog');

  await ex.choose('PDF');
  await ex.export();
  await expect(ex.result).toContainText(/incident-\d+\.pdf/, { timeout: 150_000 });
  await expect(ex.error).toHaveText('');
  pdfUrl = (await ex.download.getAttribute('href')) ?? '';
  expect(pdfUrl).toMatch(/^\/api\/report\/incident-\d+\.pdf$/);
  await ex.close();
});

test('opens the downloaded HTML report in the browser', async ({ browser }) => {
  const html = (await download(htmlUrl)).toString('utf8');
  expect(html).toContain(title);
  expect(html).toContain(note);
  const reader = await browser.newPage();
  try {
    await reader.setContent(html);
    await expect(reader.getByText(title).first()).toBeVisible();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await reader.screenshot({ path: `${SCREENSHOT_DIR}/30-report-html.png` });
    await expectAccessible(reader, 'the HTML report');
  } finally {
    await reader.close();
  }
});

test('renders the downloaded PDF report’s first page', async () => {
  const pdf = await download(pdfUrl);
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  test.skip(!existsSync(PDFTOPPM), `${PDFTOPPM} is missing (apt package poppler-utils): the PDF's first page is not rendered`);
  const dir = mkdtempSync(join(tmpdir(), 'mindflow-pdf-'));
  const file = join(dir, 'report.pdf');
  writeFileSync(file, pdf);
  const r = spawnSync(PDFTOPPM, ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', file, join(dir, 'page1')], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  renameSync(join(dir, 'page1.png'), `${SCREENSHOT_DIR}/31-report-pdf-page1.png`);
});

test('finds an incident through a host it shares, opens it from there, and back', async () => {
  const det = workbench.detections;
  const inc = workbench.incidents;
  const other = 'Same bots, later windows';
  await det.open();
  // the fourth and fifth windows of the queue: not in the first incident
  await det.keys('Home', 'j', 'j', 'j', 'x', 'j', 'x');
  await page.getByRole('button', { name: /^Create incident…/ }).click();
  await inc.dialog.create({ title: other });
  await expect(inc.editor.getByRole('heading', { level: 2 })).toContainText(other);

  // the sample's bots attack the same hosts throughout: the first incident shares them
  const related = inc.editor.getByRole('list', { name: 'Related incidents' });
  const first = related.getByRole('listitem').filter({ hasText: title });
  await expect(first).toBeVisible();
  await expect(first).toContainText(/192\.168\.100\.\d+ \((source|destination|source and destination)( in both|[a-z ]* here, [a-z ]* there)\)/);
  await expect(first).toContainText('scan #');
  const shared = ((await first.locator('.shared .host .mono').first().textContent()) ?? '').trim();
  expect(shared).toMatch(/^192\.168\.100\.\d+$/);
  await expect(inc.windows.getByRole('row')).toHaveCount(3);
  await workbench.screenshot('40-related-incidents');
  await workbench.expectAccessible('the incident editor with related incidents');

  // from there to the first incident, whose list names this one
  await first.getByRole('button', { name: new RegExp(`^#\\d+ ${title}$`) }).click();
  await expect(inc.editor.getByRole('heading', { level: 2 })).toContainText(title);
  await expect(inc.editor.getByRole('list', { name: 'Related incidents' }).getByRole('listitem').filter({ hasText: other })).toBeVisible();

  // the shared source in every capture: both incidents carry it, and one opens from there
  await inc.editor.getByRole('list', { name: 'Related incidents' }).getByRole('button', { name: shared, exact: true }).click();
  const lookup = page.getByRole('dialog', { name: 'A host in every capture' });
  await expect(lookup.getByRole('textbox', { name: 'IP address' })).toHaveValue(shared);
  const withHost = lookup.getByRole('list', { name: new RegExp(`^Incidents with ${shared.replaceAll('.', '\\.')} in capture #\\d+$`) });
  await expect(withHost.getByRole('listitem')).toHaveCount(2);
  await expect(withHost.getByRole('listitem').filter({ hasText: other })).toContainText(/(source|destination|source and destination) in \d+ windows? of scan #\d+ · open, medium/);
  await workbench.screenshot('42-host-incidents');
  await withHost.getByRole('button', { name: new RegExp(`^#\\d+ ${other}$`) }).click();
  await expect(lookup).toBeHidden();
  await expect(inc.editor.getByRole('heading', { level: 2 })).toContainText(other);

  // the side bar's filter: words, then a status, then back to all
  const filter = page.getByRole('searchbox', { name: 'Filter incidents' });
  await filter.fill('LATER windows');
  await expect(inc.list.getByRole('listitem')).toHaveCount(1);
  await expect(inc.item(other)).toBeVisible();
  await filter.fill('');
  const statuses = page.getByRole('radiogroup', { name: 'Incident status to show' });
  await expect(statuses.getByRole('radio', { name: 'All 2' })).toBeChecked();
  await expect(statuses.getByRole('radio', { name: 'Open 2' })).toBeVisible();
  await statuses.getByRole('radio', { name: 'Closed 0' }).click();
  await expect(inc.list).toContainText('No incident matches.');
  await workbench.screenshot('41-incidents-filter');
  await inc.list.getByRole('button', { name: 'Show all 2' }).click();
  await expect(inc.list.getByRole('listitem')).toHaveCount(2);

  // the queue and the drill-down say which incident holds a window
  await det.open();
  await expect(det.row(3)).toHaveAttribute('aria-label', /, in incident #\d+$/);
  await workbench.screenshot('43-queue-in-incident');
  await det.keys('Home', 'j', 'j', 'j', 'Enter');
  const holders = workbench.drilldown.region.getByLabel('Incidents holding this window');
  await expect(holders).toContainText(`incident #`);
  await expect(holders).toContainText(other);
  await holders.getByRole('button', { name: new RegExp(`^incident #\\d+ ${other}$`) }).click();
  await expect(inc.editor.getByRole('heading', { level: 2 })).toContainText(other);

  // deleting the other incident takes it off the first one's list
  await inc.openIncident(other);
  const askDelete = inc.editor.getByRole('button', { name: 'Delete incident…' });
  await askDelete.click();
  // the question takes focus (Keep, so Enter keeps); Escape takes it back to the button that asked
  await expect(inc.editor.getByRole('button', { name: 'Keep' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(askDelete).toBeFocused();
  await askDelete.click();
  await inc.editor.getByRole('button', { name: 'Delete', exact: true }).click();
  await inc.openIncident(title);
  await expect(inc.editor.getByRole('heading', { level: 2 })).toContainText(title);
  await expect(inc.editor.getByText(other)).toHaveCount(0);
});
