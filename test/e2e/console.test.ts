import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunState, type RunState } from '../../src/app/state-file';
import { launchSystemChromium } from '../support/browser';

/*
 * The incident console in a real browser (issue 16, item 4): the system Chromium, driven by
 * playwright-core, on the console of `breachline start` (the sandbox demo a user gets from a clean
 * clone). Everything a user does goes the way a user would: the sign-in link comes from `/ir console`
 * through the signed Slack path, the alert through ingress, every decision through the page.
 * Waits are for what the page shows (a row, a button, a changed countdown), never a fixed sleep.
 */

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'breachline');
const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'breachline-console-'));
const stateFile = join(dir, 'run.json');
const staticDir = join(dir, 'console-static');
/** A zone far from UTC, so the local deadline visibly differs from the UTC one. */
const TIME_ZONE = 'Asia/Tokyo';
/** A Slack sandbox user, configured below as an observer. */
const OBSERVER = 'U0RESPONDER';

let child: ChildProcess | undefined;
let stdout = '';
let state: RunState;
let browser: Browser | undefined;
let commander: BrowserContext;
let page: Page;
/** Console messages of every page: a CSP violation or a script error shows up here. */
const browserErrors: string[] = [];

/** Runs a CLI command against the started instance. */
async function cli(...args: string[]): Promise<string> {
  const { stdout: out } = await run(BIN, [...args, '--state-file', stateFile], { cwd: dir, timeout: 120_000 });
  return out;
}

