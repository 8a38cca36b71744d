/**
 * `ecoeval score`: a drop-in for sacreBLEU 2.6.0's command line (`sacrebleu REF -i HYP -m ...`)
 * on local files, plus ROUGE and JSON Lines input. Flag names, defaults (`-w 1`, `-f json`),
 * output shapes and metric order follow sacreBLEU's `sacrebleu.py` / `utils.py`.
 * Exit codes: 0 ok, 1 bad input (named file and line), 2 usage.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CorpusMetric, MetricScore, ReferenceStream } from '../../shared/metrics/base';
import { BLEU } from '../../shared/metrics/bleu';
import type { SmoothMethod } from '../../shared/metrics/bleu';
import { formatScore, pyJsonDumps } from '../../shared/metrics/format';
import type { PyJson } from '../../shared/metrics/format';
import { createMetric, isMetricName } from '../../shared/metrics/index';
import type { MetricOptions } from '../../shared/metrics/index';
import { isRougeType } from '../../shared/metrics/rouge';
import type { RougeType } from '../../shared/metrics/rouge';
import { shortenSignature, withExtras } from '../../shared/metrics/signature';
import {
  bootstrapConfidence,
  DEFAULT_BOOTSTRAP_SAMPLES,
  DEFAULT_AR_TRIALS,
  DEFAULT_SEED,
  fancyGrid,
  formatPairedJson,
  formatPairedTable,
  pairedTest,
} from '../../shared/metrics/significance';
import { isTokenizerName, TOKENIZER_NAMES } from '../../shared/metrics/tokenizers/index';
import { pyRstrip } from '../../shared/metrics/tokenizers/pystr';
import { decodeUtf8, describeInvalidUtf8 } from '../services/datasets/importers/utf8-locate';
import type { CliCommand, CliIO } from './io';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, UserError } from './io';

const USAGE =
  'usage: ecoeval score REF [REF ...] [-i HYP [HYP ...]] [-m bleu chrf ter rouge] [options]\n' +
  '       ecoeval score --jsonl FILE [-m ...] [options]   (run with -h for all flags)';

const HELP = `${USAGE}

Scores hypotheses against references like sacreBLEU 2.6.0 (same flags and output).
Hypotheses come from -i files, or from standard input (tab-separated systems) when -i is absent.

  -i, --input FILE...        hypothesis file(s); several files = multi-system mode
  -m, --metrics NAME...      bleu chrf ter rouge (default: bleu)
  -nr, --num-refs N          references per line of a single tab-separated REF file
  --jsonl FILE               JSON Lines: {"prediction": "...", "references": ["..."]}
  -sl, --sentence-level      one score per segment (-f json gives JSON Lines)
  -tok, --tokenize NAME      ${TOKENIZER_NAMES.join(', ')} (default 13a)
  -lc, --lowercase           case-insensitive BLEU
  -s, --smooth-method M      exp, floor, add-k, none (default exp)
  -sv, --smooth-value V      floor/add-k value (defaults 0.1 and 1)
  -cc, --chrf-char-order N   (default 6)      -cw, --chrf-word-order N (default 0; 2 = chrF++)
  --chrf-beta N (default 2)  --chrf-whitespace  --chrf-lowercase  --chrf-eps-smoothing
  --ter-case-sensitive  --ter-normalized  --ter-no-punct  --ter-asian-support
  --rouge-types T...         rouge1 rouge2 rougeL rougeLsum (default: all four)
  --rouge-stemmer            Porter stemmer for ROUGE
  -ci, --confidence          bootstrap 95% interval;  -cin, --confidence-n N (default 1000)
  --paired-bs | --paired-ar  paired test of every -i system against the first
  --paired-bs-n N (1000)     --paired-ar-n N (10000)
  -f, --format json|text     (default json)  -w, --width N (default 1)
  -b, --score-only           -sh, --short    -q, --quiet   -nc, --no-color
`;

/** Parsed command line, named after sacreBLEU's argparse destinations. */
interface ScoreArgs {
  refs: string[];
  input: string[] | null;
  numRefs: number;
  metrics: string[];
  jsonl: string | null;
  sentenceLevel: boolean;
  tokenize: string | null;
  lowercase: boolean;
  smoothMethod: SmoothMethod;
  smoothValue: number | null;
  chrfCharOrder: number;
  chrfWordOrder: number;
  chrfBeta: number;
  chrfWhitespace: boolean;
  chrfLowercase: boolean;
  chrfEpsSmoothing: boolean;
  terCaseSensitive: boolean;
  terNormalized: boolean;
  terNoPunct: boolean;
  terAsianSupport: boolean;
  rougeTypes: RougeType[];
  rougeStemmer: boolean;
  confidence: boolean;
  confidenceN: number;
  pairedBs: boolean;
  pairedAr: boolean;
  pairedBsN: number;
  pairedArN: number;
  format: 'json' | 'text';
  formatGiven: boolean;
  width: number;
  scoreOnly: boolean;
  short: boolean;
  help: boolean;
}

