// The web view in a real browser (Debian's Chromium, playwright-core) against
// the real daemon and its gateway: signed in by client certificate, the
// table follows the daemon, its buttons act, the log panels follow, a job
// runs and is killed. Screenshots go to build/artifacts/web-*.png.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DAEMON_BUG_LINE } from './harness';
import { program } from './lifecycle-helpers';
import { type RemoteDaemon, startRemoteDaemon } from './remote-helpers';
import { ARTIFACTS, gatewayContext, launchChromium } from './web-helpers';

// Generous: the deadline only bounds a hung test on a loaded machine.
const WAIT = { timeout: 20_000 };

// As `make run`'s config: a ticker, two sleepers; and a counter, for a log that moves fast.
const PROGRAMS =
  program('ticker', { cmd: `/bin/sh -c 'while true; do echo "tick $(date +%T)"; sleep 2; done'`, starttime: 1 }) +
  program('sleeper', { cmd: 'sleep infinity', numprocs: 2 }) +
  program('counter', { cmd: `/bin/sh -c 'i=0; while true; do i=$((i+1)); echo count $i; sleep 0.2; done'` });

const row = (page: Page, name: string) => page.locator(`tr[data-name="${name}"]`);
const stateOf = (page: Page, name: string) => row(page, name).locator('.state');

