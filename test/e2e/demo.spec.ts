// The first launch: one click on "Run the demo" installs the built-in translation data and the
// bundled demo models, evaluates them in the measured queue, scores them in the worker, and the
// chart shows every demo system with a frontier. Records the time to a populated chart, and
// keeps the README's pictures of the Chart, Results, Compare and Run details pages current.
import { expect, test } from '@playwright/test';
import type { Page, TestInfo } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OwnHost } from './support/own-host';
import { ROOT, startOwnHost } from './support/own-host';
import { nav, openFirstRunDetails } from './support/navigation';

const PORT = Number(process.env.ECOEVAL_E2E_DEMO_PORT ?? 5198);
const TOKEN = 'e2e0demo0token0only0000000000000';
const DEMO = JSON.parse(readFileSync(join(ROOT, 'datasets/demo/demo.json'), 'utf8')) as {
  systems: unknown[];
};

let host: OwnHost | null = null;
test.use({ baseURL: `http://127.0.0.1:${PORT}` });
test.beforeAll(async () => {
  host = await startOwnHost(PORT, TOKEN);
});
test.afterAll(() => {
  host?.stop();
  host = null;
});

async function shot(page: Page, testInfo: TestInfo, name: string, fullPage = false) {
  await page.waitForTimeout(300);
  const body = await page.screenshot({ fullPage });
  await testInfo.attach(`${name}.png`, { body, contentType: 'image/png' });
  if (process.env.UPDATE_DOCS_SCREENSHOTS === '1')
    writeFileSync(join(ROOT, 'docs', `${name}.png`), body);
}

test('the first-launch demo fills the chart with every demo system', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  await page.goto(`/?token=${TOKEN}`);
  const offer = page.getByTestId('demo-offer');
  await expect(offer).toBeVisible();
  const started = Date.now();
  await offer.getByRole('button', { name: 'Run the demo' }).click();
  await expect(page.getByTestId('chart-point-count')).toHaveText(String(DEMO.systems.length), {
    timeout: 240_000,
  });
  const seconds = (Date.now() - started) / 1000;
  console.log(`Demo: populated chart after ${seconds.toFixed(1)} s`);
  await testInfo.attach('time-to-populated-chart.json', {
    body: JSON.stringify({ seconds, systems: DEMO.systems.length, goalSeconds: 60 }),
    contentType: 'application/json',
  });
  expect(Number(await page.getByTestId('frontier-count').textContent())).toBeGreaterThanOrEqual(1);
  await shot(page, testInfo, 'chart');
  // The theme follows the OS by default: the same chart in the dark.
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, testInfo, 'chart-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  await nav(page, 'Results');
  await expect(page.locator('[data-testid="run-row"][data-state="complete"]')).toHaveCount(
    DEMO.systems.length,
  );
  await shot(page, testInfo, 'results');

  // Compare the first two runs (the same dataset), then open one run's details.
  const boxes = page.getByRole('checkbox', { name: /^Select .* for Compare$/ });
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.getByTestId('compare-selected').click();
  await expect(page.getByTestId('comparison-system').first()).toBeVisible({ timeout: 60_000 });
  await shot(page, testInfo, 'compare');

  await openFirstRunDetails(page);
  await expect(page.getByTestId('run-energy-panel')).toBeVisible();
  await shot(page, testInfo, 'run-details', true);
  expect(errors).toEqual([]);
});