type FlagKind = 'bool' | 'int' | 'float' | 'string' | 'list';
interface FlagSpec {
  names: string[];
  dest: keyof ScoreArgs;
  kind: FlagKind;
  choices?: readonly string[];
}

const FLAGS: FlagSpec[] = [
  { names: ['-i', '--input'], dest: 'input', kind: 'list' },
  { names: ['-m', '--metrics'], dest: 'metrics', kind: 'list' },
  { names: ['-nr', '--num-refs'], dest: 'numRefs', kind: 'int' },
  { names: ['--jsonl'], dest: 'jsonl', kind: 'string' },
  { names: ['-sl', '--sentence-level'], dest: 'sentenceLevel', kind: 'bool' },
  { names: ['-tok', '--tokenize'], dest: 'tokenize', kind: 'string' },
  { names: ['-lc', '--lowercase'], dest: 'lowercase', kind: 'bool' },
  {
    names: ['-s', '--smooth-method'],
    dest: 'smoothMethod',
    kind: 'string',
    choices: ['exp', 'floor', 'add-k', 'none'],
  },
  { names: ['-sv', '--smooth-value'], dest: 'smoothValue', kind: 'float' },
  { names: ['-cc', '--chrf-char-order'], dest: 'chrfCharOrder', kind: 'int' },
  { names: ['-cw', '--chrf-word-order'], dest: 'chrfWordOrder', kind: 'int' },
  { names: ['--chrf-beta'], dest: 'chrfBeta', kind: 'int' },
  { names: ['--chrf-whitespace'], dest: 'chrfWhitespace', kind: 'bool' },
  { names: ['--chrf-lowercase'], dest: 'chrfLowercase', kind: 'bool' },
  { names: ['--chrf-eps-smoothing'], dest: 'chrfEpsSmoothing', kind: 'bool' },
  { names: ['--ter-case-sensitive'], dest: 'terCaseSensitive', kind: 'bool' },
  { names: ['--ter-normalized'], dest: 'terNormalized', kind: 'bool' },
  { names: ['--ter-no-punct'], dest: 'terNoPunct', kind: 'bool' },
  { names: ['--ter-asian-support'], dest: 'terAsianSupport', kind: 'bool' },
  { names: ['--rouge-types'], dest: 'rougeTypes', kind: 'list' },
  { names: ['--rouge-stemmer'], dest: 'rougeStemmer', kind: 'bool' },
  { names: ['-ci', '--confidence'], dest: 'confidence', kind: 'bool' },
  { names: ['-cin', '--confidence-n'], dest: 'confidenceN', kind: 'int' },
  { names: ['-pbs', '--paired-bs'], dest: 'pairedBs', kind: 'bool' },
  { names: ['-par', '--paired-ar'], dest: 'pairedAr', kind: 'bool' },
  { names: ['-pbsn', '--paired-bs-n'], dest: 'pairedBsN', kind: 'int' },
  { names: ['-parn', '--paired-ar-n'], dest: 'pairedArN', kind: 'int' },
  { names: ['-f', '--format'], dest: 'format', kind: 'string', choices: ['json', 'text'] },
  { names: ['-w', '--width'], dest: 'width', kind: 'int' },
  { names: ['-b', '--score-only'], dest: 'scoreOnly', kind: 'bool' },
  { names: ['-sh', '--short'], dest: 'short', kind: 'bool' },
  { names: ['-h', '--help'], dest: 'help', kind: 'bool' },
];
// Accepted for compatibility and ignored: output is never coloured, logging goes nowhere.
const IGNORED_FLAGS = new Set(['-q', '--quiet', '-nc', '--no-color', '--force']);

