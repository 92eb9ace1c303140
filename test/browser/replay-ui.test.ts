import { mkdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplayHarness, type ReplayHarness } from '../../services/replay/testing/harness.js';
import { XSS, seedDatabaseSession, seedTerminalSession } from '../../services/replay/testing/seed.js';
import { launchChromium } from './chromium.js';

const SHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');
let h: ReplayHarness;
let base: string;
let browser: { context: BrowserContext; close(): Promise<void> };
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  h = await openReplayHarness();
  const now = Date.now() * 1000;
  await seedTerminalSession(h.store, 'ssh-ui', now - 3_600_000_000);
  await seedDatabaseSession(h.store, 'db-ui', now - 600_000_000);
  await h.store.insert('queries', [{ session_id: 'db-ui', seq: 100, ts: now - 500_000_000, subject: 'agent-7', connection: 'demo', statement: '=HYPERLINK("http://evil")', fingerprint: 'f', duration_us: 1, rows: 1, outcome: 'ok', error: '', guardrail_action: 'ALLOW', guardrail_rule: '', masking: [] }]);
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
const xssFired = () => page.evaluate(() => (globalThis as Record<string, unknown>)['__xss'] !== undefined);
/** Waits until the player's terminal shows text (polled from here: the page's CSP forbids eval). */
const termShows = (text: string) => expect.poll(() => page.textContent('pre.ap-term-text'), { timeout: 15_000 }).toContain(text);

describe('replay UI in Chromium', () => {
  it('asks for a token, refuses a non-auditor, accepts an auditor', async () => {
    await page.goto(`${base}/`);
    await page.fill('#token', h.agentToken);
    await page.click('button[type=submit]');
    await page.waitForSelector('.notice.error');
    expect(await page.textContent('.notice.error')).toMatch(/may not read recordings/);
    await page.fill('#token', h.auditorToken);
    await page.click('button[type=submit]');
    await page.waitForSelector('table.grid tbody tr');
    expect(await page.locator('table.grid tbody tr').count()).toBe(2);
    await shot('sessions');
  });

  it('finds a session by command text and plays it', async () => {
    await page.keyboard.press('/');
    await page.keyboard.type('rm -rf');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('table.grid tbody tr').count()).toBe(1);
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.ap-player');
    await page.click('.ap-overlay-start');
    await termShows('after clear');
    expect(await page.textContent('pre.ap-term-text')).not.toContain('Welcome');
    await shot('session-played');
  });

  it('seeks with a marker to the blocked command', async () => {
    await page.click('.marker.block');
    await termShows('blocked by guardrail');
    const text = (await page.textContent('pre.ap-term-text')) ?? '';
    expect(text).toContain('$ rm -rf /');
    expect(text).toContain(XSS);
    expect(await page.locator('.ap-term img').count()).toBe(0);
    expect(await xssFired()).toBe(false);
    await shot('session-marker');
  });

  it('opens a query timeline with decisions and masked previews, data shown as text', async () => {
    await page.goto(`${base}/#/session/db-ui`);
    await page.waitForSelector('.timeline');
    expect(await page.locator('.query').count()).toBe(4);
    expect(await page.textContent('.query.blocked')).toContain('BLOCK read-only');
    await page.click('.query details summary');
    expect(await page.textContent('.preview')).toContain('j***@example.com');
    expect(await page.locator('.timeline img').count()).toBe(0);
    expect(await xssFired()).toBe(false);
    await shot('timeline');
  });

  it('follows an alert to its moment in the recording', async () => {
    await page.goto(`${base}/#/alerts`);
    await page.waitForSelector('text=● live');
    expect(await page.locator('table.grid img').count()).toBe(0);
    await shot('alerts');
    await page.click('table.grid tbody tr');
    await page.waitForURL(/#\/session\/ssh-ui\?t=3\.01/);
    await termShows('rm -rf /');
    expect(await page.textContent('pre.ap-term-text')).not.toContain('after clear');
    await shot('alert-moment');
  });

  it('runs SQL and exports CSV with formulas neutralised', async () => {
    await page.goto(`${base}/#/sql`);
    await page.fill('#sql', "SELECT seq, statement FROM queries WHERE session_id = 'db-ui' ORDER BY seq");
    await page.keyboard.press('Control+Enter');
    await page.waitForSelector('.results table');
    expect(await page.locator('.results tbody tr').count()).toBe(4);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Export CSV')]);
    const csv = await readFile((await download.path()) ?? '', 'utf8');
    expect(csv.split('\r\n')[0]).toBe('seq,statement');
    expect(csv).toContain(`100,"'=HYPERLINK(""http://evil"")"`);
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
    await page.fill('#sql', 'DROP TABLE frames');
    await page.click('#run');
    await page.waitForSelector('.results .notice.error');
    await shot('sql');
  });

  it('raised no page errors and sent a strict CSP', async () => {
    const res = await page.goto(`${base}/`);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(pageErrors).toEqual([]);
  });
});
