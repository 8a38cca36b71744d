// Report plans: a good plan expands (precision lists, defaults, paths relative to the plan), and
// each kind of mistake is reported with the file, the line, the column and what to do — syntax
// errors, unknown keys (with a suggestion), wrong values inside lists, contradictory keys,
// unsupported energy settings, a baseline naming no system, JSON plans too — and the CLI exits 2.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPlan } from '../../../main/services/report/plan';
import { PlanError } from '../../../main/services/report/plan-source';
import { repoRoot } from '../../helpers/services';
import { tempDir } from '../../helpers/temp';
import { report, writePlan } from './helpers';

let dir: string;

beforeAll(async () => {
  dir = await tempDir('ecoeval-plan-');
  await mkdir(join(dir, 'data'));
  await writeFile(join(dir, 'data', 'src.txt'), 'a b\nc d\n');
  await writeFile(join(dir, 'data', 'ref.txt'), 'b a\nd c\n');
  await writeFile(join(dir, 'data', 'hyp.txt'), 'b a\nd c\n');
});

async function problems(text: string, name = 'plan.yaml'): Promise<PlanError> {
  await writePlan(dir, name, text);
  try {
    await loadPlan(name, dir);
  } catch (error) {
    if (error instanceof PlanError) return error;
    throw error;
  }
  throw new Error('the plan was accepted');
}

