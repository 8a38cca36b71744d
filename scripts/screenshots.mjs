// Regenerates the README's screenshots (docs/*.png): starts the browser host on a fresh
// workspace with the built-in datasets, and captures pages in the light and dark themes.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';

const root = new URL('..', import.meta.url).pathname;
const workspace = mkdtempSync(join(tmpdir(), 'ecoeval-shots-'));
const token = 'screenshots0token000000000000000';
const port = 5199;
spawnSync(
  process.execPath,
  [join(root, 'bin/ecoeval.js'), 'datasets', 'builtin', '--install', '--workspace', workspace],
  { stdio: 'inherit' },
);
const server = spawn(
  process.execPath,
  [join(root, 'out/main/web-server.js'), '--port', String(port), '--workspace', workspace],
  {
    env: { ...process.env, ECOEVAL_BRIDGE_TOKEN: token },
    stdio: 'inherit',
  },
);
await new Promise((r) => setTimeout(r, 1500));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--no-first-run',
  ],
});
try {
  for (const theme of ['light', 'dark']) {
    const page = await browser.newPage({
      viewport: { width: 1360, height: 900 },
      colorScheme: theme,
      reducedMotion: 'reduce',
    });
    await page.goto(`http://127.0.0.1:${port}/?token=${token}`);
    await page
      .getByTestId('dataset-list')
      .getByRole('button', { name: /Kelvari/ })
      .click();
    await page
      .getByTestId('preview')
      .getByText('…')
      .first()
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(root, 'docs', `datasets-${theme}.png`) });
    await page.close();
  }
} finally {
  await browser.close();
  server.kill();
}
