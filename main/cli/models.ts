/**
 * `ecoeval models list|show|delete|export|import`: the workspace's trained models — what each is
 * (task, preset, parameters, vocabulary), how far training got (steps, tokens, time, energy, BLEU
 * curve), which backend trained it and why others were not used; unreadable model folders are
 * listed with the reason and never touched. `export` and `import` move a model between
 * workspaces as a checked bundle folder (services/model/bundle.ts).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ServiceError } from '../services/errors';
import { resolveWorkspaceDir, Workspace } from '../services/workspace/workspace';
import { ModelStore, summarise } from '../services/model/store';
import { checkpointBytes } from '../services/model/checkpoint';
import type { ModelManifest } from '../services/model/checkpoint';
import type { ModelSummary } from '../services/model/store';
import { exportBundle, importBundle } from '../services/model/bundle';
import type { BundleResult } from '../services/model/bundle';
import type { CliCommand } from './io';
import { humanBytes } from './export';
import { EXIT_OK, EXIT_USAGE, UserError } from './io';

export const MODELS_HELP = `Usage: ecoeval models <command> [options]

Commands:
  list              Trained models in the workspace (and unreadable model folders)
  show ID           Configuration, training record, validation curve and backend of a model
  delete ID --yes   Delete a model (refused while it is being trained)
  export ID --out DIR [--optimizer] [--onnx]
                    Write the model as a bundle folder another workspace can import: model.json
                    (configuration, training record with energy and backend), weights, tokenizer;
                    --optimizer adds the Adam state (exact resume), --onnx its current ONNX exports
  import DIR [--name NAME]
                    Check a bundle (sizes, sha256, shapes, finite weights, tokenizer) and copy it
                    into this workspace under a new id; its training record and energy are kept

Options: --workspace DIR (or ECOEVAL_WORKSPACE), --json
`;

const options = {
  workspace: { type: 'string' },
  json: { type: 'boolean' },
  yes: { type: 'boolean' },
  out: { type: 'string' },
  name: { type: 'string' },
  optimizer: { type: 'boolean' },
  onnx: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function row(m: ModelSummary): string {
  const bleu = m.bestBleu !== null ? `BLEU ${m.bestBleu.toFixed(1)}` : 'BLEU -';
  const energy = m.joules !== null ? ` ${(m.joules / 1000).toFixed(1)} kJ` : '';
  return `${m.id.padEnd(40)} ${m.task.kind.padEnd(18)} ${(m.preset ?? '-').padEnd(5)} ${`${(m.parameters / 1e6).toFixed(2)}M`.padStart(6)} ${String(m.step).padStart(6)} steps ${m.status.padEnd(13)} ${bleu}${energy}  ${m.backend}`;
}

function describe(manifest: ModelManifest, bytes: number): string {
  const s = summarise(manifest, bytes);
  const c = manifest.config;
  const t = manifest.training;
  const lines = [
    `${manifest.name}  [${manifest.id}]`,
    `  task: ${manifest.task.kind} on ${manifest.task.dataset}${manifest.task.sourceLanguage ? ` (${manifest.task.sourceLanguage}→${manifest.task.targetLanguage})` : ''}`,
    `  model: ${c.kind}, preset ${manifest.preset ?? 'custom'}, d_model ${c.dModel}, ${c.heads} heads, ${c.encoderLayers}+${c.decoderLayers} layers, ff ${c.ffDim}, vocabulary ${c.srcVocabSize !== undefined ? `${c.srcVocabSize} source / ${c.vocabSize} target (separate)` : c.vocabSize}, max length ${c.maxLength}, dropout ${c.dropout}${c.tiedEmbeddings ? ', tied embeddings' : ''}`,
    `  parameters: ${manifest.parameters.toLocaleString('en-US')}; files ${mb(bytes)} (weights ${manifest.weights.file}${manifest.optimizer ? `, optimizer ${manifest.optimizer.file}` : ''})`,
    `  training: ${s.status}${t.stopReason ? ` (${t.stopReason})` : ''}; ${t.step} steps, ${t.tokens.toLocaleString('en-US')} target tokens, ${(t.elapsedS / 60).toFixed(1)} min${t.joules !== null ? `, ${(t.joules / 1000).toFixed(2)} kJ` : ''}`,
    `  energy: ${t.energy.status}, method ${s.energyMethod} — ${t.energy.reason}${t.energy.grade ? ` (grade ${t.energy.grade})` : ''}`,
    `  backend: ${t.backend.name} (${t.backend.tfjsBackend}, tfjs ${t.backend.tfjsVersion})${t.parallelism ? `; ${t.parallelism.reason}` : ''}`,
    `  backends tried, and why the others were not used:`,
  ];
  for (const a of t.backend.attempts)
    lines.push(`    ${a.name.padEnd(9)} ${a.outcome.padEnd(8)} ${a.reason}`);
  if (t.backend.patches.length) lines.push(`    patches: ${t.backend.patches.join('; ')}`);
  for (const p of s.provenance) {
    lines.push(
      `  ${p.event} ${p.at}${p.event === 'imported' ? ` as ${p.modelId} (was ${p.from ?? '?'})` : ` from ${p.modelId}`}`,
    );
  }
  if (t.curve.length) {
    lines.push('  validation:   step   minutes        kJ   loss    BLEU');
    for (const p of t.curve) {
      lines.push(
        `              ${String(p.step).padStart(6)} ${(p.elapsedS / 60).toFixed(1).padStart(9)} ${p.joules !== null ? (p.joules / 1000).toFixed(2).padStart(9) : '        -'} ${p.validLoss?.toFixed(3).padStart(6) ?? '     -'} ${p.validBleu?.toFixed(2).padStart(7) ?? '      -'}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

function bundleLines(result: BundleResult): string {
  const lines = result.files.map(
    (f) => `  ${f.file.padEnd(44)} ${humanBytes(f.bytes).padStart(9)}`,
  );
  lines.push(`  ${'total'.padEnd(44)} ${humanBytes(result.totalBytes).padStart(9)}`);
  for (const note of result.notes) lines.push(`  note: ${note}`);
  return lines.join('\n') + '\n';
}

async function run(argv: string[], io: Parameters<CliCommand>[1]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UserError(`${(error as Error).message}\n${MODELS_HELP}`, EXIT_USAGE);
  }
  const { values, positionals } = parsed;
  const [command, id, ...extra] = positionals;
  if (values.help || !command) {
    io.stdout(MODELS_HELP);
    return values.help ? EXIT_OK : EXIT_USAGE;
  }
  const workspace = await Workspace.open(resolveWorkspaceDir(values.workspace, io.env, io.cwd));
  const store = new ModelStore(workspace);
  const print = (value: unknown, text: string) =>
    io.stdout(values.json ? JSON.stringify(value, null, 2) + '\n' : text);
  const needId = () => {
    if (!id || extra.length)
      throw new UserError(`give one model id: ecoeval models ${command} ID`, EXIT_USAGE);
    return id;
  };
  switch (command) {
    case 'list': {
      const list = await store.list();
      const lines = list.models.map(row);
      if (!list.models.length)
        lines.push(
          'No models yet. Train one: ecoeval train --dataset grammar-en-xx --preset tiny --steps 300',
        );
      for (const b of list.broken) lines.push(`! ${b.folder}: ${b.problem}`);
      print(list, lines.join('\n') + '\n');
      return EXIT_OK;
    }
    case 'show': {
      const manifest = await store.get(needId());
      const bytes = await checkpointBytes(store.dir(manifest.id), manifest);
      print({ ...manifest, bytes }, describe(manifest, bytes));
      return EXIT_OK;
    }
    case 'delete': {
      const target = needId();
      if (!values.yes)
        throw new UserError(
          `deleting ${target} cannot be undone; add --yes to confirm`,
          EXIT_USAGE,
        );
      const result = await store.delete(target);
      print(result, `Deleted ${result.deleted}.\n`);
      return EXIT_OK;
    }
    case 'export': {
      const target = needId();
      if (!values.out)
        throw new UserError(
          'give the bundle folder: ecoeval models export ID --out DIR',
          EXIT_USAGE,
        );
      const result = await exportBundle(store, target, resolve(io.cwd, values.out), {
        optimizer: values.optimizer ?? false,
        onnx: values.onnx ?? false,
      });
      print(result, `Exported ${target} to ${result.dir}\n${bundleLines(result)}`);
      return EXIT_OK;
    }
    case 'import': {
      if (!id || extra.length)
        throw new UserError('give one bundle folder: ecoeval models import DIR', EXIT_USAGE);
      const { manifest, ...result } = await importBundle(store, resolve(io.cwd, id), {
        ...(values.name !== undefined ? { name: values.name } : {}),
      });
      print(
        { ...result, name: manifest.name },
        `Imported ${manifest.name} as ${result.modelId}\n${bundleLines(result)}`,
      );
      return EXIT_OK;
    }
    default:
      throw new UserError(`unknown command "${command}"\n${MODELS_HELP}`, EXIT_USAGE);
  }
}

export const modelsCommand: CliCommand = async (argv, io) => {
  try {
    return await run(argv, io);
  } catch (error) {
    if (error instanceof ServiceError) throw new UserError(error.message);
    throw error;
  }
};
