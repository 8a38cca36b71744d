// The published JSON Schema of results.json is the one the zod schema generates (regenerate with
// `npx ecoeval report schema > docs/schemas/results.schema.json && npx prettier --write
// docs/schemas/results.schema.json`), and the renderers' building blocks escape what they must:
// RFC 4180 CSV fields, Markdown table cells, HTML text, and SVG ids scoped per chart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderChartSvg } from '../../../shared/chart/accuracy-energy';
import { csvField, csvRows } from '../../../main/services/report/render/csv';
import { esc, scopeSvgIds } from '../../../main/services/report/render/html';
import { cell } from '../../../main/services/report/render/markdown';
import { resultsJsonSchema, resultsSchema } from '../../../main/services/report/results-schema';
import { repoRoot } from '../../helpers/services';
import { makeRun } from '../evaluation/run-factory';
import { report } from './helpers';

describe('results.json schema', () => {
  it('is committed as generated', () => {
    const committed = JSON.parse(
      readFileSync(join(repoRoot, 'docs/schemas/results.schema.json'), 'utf8'),
    );
    expect(committed).toEqual(resultsJsonSchema());
    expect(committed.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(committed.required).toEqual(expect.arrayContaining(['schema', 'runs', 'comparisons']));
  });

  it('is printed by `ecoeval report schema`', async () => {
    const { code, out } = await report(['schema'], { cwd: repoRoot });
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual(resultsJsonSchema());
  });

  it('rejects documents that stray from it', () => {
    const minimal = {
      schema: 1,
      generator: { name: 'EcoEval', version: '0.1.0' },
      title: 't',
      generatedAt: '2026-01-01T00:00:00.000Z',
      source: { kind: 'runs', description: '--all', sha256: null },
      settings: {
        chart: { unit: 'J', scale: 'total', includeTraining: false, amortiseOver: 1, metrics: [] },
        carbon: { country: null, overheadFactor: 1 },
        pairedResamples: 1000,
        seed: 12345,
      },
      baseline: null,
      datasets: [],
      runs: [],
      comparisons: [],
      repeats: [],
      failures: [],
      warnings: [],
    };
    expect(resultsSchema.safeParse(minimal).success).toBe(true);
    expect(resultsSchema.safeParse({ ...minimal, extra: 1 }).success).toBe(false);
    expect(resultsSchema.safeParse({ ...minimal, schema: 2 }).success).toBe(false);
  });
});

describe('renderer escaping', () => {
  it('quotes CSV fields as RFC 4180 says', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('he said "hi"')).toBe('"he said ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(null)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(0.5)).toBe('0.5');
    expect(
      csvRows([
        ['a', 'b,c'],
        [1, true],
      ]),
    ).toBe('a,"b,c"\r\n1,true\r\n');
  });

  it('keeps Markdown table cells whole', () => {
    expect(cell('a|b')).toBe('a\\|b');
    expect(cell('<script> & *x*')).toBe('&lt;script&gt; &amp; \\*x\\*');
    expect(cell('one\ntwo')).toBe('one two');
  });

  it('escapes HTML text and attributes', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });

  it('gives every chart of a page its own SVG ids', () => {
    const settings = {
      metric: 'BLEU',
      theme: 'light' as const,
      interactive: false,
      energy: {
        unit: 'J' as const,
        scale: 'total' as const,
        includeTraining: false,
        amortiseOver: 1,
      },
    };
    const svg = renderChartSvg([makeRun('a'), makeRun('b', { joules: 900, bleu: 35 })], settings, {
      width: 400,
      height: 300,
    });
    expect(svg).toMatch(/id="zr\d+-/);
    const one = scopeSvgIds(svg, 'c1');
    const two = scopeSvgIds(svg, 'c2');
    expect(one).not.toMatch(/zr\d+-/);
    const ids = (text: string) => [...text.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids(one).every((id) => id.startsWith('c1-'))).toBe(true);
    expect(ids(one).some((id) => ids(two).includes(id))).toBe(false);
    for (const ref of one.matchAll(/url\(#([^)]+)\)/g)) expect(ids(one)).toContain(ref[1]);
  });
});
