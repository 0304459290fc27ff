import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeServeFixture, type ServeFixture } from '../testing-internal/serve-fixture.js';
import { runServe, type ServeHandle } from './serve.js';

const CHROMIUM = '/usr/bin/chromium';
// CI installs Debian's chromium (.ci/run), so there a missing browser is a failure, not a skip.
const available = existsSync(CHROMIUM) || process.env.CI !== undefined;

/** Sets a control's value the way a user's edit would, firing input and change. */
async function setValue(page: Page, selector: string, value: string): Promise<void> {
  await page.locator('body').evaluate((body) => (body.dataset.state = 'pending'));
  await page.locator(selector).evaluate((node, next) => {
    (node as unknown as { value: string }).value = next;
    node.dispatchEvent(new Event('input', { bubbles: true }));
    node.dispatchEvent(new Event('change', { bubbles: true }));
  }, value);
  await page.waitForSelector('body[data-state="done"]');
}

describe.runIf(available)('apb serve in headless Chromium', () => {
  let base: string;
  let fixture: ServeFixture;
  let handle: ServeHandle;
  let context: BrowserContext;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'apb-serve-browser-'));
    fixture = await writeServeFixture(base);
    handle = await runServe({ dir: fixture.root, port: 0 });
    context = await chromium.launchPersistentContext(join(base, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await context?.close();
    await handle?.close();
    await rm(base, { recursive: true, force: true });
  });

  it('loads without console errors, and FGSM flips the known model’s prediction at eps 0.3 but not at 0.05', async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(handle.url);
    await page.waitForSelector('body[data-loaded="true"]');
    await page.waitForSelector('body[data-state="done"]');
    expect(await page.locator('#runs-table tbody tr').count()).toBe(3);
    expect(await page.locator('#thumbnails canvas').count()).toBe(24);
    expect(await page.locator('#charts-body figure.chart').count()).toBe(3);

    const panelA = page.getByTestId('panel-a');
    expect(await page.locator('#model-a').inputValue()).toBe(fixture.runs.folded);
    // Test image 0 is class 0 of the synthetic bars; the linear model reads it right.
    expect(await panelA.getAttribute('data-clean-class')).toBe('0');

    await setValue(page, '#eps', '0.05');
    expect(await panelA.getAttribute('data-adversarial-class')).toBe('0');
    expect(await panelA.getByTestId('prediction-adversarial').textContent()).toBe('predicts 0 (held)');

    await setValue(page, '#eps', '0.3');
    expect(await panelA.getAttribute('data-clean-class')).toBe('0');
    expect(await panelA.getAttribute('data-adversarial-class')).not.toBe('0');
    expect(await panelA.getByTestId('prediction-adversarial').textContent()).toMatch(/^predicts \d \(fooled\)$/);
    expect(await panelA.getByTestId('bars-adversarial').locator('.bar-row').count()).toBe(10);

    for (const attack of ['fgsm-margin', 'pgd']) {
      await setValue(page, '#attack', attack);
      expect(await panelA.getAttribute('data-adversarial-class'), attack).not.toBe('0');
    }
    expect(problems).toEqual([]);
  });

  it('explains a run without a folded model and a run whose data set is gone, in the page', async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(handle.url);
    await page.waitForSelector('body[data-loaded="true"]');
    await page.waitForSelector('body[data-state="done"]');

    await setValue(page, '#model-b', fixture.runs.unfolded);
    const panelB = page.getByTestId('panel-b');
    expect(await panelB.getAttribute('data-state')).toBe('error');
    expect(await panelB.getByTestId('panel-message').textContent()).toContain('This run has no folded model to attack: unfolded/model-folded has no model.json or weights.bin');

    await setValue(page, '#model-a', fixture.runs.noData);
    const message = page.locator('#images-message');
    await message.waitFor({ state: 'visible' });
    expect(await message.textContent()).toContain(`No test images for no-data: Cannot load the test images of data set bars (${join(base, 'deleted-data')})`);
    // The image already chosen is still attacked on the model of the new run.
    expect(await page.getByTestId('panel-a').getAttribute('data-state')).toBe('done');
    expect(problems).toEqual([]);
  });
});