function usageError(message: string): UserError {
  return new UserError(`${message}\n${USAGE}`, EXIT_USAGE);
}

const looksLikeFlag = (token: string): boolean => /^-[^\d.]/.test(token);

/** Parses `argv` argparse-style (options anywhere, `--flag=value`, lists up to the next flag). */
export function parseScoreArgs(argv: readonly string[]): ScoreArgs {
  const args: ScoreArgs = {
    refs: [],
    input: null,
    numRefs: 1,
    metrics: ['bleu'],
    jsonl: null,
    sentenceLevel: false,
    tokenize: null,
    lowercase: false,
    smoothMethod: 'exp',
    smoothValue: null,
    chrfCharOrder: 6,
    chrfWordOrder: 0,
    chrfBeta: 2,
    chrfWhitespace: false,
    chrfLowercase: false,
    chrfEpsSmoothing: false,
    terCaseSensitive: false,
    terNormalized: false,
    terNoPunct: false,
    terAsianSupport: false,
    rougeTypes: ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'],
    rougeStemmer: false,
    confidence: false,
    confidenceN: DEFAULT_BOOTSTRAP_SAMPLES,
    pairedBs: false,
    pairedAr: false,
    pairedBsN: DEFAULT_BOOTSTRAP_SAMPLES,
    pairedArN: DEFAULT_AR_TRIALS,
    format: 'json',
    formatGiven: false,
    width: 1,
    scoreOnly: false,
    short: false,
    help: false,
  };
  const record = args as unknown as Record<string, unknown>;
  for (let k = 0; k < argv.length; k++) {
    const token = argv[k];
    if (!looksLikeFlag(token)) {
      args.refs.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = token.startsWith('--') && eq > 0 ? token.slice(0, eq) : token;
    const inline = token.startsWith('--') && eq > 0 ? token.slice(eq + 1) : null;
    if (IGNORED_FLAGS.has(name)) continue;
    const spec = FLAGS.find((f) => f.names.includes(name));
    if (!spec) throw usageError(`unrecognized argument: ${token}`);
    if (spec.kind === 'bool') {
      record[spec.dest] = true;
      continue;
    }
    if (spec.kind === 'list') {
      const values: string[] = inline !== null ? [inline] : [];
      while (k + 1 < argv.length && !looksLikeFlag(argv[k + 1])) values.push(argv[++k]);
      if (values.length === 0 && spec.dest !== 'input') {
        throw usageError(`argument ${spec.names.join('/')}: expected at least one value`);
      }
      record[spec.dest] = values;
      continue;
    }
    const value = inline ?? argv[++k];
    if (value === undefined) throw usageError(`argument ${spec.names.join('/')}: expected a value`);
    if (spec.choices && !spec.choices.includes(value)) {
      throw usageError(
        `argument ${spec.names.join('/')}: invalid choice '${value}' (choose from ${spec.choices.join(', ')})`,
      );
    }
    if (spec.kind === 'int' || spec.kind === 'float') {
      const n = Number(value);
      if (
        value.trim() === '' ||
        !Number.isFinite(n) ||
        (spec.kind === 'int' && !Number.isInteger(n))
      ) {
        throw usageError(`argument ${spec.names.join('/')}: invalid ${spec.kind} value '${value}'`);
      }
      record[spec.dest] = n;
    } else record[spec.dest] = value;
    if (spec.dest === 'format') args.formatGiven = true;
  }
  for (const m of args.metrics) {
    if (!isMetricName(m))
      throw usageError(
        `argument -m/--metrics: invalid choice '${m}' (choose from bleu, chrf, ter, rouge)`,
      );
  }
  for (const t of args.rougeTypes) {
    if (!isRougeType(t))
      throw usageError(
        `argument --rouge-types: invalid choice '${t}' (use rouge1..rouge9, rougeL, rougeLsum)`,
      );
  }
  if (args.tokenize !== null && !isTokenizerName(args.tokenize)) {
    throw usageError(
      `argument -tok/--tokenize: '${args.tokenize}' is not available; use one of: ${TOKENIZER_NAMES.join(', ')}`,
    );
  }
  if (args.pairedBs && args.pairedAr) {
    throw usageError('argument --paired-bs: not allowed with argument --paired-ar');
  }
  if (args.width < 0 || args.width > 20)
    throw usageError('argument -w/--width: use 0..20 decimals');
  return args;
}

/** A file's text, strictly UTF-8 (as Python's `open` reads it: an invalid byte is an error). */
function readText(io: CliIO, file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(resolve(io.cwd, file));
  } catch (e) {
    const reason =
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot read it';
    throw new UserError(`${file}: ${reason}; check the path (relative to ${io.cwd})`);
  }
  const decoded = decodeUtf8(bytes);
  if ('invalid' in decoded) {
    throw new UserError(
      `${describeInvalidUtf8(file, decoded.invalid)}; save the file as UTF-8 (e.g. \`iconv -f latin1 -t utf-8\`) and score it again`,
    );
  }
  return decoded.text;
}

