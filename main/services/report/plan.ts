/**
 * Reads a report plan: parses it with positions, checks its shape (plan-schema.ts) and the rules
 * that combine keys, resolves file paths against the plan's folder, checks the files exist, and
 * expands it into datasets and systems (a precision list is one system per precision). Every
 * problem names the line, the column and what to do; all of them are reported at once.
 * Nothing here touches the workspace (prepare.ts does).
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import type { importRequest } from '../../../shared/api/schemas';
import { modelId as modelIdSchema } from '../../../shared/api/schemas';
import type {
  ModelSystemSpec,
  OutputsSystemSpec,
  Precision,
  RunMetric,
} from '../../../shared/api/types';
import { scoreNames } from '../../../shared/evaluation/score-run';
import type { EnergySettings } from '../../../shared/evaluation/energy-units';
import { loadIntensityTable } from '../energy/carbon';
import { detectFormat } from '../datasets/importers/index';
import { decodeUtf8 } from '../datasets/importers/utf8-locate';
import { systemLabel } from '../runs/system';
import { IMPORT_ONLY_KEYS, PLAN_KEYS, planSchema } from './plan-schema';
import type { PlanDatasetEntry, PlanFile, PlanSystemEntry } from './plan-schema';
import { PlanError, formatPath, parsePlanSource } from './plan-source';
import type { PlanPath, PlanProblem, PlanSource } from './plan-source';

type ImportRequestInput = z.input<typeof importRequest>;

/** A dataset of the plan: one already known by id, or files to import. */
export type PlanDataset = {
  index: number;
  path: PlanPath;
  split: string;
  /** How messages name it: the id, or the import's name. */
  label: string;
} & ({ kind: 'id'; id: string } | { kind: 'import'; request: ImportRequestInput });

export type PlanSystem = {
  /** Index of the entry in `systems:` (a precision list expands one entry into several). */
  entry: number;
  path: PlanPath;
  label: string;
} & (
  | { type: 'model'; spec: ModelSystemSpec; bundle: string | null }
  | { type: 'outputs'; spec: OutputsSystemSpec; dataset: number }
);

export interface ReportPlan {
  /** Absolute path of the plan file, and the name messages use for it. */
  file: string;
  display: string;
  sha256: string;
  source: PlanSource;
  title: string;
  workspace: string | null;
  datasets: PlanDataset[];
  systems: PlanSystem[];
  /** Null: each dataset's kind decides (BLEU, chrF, TER for translation...). */
  metrics: RunMetric[] | null;
  scoring: { bootstrap: number; seed: number; pairedResamples: number };
  energy: { measure: boolean; country: string | null; overhead: number; repeats: number };
  chart: { energy: EnergySettings; metrics: string[] | null };
  baseline: string | null;
  tags: string[];
  /** Settings accepted with a caveat, for the log and the report. */
  warnings: string[];
}

export const DEFAULT_CHART_ENERGY: EnergySettings = {
  unit: 'J',
  scale: 'per-segment',
  includeTraining: false,
  amortiseOver: 1_000_000,
};
export const DEFAULT_BOOTSTRAP = 1000;
export const DEFAULT_SEED = 12345;
export const DEFAULT_PAIRED_RESAMPLES = 1000;

const IMPORT_ONLY = IMPORT_ONLY_KEYS;
const MODEL_ONLY = [
  'model',
  'bundle',
  'precision',
  'provider',
  'beam',
  'lengthPenalty',
  'maxLength',
  'batchSize',
  'threads',
] as const;
const OUTPUTS_ONLY = [
  'outputs',
  'name',
  'dataset',
  'codecarbon',
  'energyJson',
  'logprobs',
] as const;
const ALL_SCORE_NAMES = scoreNames(['bleu', 'chrf', 'ter', 'rouge', 'perplexity']);

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}

