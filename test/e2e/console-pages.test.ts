import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchSystemChromium } from '../support/browser';
import { startConsoleFixture, type ConsoleFixture } from '../support/console-fixture-server';

/*
 * The console's pages in Chromium on a stand-in of the server's contract, for what the full stack
 * cannot produce on demand: a workflow's refusal shown as it comes, the deny form's reason, the
 * list's filters, signing out. The front end is built from this checkout into a directory of this
 * file's own (test files run in parallel; dist/console is left alone).
 */

const ROOT = join(__dirname, '..', '..');
const built = mkdtempSync(join(tmpdir(), 'breachline-console-pages-'));
let browser: Browser | undefined;
let fixture: ConsoleFixture;
let page: Page;

beforeAll(async () => {
  browser = await launchSystemChromium();
  await promisify(execFile)(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', join(ROOT, 'console', 'vite.config.mjs'), '--outDir', built, '--emptyOutDir'], { cwd: ROOT, timeout: 120_000 });
  fixture = await startConsoleFixture(built);
  page = await (await browser.newContext({ locale: 'en-GB', reducedMotion: 'reduce' })).newPage();
  await page.goto(`${fixture.url}/#/signin/${fixture.token('U0COMMANDER')}`);
  await page.locator('table.incidents').waitFor();
}, 180_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await fixture?.close();
  rmSync(built, { recursive: true, force: true });
});

describe('console pages on a stand-in server', () => {
  it('filters the list by severity through the API', async () => {
    await page.locator('select[name="severity"]').selectOption('low');
    await page.locator('p.empty', { hasText: 'No incidents match.' }).waitFor();
    await page.locator('select[name="severity"]').selectOption('critical');
    await page.locator('tr[data-incident="inc-0001"]').waitFor();
  });

  it('asks for a reason before denying, and shows the workflow’s refusal word for word', async () => {
    await page.locator('tr[data-incident="inc-0001"] a').click();
    await page.getByRole('button', { name: 'Deny break-circuits…' }).click();
    const submit = page.locator('form.deny button[type="submit"]');
    await expect(submit.isDisabled()).resolves.toBe(true);
    await page.locator('form.deny textarea[name="reason"]').fill('analytics feed must stay up');
    await submit.click();
    const refused = page.locator('.answer.refused');
    await refused.waitFor();
    await expect(refused.textContent()).resolves.toBe('Refused (409): step break-circuits cannot be denied now (reason given: analytics feed must stay up)');
    // Still pending: a refusal changes nothing on the page but the answer.
    await expect(page.locator('li.pending[data-step="break-circuits"]').count()).resolves.toBe(1);
  });

  it('signs out: the page says how to sign in again and the cookie no longer opens a session', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('main.signed-out').waitFor();
    await expect(page.locator('main.signed-out').textContent()).resolves.toContain('/ir console');
    const status = await page.evaluate(async () => (await fetch('/api/session')).status);
    expect(status).toBe(401);
  });
});