/** Reads a text file as sacreBLEU's CLI does: split on LF only, right-strip each line. */
function readLines(io: CliIO, file: string): string[] {
  const text = readText(io, file);
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map(pyRstrip);
}

/** Standard input in text mode: universal newlines (Python's default `TextIOWrapper`). */
function stdinLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

interface Corpus {
  systems: { name: string; hypotheses: string[] }[];
  refs: ReferenceStream[];
}

/** JSON Lines: one `{"prediction": str, "references": [str, ...]}` per line. */
function readJsonl(io: CliIO, file: string): Corpus {
  const text = readText(io, file);
  const hyps: string[] = [];
  const refRows: string[][] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      throw new UserError(
        `${where}: not valid JSON; write one {"prediction": ..., "references": [...]} object per line`,
      );
    }
    const o = obj as { prediction?: unknown; references?: unknown };
    const refs = typeof o.references === 'string' ? [o.references] : o.references;
    if (
      typeof o.prediction !== 'string' ||
      !Array.isArray(refs) ||
      !refs.every((r) => typeof r === 'string')
    ) {
      throw new UserError(
        `${where}: needs "prediction" (a string) and "references" (a list of strings)`,
      );
    }
    hyps.push(o.prediction);
    refRows.push(refs as string[]);
  });
  if (hyps.length === 0) {
    throw new UserError(
      `${file}: no records; write one {"prediction": ..., "references": [...]} object per line`,
    );
  }
  // A loop, not Math.max(...rows): spreading a large file's rows overflows the stack.
  let nStreams = 1;
  for (const row of refRows) if (row.length > nStreams) nStreams = row.length;
  const refs: (string | null)[][] = Array.from({ length: nStreams }, () => []);
  for (const row of refRows) for (let j = 0; j < nStreams; j++) refs[j].push(row[j] ?? null);
  return { systems: [{ name: file, hypotheses: hyps }], refs };
}

