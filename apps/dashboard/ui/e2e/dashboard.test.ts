/**
 * The schedules UI in headless Chromium against the real stack: dashboard,
 * worker and scheduler in this process on a fresh database and queue prefix.
 * Steps share one signed-in page and run in order; every wait is on state the
 * page shows (or the API answers), with generous timeouts as a safety net.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser';
import { OPERATOR_TOKEN, VIEWER_TOKEN, startStack, type Stack } from './stack';

const SCREENSHOT = fileURLToPath(new URL('../../../../docs/screenshot.png', import.meta.url));
const WAIT = { timeout: 30_000 };

/** E2E_SHOTS_DIR=/some/dir saves more screenshots there, to look the pages over. */
async function shot(name: string, p: Page = page) {
  const dir = process.env.E2E_SHOTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await p.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

interface ScheduleJson {
  key: string;
  enabled: boolean;
  cronExpression: string | null;
  intervalSeconds: number | null;
  timezone: string;
  pausedAt: string | null;
  pauseNote: string | null;
}

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const row = (key: string, p: Page = page) =>
  p.locator(`[data-testid="schedule-row"][data-key="${key}"]`);
const panel = (key: string) => page.locator(`[data-testid="panel-row"][data-key="${key}"]`);
const toast = (text: string) => page.getByTestId('toast').filter({ hasText: text });
const schedule = (key: string) => stack.api<ScheduleJson>('GET', `/api/schedules/${key}`);

/** Waits until the locator's attribute has the value. */
async function attribute(locator: Locator, name: string, value: string) {
  await expect.poll(() => locator.getAttribute(name), WAIT).toBe(value);
}

async function signIn(p: Page, token: string) {
  await p.goto(stack.baseUrl);
  await p.waitForURL(/\/login\?next=/, WAIT);
  await p.fill('#token', token);
  await p.click('button[type="submit"]');
  await p.waitForURL(`${stack.baseUrl}/`, WAIT);
}

beforeAll(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await stack?.close();
});

