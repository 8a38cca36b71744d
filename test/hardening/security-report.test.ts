// Hostile text in a batch report: hypotheses carrying `<script>` and attribute-breaking markup,
// and a title, dataset name, system names and tags full of HTML and Markdown metacharacters, run
// through `ecoeval report run` (in-process, imported outputs: no model). report.html must show
// all of it as text only — parsed with jsdom: no script, no event handler, no element that loads
// anything, no remote URL, a CSP meta tag — and report.md must keep every table row's cells
// (pipes escaped) and carry no raw HTML.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
// @ts-expect-error -- jsdom ships no type declarations; only `new JSDOM(html).window` is used.
import { JSDOM } from 'jsdom';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { repoRoot } from '../helpers/services';
import { tempDir } from '../helpers/temp';
import { report, writePlan } from '../unit/report/helpers';

// Real processes on a shared 2-core machine: allow well over the default 5 s per test.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const SCRIPT = '<script>alert(1)</script>';
const BREAKOUT = '"><img src=x onerror=alert(1)>';
const TITLE = `</title>${SCRIPT} Report | "q" & 'a'`;
const DATASET = `Set <b>bold</b> | pipe & "quote" \`tick\``;
const SYSTEM_A = `${SCRIPT} | sys_A*`;
const SYSTEM_B = `a|b\\|c ${BREAKOUT} \`\`\`\`fence`;
const TAG = '<img src=y>';

let dir: string;
let html: string;
let md: string;

beforeAll(async () => {
  const ws = await tempDir('ecoeval-hardening-report-ws-');
  dir = await tempDir('ecoeval-hardening-report-');
  const sources = ['one two three', `four ${SCRIPT}`, 'five | six', 'seven eight'];
  const references = ['one two three', 'four five', 'five six', `seven ${BREAKOUT}`];
  await writeFile(join(dir, 'set.src'), sources.join('\n') + '\n');
  await writeFile(join(dir, 'set.ref'), references.join('\n') + '\n');
  await writeFile(
    join(dir, 'a.txt'),
    [SCRIPT, BREAKOUT, `five | six ${SCRIPT}`, 'javascript:alert(1)'].join('\n') + '\n',
  );
  await writeFile(
    join(dir, 'b.txt'),
    ['one two three', 'four five', '<iframe src="https://evil.example/"></iframe>', 'seven'].join(
      '\n',
    ) + '\n',
  );
  const yamlString = (s: string) => JSON.stringify(s);
  await writePlan(
    dir,
    'plan.yaml',
    `title: ${yamlString(TITLE)}
datasets:
  - { name: ${yamlString(DATASET)}, kind: translation, source: set.src, references: [set.ref] }
systems:
  - outputs: a.txt
    name: ${yamlString(SYSTEM_A)}
    codecarbon: ${join(repoRoot, 'test/fixtures/energy/emissions.csv')}
  - outputs: b.txt
    name: ${yamlString(SYSTEM_B)}
metrics: { use: [bleu, chrf], bootstrap: 0, pairedResamples: 10 }
energy: { measure: false }
baseline: ${yamlString(SYSTEM_A)}
tags: [${yamlString(TAG)}]
`,
  );
  const result = await report(['run', 'plan.yaml', '--out', 'out', '--workspace', ws], {
    cwd: dir,
  });
  expect(result.err).not.toMatch(/internal error/i);
  expect(result.code).toBe(0);
  html = readFileSync(join(dir, 'out', 'report.html'), 'utf8');
  md = readFileSync(join(dir, 'out', 'report.md'), 'utf8');
}, 120_000);

