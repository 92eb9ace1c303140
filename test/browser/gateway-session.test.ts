import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../services/core/logger.js';
import { freePort } from '../../services/demo/demo-target.js';
import { startEmbeddedDemo, type RunningDemo } from '../../services/demo/embedded-demo.js';
import { launchChromium } from './chromium.js';

// A session recorded by the real PostgreSQL gateway (the demo's scripted agent through node-postgres),
// ingested into chDB and opened in Chromium: what a user sees in their first five minutes.
const SHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');
let dir: string;
let demo: RunningDemo;
let base: string;
let browser: { context: BrowserContext; close(): Promise<void> };
let page: Page;

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  dir = await mkdtemp(join(tmpdir(), 'tollgate-ui-demo-'));
  const ports = { postgres: await freePort(), ssh: await freePort(), replay: await freePort() };
  demo = await startEmbeddedDemo({ dataDir: dir, env: {}, err: () => undefined, ports }, silentLogger());
  base = `http://127.0.0.1:${ports.replay}`;
  browser = await launchChromium();
  page = await browser.context.newPage();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a gateway-recorded session in the UI', () => {
  it('signs in with the banner token and opens the agent session timeline', async () => {
    expect(demo.agentProblem).toBeUndefined();
    await page.goto(`${base}/`);
    await page.fill('#token', demo.auditorToken);
    await page.click('button[type=submit]');
    await expect.poll(async () => {
      // The demo plays a PostgreSQL and (with sshd) an SSH session as demo-agent: this test opens the first.
      await page.goto(`${base}/#/sessions?subject=demo-agent&protocol=postgres`);
      await page.waitForSelector('.results > *');
      return page.locator('table.grid tbody tr').count();
    }, { timeout: 20_000 }).toBe(1);
    await page.click('table.grid tbody tr');
    await page.waitForSelector('.timeline');
    const blocked = page.locator('.query.blocked');
    expect(await blocked.textContent()).toContain('DELETE FROM customers');
    const masked = page.locator('.query', { hasText: 'card_number' });
    await masked.locator('details summary').click();
    const preview = (await masked.locator('.preview').textContent()) ?? '';
    expect(preview).not.toMatch(/\d{16}|@example\.com/);
    await page.screenshot({ path: join(SHOTS, 'gateway-session-timeline.png'), fullPage: true });
  });
});
