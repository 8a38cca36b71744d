// The browser host end to end: first launch, import through the UI, preview and statistics,
// the error for a malformed file, delete, and scoring in the metrics Web Worker.
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { E2E_TOKEN } from '../playwright.config';

const pageErrors: string[] = [];

async function open(page: Page) {
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  await page.goto(`/?token=${E2E_TOKEN}`);
  await expect(page.getByTestId('transport')).toHaveText('websocket');
}

test.describe.configure({ mode: 'serial' });

test('first launch offers the built-in datasets and shows them with statistics', async ({
  page,
}) => {
  await open(page);
  const offer = page.getByTestId('builtin-offer');
  await expect(offer).toBeVisible();
  await offer.getByRole('button', { name: /Add all 3/ }).click();
  await expect(offer).toBeHidden({ timeout: 30_000 });
  const list = page.getByTestId('dataset-list');
  await expect(list.getByRole('button')).toHaveCount(3);
  await list.getByRole('button', { name: /Kelvari/ }).click();
  await expect(page.getByTestId('dataset-stats').getByTestId('stat-segments').first()).toHaveText(
    '24,000',
  );
  await expect(page.getByTestId('preview').getByRole('row').nth(1)).toContainText('1');
});

test('the preview stays virtual on a large split: scrolling to the end renders few rows', async ({
  page,
}) => {
  await open(page);
  await page
    .getByTestId('dataset-list')
    .getByRole('button', { name: /Kelvari/ })
    .click();
  const viewport = page.getByTestId('preview-viewport');
  await viewport.evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(page.locator('[aria-rowindex="24000"]')).toBeVisible();
  await expect(page.locator('[aria-rowindex="24000"]')).not.toContainText('…');
  expect(await page.locator('[aria-rowindex]').count()).toBeLessThan(40);
});

test('imports a dataset through the UI and shows preview and statistics', async ({ page }) => {
  await open(page);
  await page.getByRole('button', { name: 'Import…' }).click();
  await page.getByLabel('Name').fill('UI import');
  await page.getByTestId('file-source').setInputFiles({
    name: 'src.en',
    mimeType: 'text/plain',
    buffer: Buffer.from(
      'the cat sat on the mat\nthe dog slept by the door\nit rained all day long\n',
    ),
  });
  await page.getByTestId('file-ref-1').setInputFiles({
    name: 'ref.de',
    mimeType: 'text/plain',
    buffer: Buffer.from(
      'die katze sass auf der matte\nder hund schlief an der tuer\nes regnete den ganzen tag\n',
    ),
  });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByTestId('dataset-name')).toHaveText('UI import');
  await expect(page.getByTestId('stat-segments').first()).toHaveText('3');
  await expect(page.getByTestId('preview')).toContainText('der hund schlief an der tuer');
});

test('a malformed file gives an inline error naming the file and line, and imports nothing', async ({
  page,
}) => {
  await open(page);
  // Earlier tests left datasets: count them once the list has loaded, not before.
  const listed = page.getByTestId('dataset-list').getByRole('button');
  await expect(listed.first().or(page.getByTestId('builtin-offer')).first()).toBeVisible();
  const before = await listed.count();
  await page.getByRole('button', { name: 'Import…' }).click();
  await page.getByLabel('Name').fill('Broken');
  await page
    .getByTestId('file-source')
    .setInputFiles({ name: 'src.txt', mimeType: 'text/plain', buffer: Buffer.from('a\nb\nc\n') });
  await page
    .getByTestId('file-ref-1')
    .setInputFiles({ name: 'short-ref.txt', mimeType: 'text/plain', buffer: Buffer.from('x\n') });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const error = page.getByTestId('import-error');
  await expect(error).toContainText('short-ref.txt:1');
  await expect(error).not.toContainText('.uploads');
  await expect(listed).toHaveCount(before);
});

test('scores pasted hypotheses in the metrics Web Worker', async ({ page }) => {
  await open(page);
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  await page.getByRole('navigation').getByRole('button', { name: 'Score' }).click();
  await page.getByTestId('score-dataset').selectOption({ label: 'UI import' });
  await page
    .getByTestId('score-hypotheses')
    .fill('die katze sass auf der matte\nder hund schlief an der tuer\nes regnete den ganzen tag');
  await page.getByRole('button', { name: 'Score', exact: true }).last().click();
  const results = page.getByTestId('score-results');
  await expect(results).toBeVisible();
  await expect(page.getByTestId('score-BLEU')).toHaveText('100.00');
  await expect(results.getByTestId('computed-in').first()).toContainText('worker');
  expect(workers.some((u) => u.includes('metrics.worker'))).toBe(true);
  await expect(results).toContainText('nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp');
});

test('deletes a dataset after confirmation', async ({ page }) => {
  await open(page);
  await page
    .getByTestId('dataset-list')
    .getByRole('button', { name: /UI import/ })
    .click();
  await page.getByRole('button', { name: 'Delete…' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Delete dataset' }).click();
  await expect(
    page.getByTestId('dataset-list').getByRole('button', { name: /UI import/ }),
  ).toHaveCount(0);
  expect(pageErrors).toEqual([]);
});

test('trains a tiny model with live progress and a BLEU-versus-joules curve, and cancel keeps a checkpoint', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await open(page);
  await page.getByRole('navigation').getByRole('button', { name: 'Train' }).click();
  await page.getByTestId('train-dataset').selectOption({ label: 'Grammar EN→Kelvari' });
  await page.getByTestId('train-steps').fill('2000');
  await page.getByLabel('Validate every').fill('10');
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByTestId('train-progress')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('curve-point').first()).toBeVisible({ timeout: 120_000 });
  await page.screenshot({ path: 'test-results/train-page.png' });
  await page.getByTestId('train-cancel').click();
  const table = page.getByTestId('model-list');
  await expect(table).toContainText('cancelled', { timeout: 60_000 });
  await expect(page.getByRole('status')).toContainText('Saved');
  expect(pageErrors).toEqual([]);
});
