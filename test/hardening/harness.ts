/**
 * Helpers of the bad-input tests: the corpus folder, `ecoeval` run in-process with captured
 * output and a time bound (or in a real process, for cases that could block the event loop), the
 * checks every rejected input must pass (exit code, a message naming the file and line, no stack
 * trace, no internal error), and workspace snapshots that show nothing was written.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli } from '../../main/cli/index';
import { captureIO } from '../../main/cli/io';
import { repoRoot } from '../helpers/services';

/** The committed corpus (scripts/make-bad-inputs.mjs writes it). */
export const BAD = join(repoRoot, 'test/fixtures/bad');

/** Longest an in-process case may take; a hang fails the test instead of stalling the run. */
export const CASE_LIMIT_MS = 20_000;

export interface CliResult {
  code: number;
  out: string;
  err: string;
  ms: number;
}

/**
 * Runs `ecoeval ARGV` in this process (as test/unit/cli does) with `cwd` and the workspace in
 * ECOEVAL_WORKSPACE; rejects if it has not finished within `limitMs`.
 */
export async function cli(
  argv: string[],
  options: { cwd: string; workspace: string; limitMs?: number; stdin?: string },
): Promise<CliResult> {
  const io = captureIO({
    cwd: options.cwd,
    env: { ECOEVAL_WORKSPACE: options.workspace },
    ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
  });
  const started = performance.now();
  const limit = options.limitMs ?? CASE_LIMIT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`ecoeval ${argv.join(' ')} did not finish within ${limit} ms`)),
      limit,
    );
  });
  try {
    const code = await Promise.race([runCli(argv, io), timeout]);
    return { code, out: io.out(), err: io.err(), ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `ecoeval ARGV` as a real process (test/hardening/cli-entry.ts through tsx, so it needs no
 * build); killed after `limitMs`, which a synchronous endless loop cannot escape.
 */
export function spawnCli(
  argv: string[],
  options: { cwd: string; workspace: string; limitMs?: number },
): Promise<CliResult & { timedOut: boolean }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'test/hardening/cli-entry.ts'), ...argv],
    {
      cwd: options.cwd,
      env: { ...process.env, ECOEVAL_WORKSPACE: options.workspace, ECOEVAL_DEBUG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.limitMs ?? 30_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out, err, ms: performance.now() - started, timedOut });
    });
  });
}

/** Signs of a crash rather than a message for the user. */
const CRASH_SIGNS: [RegExp, string][] = [
  [/^\s+at /m, 'a stack trace'],
  [/internal error/i, 'an internal error'],
  [/(^|\s)[A-Z]\w*Error:/m, 'an "…Error:" prefix'],
  [/Maximum call stack|Invalid (typed )?array length|Cannot read propert/i, 'a JavaScript error'],
  [/\[object Object\]/, 'a garbled value'],
];

/** Fails with what gave a crash away, if `stderr` looks like one. */
export function expectNoCrash(stderr: string): void {
  for (const [pattern, what] of CRASH_SIGNS) {
    expect(pattern.test(stderr), `stderr shows ${what}:\n${stderr}`).toBe(false);
  }
}

/** What a rejected input must produce. */
export interface Rejection {
  /** Exit code: 1 bad input, 2 usage or a bad report plan. */
  code: 1 | 2;
  /** The file as the user gave it, which the message must name. */
  file?: string;
  /** The line the message must name (`file:line`). */
  line?: number;
  /** What the message must say (the problem, or what to do). */
  says?: RegExp;
}

/** The checks of a rejected bad input: exit code, a clear message, no crash. */
export function expectRejected(result: CliResult, want: Rejection): void {
  const context = `exit ${result.code}\nstderr: ${result.err}\nstdout: ${result.out.slice(0, 400)}`;
  expect(result.code, context).toBe(want.code);
  expect(result.err.trim(), context).not.toBe('');
  expectNoCrash(result.err);
  expect(result.err, context).not.toMatch(/\bundefined\b|\bNaN\b/);
  if (want.file) expect(result.err, context).toContain(want.file);
  if (want.file && want.line !== undefined) {
    expect(result.err, context).toContain(`${want.file}:${want.line}`);
  }
  if (want.says) expect(result.err, context).toMatch(want.says);
}

/** The checks of an input that is odd but valid (BOM, CR LF, unknown fields, metacharacters). */
export function expectAccepted(result: CliResult): void {
  expect(result.code, `stderr: ${result.err}`).toBe(0);
  expectNoCrash(result.err);
}

/**
 * What a workspace holds: dataset, model and run folders, staging and upload leftovers, and
 * files beside them (queue.json aside), as sorted relative paths.
 */
export function snapshot(workspace: string): string[] {
  const out: string[] = [];
  for (const dir of ['datasets', 'models', 'runs', '.staging', '.uploads']) {
    const full = join(workspace, dir);
    if (!existsSync(full)) continue;
    for (const entry of readdirSync(full)) {
      if (dir === 'runs' && entry === 'queue.json') continue;
      out.push(`${dir}/${entry}`);
    }
  }
  return out.sort();
}

/** Nothing new in the workspace and no staging leftovers. */
export function expectNothingWritten(workspace: string, before: string[]): void {
  expect(snapshot(workspace)).toEqual(before);
  expect(snapshot(workspace).filter((p) => p.startsWith('.staging/'))).toEqual([]);
}

/** A corpus case run through `cli`, with `@name` arguments replaced by test-time paths. */
export async function runCase(
  c: { argv: string[]; expect: Rejection | { accepted: true; says?: RegExp } },
  context: { cwd: string; workspace: string; paths?: Record<string, string>; limitMs?: number },
): Promise<CliResult> {
  const argv = c.argv.map((a) => {
    if (!a.startsWith('@')) return a;
    const path = context.paths?.[a.slice(1)];
    if (!path) throw new Error(`no test-time path for ${a}`);
    return path;
  });
  const before = snapshot(context.workspace);
  const result = await cli(argv, context);
  if ('accepted' in c.expect) {
    expectAccepted(result);
    if (c.expect.says) expect(result.out + result.err).toMatch(c.expect.says);
  } else {
    expectRejected(result, c.expect);
    expectNothingWritten(context.workspace, before);
  }
  return result;
}

/**
 * Writes a 100 MB file that is one line with no line end: `{"source": "` and words, never
 * closed (so it is valid UTF-8 text, but not JSON). Streamed, so memory stays small.
 */
export async function writeHugeLine(path: string, bytes = 100 * 1024 * 1024): Promise<string> {
  const { createWriteStream } = await import('node:fs');
  const stream = createWriteStream(path);
  const head = '{"source": "';
  const block = Buffer.alloc(1 << 20, 'lorem ipsum dolor sit amet ');
  stream.write(head);
  let written = head.length;
  while (written < bytes) {
    const chunk = block.subarray(0, Math.min(block.length, bytes - written));
    written += chunk.length;
    if (!stream.write(chunk)) await new Promise<void>((r) => stream.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
  return path;
}