async function loadCorpus(args: ScoreArgs, io: CliIO): Promise<Corpus> {
  if (args.jsonl !== null) {
    if (args.refs.length > 0 || args.input !== null) {
      throw usageError('--jsonl carries predictions and references; do not also give REF or -i');
    }
    return readJsonl(io, args.jsonl);
  }
  if (args.refs.length === 0)
    throw usageError('I need reference file(s) before -i (or --jsonl FILE)');
  if (args.numRefs !== 1 && args.refs.length > 1) {
    throw usageError('--num-refs works with a single tab-separated reference file');
  }
  const refs: string[][] = [];
  const refNames: string[] = [];
  for (const file of args.refs) {
    const lines = readLines(io, file);
    if (args.numRefs === 1) {
      refs.push(lines);
      refNames.push(file);
      continue;
    }
    for (let j = 0; j < args.numRefs; j++) {
      refs.push([]);
      refNames.push(file);
    }
    lines.forEach((line, i) => {
      const fields = splitMax(line, '\t', args.numRefs);
      if (fields.length !== args.numRefs) {
        throw new UserError(
          `${file}:${i + 1}: expected ${args.numRefs} tab-separated references, found ${fields.length}`,
        );
      }
      fields.forEach((f, j) => refs[j].push(f));
    });
  }
  const systems: Corpus['systems'] = [];
  if (args.input === null || args.input.length === 0) {
    const lines = stdinLines(await io.readStdin());
    const first = pyRstrip(lines[0] ?? '').split('\t');
    const cols: string[][] = first.map((f) => [f]);
    for (let i = 1; i < lines.length; i++) {
      const fields = pyRstrip(lines[i]).split('\t');
      if (fields.length !== cols.length) {
        throw new UserError(
          `<stdin>:${i + 1}: ${fields.length} tab-separated systems, line 1 has ${cols.length}`,
        );
      }
      fields.forEach((f, j) => cols[j].push(pyRstrip(f)));
    }
    const paired = args.pairedBs || args.pairedAr;
    cols.forEach((hypotheses, j) =>
      systems.push({
        name: paired ? (j === 0 ? 'Baseline' : `System ${j}`) : `System ${j + 1}`,
        hypotheses,
      }),
    );
  } else {
    for (const file of args.input) {
      if (systems.some((s) => s.name === file)) {
        if ((args.pairedBs || args.pairedAr) && systems[0].name === file) continue;
        throw new UserError(`${file}: given twice; each system needs a different file name`);
      }
      systems.push({ name: file, hypotheses: readLines(io, file) });
    }
    if (args.pairedBs || args.pairedAr) systems[0].name = `Baseline: ${systems[0].name}`;
  }
  for (const sys of systems) {
    refs.forEach((stream, j) => {
      if (stream.length !== sys.hypotheses.length) {
        const hypName = sys.name.replace(/^Baseline: /, '');
        throw new UserError(
          `${hypName} has ${sys.hypotheses.length} lines but ${refNames[j]} has ${stream.length}; ` +
            'hypotheses and references must be aligned line by line',
        );
      }
    });
  }
  return { systems, refs };
}

