// A batch report opened from disk in Chromium (file://): it renders with no console errors and
// requests nothing but its own file — no network, no scripts. The report comes from the built
// CLI (`ecoeval report run`) on a small plan: the bundled demo model in two precisions and
// outputs made elsewhere, on 60 sentences of the built-in test set. With
// UPDATE_DOCS_SCREENSHOTS=1 it runs examples/report-plan.yaml instead and writes docs/report.png.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from '@playwright/test';

const ROOT = join(import.meta.dirname, '..', '..');
const DOCS = process.env.UPDATE_DOCS_SCREENSHOTS === '1';
const SENTENCES = 60;

let reportHtml = '';

function firstLines(file: string, n: number): string {
  return readFileSync(join(ROOT, file), 'utf8').split('\n').slice(0, n).join('\n') + '\n';
}

test.beforeAll(() => {
  test.setTimeout(DOCS ? 600_000 : 180_000);
  const dir = mkdtempSync(join(tmpdir(), 'ecoeval-e2e-report-'));
  const workspace = join(dir, 'workspace');
  // The docs picture names the plan as a user types it, from the repository root.
  let plan = 'examples/report-plan.yaml';
  if (!DOCS) {
    writeFileSync(join(dir, 'test.en'), firstLines('datasets/grammar-en-xx/test.en', SENTENCES));
    writeFileSync(join(dir, 'test.xx'), firstLines('datasets/grammar-en-xx/test.xx', SENTENCES));
    plan = join(dir, 'plan.yaml');
    writeFileSync(
      plan,
      `title: Report smoke test <&>
datasets:
  - { name: grammar sample, kind: translation, source: test.en, references: [test.xx] }
systems:
  - { bundle: ${join(ROOT, 'datasets/demo/models/demo-tiny')}, precision: [fp32, int8] }
  - { outputs: test.xx, name: references, codecarbon: ${join(ROOT, 'test/fixtures/energy/emissions.csv')} }
metrics: { use: [bleu, chrf], bootstrap: 100, pairedResamples: 100 }
`,
    );
  }
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    [
      join(ROOT, 'bin/ecoeval.js'),
      'report',
      'run',
      plan,
      '--out',
      join(dir, 'report'),
      '--workspace',
      workspace,
    ],
    { cwd: DOCS ? ROOT : dir, encoding: 'utf8', env: { ...process.env, CI: '1' } },
  );
  if (result.status !== 0) {
    throw new Error(`ecoeval report run exited ${result.status}:\n${result.stderr}`);
  }
  if (DOCS) console.log(`example plan: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  reportHtml = join(dir, 'report', 'report.html');
});

test('report.html opens offline: no console errors, no requests but its own file', async ({
  page,
}, testInfo) => {
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  page.on('request', (r) => requests.push(r.url()));
  await page.setViewportSize({ width: 1280, height: 1500 });
  await page.goto(pathToFileURL(reportHtml).href);

  await expect(page.locator('h1')).toBeVisible();
  await expect(page.locator('#charts figure svg').first()).toBeVisible();
  expect(await page.locator('#charts figure').count()).toBeGreaterThanOrEqual(2);
  await expect(page.locator('#results table').first()).toBeVisible();
  await expect(page.locator('#provenance details').first()).toBeVisible();
  expect(await page.locator('script').count()).toBe(0);

  const top = await page.screenshot();
  await testInfo.attach('report.png', { body: top, contentType: 'image/png' });
  await testInfo.attach('report-full.png', {
    body: await page.screenshot({ fullPage: true }),
    contentType: 'image/png',
  });
  if (DOCS) writeFileSync(join(ROOT, 'docs', 'report.png'), top);

  expect(requests.length).toBeGreaterThan(0);
  expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
  expect(errors).toEqual([]);
});
