import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runReport } from '../commands/report.js';
import { fixtureReproduction, writeFixtureRuns } from '../testing-internal/fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
// CI installs Debian's chromium (.ci/run), so there a missing browser is a failure, not a skip.
const available = existsSync(CHROMIUM) || process.env.CI !== undefined;

describe.runIf(available)('report.html in headless Chromium', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'apb-report-html-'));
    await writeFixtureRuns(dir, fixtureReproduction());
    await runReport({ dir });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('opens without console errors or network requests and shows its four charts', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('request', (request) => {
        if (!request.url().startsWith('file:')) requests.push(request.url());
      });
      await page.goto(pathToFileURL(join(dir, 'report.html')).href, { waitUntil: 'load' });
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
      expect(await page.title()).toBe('APB reproduction report');
      const charts = await page.$$eval('figure.chart', (figures) =>
        figures.map((figure) => {
          const svg = figure.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          return { id: figure.id, width: box?.width ?? 0, height: box?.height ?? 0, marks: svg?.querySelectorAll('[aria-roledescription="bar"], [aria-roledescription="point"]').length ?? 0 };
        }),
      );
      expect(charts.map((c) => c.id)).toEqual(['figure-2', 'figure-3a', 'figure-3b', 'figure-3b-seeds']);
      for (const chart of charts) {
        expect(chart.width).toBeGreaterThan(100);
        expect(chart.height).toBeGreaterThan(100);
        expect(chart.marks).toBeGreaterThan(0);
      }
      expect(await page.locator('table').count()).toBeGreaterThanOrEqual(6);
    } finally {
      await browser.close();
    }
  });
});
