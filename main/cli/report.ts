/**
 * `ecoeval report run|render|schema`: batch evaluation reports. `run` executes a plan file
 * (datasets × systems × metrics, energy settings) through the measured queue, one job at a time,
 * resumable after an interruption, then writes the report; `render` writes the same report from
 * runs already in the workspace; `schema` prints the JSON Schema of results.json.
 * Exit codes: 0 every run succeeded, 1 some failed (listed), 2 a bad plan or usage, 130 Ctrl-C.
 * One process writes a report folder at a time (`.report.lock` in it): two would mix their files.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { WorkbenchApi } from '../../shared/api/contract';
import type { QueuedJob, RunRecord } from '../../shared/api/types';
import type { EnergyScale, EnergyUnit } from '../../shared/evaluation/energy-units';
import type { AppServices } from '../app';
import { appVersion } from '../app';
import { validatedApi } from '../bridge/direct';
import { loadIntensityTable } from '../services/energy/carbon';
import { ServiceError } from '../services/errors';
import type { RunSelection } from '../services/report/collect';
import { selectRuns } from '../services/report/collect';
import {
  DEFAULT_CHART_ENERGY,
  DEFAULT_PAIRED_RESAMPLES,
  DEFAULT_SEED,
  loadPlan,
} from '../services/report/plan';
import type { ReportPlan } from '../services/report/plan';
import { PlanError } from '../services/report/plan-source';
import { preparePlan } from '../services/report/prepare';
import { writeReport } from '../services/report/report';
import { resultsJsonSchemaText } from '../services/report/results-schema';
import { runPlan } from '../services/report/runner';
import type { RunnerEvent } from '../services/report/runner';
import { STATE_FILE } from '../services/report/state';
import { REPORT_HTML, checkOutDir } from '../services/report/write';
import { describeOwner, tryHoldLock } from '../services/workspace/lock';
import type { HeldLock } from '../services/workspace/lock';
import type { CliCommand, CliIO } from './io';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, UserError } from './io';
import { jobProgressPrinter, queueNoticePrinter } from './job-progress';
import { energyHeadline } from './runs';
import { cliServices } from './services';

export const REPORT_HELP = `Usage: ecoeval report <command> [options]

Commands:
  run PLAN --out DIR [--force] [--resume]
        Run a plan (YAML or JSON: datasets, systems, metrics, energy settings; see
        examples/report-plan.yaml) through the measured queue, one job at a time, then write
        the report into DIR. Runs with identical provenance already in the workspace are reused.
          --force     evaluate again even when an identical run exists
          --resume    after an interruption: keep the runs DIR/${STATE_FILE} records as finished
  render (--runs ID[,ID...] | --tag TAG | --all) --out DIR [--title T] [--baseline RUN]
        The same report from runs already in the workspace; nothing is evaluated.
          --country CC          grid intensity for carbon (default: as each run recorded it)
          --overhead F          overhead factor (PUE) applied to carbon (default 1)
          --unit J|Wh|gCO2e     chart energy unit (default J)
          --scale S             total, per-segment (default) or per-1k-segments
  schema
        Print the JSON Schema of results.json (docs/schemas/results.schema.json).

Outputs in DIR: report.html (one self-contained page: charts, tables, significance, energy,
carbon, signatures, provenance), report.md (GitHub tables), results.json, results.csv,
runs/<id>/ (run.json, outputs.txt, segments.csv).

Options: --workspace DIR (else the plan's \`workspace:\`, ECOEVAL_WORKSPACE, the per-user folder)
Exit codes: 0 all runs succeeded, 1 some failed (listed), 2 bad plan or usage, 130 cancelled.
`;

const options = {
  out: { type: 'string', short: 'o' },
  force: { type: 'boolean' },
  resume: { type: 'boolean' },
  runs: { type: 'string', multiple: true },
  tag: { type: 'string' },
  all: { type: 'boolean' },
  title: { type: 'string' },
  baseline: { type: 'string' },
  country: { type: 'string' },
  overhead: { type: 'string' },
  unit: { type: 'string' },
  scale: { type: 'string' },
  workspace: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<
  typeof parseArgs<{ options: typeof options; allowPositionals: true }>
>['values'];

function usage(message: string): UserError {
  return new UserError(`${message}\nRun \`ecoeval report --help\` for the options.`, EXIT_USAGE);
}

function services(
  io: CliIO,
  workspace: string | undefined,
  energy?: 'auto' | 'off',
): Promise<AppServices> {
  return cliServices(io, workspace, energy ? { energy } : undefined);
}

function debugLog(io: CliIO): (e: unknown) => void {
  return (e) => {
    if (io.env.ECOEVAL_DEBUG) io.stderr(`${(e as Error)?.stack ?? String(e)}\n`);
  };
}

function outDirOf(io: CliIO, values: Values, workspaceRoot: string): string {
  if (!values.out) throw usage('--out DIR is required (the report folder)');
  const dir = resolve(io.cwd, values.out);
  try {
    checkOutDir(dir, workspaceRoot);
  } catch (error) {
    throw new UserError((error as Error).message, EXIT_USAGE);
  }
  return dir;
}

/** Marks a report folder being written; a holder that died is taken over. */
export const REPORT_LOCK = '.report.lock';