describe('schedules UI', () => {
  it('signs in through the login page and lists the example schedules', async () => {
    await signIn(page, OPERATOR_TOKEN);
    for (const key of ['heartbeat', 'nap', 'prune-history']) await row(key).waitFor(WAIT);
    await expect
      .poll(() => row('heartbeat').getByTestId('frequency').textContent())
      .toBe('every 10 s');
    expect(await row('heartbeat').getByTestId('frequency').getAttribute('title')).toBe(
      'interval 10 s',
    );
    expect(await page.getByTestId('role').textContent()).toBe('operator');
    await attribute(page.getByTestId('live-status'), 'data-state', 'open');
  });

  it('disables a schedule, and it stays disabled after a reload and in the API', async () => {
    await row('nap').getByTestId('toggle-enabled').click();
    await attribute(row('nap'), 'data-enabled', 'false');
    await attribute(row('nap'), 'data-status', 'disabled');
    await page.reload();
    await attribute(row('nap'), 'data-enabled', 'false');
    expect((await schedule('nap')).enabled).toBe(false);

    await row('nap').getByTestId('toggle-enabled').click();
    await attribute(row('nap'), 'data-enabled', 'true');
    expect((await schedule('nap')).enabled).toBe(true);
  });

  it('shows why a cron is invalid as you type, previews a valid one, and saves it', async () => {
    await row('prune-history').getByTestId('edit-frequency').click();
    const editor = panel('prune-history').getByTestId('frequency-editor');
    await editor.waitFor(WAIT);
    await editor.getByTestId('frequency-cron').fill('61 * * * *');
    const error = editor.getByTestId('frequency-error');
    await error.waitFor(WAIT);
    expect(await error.textContent()).toMatch(/61|minute|range|invalid/i);
    expect(await editor.getByTestId('frequency-save').isDisabled()).toBe(true);
    await shot('frequency-error');

    await editor.getByTestId('frequency-cron').fill('0 9 * * *');
    await editor.getByTestId('frequency-timezone').fill('Europe/London');
    await expect.poll(() => editor.getByTestId('preview-slot').count(), WAIT).toBe(5);
    expect(await editor.getByTestId('frequency-preview').textContent()).toContain('Europe/London');
    for (const slot of await editor.getByTestId('preview-slot').all()) {
      expect(await slot.textContent()).toMatch(/ 09:00:00/);
    }
    await shot('frequency-preview');
    await editor.getByTestId('frequency-save').click();
    await editor.waitFor({ state: 'detached', ...WAIT });
    await expect
      .poll(() => row('prune-history').getByTestId('frequency').textContent(), WAIT)
      .toBe('daily at 09:00 (Europe/London)');
    const saved = await schedule('prune-history');
    expect(saved).toMatchObject({ cronExpression: '0 9 * * *', timezone: 'Europe/London' });
  });

  it('runs a schedule now and shows the run finishing through the live stream', async () => {
    await page.evaluate(() => {
      (window as unknown as { noReload: boolean }).noReload = true;
    });
    await attribute(row('prune-history'), 'data-status', 'new');
    await row('prune-history').getByTestId('run-now').click();
    await expect
      .poll(() => row('prune-history').getByTestId('action-result').textContent(), WAIT)
      .toBe('queued');
    await toast('prune-history succeeded').waitFor(WAIT);
    await attribute(row('prune-history'), 'data-status', 'succeeded');
    expect(await row('prune-history').getByTestId('last-run').textContent()).toMatch(/ago|now/);
    // The same page all along: updated without a reload.
    expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(
      true,
    );
  });

  it('warns about a schedule failing again and again, and pauses it with a note', async () => {
    await stack.api('POST', '/api/schedules', {
      key: 'flaky-export',
      name: 'Flaky export',
      group: 'examples',
      handler: 'fail',
      payload: { message: 'upstream answered 503' },
      intervalSeconds: 2,
      maxAttempts: 1,
    });
    const banner = page.getByTestId('failure-banner');
    await banner.waitFor(WAIT);
    expect(await banner.textContent()).toContain('flaky-export');
    await toast('flaky-export failed: upstream answered 503').first().waitFor(WAIT);

    await row('flaky-export').getByTestId('pause').click();
    await panel('flaky-export').getByTestId('pause-note').fill('upstream down, see INC-42');
    await panel('flaky-export').getByTestId('pause-confirm').click();
    await attribute(row('flaky-export'), 'data-status', 'paused');
    expect(await row('flaky-export').textContent()).toContain('upstream down, see INC-42');
    const paused = await schedule('flaky-export');
    expect(paused.pausedAt).not.toBeNull();
    expect(paused.pauseNote).toBe('upstream down, see INC-42');
    // Still failing repeatedly: the banner stays until a run succeeds.
    await banner.waitFor(WAIT);

    if (process.env.UPDATE_SCREENSHOT === '1') {
      await row('heartbeat').getByTestId('last-run').waitFor(WAIT);
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
    }

    await row('flaky-export').getByTestId('resume').click();
    await expect.poll(async () => (await schedule('flaky-export')).pausedAt, WAIT).toBeNull();
    await row('flaky-export').getByTestId('toggle-enabled').click();
    await attribute(row('flaky-export'), 'data-status', 'disabled');
  });

  it("opens a schedule's history with attempts, live, linking each run to Bull Board", async () => {
    await row('prune-history').getByTestId('schedule-link').click();
    await page.waitForURL(`${stack.baseUrl}/schedules/prune-history`, WAIT);
    await page.getByTestId('schedule-details').waitFor(WAIT);
    const runs = page.getByTestId('run-row');
    await expect.poll(() => runs.count(), WAIT).toBe(1);
    const first = runs.first();
    await attribute(first, 'data-status', 'succeeded');
    const runId = await first.getAttribute('data-run-id');
    expect(runId).toBeTruthy();
    expect(await first.getByTestId('board-link').getAttribute('href')).toBe(
      `/queues/queue/runs/${runId}`,
    );

    await first.getByTestId('expand-run').click();
    const attempt = page.getByTestId('attempt-row').first();
    await attempt.waitFor(WAIT);
    expect(await attempt.getByTestId('status-badge').getAttribute('data-status')).toBe('succeeded');

    // A run started from here appears at the top and finishes live.
    await page.getByTestId('schedule-details').getByTestId('run-now').click();
    await expect.poll(() => runs.count(), WAIT).toBe(2);
    await attribute(runs.first(), 'data-status', 'succeeded');
    expect(await runs.first().getAttribute('data-run-id')).not.toBe(runId);
    expect(await runs.nth(1).getAttribute('data-run-id')).toBe(runId);
    await shot('schedule-page');

    // The link opens that job in Bull Board.
    await page.goto(`${stack.baseUrl}/queues/queue/runs/${runId}`);
    await page.getByText(runId!, { exact: false }).first().waitFor(WAIT);
  });

  it('opens Bull Board from the header, showing the runs queue', async () => {
    await page.goto(stack.baseUrl);
    await row('heartbeat').waitFor(WAIT);
    await page.getByTestId('nav-board').click();
    await page.waitForURL(/\/queues/, WAIT);
    await page.locator('a[href$="/queue/runs"]').first().waitFor(WAIT);
  });

  it('stacks the table into cards on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(stack.baseUrl);
      await row('heartbeat').waitFor(WAIT);
      const display = await row('heartbeat').evaluate((el) => getComputedStyle(el).display);
      expect(display).toBe('block');
      await shot('phone-schedules');
      await row('prune-history').getByTestId('schedule-link').click();
      await page.getByTestId('run-row').first().waitFor(WAIT);
      await shot('phone-schedule-page');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('gives viewers the table without actions', async () => {
    const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const viewer = await viewerContext.newPage();
      await signIn(viewer, VIEWER_TOKEN);
      await row('heartbeat', viewer).waitFor(WAIT);
      expect(await viewer.getByTestId('role').textContent()).toBe('viewer');
      expect(await viewer.getByTestId('toggle-enabled').count()).toBe(0);
      expect(await viewer.getByTestId('run-now').count()).toBe(0);
      expect(await row('heartbeat', viewer).textContent()).toContain('read-only');
    } finally {
      await viewerContext.close();
    }
  });

  it('signs out', async () => {
    await page.goto(stack.baseUrl);
    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/login/, WAIT);
    await page.goto(stack.baseUrl);
    await page.waitForURL(/\/login\?next=/, WAIT);
  });
});