function didYouMean(key: string): string {
  let best: string | null = null;
  let bestDistance = 3;
  for (const known of PLAN_KEYS) {
    const d = distance(key.toLowerCase(), known.toLowerCase());
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best ? `; did you mean "${best}"?` : '';
}

type Issue = z.core.$ZodIssue;

/**
 * A union's failure explained by the alternative that got furthest (`precision: [fp32, fp64]`
 * is a list with a bad item, not "not a string"), its paths made absolute.
 */
function unionBranch(issue: Issue & { code: 'invalid_union' }): Issue[] {
  const score = (branch: Issue[]) =>
    Math.max(...branch.map((i) => i.path.length)) * 10 -
    (branch.some((i) => i.code === 'invalid_type' && i.path.length === 0) ? 1 : 0);
  const branches = issue.errors.filter((b) => b.length > 0);
  if (!branches.length) return [issue];
  const best = branches.reduce((a, b) => (score(b) > score(a) ? b : a));
  return best.map((i) => ({ ...i, path: [...issue.path, ...i.path] }));
}

/** Zod issues as located problems; a misspelt key points at the key itself. */
function shapeProblems(source: PlanSource, raw: Issue[]): PlanProblem[] {
  const out: PlanProblem[] = [];
  const issues = raw.flatMap((i) => (i.code === 'invalid_union' ? unionBranch(i) : [i]));
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          ...source.locateKey(path, key),
          where: formatPath(path),
          message: `unknown key "${key}"${didYouMean(key)}`,
        });
      }
      continue;
    }
    if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message) && path.length) {
      // A missing key: say so at the mapping that lacks it.
      out.push({
        ...source.locate(path),
        where: formatPath(path.slice(0, -1)),
        message: `${String(path[path.length - 1])} is required`,
      });
      continue;
    }
    out.push(source.problem(path, issue.message));
  }
  return out.sort((a, b) => a.line - b.line || a.col - b.col);
}

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

interface Checker {
  problems: PlanProblem[];
  add(path: PlanPath, message: string): void;
  /** Absolute path of a file the plan names, relative to the plan's folder. */
  file(path: PlanPath, value: string, what: 'file' | 'folder'): Promise<string>;
}

function checker(source: PlanSource, dir: string): Checker {
  const problems: PlanProblem[] = [];
  const add = (path: PlanPath, message: string) => problems.push(source.problem(path, message));
  return {
    problems,
    add,
    async file(path, value, what) {
      const full = isAbsolute(value) ? value : resolve(dir, value);
      const info = await stat(full).catch(() => null);
      if (!info) {
        add(
          path,
          `${value}: no such ${what} (looked for ${full}; paths are relative to the plan's folder)`,
        );
      } else if (what === 'file' && !info.isFile()) {
        add(path, `${value} is not a regular file`);
      } else if (what === 'folder' && !info.isDirectory()) {
        add(path, `${value} is not a folder (a model bundle is a folder holding model.json)`);
      }
      return full;
    },
  };
}

async function readDataset(
  entry: PlanDatasetEntry,
  index: number,
  c: Checker,
): Promise<PlanDataset | null> {
  const path: PlanPath = ['datasets', index];
  const split = entry.split ?? 'test';
  const fromFiles = entry.source !== undefined || entry.file !== undefined;
  if (entry.dataset !== undefined) {
    if (fromFiles) {
      c.add(
        [...path, entry.source !== undefined ? 'source' : 'file'],
        'give either `dataset:` (an id in the workspace or a built-in one) or files to import, not both',
      );
      return null;
    }
    for (const key of IMPORT_ONLY) {
      if (entry[key] !== undefined) {
        c.add(
          [...path, key],
          `"${key}" applies to datasets imported from files; \`dataset: ${entry.dataset}\` is already in the workspace or built in`,
        );
      }
    }
    return { index, path, split, label: entry.dataset, kind: 'id', id: entry.dataset };
  }
  if (!fromFiles) {
    c.add(
      path,
      'a dataset is `dataset: ID` (in the workspace, or built in such as grammar-en-xx) or files to import (`source:` for plain text, `file:` for tsv, csv, jsonl or parquet)',
    );
    return null;
  }
  if (entry.source !== undefined && entry.file !== undefined) {
    c.add(
      [...path, 'file'],
      'give `source:` (plain text, one segment per line) or `file:` (tsv, csv, jsonl, parquet), not both',
    );
    return null;
  }
  if (!entry.kind) {
    c.add(
      path,
      'an imported dataset needs `kind:` translation, summarization or language-modelling',
    );
  }
  const name =
    entry.name ?? basename(entry.source ?? entry.file!, extname(entry.source ?? entry.file!));
  let request: ImportRequestInput;
  if (entry.source !== undefined) {
    if (entry.format !== undefined && entry.format !== 'text') {
      c.add(
        [...path, 'format'],
        `\`source:\` is a plain-text file; for ${entry.format} use \`file:\` with \`columns:\``,
      );
    }
    if (entry.columns !== undefined)
      c.add(
        [...path, 'columns'],
        'columns apply to `file:` imports; plain text takes `references:` files',
      );
    const source = await c.file([...path, 'source'], entry.source, 'file');
    const references: string[] = [];
    const refs = asList(entry.references);
    for (let i = 0; i < refs.length; i++) {
      const refPath = Array.isArray(entry.references)
        ? [...path, 'references', i]
        : [...path, 'references'];
      references.push(await c.file(refPath, refs[i], 'file'));
    }
    request = {
      name,
      kind: entry.kind ?? 'translation',
      format: 'text',
      split,
      sourceFile: { path: source },
      referenceFiles: references.map((p) => ({ path: p })),
    };
  } else {
    const format = entry.format ?? detectFormat(entry.file!);
    if (format === 'text') {
      c.add(
        [...path, entry.format ? 'format' : 'file'],
        'plain-text files are imported with `source:` (and `references:`); for a table give `format:` tsv, csv, jsonl or parquet',
      );
    }
    if (entry.references !== undefined) {
      c.add(
        [...path, 'references'],
        '`references:` are plain-text files; for a table name its reference columns in `columns: { references: [...] }`',
      );
    }
    if (!entry.columns) {
      c.add(path, `a ${format} import needs \`columns: { source: COLUMN, references: [COLUMN] }\``);
    }
    const file = await c.file([...path, 'file'], entry.file!, 'file');
    request = {
      name,
      kind: entry.kind ?? 'translation',
      format,
      split,
      file: { path: file },
      mapping: {
        source: entry.columns?.source ?? '',
        references: asList(entry.columns?.references),
      },
      ...(entry.quoting ? { quoting: entry.quoting } : {}),
    };
  }
  if (entry.languages) {
    request.languages = {
      ...(entry.languages.source ? { source: entry.languages.source } : {}),
      ...(entry.languages.target ? { target: entry.languages.target } : {}),
    };
  }
  return { index, path, split, label: name, kind: 'import', request };
}