/**
 * Claims the report folder for this command, or refuses at once: a report run takes minutes, and
 * two processes writing one folder would leave one's results.json beside the other's runs.
 */
function holdOutDir(outDir: string, purpose: string): HeldLock {
  mkdirSync(outDir, { recursive: true });
  const claim = tryHoldLock(join(outDir, REPORT_LOCK), purpose);
  if ('held' in claim) return claim.held;
  const who = claim.busy ? `: ${describeOwner(claim.busy)}` : '';
  throw new UserError(
    `${outDir} is being written by another EcoEval process${who}. Wait for it to finish, or choose another --out folder.`,
  );
}

function scoresLine(record: RunRecord): string {
  return record.scores.map((s) => `${s.name} ${s.score.toFixed(2)}`).join(', ');
}

/** Log lines for the runner's events; the running job's progress is a bar on a terminal. */
function eventPrinter(io: CliIO): (event: RunnerEvent) => void {
  let printer: ReturnType<typeof jobProgressPrinter> | null = null;
  return (event) => {
    if (event.type === 'note') {
      io.stderr(`note: ${event.message}\n`);
      return;
    }
    const at = `[${event.index}/${event.total}]`;
    switch (event.type) {
      case 'start':
        printer = jobProgressPrinter(io, { prefix: `${at} ` });
        io.stderr(`${at} ${event.task.label}…\n`);
        return;
      case 'progress':
        printer?.(event.progress);
        return;
      case 'failed':
        io.stderr(`${at} FAILED ${event.task.label}: ${event.message}\n`);
        return;
      case 'done': {
        const r = event.record;
        const energy = r.energy ? energyHeadline(r.energy) : 'no energy figure';
        const how =
          event.how === 'resumed'
            ? 'finished before the interruption'
            : event.how === 'identical'
              ? 'identical run exists (same system, data and metrics; --force redoes it)'
              : `done in ${event.seconds.toFixed(1)} s`;
        io.stderr(`${at} ${event.task.label}: ${how}: run ${r.id}; ${scoresLine(r)}; ${energy}\n`);
      }
    }
  };
}