/** The one-time link `/ir console` gives `user` (through the signed Slack path, as a user types it). */
async function signInLink(user: string): Promise<string> {
  const reply = await cli('slack', '/ir console', '--user', user);
  const link = /(https?:\/\/\S+\/#\/signin\/\S+)/.exec(reply)?.[1];
  if (!link) throw new Error(`/ir console gave no link: ${reply}`);
  return link;
}

/** A browser context of its own (its own cookie jar) in the local time zone, for one user. */
async function userContext(): Promise<BrowserContext> {
  if (!browser) throw new Error('no browser');
  // Reduced motion: the console then draws charts without animation, so screenshots show them whole.
  const context = await browser.newContext({ timezoneId: TIME_ZONE, locale: 'en-GB', reducedMotion: 'reduce', acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  context.on('page', watch);
  return context;
}

function watch(p: Page): void {
  p.on('console', (m) => {
    if (m.type() === 'error') browserErrors.push(m.text());
  });
  p.on('pageerror', (e) => browserErrors.push(e.message));
}

/** The little of a page's DOM the paint check reads (this file is typed for Node, without the DOM). */
type PageDocument = {
  querySelector(selector: string): { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null } | null;
};

/** Waits until the chart in `canvas` is drawn (Chart.js, loaded with the first chart, has painted a pixel). */
async function waitForPaint(p: Page, canvas: string): Promise<void> {
  // A function, not a string: the console's CSP forbids eval, and a string would be evaluated.
  await p.waitForFunction(
    (selector) => {
      const element = (globalThis as unknown as { document: PageDocument }).document.querySelector(selector);
      const data = element?.getContext('2d')?.getImageData(0, 0, element.width, element.height).data ?? [];
      for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) return true;
      return false;
    },
    canvas,
    { timeout: 10_000 },
  );
}

async function startBreachline(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('BREACHLINE_')) delete env[key];
  Object.assign(env, {
    BREACHLINE_INGRESS_PORT: '0',
    BREACHLINE_CONSOLE_PORT: '0',
    BREACHLINE_LOG_LEVEL: 'warn',
    BREACHLINE_RUNBOOK_DIR: join(ROOT, 'runbooks'),
    BREACHLINE_CONSOLE_STATIC_DIR: staticDir,
    // The Slack sandbox's people keep their demo roles, but Rita is configured as an observer (who
    // may look, not decide): configured roles win over the demo's.
    BREACHLINE_ROLES: JSON.stringify({ [OBSERVER]: 'observer' }),
  });
  const started = spawn(BIN, ['start', '--ephemeral', '--slack-port', '0', '--state-file', stateFile], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child = started;
  started.stderr?.resume();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`breachline start did not come up in 90 s:\n${stdout}`)), 90_000);
    started.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (stdout.includes('Ctrl-C stops everything')) {
        clearTimeout(timer);
        resolve();
      }
    });
    started.once('exit', (code) => reject(new Error(`breachline start exited with ${code}:\n${stdout}`)));
  });
  state = await readRunState(stateFile);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // The browser first: without one there is nothing to test, and the failure says how to get one.
  browser = await launchSystemChromium();
  // The console under test is the one in this checkout, built as `npm run build` builds it but
  // into this run's own directory (test files run in parallel; dist/console is left alone).
  await run(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', join(ROOT, 'console', 'vite.config.mjs'), '--outDir', staticDir, '--emptyOutDir'], { cwd: ROOT, timeout: 120_000 });
  await startBreachline();
  commander = await userContext();
  page = await commander.newPage();
}, 240_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGINT');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('the incident console in Chromium, on `breachline start`', () => {
  let incidentId = '';
  let workflowId = '';

  it('signs the commander in from the /ir console link, takes the token out of the address bar, and refuses the link a second time', async () => {
    const link = await signInLink('U0COMMANDER');
    expect(link.startsWith(`${state.console?.publicUrl ?? 'missing console in the run state'}/#/signin/`)).toBe(true);
    await page.goto(link);
    await page.locator('header .who[data-user="U0COMMANDER"]').waitFor();
    await expect(page.locator('header .who').textContent()).resolves.toContain('incident-commander');
    expect(page.url()).not.toContain('signin');
    expect(page.url()).toMatch(/#\/incidents$/);

    // The same link in another browser (another cookie jar): refused, with the server's reason.
    const stranger = await userContext();
    const other = await stranger.newPage();
    await other.goto(link);
    const refusal = other.locator('.signed-out [role="alert"]');
    await refusal.waitFor();
    await expect(refusal.textContent()).resolves.toMatch(/sign-in link was refused/);
    expect(other.url()).not.toContain('signin');
    await stranger.close();
  });

  it('shows an alert posted after the list opened, live, without a reload', async () => {
    await page.locator('main h1', { hasText: 'Incidents' }).waitFor();
    // The stream is open before the alert is sent, so its arrival can only come from the stream.
    await page.locator('header .live[data-live="true"]').waitFor();
    // A mark on this document: it survives only if the page is never reloaded.
    await page.evaluate(() => Object.assign(globalThis, { breachlineTestMark: 'same document' }));
    const answer = (await cli('alert', '--scenario', 'trading-exfiltration')).trim();
    expect(answer).toMatch(/^202 /);
    // Durable first (the default): the 202 names the incident's workflow id, its first generation here.
    const accepted = JSON.parse(answer.slice(4)) as { incidentId?: string; workflowId: string };
    incidentId = accepted.incidentId ?? accepted.workflowId;
    const row = page.locator(`tr[data-incident="${incidentId}"]`);
    await row.waitFor({ timeout: 45_000 });
    await expect(row.locator('.severity').textContent()).resolves.toBe('critical');
    // Still the same document: no navigation happened, the row came over server-sent events.
    await expect(page.evaluate(() => (globalThis as { breachlineTestMark?: string }).breachlineTestMark)).resolves.toBe('same document');
    workflowId = decodeURIComponent(((await row.locator('a').getAttribute('href')) ?? '').replace('#/incidents/', ''));
    expect(workflowId).not.toBe('');
    await page.screenshot({ path: join(ARTIFACTS, 'incident-list.png'), fullPage: true });
  }, 90_000);

  it('counts a regulatory deadline down every second, shown in UTC and in the browser time zone', async () => {
    await page.locator(`tr[data-incident="${incidentId}"] a`).click();
    await page.locator(`article[data-incident="${incidentId}"]`).waitFor();
    const running = page.locator('tr[data-clock]', { has: page.locator('td.countdown:not(.settled)', { hasText: 'left' }) }).first();
    await running.waitFor({ timeout: 45_000 });
    const clock = (await running.getAttribute('data-clock')) ?? '';
    const row = page.locator(`tr[data-clock="${clock}"]`);
    const before = (await row.locator('td.countdown').textContent()) ?? '';
    expect(before).toMatch(/^(\d+d )?\d{2}:\d{2}:\d{2} left$/);
    // It ticks: wait for that countdown to show another text (the page's own timer), not for a sleep.
    await row.locator('td.countdown').filter({ hasNotText: before }).waitFor({ timeout: 5_000 });
    const cells = await row.locator('td').allTextContents();
    const utcText = cells[2] ?? '';
    const localText = cells[3] ?? '';
    expect(utcText).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    // Tokyo is UTC+9 all year: the local column names the zone and shows the hour nine hours on.
    expect(localText).toContain('GMT+9');
    const utcHour = Number(/ (\d{2}):/.exec(utcText)?.[1]);
    const localHour = Number(/(\d{2}):\d{2}:\d{2}/.exec(localText)?.[1]);
    expect(localHour).toBe((utcHour + 9) % 24);
    await expect(page.locator('table.clocks caption').textContent()).resolves.toContain(TIME_ZONE);
  }, 90_000);

  it('shows an observer no approve button, and the server refuses the observer with the policy text', async () => {
    // The runbook gates break-circuits on the incident commander: wait until it asks.
    await page.locator('li.pending[data-step="break-circuits"]').waitFor({ timeout: 60_000 });
    const observer = await userContext();
    const seen = await observer.newPage();
    await seen.goto(await signInLink(OBSERVER));
    await seen.locator(`header .who[data-user="${OBSERVER}"]`).waitFor();
    await expect(seen.locator('header .who').textContent()).resolves.toContain('observer');
    await seen.goto(`${state.console?.url ?? ''}/#/incidents/${encodeURIComponent(workflowId)}`);
    await seen.locator('li.pending[data-step="break-circuits"]').waitFor();
    await expect(seen.locator('li.pending button').count()).resolves.toBe(0);
    await expect(seen.locator('.note').textContent()).resolves.toContain('may not approve');
    // Asked anyway (a crafted request from the observer's own signed-in page, CSRF token and all):
    // the server refuses with the same sentence the Slack command gives.
    const refused = await seen.evaluate(async (id) => {
      const session = (await (await fetch('/api/session')).json()) as { csrfToken: string };
      const response = await fetch(`/api/incidents/${encodeURIComponent(id)}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ stepId: 'break-circuits' }),
      });
      return { status: response.status, body: (await response.json()) as { error?: string } };
    }, workflowId);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatch(/^Not allowed: this needs the `approve` permission/);
    await observer.close();
  }, 90_000);

  it('lets the commander approve the pending step; the answer is the workflow’s and the step moves on', async () => {
    const approve = page.getByRole('button', { name: 'Approve break-circuits' });
    await approve.click();
    const accepted = page.locator('.answer.accepted');
    await accepted.waitFor({ timeout: 30_000 });
    await expect(accepted.textContent()).resolves.toMatch(/^Accepted: /);
    await page.locator('ol.steps li[data-step="break-circuits"]:not([data-state="awaiting-approval"])').waitFor({ timeout: 30_000 });
    await expect(page.locator('li.pending[data-step="break-circuits"]').count()).resolves.toBe(0);
  }, 60_000);

  it('draws the forensic window once forensics completes, each range with its precision', async () => {
    const chart = page.locator('figure.forensic');
    await chart.waitFor({ timeout: 90_000 });
    const ranges = Number(await chart.getAttribute('data-ranges'));
    expect(ranges).toBeGreaterThan(0);
    const precisions = await chart.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-precision')));
    expect(precisions).toHaveLength(ranges);
    for (const p of precisions) expect(['exact', 'bounded', 'time-derived']).toContain(p);
    await waitForPaint(page, 'figure.forensic canvas');
    await page.locator('#forensic-window').screenshot({ path: join(ARTIFACTS, 'forensic-chart.png') });
    await page.screenshot({ path: join(ARTIFACTS, 'incident.png'), fullPage: true });
    // The top of the page (facts, decisions, deadlines, steps, the chart): the README's picture.
    await page.screenshot({ path: join(ARTIFACTS, 'incident-overview.png'), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 2150 } });
  }, 120_000);

  it('downloads the breach register as CSV with the incident’s row', async () => {
    await page.getByRole('link', { name: 'Breach register' }).click();
    await page.locator(`table.register tr[data-incident="${incidentId}"]`).waitFor({ timeout: 30_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('breach-register.csv');
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/incident/i);
    expect(lines.some((l) => l.includes(incidentId))).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'register.png'), fullPage: true });
  }, 60_000);

  it('shows a finished drill in the drill history and its score on the trend chart', async () => {
    await cli('drill', 'run', '--auto-respond-after', '500ms', '--timeout', '2m');
    await page.getByRole('link', { name: 'Drills' }).click();
    const trend = page.locator('figure.trend');
    await trend.waitFor({ timeout: 30_000 });
    expect(Number(await trend.getAttribute('data-points'))).toBeGreaterThan(0);
    await waitForPaint(page, 'figure.trend canvas');
    await expect(page.locator('table.drills tbody tr').first().textContent()).resolves.toContain('trading-exfiltration');
    await page.screenshot({ path: join(ARTIFACTS, 'drills.png'), fullPage: true });
  }, 180_000);

  it('loaded nothing the CSP refused and raised no script error on any page', () => {
    expect(browserErrors.filter((e) => !/Failed to load resource: the server responded with a status of 40[13]/.test(e))).toEqual([]);
  });
});