async function readSystem(
  entry: PlanSystemEntry,
  index: number,
  datasets: readonly (PlanDataset | null)[],
  c: Checker,
): Promise<PlanSystem[]> {
  const path: PlanPath = ['systems', index];
  const isModel = entry.model !== undefined || entry.bundle !== undefined;
  const isOutputs = entry.outputs !== undefined;
  if (isModel && isOutputs) {
    c.add(
      [...path, 'outputs'],
      'a system is a model (`model:` / `bundle:`) or outputs made elsewhere (`outputs:`), not both',
    );
    return [];
  }
  if (!isModel && !isOutputs) {
    c.add(
      path,
      'a system needs `model: ID` (a workspace model), `bundle: FOLDER` (a model bundle to install) or `outputs: FILE` (hypotheses made elsewhere)',
    );
    return [];
  }
  if (isModel) {
    for (const key of OUTPUTS_ONLY) {
      if (entry[key] !== undefined)
        c.add([...path, key], `"${key}" applies to \`outputs:\` systems only`);
    }
    let bundle: string | null = null;
    if (entry.bundle !== undefined)
      bundle = await c.file([...path, 'bundle'], entry.bundle, 'folder');
    let model = entry.model;
    if (model === undefined && bundle !== null) {
      const fromFolder = basename(bundle).toLowerCase();
      if (modelIdSchema.safeParse(fromFolder).success) model = fromFolder;
      else
        c.add(
          [...path, 'bundle'],
          `cannot make a model id from the folder name "${basename(bundle)}"; add \`model: ID\` (lower-case letters, digits, . _ -)`,
        );
    }
    if (model === undefined) return [];
    const precisions: Precision[] =
      entry.precision === undefined ? ['fp32'] : asList(entry.precision);
    if (new Set(precisions).size !== precisions.length) {
      c.add([...path, 'precision'], 'a precision is listed twice');
    }
    return [...new Set(precisions)].map((precision) => {
      const spec: ModelSystemSpec = {
        type: 'model',
        model: model!,
        precision,
        provider: entry.provider ?? 'auto',
        beam: entry.beam ?? 1,
        lengthPenalty: entry.lengthPenalty ?? 1,
        batchSize: entry.batchSize ?? 32,
        ...(entry.maxLength !== undefined ? { maxLength: entry.maxLength } : {}),
        ...(entry.threads !== undefined ? { threads: entry.threads } : {}),
      };
      return { entry: index, path, label: systemLabel(spec), type: 'model' as const, spec, bundle };
    });
  }
  for (const key of MODEL_ONLY) {
    if (entry[key] !== undefined) c.add([...path, key], `"${key}" applies to model systems only`);
  }
  if (entry.codecarbon !== undefined && entry.energyJson !== undefined) {
    c.add([...path, 'energyJson'], 'give one energy report: `codecarbon:` or `energyJson:`');
  }
  let dataset = -1;
  if (entry.dataset !== undefined) {
    dataset = datasets.findIndex(
      (d) =>
        d !== null && (d.label === entry.dataset || (d.kind === 'id' && d.id === entry.dataset)),
    );
    if (dataset < 0) {
      const known = datasets.filter((d): d is PlanDataset => d !== null).map((d) => d.label);
      c.add(
        [...path, 'dataset'],
        `"${entry.dataset}" is not one of the plan's datasets (${known.join(', ')})`,
      );
    }
  } else if (datasets.length === 1) {
    dataset = 0;
  } else {
    c.add(
      path,
      "outputs line up with one dataset: add `dataset:` naming one of the plan's datasets (its id or name)",
    );
  }
  const hypotheses = await c.file([...path, 'outputs'], entry.outputs!, 'file');
  const energyFile = entry.codecarbon ?? entry.energyJson;
  const energyKey = entry.codecarbon !== undefined ? 'codecarbon' : 'energyJson';
  const energyPath =
    energyFile !== undefined ? await c.file([...path, energyKey], energyFile, 'file') : null;
  const logprobs =
    entry.logprobs !== undefined
      ? await c.file([...path, 'logprobs'], entry.logprobs, 'file')
      : null;
  const spec: OutputsSystemSpec = {
    type: 'outputs',
    name: entry.name ?? basename(entry.outputs!),
    hypotheses: { path: hypotheses },
    ...(energyPath
      ? {
          energy: {
            format: entry.codecarbon !== undefined ? 'codecarbon' : 'ecoeval',
            file: { path: energyPath },
          },
        }
      : {}),
    ...(logprobs ? { logprobs: { path: logprobs } } : {}),
  };
  return [{ entry: index, path, label: systemLabel(spec), type: 'outputs', spec, dataset }];
}