async function runCommand(planFile: string, values: Values, io: CliIO): Promise<number> {
  let plan: ReportPlan;
  try {
    plan = await loadPlan(planFile, io.cwd);
  } catch (error) {
    if (error instanceof PlanError) {
      io.stderr(`ecoeval report run: the plan cannot be run:\n${error.describe()}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  const app = await services(
    io,
    values.workspace ?? plan.workspace ?? undefined,
    plan.energy.measure ? 'auto' : 'off',
  );
  const api: WorkbenchApi = validatedApi(app.handlers, debugLog(io));
  let folder: HeldLock | null = null;
  try {
    const outDir = outDirOf(io, values, app.workspace.root);
    io.stderr(
      `Plan ${plan.display}: ${plan.systems.length} system(s) × ${plan.datasets.length} dataset(s), workspace ${app.workspace.root}\n`,
    );
    for (const w of plan.warnings) io.stderr(`note: ${w}\n`);
    let prepared;
    try {
      prepared = await preparePlan(plan, api, app.workspace);
    } catch (error) {
      if (error instanceof PlanError) {
        io.stderr(`ecoeval report run: the plan cannot be run:\n${error.describe()}\n`);
        return EXIT_USAGE;
      }
      throw error;
    }
    for (const n of prepared.notes) io.stderr(`note: ${n}\n`);
    folder = holdOutDir(outDir, `report run of ${plan.display}`);
    // Why a task waits: another EcoEval process (the app, another command) is measuring.
    const notices = queueNoticePrinter(io);
    const off = app.subscribe((event, payload) => {
      if (event === 'queue:changed') notices((payload as { jobs: QueuedJob[] }).jobs);
    });
    const outcome = await runPlan({
      plan,
      prepared,
      services: app,
      api,
      outDir,
      force: values.force ?? false,
      resume: values.resume ?? false,
      signal: io.signal,
      onEvent: eventPrinter(io),
    }).finally(off);
    const done = outcome.outcomes.filter((o) => o.state === 'done').length;
    if (outcome.cancelled) {
      io.stderr(
        `ecoeval report run: cancelled; ${done} of ${prepared.tasks.length} task(s) finished (recorded in ${resolve(outDir, STATE_FILE)}). Resume with:\n  ecoeval report run ${planFile} --out ${values.out} --resume\n`,
      );
      return 130;
    }
    const records: RunRecord[] = [];
    for (const o of outcome.outcomes) {
      if (o.state === 'done' && o.runId) records.push(await app.runs.get(o.runId));
    }
    const failures = outcome.outcomes
      .filter((o) => o.state === 'failed')
      .map((o) => ({ task: o.task.label, run: o.runId, message: o.message ?? 'failed' }));
    const { written } = await writeReport(outDir, {
      store: app.runs,
      records,
      title: plan.title,
      appVersion: appVersion(),
      source: { kind: 'plan', description: plan.display, sha256: plan.sha256 },
      baseline: plan.baseline ? { system: plan.baseline, chosen: 'plan' } : null,
      chart: plan.chart,
      carbon: { country: plan.energy.country, overhead: plan.energy.overhead },
      pairedResamples: plan.scoring.pairedResamples,
      seed: plan.scoring.seed,
      failures,
      warnings: plan.warnings,
    });
    io.stdout(`${written.map((f) => `${f}\n`).join('')}`);
    io.stderr(
      `Report: ${resolve(outDir, REPORT_HTML)} (${records.length} run(s)${failures.length ? `; ${failures.length} task(s) failed` : ''})\n`,
    );
    if (failures.length) {
      for (const f of failures) io.stderr(`  failed: ${f.task}: ${f.message}\n`);
      return EXIT_BAD_INPUT;
    }
    return EXIT_OK;
  } finally {
    await app.queue.close();
    folder?.release();
  }
}

function selection(values: Values): RunSelection {
  const chosen = [values.runs !== undefined, values.tag !== undefined, values.all === true].filter(
    Boolean,
  ).length;
  if (chosen !== 1)
    throw usage('choose the runs with one of --runs ID[,ID...], --tag TAG or --all');
  if (values.runs) {
    const ids = values.runs
      .flatMap((r) => r.split(','))
      .map((r) => r.trim())
      .filter(Boolean);
    if (!ids.length) throw usage('--runs takes run ids, comma-separated');
    return { runs: [...new Set(ids)] };
  }
  if (values.tag) return { tag: values.tag };
  return { all: true };
}

async function renderCommand(values: Values, io: CliIO): Promise<number> {
  const chosen = selection(values);
  const unit = (values.unit ?? DEFAULT_CHART_ENERGY.unit) as EnergyUnit;
  if (!['J', 'Wh', 'gCO2e'].includes(unit)) throw usage('--unit must be J, Wh or gCO2e');
  const scale = (values.scale ?? DEFAULT_CHART_ENERGY.scale) as EnergyScale;
  if (!['total', 'per-segment', 'per-1k-segments'].includes(scale)) {
    throw usage('--scale must be total, per-segment or per-1k-segments');
  }
  let overhead = 1;
  if (values.overhead !== undefined) {
    overhead = Number(values.overhead);
    if (!Number.isFinite(overhead) || overhead < 1 || overhead > 3)
      throw usage('--overhead must be a number from 1 to 3');
  }
  let country: string | null = null;
  if (values.country !== undefined) {
    const row = loadIntensityTable().get(values.country.toUpperCase());
    if (!row)
      throw usage(
        `--country: no grid intensity for "${values.country}"; use an ISO 3166 code such as FR, DE or USA`,
      );
    country = row.alpha2;
  }
  const app = await services(io, values.workspace);
  let folder: HeldLock | null = null;
  try {
    const outDir = outDirOf(io, values, app.workspace.root);
    const { records, warnings } = await selectRuns(app.runs, chosen);
    if (values.baseline && !records.some((r) => r.id === values.baseline)) {
      throw usage(`--baseline ${values.baseline} is not one of the report's runs`);
    }
    const description =
      'runs' in chosen
        ? `--runs ${chosen.runs.join(',')}`
        : 'tag' in chosen
          ? `--tag ${chosen.tag}`
          : '--all';
    folder = holdOutDir(outDir, `report render ${description}`);
    const { written, results } = await writeReport(outDir, {
      store: app.runs,
      records,
      title: values.title ?? ('tag' in chosen ? `EcoEval report: ${chosen.tag}` : 'EcoEval report'),
      appVersion: appVersion(),
      source: { kind: 'runs', description, sha256: null },
      baseline: values.baseline ? { run: values.baseline, chosen: 'option' } : null,
      chart: { energy: { ...DEFAULT_CHART_ENERGY, unit, scale }, metrics: null },
      carbon: { country, overhead },
      pairedResamples: DEFAULT_PAIRED_RESAMPLES,
      seed: DEFAULT_SEED,
      warnings,
    });
    for (const w of warnings) io.stderr(`note: ${w}\n`);
    io.stdout(`${written.map((f) => `${f}\n`).join('')}`);
    io.stderr(`Report: ${resolve(outDir, REPORT_HTML)} (${results.runs.length} run(s))\n`);
    return EXIT_OK;
  } finally {
    await app.queue.close();
    folder?.release();
  }
}

async function run(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    io.stdout(REPORT_HELP);
    return values.help ? EXIT_OK : EXIT_USAGE;
  }
  try {
    switch (command) {
      case 'run':
        if (rest.length !== 1) throw usage('give one plan file: ecoeval report run PLAN --out DIR');
        for (const k of [
          'runs',
          'tag',
          'all',
          'title',
          'baseline',
          'country',
          'overhead',
          'unit',
          'scale',
        ] as const) {
          if (values[k] !== undefined)
            throw usage(
              `--${k} belongs to \`report render\`; \`report run\` takes it from the plan`,
            );
        }
        return await runCommand(rest[0], values, io);
      case 'render':
        if (rest.length)
          throw usage(`\`report render\` takes no file; choose runs with --runs, --tag or --all`);
        if (values.force || values.resume)
          throw usage('--force and --resume belong to `report run`');
        return await renderCommand(values, io);
      case 'schema':
        io.stdout(resultsJsonSchemaText());
        return EXIT_OK;
      default:
        throw usage(`unknown command "${command}"`);
    }
  } catch (error) {
    if (io.signal.aborted) {
      io.stderr('ecoeval report: cancelled.\n');
      return 130;
    }
    if (error instanceof ServiceError) throw new UserError(error.message);
    throw error;
  }
}

/** `ecoeval report`: see the module header. */
export const reportCommand: CliCommand = async (argv, io) => {
  try {
    return await run(argv, io);
  } catch (error) {
    if (error instanceof UserError) {
      io.stderr(`ecoeval report: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
};
