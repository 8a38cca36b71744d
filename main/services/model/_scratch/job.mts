import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Workspace } from '../../workspace/workspace';
import { DatasetService } from '../../datasets/service';
import { startTraining } from '../training-job';
const ws = mkdtempSync(join(tmpdir(), 'ecoeval-ws-'));
const w = await Workspace.open(ws);
const ds = new DatasetService(w, { builtinDir: '/work/main/datasets' });
await ds.installBuiltins(['grammar-en-xx'], { id: 'x', signal: new AbortController().signal, progress() {}, throwIfCancelled() {} });
const t0 = Date.now();
const handle = startTraining({ workspaceDir: ws, dataset: 'grammar-en-xx', preset: 'tiny', backend: 'wasm', steps: 5000, model: { vocabSize: 300, maxLength: 48 }, options: { trainRows: 400, batchTokens: 300, validSplit: null, evalEvery: 0, energy: 'off', warmupSteps: 20 } }, {
  onEvent: (e) => { console.log((Date.now() - t0) / 1000, e.type, e.type === 'progress' ? e.step : ''); if (e.type === 'progress' && e.step >= 3) handle.cancel(); },
});
const r = await handle.done;
console.log('done', r.record.status, r.record.step, (Date.now() - t0) / 1000);
