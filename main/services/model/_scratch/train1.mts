import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Workspace } from '../../workspace/workspace';
import { DatasetService } from '../../datasets/service';
import { runTraining } from '../trainer';
const ws = process.argv[2] || mkdtempSync(join(tmpdir(), 'ecoeval-ws-'));
const w = await Workspace.open(ws);
const ds = new DatasetService(w, { builtinDir: '/work/main/datasets' });
const job = { id: 'x', signal: new AbortController().signal, progress() {}, throwIfCancelled() {} };
await ds.installBuiltins(['grammar-en-xx'], job);
console.log('ws', ws);
const t0 = Date.now();
const steps = Number(process.argv[3] ?? 300);
const rec = await runTraining(
  { workspaceDir: ws, dataset: 'grammar-en-xx', preset: (process.argv[4] ?? 'tiny') as any, steps, model: { vocabSize: Number(process.argv[5] ?? 1000), dropout: 0.1 }, options: { energy: 'off', trainRows: process.argv[6] ? Number(process.argv[6]) : null, validSentences: 200, bleuSentences: 100 } },
  { onEvent: (e) => { if (e.type === 'progress') console.log(`step ${e.step} loss ${e.loss.toFixed(3)} lr ${e.learningRate.toExponential(2)} ${e.tokensPerSecond.toFixed(0)} tok/s eta ${e.etaS?.toFixed(0)}`); else if (e.type === 'validation') console.log('VALID', JSON.stringify(e.point)); else if (e.type !== 'checkpoint') console.log(e.type, e.type === 'log' ? e.message : ''); } },
);
console.log('done', rec.status, rec.stopReason, rec.step, rec.tokens, ((Date.now() - t0) / 1000).toFixed(1), 's');
