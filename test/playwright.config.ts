// Playwright: `web` drives the browser host in Debian's Chromium; `electron` launches the
// desktop app where its binary exists and skips with a reason elsewhere (netron's two projects).
import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const E2E_PORT = Number(process.env.ECOEVAL_E2E_PORT ?? 5178);
export const E2E_TOKEN = 'e2e0token0for0tests0only000000000';
const workspace = process.env.ECOEVAL_E2E_WORKSPACE ?? mkdtempSync(join(tmpdir(), 'ecoeval-e2e-'));
process.env.ECOEVAL_E2E_WORKSPACE = workspace;

export default defineConfig({
  testDir: './e2e',
  outputDir: '../test-results',
  timeout: 60_000,
  workers: 1,
  fullyParallel: false,
  reporter: [['list'], ['json', { outputFile: '../reports/playwright.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    reducedMotion: 'reduce',
    viewport: { width: 1360, height: 900 },
  },
  projects: [
    {
      name: 'web',
      // Specs other than web.spec.ts start their own browser host on a fresh workspace.
      testMatch: /\.spec\.ts$/,
      testIgnore: /electron\.spec\.ts$/,
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
            '--disable-quic',
          ],
        },
      },
    },
    { name: 'electron', testMatch: /electron\.spec\.ts/ },
  ],
  webServer: {
    command: `node out/main/web-server.js --port ${E2E_PORT} --workspace ${workspace}`,
    cwd: '..',
    url: `http://127.0.0.1:${E2E_PORT}/healthz`,
    reuseExistingServer: false,
    env: { ECOEVAL_BRIDGE_TOKEN: E2E_TOKEN },
    timeout: 30_000,
  },
});
