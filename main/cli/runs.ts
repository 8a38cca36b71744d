/**
 * `ecoeval runs list|show ID|rename ID NAME|tag ID [TAG...]|delete ID --yes|export ID --out DIR`:
 * the workspace's evaluation runs
 * through the same API the app uses — scores with their signatures, energy with its method and
 * grade (an estimate is always called one), throughput and provenance. Unreadable run folders are
 * listed with the reason and never touched. Also the run description `ecoeval evaluate` prints.
 */
import { parseArgs } from 'node:util';
import type { RunEnergy, RunRecord, RunSummary } from '../../shared/api/types';
import { validatedApi } from '../bridge/direct';
import { toApiError } from '../bridge/dispatch';
import type { CliCommand, CliIO } from './io';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE } from './io';
import { cliServices } from './services';

export const RUNS_HELP = `Usage: ecoeval runs <command> [options]

Commands:
  list                   Evaluation runs in the workspace, newest first (and unreadable run folders)
  show ID                Scores with signatures, energy with method and grade, throughput, provenance
  rename ID NAME         Give a run another display name
  tag ID [TAG ...]       Set a run's tags (none: remove them all)
  delete ID --yes        Delete a run
  export ID --out DIR    Copy the run's files (run.json, outputs.txt, ...) into DIR as ID.<file>

Options: --workspace DIR (or ECOEVAL_WORKSPACE), --json
Runs are made by \`ecoeval evaluate\` (or the app's Evaluate page).
`;

const options = {
  workspace: { type: 'string' },
  json: { type: 'boolean' },
  yes: { type: 'boolean' },
  out: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Joules in the most readable unit. */
export function joules(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 3.6e6) return `${(value / 3.6e6).toPrecision(3)} kWh`;
  if (abs >= 1e3) return `${(value / 1e3).toPrecision(3)} kJ`;
  if (abs >= 1) return `${value.toPrecision(3)} J`;
  return `${(value * 1e3).toPrecision(3)} mJ`;
}

/** `28.7 J [14.4 J – 57.4 J], estimated, grade D`: never a bare number. */
export function energyHeadline(
  energy: Pick<RunEnergy, 'joules' | 'lowJ' | 'highJ' | 'kind' | 'grade'>,
): string {
  return `${joules(energy.joules)} [${joules(energy.lowJ)} – ${joules(energy.highJ)}], ${energy.kind}, grade ${energy.grade}`;
}

function headlineScore(run: RunSummary): string {
  const first = run.scores[0];
  if (!first) return run.state === 'complete' ? '-' : 'not scored';
  return `${first.name} ${first.score.toFixed(2)}`;
}

function listRow(run: RunSummary): string {
  const energy = run.energy ? energyHeadline(run.energy) : 'no energy figure';
  return `${run.id.padEnd(44)} ${run.system.label.padEnd(24)} ${`${run.dataset.id}/${run.dataset.split}`.padEnd(24)} ${headlineScore(run).padEnd(14)} ${energy}`;
}

/** The full text description of a run (also printed by `ecoeval evaluate`). */
export function describeRun(run: RunRecord): string {
  const p = run.provenance;
  const lines = [
    `${run.name}  [${run.id}]`,
    `  ${run.state === 'complete' ? 'scored' : 'awaiting scores'}; ${p.dataset.segments} segments of ${run.dataset.id}/${run.dataset.split}; metrics ${run.metrics.join(', ')}${run.tags.length ? `; tags ${run.tags.join(', ')}` : ''}`,
  ];
  for (const s of run.scores) {
    lines.push(`  ${s.formatted}`);
    lines.push(`    signature: ${s.signature}`);
  }
  const e = run.energy;
  if (e) {
    lines.push(`  energy: ${energyHeadline(e)}, ${e.windowS.toFixed(2)} s window`);
    for (const c of e.components) {
      lines.push(
        `    ${c.component.padEnd(6)} ${joules(c.joules).padStart(9)}  ${c.method}: ${c.label}`,
      );
    }
    if (e.phases.length) {
      lines.push(
        `    phases: ${e.phases.map((x) => `${x.phase} ${joules(x.joules)} (${(x.endS - x.startS).toFixed(2)} s)`).join(', ')}`,
      );
    }
    for (const u of e.perUnit) {
      lines.push(
        `    ${u.unit}: ${u.joules.toPrecision(3)} [${u.lowJ.toPrecision(3)} – ${u.highJ.toPrecision(3)}] over ${u.count}`,
      );
    }
    if (e.carbon) {
      lines.push(
        `    carbon: ${e.carbon.grams.toPrecision(3)} gCO2e [${e.carbon.lowG.toPrecision(3)} – ${e.carbon.highG.toPrecision(3)}] at ${e.carbon.source}`,
      );
    }
    if (e.flags.length) lines.push(`    flags: ${e.flags.join(', ')}`);
    for (const r of e.gradeReasons) lines.push(`    · ${r}`);
    lines.push(`    signature: ${e.signature}`);
  } else {
    const note = p.settings.energyNote;
    lines.push(`  energy: not measured${typeof note === 'string' ? ` (${note})` : ''}`);
  }
  if (run.training) {
    const t = run.training;
    lines.push(
      `  training energy (to step ${t.step}): ${energyHeadline(t)}; signature ${t.signature}`,
    );
  }
  const t = run.throughput;
  if (t) {
    const latency =
      t.latencyMsP50 !== null
        ? `, latency per sentence p50 ${t.latencyMsP50.toFixed(1)} ms, p95 ${t.latencyMsP95?.toFixed(1)} ms`
        : '';
    lines.push(
      `  throughput: ${t.segmentsPerSecond.toFixed(1)} segments/s, ${t.tokensPerSecond.toFixed(0)} tokens/s (${t.outputTokens} tokens in ${t.seconds.toFixed(2)} s)${latency}`,
    );
  }
  lines.push(
    `  provenance: EcoEval ${p.appVersion} (${p.host}), ${p.backend}${p.provider ? ` on ${p.provider}` : ''}; ${p.hardware.cpu}, ${p.hardware.cores} cores, ${p.hardware.memoryGB} GB, ${p.hardware.platform}`,
  );
  if (p.model) {
    lines.push(
      `    model ${p.model.id} step ${p.model.step} (${p.model.preset}, ${p.model.parameters.toLocaleString('en-US')} parameters), weights sha256 ${p.model.sha256.slice(0, 12)}…`,
    );
  }
  lines.push(
    `    dataset sha256 ${p.dataset.sha256.slice(0, 12)}…, outputs sha256 ${p.outputsSha256.slice(0, 12)}…`,
  );
  const settings = Object.entries(p.settings)
    .filter(([k]) => k !== 'energyNote')
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  if (settings) lines.push(`    settings: ${settings}`);
  return lines.join('\n') + '\n';
}

