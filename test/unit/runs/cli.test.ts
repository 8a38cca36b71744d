// `ecoeval evaluate` and `ecoeval runs` end to end on a temporary workspace: a model evaluated
// in the evaluator child, scored and saved, printed with signatures and its energy's method and
// grade; the identical-run skip and --force; imported outputs with a CodeCarbon report; the
// named error for a wrong line count; Ctrl-C leaving no run; list, show, export and delete.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateCommand } from '../../../main/cli/evaluate';
import { runCli } from '../../../main/cli/index';
import { captureIO } from '../../../main/cli/io';
import type { CliCommand } from '../../../main/cli/io';
import { runsCommand } from '../../../main/cli/runs';
import type { RunList, RunRecord } from '../../../shared/api/types';
import { repoRoot } from '../../helpers/services';
import { addTinyModel, importTinyDataset, runServices, tinyRows } from './helpers';
import type { RunServices } from './helpers';

let s: RunServices;
let dataset: string;

beforeAll(async () => {
  s = await runServices();
  dataset = await importTinyDataset(s, 'cli set', 12);
  await addTinyModel(s.root);
  await s.queue.close();
  writeFileSync(join(s.root, 'good.txt'), tinyRows(12).references.join('\n') + '\n');
  writeFileSync(join(s.root, 'short.txt'), 'only\ntwo\n');
});

async function run(command: CliCommand, argv: string[], signal?: AbortSignal) {
  const io = captureIO({ cwd: s.root, env: { ECOEVAL_WORKSPACE: s.root } });
  const code = await command(argv, signal ? { ...io, signal } : io);
  return { code, out: io.out(), err: io.err() };
}

const runFolders = () =>
  readdirSync(join(s.root, 'runs')).filter((f) => !f.endsWith('.json') && !f.startsWith('.'));

let modelRun: RunRecord;

describe('ecoeval evaluate', () => {
  it('evaluates a model, scores it, and prints the saved run as JSON', async () => {
    const { code, out, err } = await run(evaluateCommand, [
      '--model',
      'tiny',
      '--dataset',
      dataset,
      '--metrics',
      'bleu,chrf',
      '--batch',
      '4',
      '--bootstrap',
      '20',
      '--json',
    ]);
    expect(err).toContain(`Evaluate tiny fp32 greedy on ${dataset}/test`);
    expect(code).toBe(0);
    const { skipped, run: record } = JSON.parse(out) as { skipped: boolean; run: RunRecord };
    expect(skipped).toBe(false);
    expect(record.state).toBe('complete');
    expect(record.scores.map((x) => x.name)).toEqual(['BLEU', 'chrF2']);
    expect(record.scores[0].signature).toMatch(/nrefs:1\|.*bs:20/);
    expect(record.energy?.components.every((c) => c.method.length > 0)).toBe(true);
    expect(record.provenance.host).toBe('cli');
    modelRun = record;
  });

  it('shows the identical run instead of evaluating again, and --force runs it again', async () => {
    const argv = [
      '--model',
      'tiny',
      '--dataset',
      dataset,
      '--metrics',
      'chrf,bleu',
      '--batch',
      '4',
    ];
    const again = await run(evaluateCommand, argv);
    expect(again.code).toBe(0);
    expect(again.err).toContain(`An identical run exists: ${modelRun.id}`);
    expect(again.out).toContain(`[${modelRun.id}]`);
    expect(again.out).toMatch(/BLEU = [\d.]+/);
    expect(again.out).toMatch(/signature: nrefs:1/);
    expect(again.out).toMatch(/energy: .* \[.* – .*\], (estimated|measured), grade [A-D]/);
    expect(runFolders()).toHaveLength(1);
    const forced = await run(evaluateCommand, [...argv, '--force', '--json']);
    expect(forced.code).toBe(0);
    const { run: second } = JSON.parse(forced.out) as { run: RunRecord };
    expect(second.id).not.toBe(modelRun.id);
    expect(runFolders()).toHaveLength(2);
  });

  it('imports outputs with a CodeCarbon report as an imported, never measured, figure', async () => {
    const { code, out } = await run(evaluateCommand, [
      '--outputs',
      'good.txt',
      '--name',
      'oracle',
      '--codecarbon',
      join(repoRoot, 'test/fixtures/energy/emissions.csv'),
      '--dataset',
      dataset,
      '--metrics',
      'bleu',
      '--bootstrap',
      '0',
      '--json',
    ]);
    expect(code).toBe(0);
    const { run: record } = JSON.parse(out) as { run: RunRecord };
    expect(record.system.label).toBe('oracle');
    expect(record.scores[0].score).toBeCloseTo(100, 5);
    expect(record.energy?.kind).toBe('imported');
    expect(record.energy?.components.map((c) => c.method)).toEqual(['imported', 'imported']);
    // The last row of the file, France's grid.
    expect(record.energy?.joules).toBeCloseTo(0.0103 * 3.6e6, 0);
    expect(record.energy?.carbon?.country).toBe('FR');
    expect(record.provenance.backend).toBe('imported');
  });

  it('names the file and both counts when the outputs do not line up', async () => {
    const { code, err } = await run(evaluateCommand, [
      '--outputs',
      'short.txt',
      '--dataset',
      dataset,
    ]);
    expect(code).toBe(1);
    expect(err).toMatch(/short\.txt: 2 lines, but cli-set\/test has 12 segments/);
    expect(err).not.toMatch(/at .*\.ts:\d+/);
  });

  it('rejects bad usage with exit code 2', async () => {
    expect((await run(evaluateCommand, ['--dataset', dataset])).code).toBe(2);
    expect((await run(evaluateCommand, ['--model', 'tiny'])).code).toBe(2);
    const both = await run(evaluateCommand, [
      '--model',
      'tiny',
      '--outputs',
      'x',
      '--dataset',
      dataset,
    ]);
    expect(both.err).toContain('either --model ID or --outputs FILE');
    const metric = await run(evaluateCommand, [
      '--model',
      'tiny',
      '--dataset',
      dataset,
      '--metrics',
      'bleu,meteor',
    ]);
    expect(metric.code).toBe(2);
    expect(metric.err).toContain('"meteor" is not one');
  });

  it('stops cleanly on Ctrl-C and saves nothing', async () => {
    const before = runFolders();
    const controller = new AbortController();
    const io = captureIO({ cwd: s.root, env: { ECOEVAL_WORKSPACE: s.root } });
    const stderr = io.stderr;
    // Ctrl-C as soon as the job is under way.
    io.stderr = (text) => {
      stderr(text);
      if (text.startsWith('Evaluate ')) controller.abort();
    };
    const code = await evaluateCommand(
      ['--model', 'tiny', '--dataset', dataset, '--metrics', 'bleu', '--force', '--batch', '1'],
      { ...io, signal: controller.signal },
    );
    expect(code).toBe(130);
    expect(io.err()).toContain('cancelled');
    expect(runFolders()).toEqual(before);
    expect(readdirSync(join(s.root, '.staging'))).toEqual([]);
  });

  it('is listed in the top-level help', async () => {
    const io = captureIO();
    await runCli(['--help'], io);
    expect(io.out()).toMatch(/evaluate +Evaluate a model/);
    expect(io.out()).toMatch(/runs +Manage evaluation runs/);
  });
});