/** Python's `str.split(sep, maxsplit=n - 1)`. */
function splitMax(line: string, sep: string, n: number): string[] {
  const parts = line.split(sep);
  return parts.length <= n ? parts : [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

function metricOptions(args: ScoreArgs): MetricOptions {
  return {
    bleu: {
      tokenize: args.tokenize ?? undefined,
      lowercase: args.lowercase,
      smoothMethod: args.smoothMethod,
      smoothValue: args.smoothValue,
      // sacreBLEU turns effective order on for --sentence-level.
      effectiveOrder: args.sentenceLevel,
    },
    chrf: {
      charOrder: args.chrfCharOrder,
      wordOrder: args.chrfWordOrder,
      beta: args.chrfBeta,
      lowercase: args.chrfLowercase,
      whitespace: args.chrfWhitespace,
      epsSmoothing: args.chrfEpsSmoothing,
    },
    ter: {
      caseSensitive: args.terCaseSensitive,
      normalized: args.terNormalized,
      noPunct: args.terNoPunct,
      asianSupport: args.terAsianSupport,
    },
    rouge: { types: args.rougeTypes, useStemmer: args.rougeStemmer },
  };
}

/** The metric family of a signature, for short keys. */
function family(metric: CorpusMetric): string {
  if (metric instanceof BLEU) return 'bleu';
  if (metric.name.startsWith('chrF')) return 'chrf';
  if (metric.name === 'TER') return 'ter';
  return 'rouge';
}

/** Verbose text and extra JSON for a score (BLEU's precisions; ROUGE's per-type means). */
function scoreExtras(
  score: MetricScore,
  width: number,
): { verbose?: string; extraJson?: { [k: string]: PyJson } } {
  const d = score.details;
  if (typeof d.verbose === 'string') return { verbose: d.verbose };
  if (d.types && typeof d.types === 'object') {
    const types = d.types as Record<
      string,
      { precision: number; recall: number; fmeasure: number }
    >;
    const extraJson: { [k: string]: PyJson } = {};
    const parts: string[] = [];
    for (const [t, v] of Object.entries(types)) {
      extraJson[t] = { precision: v.precision, recall: v.recall, fmeasure: v.fmeasure };
      parts.push(
        `${t} = ${formatScore({ name: t, score: 100 * v.fmeasure }, { width, scoreOnly: true })}`,
      );
    }
    return { verbose: `(F: ${parts.join(', ')})`, extraJson };
  }
  return {};
}

function alignSingle(lines: string[]): string {
  if (lines.length === 1) return lines[0] + '\n';
  const out: string[] = [];
  const withEq: string[] = [];
  for (const line of lines) {
    if (line.includes('=')) withEq.push(line);
    else out.push(line);
  }
  const lens = withEq.map((l) => l.indexOf('=') - 1);
  const w = Math.max(0, ...lens);
  withEq.forEach((line, i) => out.push(line.slice(0, lens[i]).padStart(w) + line.slice(lens[i])));
  return out.join('\n') + '\n';
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseScoreArgs(argv);
  if (args.help) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  const paired = args.pairedBs || args.pairedAr;
  if (args.sentenceLevel && args.metrics.length > 1)
    throw usageError('only one metric can be used with --sentence-level');
  const corpus = await loadCorpus(args, io);
  const { systems, refs } = corpus;
  if (args.sentenceLevel && systems.length > 1)
    throw usageError('only one system can be evaluated with --sentence-level');
  if (args.sentenceLevel && (args.confidence || paired))
    throw usageError('statistical tests are unavailable with --sentence-level');
  if (paired && systems.length === 1)
    throw usageError('paired tests need several systems given to -i');
  if (systems.length > 1 && args.confidence)
    throw usageError('use --paired-bs or --paired-ar for several systems');

  const options = metricOptions(args);
  let metrics: CorpusMetric[];
  try {
    // sacreBLEU evaluates metrics in sorted order of their upper-case names.
    metrics = [...new Set(args.metrics)]
      .sort((a, b) => (a.toUpperCase() < b.toUpperCase() ? -1 : 1))
      .map((m) => createMetric(m, options));
  } catch (e) {
    throw usageError((e as Error).message);
  }

  if (args.sentenceLevel) {
    const metric = metrics[0];
    const hyps = systems[0].hypotheses;
    const json = args.formatGiven && args.format === 'json';
    hyps.forEach((hyp, i) => {
      const segRefs = refs.map((s) => s[i]).filter((r): r is string => r !== null);
      const score = metric.sentenceScore(hyp, segRefs);
      const sig = args.short ? shortenSignature(score.signature, family(metric)) : score.signature;
      const line = formatScore(
        { name: score.name, score: score.score, ...scoreExtras(score, args.width) },
        {
          width: args.width,
          scoreOnly: args.scoreOnly && !json,
          signature: json ? score.signature : sig,
          json,
          jsonIndent: -1,
        },
      );
      io.stdout(line + '\n');
    });
    return EXIT_OK;
  }

  if (systems.length === 1) {
    const hyps = systems[0].hypotheses;
    const lines: string[] = [];
    for (const metric of metrics) {
      let score: MetricScore;
      let signature: string;
      let mean: number | undefined;
      let ci: number | undefined;
      if (args.confidence) {
        const stats = metric.segmentStatistics(hyps, refs);
        score = metric.corpusScore(hyps, refs);
        const r = bootstrapConfidence(metric, stats, {
          nSamples: args.confidenceN,
          seed: DEFAULT_SEED,
        });
        mean = r.mean;
        ci = r.ci;
        signature = withExtras(score.signature, {
          bs: args.confidenceN,
          seed: String(DEFAULT_SEED),
        });
      } else {
        score = metric.corpusScore(hyps, refs);
        signature = score.signature;
      }
      const json = args.format === 'json';
      const sig = args.short && !json ? shortenSignature(signature, family(metric)) : signature;
      lines.push(
        formatScore(
          { name: score.name, score: score.score, mean, ci, ...scoreExtras(score, args.width) },
          { width: args.width, scoreOnly: args.scoreOnly, signature: sig, json },
        ),
      );
    }
    if (args.format === 'json') {
      io.stdout((lines.length > 1 ? '[\n' + lines.join(',\n') + '\n]' : lines[0]) + '\n');
    } else io.stdout(alignSingle(lines));
    return EXIT_OK;
  }

  if (!paired) {
    const headers = ['System'];
    const columns: string[][] = [systems.map((s) => s.name)];
    const sigs: Record<string, string> = {};
    for (const metric of metrics) {
      const col: string[] = [];
      let name = metric.name;
      for (const sys of systems) {
        const score = metric.corpusScore(sys.hypotheses, refs);
        name = score.name;
        sigs[name] = args.short
          ? shortenSignature(score.signature, family(metric))
          : score.signature;
        col.push(formatScore(score, { width: args.width, scoreOnly: true }));
      }
      headers.push(name);
      columns.push(col);
    }
    if (args.format === 'json') {
      const list: PyJson[] = systems.map((s, i) => {
        const entry: { [k: string]: PyJson } = { system: s.name };
        headers.slice(1).forEach((h, c) => (entry[h] = columns[c + 1][i]));
        return entry;
      });
      io.stdout(pyJsonDumps(list, 4, true) + '\n');
      return EXIT_OK;
    }
    const rows = systems.map((_, i) => columns.map((c) => c[i]));
    const sigLines = Object.entries(sigs).map(([n, s]) => ` - ${n.padEnd(10)} ${s}`);
    io.stdout(
      [
        fancyGrid(headers, rows),
        '',
        '-----------------',
        'Metric signatures',
        '-----------------',
        ...sigLines,
      ].join('\n') + '\n',
    );
    return EXIT_OK;
  }

  const test = args.pairedBs ? 'bs' : 'ar';
  const result = pairedTest(systems, refs, metrics, {
    test,
    nSamples: test === 'bs' ? args.pairedBsN : args.pairedArN,
    seed: DEFAULT_SEED,
  });
  if (args.format === 'json') {
    io.stdout(formatPairedJson(result));
    return EXIT_OK;
  }
  const sigs: Record<string, string> = {};
  result.metrics.forEach((m, k) => {
    const base = metrics[k].corpusScore(systems[0].hypotheses, refs).signature;
    const full = withExtras(base, m.signatureExtras);
    sigs[m.name] = args.short ? shortenSignature(full, family(metrics[k])) : full;
  });
  io.stdout(formatPairedTable(result, sigs, args.width));
  return EXIT_OK;
}

/** `ecoeval score`: see the module header. */
export const scoreCommand: CliCommand = async (argv, io) => {
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof UserError) {
      io.stderr(`ecoeval score: ${e.message}\n`);
      return e.exitCode;
    }
    // Metric errors on odd input (e.g. an unusable tokenizer) are input problems, not crashes.
    io.stderr(`ecoeval score: ${(e as Error).message}\n`);
    return EXIT_BAD_INPUT;
  }
};
