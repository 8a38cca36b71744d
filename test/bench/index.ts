/**
 * `npm run bench`: runs every benchmark suite in its own Node process (so peak memory is the
 * suite's own), prints their lines, then one summary table with goals and ratios.
 * `npm run bench -- import metrics-mt` runs only the named suites.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { BenchFigure } from './types';

const here = import.meta.dirname;

async function runOne(name: string): Promise<void> {
  const module = (await import(join(here, `${name}.ts`))) as {
    suite: (log: (l: string) => void) => Promise<BenchFigure[]>;
  };
  const figures = await module.suite((line) => console.log(line));
  console.log(`@@FIGURES ${JSON.stringify(figures)}`);
}

async function main(): Promise<void> {
  const [first, ...rest] = process.argv.slice(2);
  if (first === '--one') return runOne(rest[0]);
  const wanted = process.argv.slice(2);
  const suites = readdirSync(here)
    .filter((f) => f.endsWith('.ts') && !['index.ts', 'types.ts'].includes(f))
    .map((f) => f.replace(/\.ts$/, ''))
    .filter((s) => wanted.length === 0 || wanted.includes(s));
  console.log(
    `EcoEval benchmarks on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`,
  );
  const all: { suite: string; figure: BenchFigure }[] = [];
  let failed = 0;
  for (const suite of suites) {
    console.log(`\n── ${suite}`);
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(here, 'index.ts'), '--one', suite],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    for (const line of result.stdout.split('\n')) {
      if (line.startsWith('@@FIGURES ')) {
        for (const figure of JSON.parse(line.slice(10)) as BenchFigure[])
          all.push({ suite, figure });
      } else if (line) console.log(line);
    }
    if (result.status !== 0) {
      failed++;
      console.log(`suite ${suite} failed with exit code ${result.status}`);
    }
  }
  console.log('\n── Summary');
  for (const { suite, figure } of all) {
    const ratio =
      figure.ratio !== undefined
        ? `  ×${figure.ratio.toFixed(1)} vs ${figure.reference?.label ?? 'reference'}`
        : '';
    const goal = figure.goal ? `  goal ${figure.goal}: ${figure.met ? 'met' : 'NOT met'}` : '';
    console.log(
      `${suite.padEnd(16)} ${figure.name}: ${Number(figure.value.toPrecision(4))} ${figure.unit}${ratio}${goal}`,
    );
  }
  if (failed) process.exitCode = 1;
}

await main();