describe('ecoeval runs', () => {
  it('lists, shows, renames, tags, exports and deletes runs', async () => {
    const list = await run(runsCommand, ['list', '--json']);
    expect(list.code).toBe(0);
    const { runs, broken } = JSON.parse(list.out) as RunList;
    expect(runs).toHaveLength(3);
    expect(broken).toEqual([]);
    expect(runs[0].createdAt >= runs[2].createdAt).toBe(true);
    const text = await run(runsCommand, ['list']);
    expect(text.out).toContain(modelRun.id);
    expect(text.out).toMatch(/imported, grade [A-D]/);

    const show = await run(runsCommand, ['show', modelRun.id]);
    expect(show.code).toBe(0);
    expect(show.out).toContain('provenance: EcoEval');
    expect(show.out).toMatch(/throughput: [\d.]+ segments\/s/);

    const exported = await run(runsCommand, ['export', modelRun.id, '--out', 'exported', '--json']);
    expect(exported.code).toBe(0);
    const { files } = JSON.parse(exported.out) as { files: string[] };
    expect(files.map((f) => f.split('/').pop()).sort()).toEqual(
      [
        `${modelRun.id}.outputs.txt`,
        `${modelRun.id}.run.json`,
        `${modelRun.id}.segments.json`,
      ].sort(),
    );
    for (const f of files) expect(existsSync(f)).toBe(true);

    const renamed = await run(runsCommand, ['rename', modelRun.id, 'tiny, greedy']);
    expect([renamed.code, renamed.out]).toEqual([0, `Renamed run ${modelRun.id}: tiny, greedy\n`]);
    const tagged = await run(runsCommand, ['tag', modelRun.id, 'baseline', 'cpu', '--json']);
    expect(tagged.code).toBe(0);
    expect(JSON.parse(tagged.out)).toMatchObject({
      name: 'tiny, greedy',
      tags: ['baseline', 'cpu'],
    });
    expect((await run(runsCommand, ['tag', modelRun.id])).out).toBe(
      `Run ${modelRun.id} has no tags\n`,
    );
    expect((await run(runsCommand, ['rename', modelRun.id])).code).toBe(2);

    const refused = await run(runsCommand, ['delete', modelRun.id]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('--yes');
    const deleted = await run(runsCommand, ['delete', modelRun.id, '--yes']);
    expect(deleted.code).toBe(0);
    expect(existsSync(join(s.root, 'runs', modelRun.id))).toBe(false);
    const missing = await run(runsCommand, ['show', modelRun.id]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`No run with id "${modelRun.id}"`);
  });
});

afterAll(() => s.queue.close());
