// The desktop app under Playwright's Electron driver. Runs only where the Electron binary was
// downloaded; it is located without `require('electron')`, which would try to download it.
import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluationFlow } from './support/evaluation-flow';

const root = join(import.meta.dirname, '..', '..');

function electronBinary(): string | null {
  if (process.env.ELECTRON_EXEC_PATH && existsSync(process.env.ELECTRON_EXEC_PATH))
    return process.env.ELECTRON_EXEC_PATH;
  const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(
    root,
    'node_modules',
    'electron',
    'dist',
    readFileSync(pathFile, 'utf8').trim(),
  );
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();

test('desktop app opens the Datasets page through the sandboxed preload', async () => {
  test.skip(
    !binary,
    'Electron binary not installed (node_modules/electron/path.txt + dist/ missing; set ELECTRON_EXEC_PATH or run `npx install-electron` with network access)',
  );
  const app = await electron.launch({
    executablePath: binary!,
    args: [root],
    env: { ...process.env, ECOEVAL_WORKSPACE: join(root, '.tmp', 'electron-ws') },
  });
  const window = await app.firstWindow();
  await expect(window.getByTestId('transport')).toHaveText('electron');
  expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe(
    'undefined',
  );
  await app.close();
});

// Playwright insists on a destructuring pattern for the fixtures argument, even an empty one.
// eslint-disable-next-line no-empty-pattern
test('desktop app runs the evaluation flow of the browser host', async ({}, testInfo) => {
  test.skip(
    !binary,
    'Electron binary not installed (node_modules/electron/path.txt + dist/ missing; set ELECTRON_EXEC_PATH or run `npx install-electron` with network access)',
  );
  test.setTimeout(300_000);
  const workspace = mkdtempSync(join(tmpdir(), 'ecoeval-electron-flow-'));
  const app = await electron.launch({
    executablePath: binary!,
    args: [root],
    env: { ...process.env, ECOEVAL_WORKSPACE: workspace },
  });
  try {
    const window = await app.firstWindow();
    await evaluationFlow(window, testInfo, {
      transport: 'electron',
      // The long-task observer is installed for the next document: reload once.
      load: (page) => page.reload(),
      // Electron saves downloads through its own session; the flow checks the button only.
      checkDownload: false,
    });
  } finally {
    await app.close();
    rmSync(workspace, { recursive: true, force: true });
  }
});