describe('loadPlan', () => {
  it('expands a plan: one system per precision, defaults, paths against the plan folder', async () => {
    const file = await writePlan(
      dir,
      'good.yaml',
      `title: Tiny
datasets:
  - grammar-en-xx
  - { name: my set, kind: translation, source: data/src.txt, references: [data/ref.txt], split: dev }
systems:
  - model: tiny
    precision: [fp32, int8]
    beam: 2
  - outputs: data/hyp.txt
    name: oracle
    dataset: my set
metrics: [bleu, chrf]
energy: { measure: false, repeats: 2, country: fra, overhead: 1.1 }
chart: { unit: Wh, scale: total }
baseline: tiny fp32 beam 2
tags: [t1]
`,
    );
    const plan = await loadPlan('good.yaml', dir);
    expect(plan.file).toBe(file);
    expect(plan.title).toBe('Tiny');
    expect(plan.datasets).toMatchObject([
      { kind: 'id', id: 'grammar-en-xx', split: 'test' },
      {
        kind: 'import',
        split: 'dev',
        label: 'my set',
        request: { format: 'text', sourceFile: { path: join(dir, 'data', 'src.txt') } },
      },
    ]);
    expect(plan.systems.map((s) => s.label)).toEqual([
      'tiny fp32 beam 2',
      'tiny int8 beam 2',
      'oracle',
    ]);
    expect(plan.systems[2]).toMatchObject({ type: 'outputs', dataset: 1 });
    expect(plan.systems[0].spec).toMatchObject({
      provider: 'auto',
      batchSize: 32,
      lengthPenalty: 1,
    });
    expect(plan.metrics).toEqual(['bleu', 'chrf']);
    expect(plan.scoring).toEqual({ bootstrap: 1000, seed: 12345, pairedResamples: 1000 });
    expect(plan.energy).toEqual({ measure: false, country: 'FR', overhead: 1.1, repeats: 2 });
    expect(plan.chart.energy).toMatchObject({ unit: 'Wh', scale: 'total' });
    expect(plan.baseline).toBe('tiny fp32 beam 2');
    expect(plan.warnings.join(' ')).toContain('energy measurement is off');
  });

  it('accepts the documented example plan', async () => {
    const plan = await loadPlan('examples/report-plan.yaml', repoRoot);
    expect(plan.systems.map((s) => s.label)).toEqual([
      'demo-tiny fp32 greedy',
      'demo-tiny fp16 greedy',
      'demo-tiny int8 greedy',
      'demo-tiny fp32 beam 4',
    ]);
    expect(plan.systems[0]).toMatchObject({
      bundle: join(repoRoot, 'datasets/demo/models/demo-tiny'),
    });
    expect(plan.datasets).toMatchObject([{ kind: 'id', id: 'grammar-en-xx', split: 'test' }]);
    expect(plan.baseline).toBe('demo-tiny fp32 greedy');
  });

  it('names the line of a YAML syntax error', async () => {
    const e = await problems('datasets:\n  - grammar-en-xx\nsystems: [\n  model: x\n');
    expect(e.problems[0].line).toBeGreaterThanOrEqual(3);
    expect(e.describe()).toMatch(/^plan\.yaml:\d+:\d+: not valid YAML or JSON/);
  });

  it('points at a misspelt key and suggests the right one', async () => {
    const e = await problems(`datasets: [grammar-en-xx]
systems:
  - model: tiny
    precison: int8
`);
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toMatchObject({ line: 4, col: 5, where: 'systems[0]' });
    expect(e.problems[0].message).toBe('unknown key "precison"; did you mean "precision"?');
    // The code frame shows the line with a caret under the key.
    expect(e.describe()).toContain('  4 |     precison: int8\n    |     ^');
  });

  it('names the line and column of a bad value inside a list', async () => {
    const e = await problems(`datasets: [grammar-en-xx]
systems:
  - model: tiny
    precision: [fp32, fp64]
    beam: 0
`);
    expect(e.problems.map((p) => [p.line, p.col, p.where])).toEqual([
      [4, 23, 'systems[0].precision[1]'],
      [5, 11, 'systems[0].beam'],
    ]);
    expect(e.problems[0].message).toMatch(/fp32.*fp16.*int8/);
  });

  it('reports contradictory and missing keys with what to do', async () => {
    const e = await problems(`datasets:
  - dataset: grammar-en-xx
    source: data/src.txt
  - { name: x, source: data/missing.txt }
systems:
  - model: tiny
    outputs: data/hyp.txt
  - beam: 2
`);
    const text = e.describe();
    expect(text).toMatch(/plan\.yaml:3:13: datasets\[0\]\.source: give either `dataset:`/);
    expect(text).toMatch(/plan\.yaml:4:\d+: datasets\[1\]: an imported dataset needs `kind:`/);
    expect(text).toMatch(
      /plan\.yaml:4:\d+: datasets\[1\]\.source: data\/missing\.txt: no such file/,
    );
    expect(text).toMatch(/plan\.yaml:7:14: systems\[0\]\.outputs: a system is a model/);
    expect(text).toMatch(/plan\.yaml:8:\d+: systems\[1\]: a system needs `model: ID`/);
  });

  it('rejects energy settings evaluation runs cannot apply, and unknown countries', async () => {
    const e = await problems(`datasets: [grammar-en-xx]
systems: [{ model: tiny }]
energy:
  idleBaseline: true
  country: XQ
`);
    expect(e.problems.map((p) => p.line)).toEqual([4, 5]);
    expect(e.problems[0].message).toContain('idle baseline is not supported for evaluation runs');
    expect(e.problems[1].message).toContain('no grid intensity for country "XQ"');
  });

  it('requires a baseline that names a system, and one system per label', async () => {
    const e = await problems(`datasets: [grammar-en-xx]
systems:
  - { model: tiny, precision: [fp32, int8] }
  - { model: tiny }
baseline: tiny
`);
    expect(e.problems.map((p) => [p.line, p.where])).toEqual([
      [4, 'systems[1]'],
      [5, 'baseline'],
    ]);
    expect(e.problems[0].message).toContain('"tiny fp32 greedy" is already systems[0]');
    expect(e.problems[1].message).toContain('"tiny fp32 greedy", "tiny int8 greedy"');
  });

  it('gives JSON plans line numbers too', async () => {
    const e = await problems(
      '{\n  "datasets": ["grammar-en-xx"],\n  "systems": [\n    { "model": "tiny", "beam": "four" }\n  ]\n}\n',
      'plan.json',
    );
    expect(e.problems[0]).toMatchObject({ line: 4, where: 'systems[0].beam' });
    expect(e.describe()).toMatch(/^plan\.json:4:\d+: systems\[0\]\.beam: .*expected number/);
  });

  it('says so when the plan file is missing', async () => {
    const e = await problems('').catch(() => null);
    expect(e?.describe()).toMatch(/plan\.yaml:1:1: datasets is required/);
    await expect(loadPlan('nope.yaml', dir)).rejects.toThrow(/nope\.yaml:1:1: no such file/);
  });
});

describe('ecoeval report run with a bad plan', () => {
  it('exits 2 and names the line, without a stack trace', async () => {
    await writePlan(
      dir,
      'bad.yaml',
      'datasets: [grammar-en-xx]\nsystems:\n  - model: tiny\n    beam: -1\n',
    );
    const { code, err } = await report(['run', 'bad.yaml', '--out', 'out'], { cwd: dir });
    expect(code).toBe(2);
    expect(err).toContain('bad.yaml:4:11: systems[0].beam:');
    expect(err).not.toMatch(/at .*\.ts:\d+/);
  });

  it('exits 2 on usage mistakes', async () => {
    expect((await report(['run'], { cwd: dir })).code).toBe(2);
    expect((await report(['render', '--out', 'x'], { cwd: dir })).err).toContain(
      'one of --runs ID[,ID...], --tag TAG or --all',
    );
    expect((await report(['frobnicate'], { cwd: dir })).code).toBe(2);
  });
});
