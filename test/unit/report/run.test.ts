// `ecoeval report run` and `report render` end to end on a temporary workspace: a plan over a
// tiny random model (two precisions) and outputs made elsewhere, on a dataset the plan imports,
// produces every output — report.html (self-contained, escaped, one chart per score), report.md,
// results.json (valid against its schema), results.csv (RFC 4180), runs/<id>/ — and running it
// again reuses the identical runs; a built-in dataset is installed on demand; a task that fails
// makes exit code 1 and is listed; an unknown dataset is a plan error (exit 2) naming the line;
// `render` makes the same report from existing runs.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { RESULTS_CSV_COLUMNS } from '../../../main/services/report/render/csv';
import { resultsSchema } from '../../../main/services/report/results-schema';
import type { ReportResults } from '../../../main/services/report/results-schema';
import { repoRoot } from '../../helpers/services';
import { tempDir } from '../../helpers/temp';
import { addTinyModel, tinyRows } from '../runs/helpers';
import { report, runFolders, writePlan } from './helpers';

const ROWS = 12;
const NASTY = '<b>oracle</b> & "co"';
let ws: string;
let dir: string;
let first: ReportResults;

const read = (...parts: string[]) => readFileSync(join(dir, ...parts), 'utf8');
const results = (out: string): ReportResults =>
  resultsSchema.parse(JSON.parse(read(out, 'results.json')));

beforeAll(async () => {
  ws = await tempDir('ecoeval-report-ws-');
  dir = await tempDir('ecoeval-report-plan-');
  await addTinyModel(ws);
  const { sources, references } = tinyRows(ROWS);
  await writeFile(join(dir, 'tiny.src'), sources.join('\n') + '\n');
  await writeFile(join(dir, 'tiny.ref'), references.join('\n') + '\n');
  await writeFile(join(dir, 'oracle.txt'), references.join('\n') + '\n');
  await writePlan(
    dir,
    'plan.yaml',
    `title: Tiny report <check> & "escape"
datasets:
  - { name: tiny set, kind: translation, source: tiny.src, references: [tiny.ref] }
systems:
  - { model: tiny, precision: [fp32, int8], batchSize: 4 }
  - outputs: oracle.txt
    name: '${NASTY}'
    codecarbon: ${join(repoRoot, 'test/fixtures/energy/emissions.csv')}
metrics: { use: [bleu, chrf, ter], bootstrap: 20, pairedResamples: 20 }
baseline: tiny fp32 greedy
tags: [tiny-report]
`,
  );
});

