/**
 * An analyst opens a second case: creates a new project from the keyboard, imports a capture
 * into it, fails to open a path where no project is (and keeps working), then goes back to the
 * first case from the recent projects, with everything it held. Leaves the web host on the
 * project it found, for the stories after it.
 */
import { expect, test, type Page } from '@playwright/test';
import { dirname, join } from 'node:path';
import { ProjectDialog, WorkbenchPage } from './pages/workbench';

test.describe.configure({ mode: 'serial' });

const sampleName = process.env.MINDFLOW_E2E_SAMPLE ?? 'mindflow-sample.csv';
let page: Page;
let workbench: WorkbenchPage;
let projects: ProjectDialog;
let firstProject = '';
let firstCaptures = 0;
/** the first project's name: its file name without .duckdb */
/** the capture cards of the Captures list */
const cards = () => workbench.captures.list.locator(':scope > li').filter({ hasText: /^#\d+/ });
const firstName = () => firstProject.split('/').pop()!.replace(/\.duckdb$/, '');

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  workbench = new WorkbenchPage(page);
  projects = new ProjectDialog(page);
  await workbench.open(process.env.MINDFLOW_E2E_URL ?? '');
  firstProject = (await page.getByLabel('Project path').textContent()) ?? '';
  await workbench.showCaptures();
  await expect(workbench.captures.capture(sampleName)).toBeVisible();
  firstCaptures = await cards().count();
});

test.afterEach(() => workbench.expectNoPageErrors());