describe('report.html with hostile text', () => {
  it('shows every hostile text as text, never as markup', () => {
    const { document } = new JSDOM(html).window;
    expect(document.title).toBe(TITLE);
    const text = document.body.textContent ?? '';
    for (const value of [DATASET, SYSTEM_A, SYSTEM_B]) {
      expect(text, value).toContain(value);
    }
    // The chart (static SVG) labels the system with the imported energy: as text too.
    const svgText = [...document.querySelectorAll('svg')].map((e) => e.textContent).join(' ');
    expect(svgText).toContain('<script>alert(1)</script>');
    // The raw page never holds the markup unescaped.
    for (const raw of [SCRIPT, BREAKOUT, '<b>bold</b>', TAG, '<iframe']) {
      expect(html, raw).not.toContain(raw);
    }
  });

  it('has no script, no event handler and no element that loads or navigates', () => {
    const { document } = new JSDOM(html).window;
    const forbidden =
      'script, iframe, frame, object, embed, img, image, link, base, form, audio, video, source, foreignObject, meta[http-equiv="refresh"]';
    expect([...document.querySelectorAll(forbidden)].map((e) => e.outerHTML.slice(0, 120))).toEqual(
      [],
    );
    for (const element of document.querySelectorAll('*')) {
      for (const attribute of element.attributes) {
        expect(attribute.name, `${element.tagName} ${attribute.name}`).not.toMatch(/^on/i);
        if (/^(src|href|xlink:href|action|formaction|srcset|poster|data)$/i.test(attribute.name)) {
          // Only in-page anchors and the report's own files, relative to it.
          expect(attribute.value, `${element.tagName} ${attribute.name}`).toMatch(
            /^(#[\w-]*|(?!\w+:)(?!\/)[\w./-]+)$/,
          );
        }
        expect(attribute.value, `${element.tagName} ${attribute.name}`).not.toMatch(
          /javascript:|vbscript:|data:text\/html/i,
        );
      }
    }
    // Styles load nothing either (inline CSS only, no url() to a remote place, no @import).
    for (const style of document.querySelectorAll('style, [style]')) {
      const css = style.tagName === 'STYLE' ? style.textContent : style.getAttribute('style');
      expect(css ?? '').not.toMatch(/@import|url\(\s*['"]?(https?:|\/\/)/i);
    }
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  });

  it('carries a CSP meta tag that forbids scripts and network access', () => {
    const { document } = new JSDOM(html).window;
    const meta = document.querySelector('meta[http-equiv="Content-Security-Policy"]');
    expect(meta).not.toBeNull();
    const csp = meta!.getAttribute('content')!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).not.toMatch(/script-src|'unsafe-eval'|https?:|\*/);
    // The meta tag comes before anything the data could influence.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<title>'));
  });
});

describe('report.md with hostile text', () => {
  /** Cells of a GFM table row: split on pipes that are not escaped. */
  const cells = (row: string) =>
    row
      .trim()
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split(/(?<!\\)\|/);

  it('keeps every table intact: each row has its header’s number of cells', () => {
    const lines = md.split('\n');
    let tables = 0;
    for (let i = 0; i < lines.length; i++) {
      if (!/^\|/.test(lines[i]) || !/^\|\s*-{3}/.test(lines[i + 1] ?? '')) continue;
      tables++;
      const width = cells(lines[i]).length;
      expect(cells(lines[i + 1])).toHaveLength(width);
      for (let j = i + 2; j < lines.length && lines[j].startsWith('|'); j++) {
        expect(cells(lines[j]), `row ${j + 1}: ${lines[j]}`).toHaveLength(width);
      }
    }
    expect(tables).toBeGreaterThanOrEqual(2);
    // The systems' rows name them with their pipes escaped.
    expect(md).toContain('a\\|b\\\\\\|c');
  });

  it('carries no raw HTML from the data outside code blocks, and no data ends a code block', () => {
    // Signatures sit in fenced blocks (shown verbatim); everything else must be escaped.
    const fences = [...md.matchAll(/^(`{3,})text\n([\s\S]*?)\n\1$/gm)];
    expect(fences.length).toBeGreaterThanOrEqual(1);
    for (const [, fence, body] of fences) {
      const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
      expect(longest, 'a backtick run inside the block would close it').toBeLessThan(fence.length);
    }
    const prose = md.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '');
    for (const raw of [SCRIPT, BREAKOUT, '<b>bold</b>', '<iframe', TAG]) {
      expect(prose, raw).not.toContain(raw);
    }
    expect(prose).not.toMatch(/<(?!br>)[a-z/!]/i);
  });
});