async function run(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    io.stderr(`ecoeval runs: ${(error as Error).message}\n${RUNS_HELP}`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  const [command, id, ...extra] = positionals;
  if (values.help || !command) {
    io.stdout(RUNS_HELP);
    return values.help ? EXIT_OK : EXIT_USAGE;
  }
  if (!['list', 'show', 'rename', 'tag', 'delete', 'export'].includes(command)) {
    io.stderr(`ecoeval runs: unknown command "${command}". Run \`ecoeval runs --help\`.\n`);
    return EXIT_USAGE;
  }
  if (command === 'rename' && (!id || extra.length !== 1)) {
    io.stderr(
      'ecoeval runs rename: give the run id and the new name: ecoeval runs rename ID NAME\n',
    );
    return EXIT_USAGE;
  }
  if (command === 'tag' && !id) {
    io.stderr('ecoeval runs tag: give the run id, then its tags: ecoeval runs tag ID [TAG ...]\n');
    return EXIT_USAGE;
  }
  if (command !== 'list' && command !== 'rename' && command !== 'tag' && (!id || extra.length)) {
    io.stderr(`ecoeval runs ${command}: give one run id: ecoeval runs ${command} ID\n`);
    return EXIT_USAGE;
  }
  if (command === 'delete' && !values.yes) {
    io.stderr(`ecoeval runs delete: deleting ${id} cannot be undone; add --yes to confirm\n`);
    return EXIT_USAGE;
  }
  if (command === 'export' && !values.out) {
    io.stderr('ecoeval runs export: --out DIR is required (where the files go)\n');
    return EXIT_USAGE;
  }
  const services = await cliServices(io, values.workspace);
  const debug = (e: unknown) => {
    if (io.env.ECOEVAL_DEBUG) io.stderr(`${(e as Error)?.stack ?? String(e)}\n`);
  };
  const api = validatedApi(services.handlers, debug);
  const print = (value: unknown, text: string) =>
    io.stdout(values.json ? JSON.stringify(value, null, 2) + '\n' : text);
  try {
    switch (command) {
      case 'list': {
        const list = await api.listRuns();
        const lines = list.runs.map(listRow);
        if (!list.runs.length) {
          lines.push(
            'No runs yet. Evaluate a model: ecoeval evaluate --model ID --dataset grammar-en-xx',
          );
        }
        for (const b of list.broken) lines.push(`! ${b.folder}: ${b.problem}`);
        print(list, lines.join('\n') + '\n');
        return EXIT_OK;
      }
      case 'show': {
        const record = await api.getRun(id);
        print(record, describeRun(record));
        return EXIT_OK;
      }
      case 'rename': {
        const record = await api.renameRun({ run: id, name: extra[0] });
        print(record, `Renamed run ${record.id}: ${record.name}\n`);
        return EXIT_OK;
      }
      case 'tag': {
        const record = await api.tagRun({ run: id, tags: extra });
        print(
          record,
          `Run ${record.id} ${record.tags.length ? `is tagged ${record.tags.join(', ')}` : 'has no tags'}\n`,
        );
        return EXIT_OK;
      }
      case 'delete': {
        const result = await api.deleteRun({ run: id, confirm: true });
        print(result, `Deleted run ${result.deleted}.\n`);
        return EXIT_OK;
      }
      default: {
        const result = await api.exportRun({ run: id, directory: values.out! });
        print(result, result.files.map((f) => `${f}\n`).join(''));
        return EXIT_OK;
      }
    }
  } catch (error) {
    io.stderr(`ecoeval runs ${command}: ${toApiError(error, debug).message}\n`);
    return EXIT_BAD_INPUT;
  } finally {
    await services.queue.close();
  }
}

export const runsCommand: CliCommand = run;