test.afterAll(async () => {
  // whatever happened above, the stories after this one find the project they expect
  await page.evaluate((path) => fetch(`/api/call/openProject`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-mindflow-token': sessionStorage.getItem('mindflow.token') ?? '' }, body: JSON.stringify({ path }) }), firstProject);
  await page.close();
});

test('creates a new project from the keyboard and starts over on it', async () => {
  expect(firstProject).toMatch(/\.duckdb$/);
  await page.keyboard.press('Control+o');
  await expect(projects.dialog).toHaveAccessibleName('Open a project');
  await expect(projects.path).toBeFocused();
  await projects.dialog.getByRole('button', { name: 'New project instead…' }).click();
  await expect(projects.dialog).toHaveAccessibleName('New project');
  await workbench.expectAccessible('the New Project dialog');
  await projects.submit('second-case');
  const second = join(dirname(firstProject), 'second-case.duckdb');
  await expect(page.getByLabel('Project path')).toHaveText(second);
  await expect(page).toHaveTitle('second-case · MindFlow Workbench');
  await expect(page.getByText('No captures yet.')).toBeVisible();
  // the welcome offers the way back
  await expect(page.getByRole('group', { name: 'Projects' }).getByRole('button', { name: firstName(), exact: true })).toBeVisible();
  await workbench.screenshot('projects-new-empty');
});

test('imports a capture into the new project, apart from the first', async () => {
  await workbench.captures.importPath(join(dirname(firstProject), sampleName));
  await expect(workbench.captures.outcome).toContainText(/imported [\d,]+ flows/);
  await expect(cards()).toHaveCount(1);
  await expect(workbench.captures.capture(sampleName)).toContainText('#1');
});

test('deletes the capture and compacts the project to give its space back', async () => {
  await page.getByRole('button', { name: `Delete capture ${sampleName}` }).click();
  await page.getByRole('group', { name: 'Confirm delete' }).getByRole('button', { name: 'Delete' }).click();
  await expect(cards()).toHaveCount(0);
  // so small a capture never reached the file (it sat in the log): no free space, no offer to compact
  await expect(page.getByRole('status', { name: 'Delete result' })).toHaveCount(0);
  await workbench.runCommand('File: Compact Project (give back the space of deleted captures)…');
  const dialog = page.getByRole('dialog', { name: 'Compact project' });
  await expect(dialog.getByRole('status', { name: 'Project space' })).toHaveText(/^Now [\d.]+ [KM]?B on disk, of which [\d.]+ [KM]?B is free space(: there is nothing to give back| compacting would give back)\.$/);
  await dialog.getByRole('button', { name: 'Compact', exact: true }).click();
  await expect(dialog.getByRole('status', { name: 'Compaction result' })).toContainText(/^Compacted: [\d.]+ [KM]B → [\d.]+ [KM]B \(-?\d+% smaller\), \d+ tables checked/);
  await expect(dialog.getByRole('status', { name: 'Project space' })).toContainText('of which 0 B is free space: there is nothing to give back');
  await workbench.expectAccessible('the Compact Project dialog');
  await workbench.screenshot('projects-compacted');
  await dialog.getByRole('button', { name: 'Close' }).click();
  // the same project, still usable: the capture imports again
  await workbench.captures.importPath(join(dirname(firstProject), sampleName));
  await expect(workbench.captures.outcome).toContainText(/imported [\d,]+ flows/);
  await expect(cards()).toHaveCount(1);
});

test('a capture dropped anywhere on the window is imported, and the page stays the workbench', async () => {
  const url = page.url();
  // the welcome page, not the Captures side bar
  await page.keyboard.press('Control+b');
  await expect(page.getByRole('region', { name: 'Captures view' })).toHaveCount(0);
  await page.locator('main').first().evaluate((el) => {
    const csv = [
      'IPV4_SRC_ADDR,L4_SRC_PORT,IPV4_DST_ADDR,L4_DST_PORT,PROTOCOL,L7_PROTO,IN_BYTES,OUT_BYTES,IN_PKTS,OUT_PKTS,TCP_FLAGS,FLOW_DURATION_MILLISECONDS,Label,Attack',
      '192.168.100.3,52044,192.168.100.1,53,17,5.0,70,120,1,1,0,0,0,Benign',
      '192.168.100.147,41800,192.168.100.3,80,6,7.0,280,0,5,0,2,4294967,1,DoS',
    ].join('\n');
    const dt = new DataTransfer();
    dt.items.add(new File([csv + '\n'], 'dropped.csv', { type: 'text/csv' }));
    el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  // the Captures side bar opens on the import
  await expect(workbench.captures.outcome).toContainText('imported 2 flows', { timeout: 30_000 });
  await expect(workbench.captures.capture('dropped.csv')).toBeVisible();
  expect(page.url()).toBe(url);
  // leave the project as the next stories expect it
  await page.getByRole('button', { name: 'Delete capture dropped.csv' }).click();
  await page.getByRole('group', { name: 'Confirm delete' }).getByRole('button', { name: 'Delete' }).click();
  await expect(workbench.captures.capture('dropped.csv')).toHaveCount(0);
});

test('a path with no project is refused with the reason, and the project stays open', async () => {
  await page.getByRole('button', { name: /^Project / }).click();
  await expect(projects.dialog).toHaveAccessibleName('Open a project');
  await projects.submit('no-such-case.duckdb');
  await expect(projects.error).toHaveText(`no project at ${join(dirname(firstProject), 'no-such-case.duckdb')}`);
  await expect(projects.recent(firstName())).toBeEnabled();
  await workbench.expectAccessible('the Open Project dialog with an error');
  await workbench.screenshot('projects-open-dialog');
  await page.keyboard.press('Escape');
  await expect(projects.dialog).toBeHidden();
  await expect(page.getByLabel('Project path')).toHaveText(join(dirname(firstProject), 'second-case.duckdb'));
  await expect(cards()).toHaveCount(1);
});

test('goes back to the first project from the recent list, with all it held', async () => {
  await page.keyboard.press('Control+o');
  await projects.recent(firstName()).click();
  await expect(page.getByLabel('Project path')).toHaveText(firstProject);
  await workbench.showCaptures();
  await expect(cards()).toHaveCount(firstCaptures);
  // and the second case is one command away
  await workbench.runCommand(`File: Open Recent Project second-case (${dirname(firstProject)})`);
  await expect(page.getByLabel('Project path')).toHaveText(join(dirname(firstProject), 'second-case.duckdb'));
  await workbench.runCommand(`File: Open Recent Project ${firstName()} (${dirname(firstProject)})`);
  await expect(page.getByLabel('Project path')).toHaveText(firstProject);
});

test('a host that does not answer is said where it cannot be missed, and Retry comes back once it does', async () => {
  // the web host stopped: every call fails at the network
  await page.route('**/api/call/**', (route) => route.abort('connectionrefused'));
  await page.reload();
  const alert = page.getByRole('alert', { name: 'MindFlow cannot reach its host' });
  await expect(alert).toContainText('MindFlow cannot reach its web host:');
  await expect(alert).toContainText('If npm start was stopped or restarted, start it again and open the address it prints');
  await expect(page.getByLabel('Project path')).toHaveText('not connected');
  await workbench.screenshot('projects-unreachable');
  await page.unroute('**/api/call/**');
  await alert.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByLabel('Project path')).toHaveText(firstProject);
  await expect(alert).toHaveCount(0);
});