/** The baseline as the plan names it: a system's label, else a model id or name naming one system. */
function findBaseline(
  value: string,
  systems: readonly PlanSystem[],
): PlanSystem | 'ambiguous' | null {
  const exact = systems.find((s) => s.label === value);
  if (exact) return exact;
  const loose = systems.filter((s) => s.type === 'model' && s.spec.model === value);
  if (loose.length === 1) return loose[0];
  return loose.length > 1 ? 'ambiguous' : null;
}

/** Largest plan file read. */
const MAX_PLAN_BYTES = 1024 * 1024;

/**
 * Reads and checks the plan at `file` (resolved against `cwd`).
 * @throws PlanError listing every problem with its line; a missing file is one too.
 */
export async function loadPlan(file: string, cwd: string): Promise<ReportPlan> {
  const full = isAbsolute(file) ? file : resolve(cwd, file);
  let bytes: Buffer;
  try {
    // A plan is a few kilobytes; a huge file is the wrong one, and parsing it would take minutes.
    const { size } = await stat(full);
    if (size > MAX_PLAN_BYTES) {
      throw new PlanError(
        file,
        [
          {
            line: 1,
            col: 1,
            where: '',
            message: `the file is ${(size / 1024 / 1024).toFixed(1)} MiB; a plan is a short YAML or JSON file (at most 1 MiB) — check that this is the plan`,
          },
        ],
        '',
      );
    }
    bytes = await readFile(full);
  } catch (error) {
    if (error instanceof PlanError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new PlanError(
      file,
      [
        {
          line: 1,
          col: 1,
          where: '',
          message:
            code === 'ENOENT'
              ? `no such file (looked for ${full})`
              : `cannot read the plan (${code ?? (error as Error).message})`,
        },
      ],
      '',
    );
  }
  const decoded = decodeUtf8(bytes);
  if ('invalid' in decoded) {
    const { line, offset, byte } = decoded.invalid;
    throw new PlanError(
      file,
      [
        {
          line,
          col: 1,
          where: '',
          message: `invalid UTF-8 (byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} at offset ${offset}); save the plan as UTF-8`,
        },
      ],
      '',
    );
  }
  const text = decoded.text.replace(/^\uFEFF/, '');
  const source = parsePlanSource(file, text);
  const parsed = planSchema.safeParse(source.value ?? {});
  if (!parsed.success) throw new PlanError(file, shapeProblems(source, parsed.error.issues), text);
  const plan: PlanFile = parsed.data;
  const dir = dirname(full);
  const c = checker(source, dir);
  const warnings: string[] = [];

  const datasets: (PlanDataset | null)[] = [];
  for (let i = 0; i < plan.datasets.length; i++)
    datasets.push(await readDataset(plan.datasets[i], i, c));
  const seenDatasets = new Map<string, number>();
  datasets.forEach((d, i) => {
    if (!d) return;
    const key = d.kind === 'id' ? `id:${d.id}/${d.split}` : `import:${d.label}/${d.split}`;
    const before = seenDatasets.get(key);
    if (before !== undefined)
      c.add(['datasets', i], `the same dataset as datasets[${before}]; list each dataset once`);
    else seenDatasets.set(key, i);
  });

  const systems: PlanSystem[] = [];
  for (let i = 0; i < plan.systems.length; i++) {
    for (const system of await readSystem(plan.systems[i], i, datasets, c)) {
      const twin = systems.find(
        (s) =>
          s.label === system.label &&
          (s.type !== 'outputs' || system.type !== 'outputs' || s.dataset === system.dataset),
      );
      if (twin) {
        c.add(
          system.path,
          `"${system.label}" is already systems[${twin.entry}]; list each system once (energy.repeats runs a system several times)`,
        );
        continue;
      }
      systems.push(system);
    }
  }

  const energy = plan.energy ?? {};
  if (energy.idleBaseline !== undefined && energy.idleBaseline !== false) {
    c.add(
      ['energy', 'idleBaseline'],
      'subtracting an idle baseline is not supported for evaluation runs yet: their energy is gross (basis:gross in the signature). Remove the key; to measure a command above idle use `ecoeval energy baseline --save` and `ecoeval energy measure --baseline FILE -- COMMAND`',
    );
  }
  let country: string | null = null;
  if (energy.country !== undefined) {
    const row = loadIntensityTable().get(energy.country.toUpperCase());
    if (!row)
      c.add(
        ['energy', 'country'],
        `no grid intensity for country "${energy.country}" in EcoEval's table; use an ISO 3166 code such as FR, DE or USA`,
      );
    else country = row.alpha2;
  }
  const repeats = energy.repeats ?? 1;
  if (repeats > 1 && systems.every((s) => s.type === 'outputs')) {
    warnings.push(
      'energy.repeats applies to model systems; imported outputs are evaluated once (their energy comes from the report given)',
    );
  }
  if (energy.measure === false) {
    warnings.push(
      'energy measurement is off (energy.measure: false): new runs carry no energy figure and stay off the charts',
    );
  }

  const chart = plan.chart ?? {};
  for (const [i, name] of (chart.metrics ?? []).entries()) {
    if (!ALL_SCORE_NAMES.includes(name)) {
      c.add(
        ['chart', 'metrics', i],
        `"${name}" is not a score name; use ${ALL_SCORE_NAMES.join(', ')}`,
      );
    }
  }

  let baseline: string | null = null;
  if (plan.baseline !== undefined) {
    const found = findBaseline(plan.baseline, systems);
    if (found === 'ambiguous') {
      c.add(
        ['baseline'],
        `"${plan.baseline}" names several systems; use one label: ${systems
          .filter((s) => s.type === 'model' && s.spec.model === plan.baseline)
          .map((s) => `"${s.label}"`)
          .join(', ')}`,
      );
    } else if (!found) {
      c.add(
        ['baseline'],
        `"${plan.baseline}" is none of the plan's systems; use a label: ${systems.map((s) => `"${s.label}"`).join(', ')}`,
      );
    } else baseline = found.label;
  }

  if (c.problems.length) {
    throw new PlanError(
      file,
      [...c.problems].sort((a, b) => a.line - b.line || a.col - b.col),
      text,
    );
  }
  const metrics = plan.metrics ?? {};
  return {
    file: full,
    display: file,
    sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
    source,
    title: plan.title ?? basename(full, extname(full)),
    workspace: plan.workspace !== undefined ? resolve(dir, plan.workspace) : null,
    datasets: datasets as PlanDataset[],
    systems,
    metrics: metrics.use ? [...new Set(metrics.use)] : null,
    scoring: {
      bootstrap: metrics.bootstrap ?? DEFAULT_BOOTSTRAP,
      seed: metrics.seed ?? DEFAULT_SEED,
      pairedResamples: metrics.pairedResamples ?? DEFAULT_PAIRED_RESAMPLES,
    },
    energy: { measure: energy.measure ?? true, country, overhead: energy.overhead ?? 1, repeats },
    chart: {
      energy: {
        unit: chart.unit ?? DEFAULT_CHART_ENERGY.unit,
        scale: chart.scale ?? DEFAULT_CHART_ENERGY.scale,
        includeTraining: chart.includeTraining ?? DEFAULT_CHART_ENERGY.includeTraining,
        amortiseOver: chart.amortiseOver ?? DEFAULT_CHART_ENERGY.amortiseOver,
      },
      metrics: chart.metrics ?? null,
    },
    baseline,
    tags: [...new Set(plan.tags ?? [])],
    warnings,
  };
}
