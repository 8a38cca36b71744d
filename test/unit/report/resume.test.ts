// Interrupting `ecoeval report run` (Ctrl-C as the second task starts) cancels that job, leaves
// no partial run and a state file listing only the finished task; `--resume` then finishes the
// plan without redoing that task — even with --force, which otherwise redoes every run.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stateSchema } from '../../../main/services/report/state';
import { resultsSchema } from '../../../main/services/report/results-schema';
import { tempDir } from '../../helpers/temp';
import { addTinyModel, tinyRows } from '../runs/helpers';
import { report, runFolders, writePlan } from './helpers';

let ws: string;
let dir: string;

const state = () =>
  stateSchema.parse(JSON.parse(readFileSync(join(dir, 'out', 'report-state.json'), 'utf8')));

beforeAll(async () => {
  ws = await tempDir('ecoeval-resume-ws-');
  dir = await tempDir('ecoeval-resume-plan-');
  await addTinyModel(ws);
  const { sources, references } = tinyRows(8);
  await writeFile(join(dir, 'set.src'), sources.join('\n') + '\n');
  await writeFile(join(dir, 'set.ref'), references.join('\n') + '\n');
  await writePlan(
    dir,
    'plan.yaml',
    `datasets:
  - { name: resume set, kind: translation, source: set.src, references: [set.ref] }
systems:
  - { model: tiny, precision: [fp32, int8], batchSize: 2 }
metrics: { use: [bleu], bootstrap: 0, pairedResamples: 10 }
energy: { measure: false }
`,
  );
});

describe('ecoeval report run --resume', () => {
  it(
    'stops cleanly on Ctrl-C and resumes without redoing finished runs',
    { timeout: 180_000 },
    async () => {
      const argv = ['run', 'plan.yaml', '--out', 'out', '--workspace', ws, '--force'];
      const stopped = await report(argv, { cwd: dir, abortOn: /^\[2\/2\] / });
      expect(stopped.code).toBe(130);
      expect(stopped.err).toContain('cancelled; 1 of 2 task(s) finished');
      expect(stopped.err).toContain('--resume');
      const [kept] = runFolders(ws);
      expect(runFolders(ws)).toEqual([kept]);
      expect(readdirSync(join(ws, '.staging'))).toEqual([]);
      expect(existsSync(join(dir, 'out', 'report.html'))).toBe(false);
      const interrupted = state();
      expect(interrupted.status).toBe('interrupted');
      expect(interrupted.tasks).toEqual([
        expect.objectContaining({
          label: 'tiny fp32 greedy on resume-set/test',
          state: 'done',
          runId: kept,
          how: 'ran',
        }),
      ]);

      const resumed = await report([...argv, '--resume'], { cwd: dir });
      expect(resumed.err).toContain(
        `[1/2] tiny fp32 greedy on resume-set/test: finished before the interruption: run ${kept}`,
      );
      expect(resumed.code).toBe(0);
      const folders = runFolders(ws);
      expect(folders).toHaveLength(2);
      expect(folders).toContain(kept);
      const finished = state();
      expect(finished.status).toBe('finished');
      expect(finished.tasks.map((t) => [t.runId === kept, t.how])).toEqual([
        [true, 'resumed'],
        [false, 'ran'],
      ]);
      const results = resultsSchema.parse(
        JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8')),
      );
      expect(results.runs.map((r) => r.id)).toEqual([kept, folders.find((f) => f !== kept)]);

      // Without --resume, --force redoes everything.
      const again = await report(argv, { cwd: dir });
      expect(again.code).toBe(0);
      expect(runFolders(ws)).toHaveLength(4);
    },
  );

  it(
    'gives each repeat a run of its own and reuses them next time',
    { timeout: 180_000 },
    async () => {
      await writePlan(
        dir,
        'repeats.yaml',
        `datasets:
  - { name: resume set, kind: translation, source: set.src, references: [set.ref] }
systems:
  - { model: tiny, batchSize: 2 }
metrics: { use: [bleu], bootstrap: 0 }
energy: { repeats: 3 }
`,
      );
      const before = runFolders(ws).length;
      const argv = ['run', 'repeats.yaml', '--out', 'repeats', '--workspace', ws];
      const first = await report(argv, { cwd: dir });
      expect(first.code).toBe(0);
      // The earlier runs were made with energy off: no answer to a plan that measures.
      expect(first.err).not.toContain('identical run exists');
      expect(first.err).toContain(
        '[3/3] tiny fp32 greedy on resume-set/test (repeat 3 of 3): done',
      );
      expect(runFolders(ws)).toHaveLength(before + 3);
      const read = () =>
        resultsSchema.parse(JSON.parse(readFileSync(join(dir, 'repeats', 'results.json'), 'utf8')));
      const ids = read().runs.map((r) => r.id);
      expect(new Set(ids).size).toBe(3);
      expect(read().repeats).toEqual([
        expect.objectContaining({ system: 'tiny fp32 greedy', n: 3, runs: ids }),
      ]);
      expect(read().repeats[0].ci95J).toHaveLength(2);

      const again = await report(argv, { cwd: dir });
      expect(again.code).toBe(0);
      expect(again.err.match(/identical run exists/g)).toHaveLength(3);
      expect(runFolders(ws)).toHaveLength(before + 3);
      expect(
        read()
          .runs.map((r) => r.id)
          .sort(),
      ).toEqual([...ids].sort());
    },
  );
});