describe('the web view', { timeout: 120_000 }, () => {
  let r: RemoteDaemon;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let origin: string;
  before(async () => {
    r = await startRemoteDaemon(PROGRAMS);
    browser = await launchChromium();
    origin = `https://127.0.0.1:${r.port()}`;
    context = await gatewayContext(browser, r.port(), r.certs.ops);
    page = await context.newPage();
  });
  after(async () => {
    await browser?.close();
    await r?.d.stop();
  });

  it('serves the page with a strict CSP, nosniff, and hash-named assets cached for good', async () => {
    const answer = await page.goto(`${origin}/`);
    assert.ok(answer !== null);
    const h = answer.headers();
    assert.equal(answer.status(), 200);
    assert.match(h['content-type'] ?? '', /^text\/html/);
    assert.match(h['content-security-policy'] ?? '', /script-src 'self'/);
    assert.equal(h['x-content-type-options'], 'nosniff');
    assert.equal(h['cache-control'], 'no-cache');
    const script = await page.locator('script[type=module]').getAttribute('src');
    assert.match(script ?? '', /^\/main-[A-Z0-9]+\.js$/);
    const js = await context.request.get(`${origin}${script}`);
    assert.match(js.headers()['cache-control'] ?? '', /immutable/);
    assert.match(js.headers()['content-type'] ?? '', /^text\/javascript/);
  });

  it('signs in by client certificate and shows every program, live', async () => {
    await page.getByText('signed in by client certificate').waitFor(WAIT);
    for (const name of ['ticker', 'sleeper:0', 'sleeper:1', 'counter']) await stateOf(page, name).filter({ hasText: 'RUNNING' }).waitFor(WAIT);
    const pid = (await r.d.status()).find((p) => p.name === 'counter')?.pid;
    const cells = row(page, 'counter').locator('td.num');
    assert.equal(await cells.first().textContent(), String(pid));
    // pid, uptime, cpu, memory, restarts: the stats the watch stream carries, measured, not "–".
    await cells.nth(2).filter({ hasText: /^\d+\.\d %$/ }).waitFor(WAIT);
    await cells.nth(3).filter({ hasText: /^\d+(\.\d)? (KiB|MiB)$/ }).waitFor(WAIT);
    await page.screenshot({ path: join(ARTIFACTS, 'web-desktop.png') });
  });

  it('stops a process: its row says STOPPED and taskmasterctl status agrees', async () => {
    await page.getByRole('button', { name: 'stop sleeper:0', exact: true }).click();
    await stateOf(page, 'sleeper:0').filter({ hasText: 'STOPPED' }).waitFor(WAIT);
    const cli = await r.d.ctlAsync('status', 'sleeper:0');
    assert.match(cli.stdout, /^sleeper:0\s+STOPPED\b/m, cli.stdout + cli.stderr);
    // A selection: both sleepers restarted at once, the stopped one started.
    const before = (await r.d.status()).find((p) => p.name === 'sleeper:1')?.pid;
    await page.getByLabel('Select sleeper:0').check();
    await page.getByLabel('Select sleeper:1').check();
    await page.getByRole('button', { name: 'Restart selected', exact: true }).click();
    await stateOf(page, 'sleeper:0').filter({ hasText: 'RUNNING' }).waitFor(WAIT);
    await row(page, 'sleeper:1').locator('td.num').first().filter({ hasNotText: String(before) }).waitFor(WAIT);
    await stateOf(page, 'sleeper:1').filter({ hasText: 'RUNNING' }).waitFor(WAIT);
    await row(page, 'sleeper:1').locator('td.num').nth(4).filter({ hasText: /^1$/ }).waitFor(WAIT);
    assert.equal(await page.getByRole('alert').count(), 0, 'no refusal shown');
  });

  it("follows a process's stdout: new lines appear in the panel", async () => {
    await page.getByRole('button', { name: 'log of counter' }).click();
    const log = page.getByLabel('stdout of counter');
    await log.filter({ hasText: /count \d+/ }).waitFor(WAIT);
    const last = (text: string) => Math.max(...[...text.matchAll(/count (\d+)/g)].map((m) => Number(m[1])));
    const first = last((await log.textContent()) ?? '');
    // New output, written after the panel opened, arrives without a reload.
    await log.filter({ hasText: `count ${first + 3}\n` }).waitFor(WAIT);
    // The README's picture.
    await page.screenshot({ path: join(ARTIFACTS, 'web-view.png') });
    // The download link comes from logUrl; it is its own credential: a
    // browser with no certificate and no token gets the log with it.
    await page.getByRole('button', { name: 'Download link' }).click();
    const link = page.locator('a[download]');
    await link.waitFor(WAIT);
    const href = await link.getAttribute('href');
    assert.match(href ?? '', /\/logs\/counter\/stdout\?/);
    const stranger = await gatewayContext(browser, r.port(), null);
    try {
      const got = await stranger.request.get(href!);
      assert.equal(got.status(), 200);
      assert.match(await got.text(), /^count 1\ncount 2\n/);
    } finally {
      await stranger.close();
    }
  });

  it("shows the daemon's log", async () => {
    await page.getByRole('button', { name: 'Daemon log' }).click();
    await page.getByLabel("the daemon's log").filter({ hasText: /remote API listening/ }).waitFor(WAIT);
  });

  it('runs a job and shows its output; kills a running one', async () => {
    await page.getByRole('button', { name: 'Jobs', exact: true }).click();
    await page.getByLabel('Command line').fill(`/bin/sh -c 'echo web-job-$((6*7))'`);
    await page.getByRole('button', { name: 'Run' }).click();
    await page.locator('pre[aria-label^="output of job"]').filter({ hasText: 'web-job-42' }).waitFor(WAIT);
    await page.locator('tr[data-job]').filter({ hasText: 'web-job' }).filter({ hasText: 'EXITED' }).waitFor(WAIT);
    await page.screenshot({ path: join(ARTIFACTS, 'web-jobs.png') });
    await page.getByLabel('Command line').fill('sleep 600');
    await page.getByRole('button', { name: 'Run' }).click();
    const sleeper = page.locator('tr[data-job]').filter({ hasText: 'sleep 600' });
    await sleeper.filter({ hasText: 'RUNNING' }).waitFor(WAIT);
    await sleeper.getByRole('button', { name: /^kill job/ }).click();
    await sleeper.filter({ hasText: 'KILLED' }).waitFor(WAIT);
  });

  it('fits a phone: the page does not scroll sideways (the table does, in its box)', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Processes' }).click();
    await stateOf(page, 'counter').waitFor(WAIT);
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone`);
    await page.screenshot({ path: join(ARTIFACTS, 'web-phone.png'), fullPage: true });
  });

  it('shows a refusal: dev (read only) may not stop', async () => {
    const dev = await gatewayContext(browser, r.port(), r.certs.dev);
    try {
      const p = await dev.newPage();
      await p.goto(`${origin}/`);
      await p.getByRole('button', { name: 'stop counter', exact: true }).click();
      await p.getByRole('alert').filter({ hasText: /EPERM/ }).waitFor(WAIT);
      assert.equal((await r.d.status()).find((s) => s.name === 'counter')?.state, 'RUNNING');
    } finally {
      await dev.close();
    }
  });

  // A browser with no client certificate: the page loads, and the token is the way in.
  it('refuses a wrong token with a visible message, and signs in with a right one', async () => {
    const created = await r.d.ctlAsync('--json', 'token', 'create', 'webview', '--role', 'read');
    assert.equal(created.code, 0, created.stderr);
    const good = (JSON.parse(created.stdout) as { secret: string }).secret;
    assert.match(good, /^tm_/);
    const guest = await gatewayContext(browser, r.port(), null);
    try {
      const p = await guest.newPage();
      await p.goto(`${origin}/`);
      await p.getByLabel('Token').fill(`${good}x`);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByRole('alert').filter({ hasText: /Token refused/ }).waitFor(WAIT);
      await p.getByLabel('Token').fill(good);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByText('signed in with a token').waitFor(WAIT);
      await stateOf(p, 'counter').filter({ hasText: 'RUNNING' }).waitFor(WAIT);
      assert.equal(await p.evaluate('localStorage.length'), 0, 'the token is kept in sessionStorage only');
    } finally {
      await guest.close();
    }
  });

  it('left no daemon bug in its log', () => {
    assert.doesNotMatch(r.d.output(), DAEMON_BUG_LINE);
  });
});
