// Evaluation end to end in the browser host (the flow itself: support/evaluation-flow.ts). It
// starts its own browser host on a fresh workspace, so it neither depends on nor disturbs
// web.spec.ts (which expects a first launch).
import { test } from '@playwright/test';
import type { OwnHost } from './support/own-host';
import { startOwnHost } from './support/own-host';
import { evaluationFlow } from './support/evaluation-flow';

const PORT = Number(process.env.ECOEVAL_E2E_EVAL_PORT ?? 5188);
const TOKEN = 'e2e0evaluation0token0only0000000';

let host: OwnHost | null = null;

test.use({ baseURL: `http://127.0.0.1:${PORT}` });
test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  host = await startOwnHost(PORT, TOKEN);
});

test.afterAll(() => {
  host?.stop();
  host = null;
});

test('evaluates a trained model in two precisions and follows the runs through every page', async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  await evaluationFlow(page, testInfo, {
    transport: 'websocket',
    load: (p) => p.goto(`/?token=${TOKEN}`),
    checkDownload: true,
  });
});