describe('ecoeval report run', () => {
  it('runs a plan and writes every output', { timeout: 180_000 }, async () => {
    const { code, err, out } = await report(
      ['run', 'plan.yaml', '--out', 'out', '--workspace', ws],
      {
        cwd: dir,
      },
    );
    expect(err).toContain('note: dataset "tiny set": imported as tiny-set');
    expect(err).toMatch(/\[1\/3\] tiny fp32 greedy on tiny-set\/test…/);
    expect(err).toMatch(/\[3\/3\] .*oracle.* done in [\d.]+ s: run /);
    expect(code).toBe(0);
    expect(out).toContain(join(dir, 'out', 'report.html'));
    expect(runFolders(ws)).toHaveLength(3);

    first = results('out');
    expect(first.title).toBe('Tiny report <check> & "escape"');
    expect(first.source).toMatchObject({ kind: 'plan', description: 'plan.yaml' });
    expect(first.runs.map((r) => r.system.label)).toEqual([
      'tiny fp32 greedy',
      'tiny int8 greedy',
      NASTY,
    ]);
    for (const run of first.runs) {
      expect(run.scores.map((s) => s.name)).toEqual(['BLEU', 'chrF2', 'TER']);
      expect(run.scores.every((s) => /nrefs:1\|bs:20\|seed:12345/.test(s.signature))).toBe(true);
      expect(run.tags).toContain('tiny-report');
      expect(run.energy?.components.every((c) => c.method.length > 0)).toBe(true);
    }
    const oracle = first.runs[2];
    expect(oracle.scores[0].score).toBeCloseTo(100, 5);
    expect(oracle.energy?.kind).toBe('imported');
    expect(oracle.carbon).toMatchObject({ country: 'FR', basis: 'recorded' });
    expect(first.baseline).toMatchObject({ system: 'tiny fp32 greedy', chosen: 'plan' });
    expect(first.comparisons.map((c) => c.metric)).toEqual(['BLEU', 'chrF2', 'TER']);
    for (const c of first.comparisons) {
      expect(c.baseline.run).toBe(first.runs[0].id);
      expect(c.systems.map((s) => s.run)).toEqual([first.runs[1].id, oracle.id]);
      expect(c.signature).toMatch(/bs:20/);
    }
    expect(first.failures).toEqual([]);

    // Per-run files: the record, the outputs and one CSV row per segment.
    for (const run of first.runs) {
      expect(run.files).toEqual({
        record: `runs/${run.id}/run.json`,
        outputs: `runs/${run.id}/outputs.txt`,
        segments: `runs/${run.id}/segments.csv`,
      });
      expect(JSON.parse(read('out', run.files.record)).id).toBe(run.id);
      expect(read('out', run.files.outputs!).split('\n')).toHaveLength(ROWS + 1);
      const segments = parse(read('out', run.files.segments!), { columns: true }) as Record<
        string,
        string
      >[];
      expect(segments).toHaveLength(ROWS);
      expect(Object.keys(segments[0])).toEqual([
        'line',
        'source',
        'reference',
        'hypothesis',
        'BLEU',
        'chrF2',
        'TER',
      ]);
    }

    // results.csv: RFC 4180, one row per run × score.
    const csv = read('out', 'results.csv');
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual([...RESULTS_CSV_COLUMNS]);
    expect(rows).toHaveLength(9);
    expect(rows.filter((r) => r.system === NASTY).map((r) => r.energy_kind)).toEqual([
      'imported',
      'imported',
      'imported',
    ]);
    expect(rows.find((r) => r.system === NASTY && r.score_name === 'BLEU')?.signature).toBe(
      oracle.scores[0].signature,
    );

    // report.html: one self-contained page, everything escaped.
    const html = read('out', 'report.html');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).toContain("default-src 'none'");
    expect((html.match(/<figure/g) ?? []).length).toBe(3);
    expect((html.match(/<svg/g) ?? []).length).toBe(3);
    expect(html).toContain('Pareto frontier');
    expect(html).toContain('&lt;b&gt;oracle&lt;/b&gt; &amp; &quot;co&quot;');
    expect(html).not.toContain('<b>oracle</b>');
    expect(html).toContain('<title>Tiny report &lt;check&gt; &amp; &quot;escape&quot;</title>');
    expect(html).toContain('k-imported');
    for (const run of first.runs) {
      for (const s of run.scores) expect(html).toContain(s.signature);
      expect(html).toContain(run.energy!.signature);
      expect(html).toContain(run.provenance.dataset.sha256);
      expect(html).toContain(run.provenance.outputsSha256);
    }
    // Each chart's SVG ids are its own.
    const ids = [...html.matchAll(/ id="(c\d+-[^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);

    // report.md: GitHub tables, escaped cells, signatures in a code block.
    const md = read('out', 'report.md');
    expect(md).toMatch(/^# Tiny report &lt;check&gt; &amp; "escape"/);
    expect(md).toContain('| System | BLEU [95% CI] | chrF2 [95% CI] | TER [95% CI] |');
    expect(md).toContain('&lt;b&gt;oracle&lt;/b&gt; &amp; "co"');
    expect(md).toContain(`  BLEU: ${oracle.scores[0].signature}`);

    const state = JSON.parse(read('out', 'report-state.json'));
    expect(state.status).toBe('finished');
    expect(state.tasks.map((t: { state: string }) => t.state)).toEqual(['done', 'done', 'done']);
  });

  it('reuses identical runs when run again', { timeout: 120_000 }, async () => {
    const before = runFolders(ws);
    const { code, err } = await report(['run', 'plan.yaml', '--out', 'out', '--workspace', ws], {
      cwd: dir,
    });
    expect(code).toBe(0);
    expect(err).toContain(
      'note: dataset "tiny set": same content as tiny-set, already imported; using it',
    );
    expect(err.match(/identical run exists/g)).toHaveLength(3);
    expect(runFolders(ws)).toEqual(before);
    expect(results('out').runs.map((r) => r.id)).toEqual(first.runs.map((r) => r.id));
  });

  it(
    'installs a built-in dataset on demand; a failed task exits 1 and is listed',
    { timeout: 120_000 },
    async () => {
      await writeFile(
        join(dir, 'grammar-hyps.txt'),
        readFileSync(join(repoRoot, 'datasets/grammar-en-xx/test.xx')),
      );
      await writePlan(
        dir,
        'builtin.yaml',
        `datasets: [grammar-en-xx]
systems:
  - { outputs: grammar-hyps.txt, name: copy }
  - outputs: grammar-hyps.txt
    name: broken energy
    codecarbon: ${join(repoRoot, 'test/fixtures/energy/emissions-bad.csv')}
metrics: [bleu]
energy: { measure: false }
tags: [builtin-report]
`,
      );
      const { code, err } = await report(
        ['run', 'builtin.yaml', '--out', 'builtin', '--workspace', ws],
        {
          cwd: dir,
        },
      );
      expect(err).toContain('note: dataset grammar-en-xx: built in, installed into the workspace');
      expect(err).toMatch(
        /\[2\/2\] FAILED broken energy on grammar-en-xx\/test: .*emissions-bad\.csv:3/,
      );
      expect(code).toBe(1);
      const r = results('builtin');
      expect(r.runs.map((x) => x.system.label)).toEqual(['copy']);
      expect(r.runs[0].dataset.key).toBe('grammar-en-xx/test');
      expect(r.failures).toEqual([
        expect.objectContaining({ task: 'broken energy on grammar-en-xx/test', run: null }),
      ]);
      expect(read('builtin', 'report.html')).toContain('1 task failed');
    },
  );

  it('names the plan line of a dataset the workspace does not have (exit 2)', async () => {
    await writePlan(
      dir,
      'unknown.yaml',
      'datasets:\n  - no-such-set\nsystems: [{ model: tiny }]\n',
    );
    const { code, err } = await report(['run', 'unknown.yaml', '--out', 'x', '--workspace', ws], {
      cwd: dir,
    });
    expect(code).toBe(2);
    expect(err).toContain(
      'unknown.yaml:2:5: datasets[0]: no dataset "no-such-set" in the workspace',
    );
    expect(existsSync(join(dir, 'x', 'report.html'))).toBe(false);
  });
});

describe('ecoeval report render', () => {
  it('makes the report from existing runs, nothing evaluated', { timeout: 60_000 }, async () => {
    const before = runFolders(ws);
    const oracle = first.runs[2].id;
    const { code, err } = await report(
      [
        'render',
        '--tag',
        'tiny-report',
        '--out',
        'rendered',
        '--baseline',
        oracle,
        '--title',
        'Again',
        '--country',
        'DE',
        '--workspace',
        ws,
      ],
      { cwd: dir },
    );
    expect(err).toContain('Report: ');
    expect(code).toBe(0);
    expect(runFolders(ws)).toEqual(before);
    const r = results('rendered');
    expect(r.title).toBe('Again');
    expect(r.source).toEqual({ kind: 'runs', description: '--tag tiny-report', sha256: null });
    expect(r.runs.map((x) => x.id).sort()).toEqual(first.runs.map((x) => x.id).sort());
    expect(r.baseline).toMatchObject({ system: NASTY, chosen: 'option', runs: [{ run: oracle }] });
    expect(r.comparisons[0].baseline.run).toBe(oracle);
    // Carbon recomputed for Germany, with the table's source; the recorded one stays in run.json.
    expect(r.runs.every((x) => x.carbon?.country === 'DE' && x.carbon.basis === 'report')).toBe(
      true,
    );
    expect(r.runs[0].carbon?.source).toMatch(/Germany/);
    for (const f of ['report.html', 'report.md', 'results.csv'])
      expect(existsSync(join(dir, 'rendered', f))).toBe(true);

    const two = await report(
      [
        'render',
        '--runs',
        `${first.runs[0].id},${first.runs[1].id}`,
        '--out',
        'two',
        '--workspace',
        ws,
      ],
      { cwd: dir },
    );
    expect(two.code).toBe(0);
    expect(results('two').runs.map((x) => x.id)).toEqual([first.runs[0].id, first.runs[1].id]);
    expect(results('two').baseline).toMatchObject({
      system: 'tiny fp32 greedy',
      chosen: 'default',
    });
  });

  it('refuses unknown runs, a folder inside the workspace, and a foreign runs/ folder', async () => {
    const missing = await report(['render', '--runs', 'nope', '--out', 'n', '--workspace', ws], {
      cwd: dir,
    });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('No run with id "nope"');
    const inside = await report(['render', '--all', '--out', join(ws, 'r'), '--workspace', ws], {
      cwd: dir,
    });
    expect(inside.code).toBe(2);
    expect(inside.err).toContain('is inside the workspace');
    const foreign = await tempDir('ecoeval-report-foreign-');
    await writeFile(join(foreign, 'keep.txt'), 'mine');
    await mkdir(join(foreign, 'runs'));
    await writeFile(join(foreign, 'runs', 'notes.txt'), 'not a report');
    const refused = await report(['render', '--all', '--out', foreign, '--workspace', ws], {
      cwd: dir,
    });
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("is not an EcoEval report's runs folder");
    expect(readFileSync(join(foreign, 'runs', 'notes.txt'), 'utf8')).toBe('not a report');
  });
});
