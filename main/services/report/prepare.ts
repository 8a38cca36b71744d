/**
 * Puts a checked plan into the workspace before anything is evaluated: installs built-in datasets
 * on demand, imports dataset files (reusing an identical earlier import), installs model bundles,
 * then checks every system × dataset as the evaluation service will (model kind, references for
 * the metrics, outputs lining up) and lists the tasks in plan order. Every problem names the
 * plan's line; nothing is queued until all of them are solved.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { WorkbenchApi } from '../../../shared/api/contract';
import type { DatasetManifest, RunMetric, SplitInfo, SystemSpec } from '../../../shared/api/types';
import { checkRegularFile } from '../files';
import { ServiceError } from '../errors';
import { readManifest } from '../model/checkpoint';
import { importBundle } from '../model/bundle';
import { ModelStore } from '../model/store';
import { checkImported } from '../runs/imported';
import type { ResolveFile } from '../runs/imported';
import { checkModelFits } from '../runs/model-evaluation';
import { defaultMetrics } from '../runs/scoring';
import { modelIdentity } from '../runs/system';
import type { Workspace } from '../workspace/workspace';
import type { PlanDataset, PlanSystem, ReportPlan } from './plan';
import { PlanError } from './plan-source';
import type { PlanPath, PlanProblem } from './plan-source';
import { canonical } from '../runs/system';

/** One evaluation of the plan: a system on a dataset split (one repeat of it). */
export interface PlanTask {
  /** Stable across invocations of the same plan: what the state file records. */
  key: string;
  system: PlanSystem;
  spec: SystemSpec;
  dataset: { id: string; split: string; name: string };
  metrics: RunMetric[];
  /** 1-based; `of` repeats in all. */
  repeat: number;
  of: number;
  label: string;
}

export interface PreparedPlan {
  tasks: PlanTask[];
  /** Plan dataset index → workspace dataset id. */
  datasetIds: string[];
  /** What preparing did (installed, imported, reused), for the log. */
  notes: string[];
}

const REFERENCE_METRICS: readonly RunMetric[] = ['bleu', 'chrf', 'ter', 'rouge'];

export function taskKey(task: Pick<PlanTask, 'spec' | 'dataset' | 'metrics' | 'repeat'>): string {
  const text = canonical({
    spec: task.spec,
    dataset: task.dataset.id,
    split: task.dataset.split,
    metrics: [...task.metrics].sort(),
    repeat: task.repeat,
  });
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

interface Context {
  plan: ReportPlan;
  api: WorkbenchApi;
  workspace: Workspace;
  problems: PlanProblem[];
  notes: string[];
}

function fail(ctx: Context, path: PlanPath, message: string): void {
  ctx.problems.push(ctx.plan.source.problem(path, message));
}

function messageOf(error: unknown): string {
  if (error instanceof ServiceError || error instanceof Error) return error.message;
  return String(error);
}

/** An import identical to `fresh` (same kind, split and content) made earlier, if any. */
async function earlierImport(
  api: WorkbenchApi,
  fresh: DatasetManifest,
  split: string,
): Promise<DatasetManifest | null> {
  const mine = fresh.splits.find((s) => s.name === split);
  if (!mine) return null;
  for (const summary of (await api.listDatasets()).datasets) {
    if (summary.id === fresh.id || summary.kind !== fresh.kind || summary.builtin) continue;
    const other = await api.getDataset(summary.id).catch(() => null);
    const same = other?.splits.find((s) => s.name === split && s.sha256 === mine.sha256);
    if (other && same && other.references === fresh.references) return other;
  }
  return null;
}

async function resolveDataset(ctx: Context, d: PlanDataset): Promise<DatasetManifest | null> {
  const { api } = ctx;
  if (d.kind === 'import') {
    let fresh: DatasetManifest;
    try {
      fresh = await api.importDataset(d.request);
    } catch (error) {
      fail(ctx, d.path, `importing "${d.label}" failed: ${messageOf(error)}`);
      return null;
    }
    // Importing the same files again would make a second dataset, and runs on it would not be
    // recognised as the identical runs they are: keep the earlier import instead.
    const earlier = await earlierImport(api, fresh, d.split);
    if (earlier) {
      await api.deleteDataset({ dataset: fresh.id, confirm: true });
      ctx.notes.push(
        `dataset "${d.label}": same content as ${earlier.id}, already imported; using it`,
      );
      return earlier;
    }
    ctx.notes.push(`dataset "${d.label}": imported as ${fresh.id}`);
    return fresh;
  }
  try {
    return await api.getDataset(d.id);
  } catch (error) {
    if ((error as ServiceError).code !== 'not-found') {
      fail(ctx, [...d.path], messageOf(error));
      return null;
    }
  }
  const builtins = await api.listBuiltinDatasets();
  if (!builtins.some((b) => b.id === d.id)) {
    fail(
      ctx,
      d.path,
      `no dataset "${d.id}" in the workspace, and none built in (built in: ${builtins.map((b) => b.id).join(', ')}); see \`ecoeval datasets list\`, or import files with \`source:\` or \`file:\``,
    );
    return null;
  }
  try {
    await api.installBuiltinDatasets([d.id]);
    ctx.notes.push(`dataset ${d.id}: built in, installed into the workspace`);
    return await api.getDataset(d.id);
  } catch (error) {
    fail(ctx, d.path, `installing the built-in dataset "${d.id}" failed: ${messageOf(error)}`);
    return null;
  }
}

function checkSplit(
  ctx: Context,
  d: PlanDataset,
  manifest: DatasetManifest,
  metrics: readonly RunMetric[],
): SplitInfo | null {
  const split = manifest.splits.find((s) => s.name === d.split);
  const at = d.path;
  if (!split) {
    fail(
      ctx,
      [...d.path, 'split'],
      `dataset ${manifest.id} has no split "${d.split}" (it has ${manifest.splits.map((s) => s.name).join(', ')}); set \`split:\``,
    );
    return null;
  }
  if (manifest.kind === 'system-outputs') {
    fail(
      ctx,
      at,
      `dataset ${manifest.id} holds system outputs, not a test set; list the test set it was made for, and the outputs as a system (\`outputs: FILE\`)`,
    );
    return null;
  }
  if (split.rows === 0) {
    fail(ctx, at, `split "${split.name}" of ${manifest.id} is empty`);
    return null;
  }
  const needReferences = metrics.filter((m) => REFERENCE_METRICS.includes(m));
  if (needReferences.length && manifest.references === 0) {
    fail(
      ctx,
      at,
      `dataset ${manifest.id} has no references, so ${needReferences.join(', ')} cannot be computed; choose \`metrics: [perplexity]\` or a dataset with references`,
    );
    return null;
  }
  return split;
}

/** Installs a bundle under the plan's model id, or checks the installed model is that bundle. */
async function installModel(
  ctx: Context,
  system: PlanSystem & { type: 'model' },
): Promise<boolean> {
  const id = system.spec.model;
  const at: PlanPath = [...system.path, system.bundle ? 'bundle' : 'model'];
  const installed = await readManifest(join(ctx.workspace.modelsDir, id)).catch(() => null);
  if (!system.bundle) {
    if (installed) return true;
    try {
      await modelIdentity(ctx.workspace.modelsDir, id);
      return true;
    } catch (error) {
      fail(
        ctx,
        at,
        `${messageOf(error)} Or add \`bundle: FOLDER\` to install it from a model bundle.`,
      );
      return false;
    }
  }
  let bundled;
  try {
    bundled = await readManifest(system.bundle);
  } catch (error) {
    fail(ctx, at, `not a model bundle: ${messageOf(error)}`);
    return false;
  }
  if (installed) {
    if (installed.weights.sha256 === bundled.weights.sha256) return true;
    fail(
      ctx,
      at,
      `the workspace already has a model "${id}" with other weights; give this bundle another id with \`model: ID\``,
    );
    return false;
  }
  try {
    await importBundle(new ModelStore(ctx.workspace), system.bundle, { id });
    ctx.notes.push(`model ${id}: installed from ${system.bundle}`);
    return true;
  } catch (error) {
    fail(ctx, at, `installing the bundle failed: ${messageOf(error)}`);
    return false;
  }
}

/**
 * Resolves the plan in the workspace and lists its tasks.
 * @throws PlanError naming the plan line of every dataset, model or pairing that cannot run.
 */
export async function preparePlan(
  plan: ReportPlan,
  api: WorkbenchApi,
  workspace: Workspace,
): Promise<PreparedPlan> {
  const ctx: Context = { plan, api, workspace, problems: [], notes: [] };
  const metricsFor = (manifest: DatasetManifest) => plan.metrics ?? defaultMetrics(manifest.kind);

  const manifests: (DatasetManifest | null)[] = [];
  const splits: (SplitInfo | null)[] = [];
  for (const d of plan.datasets) {
    const manifest = await resolveDataset(ctx, d);
    manifests.push(manifest);
    splits.push(manifest ? checkSplit(ctx, d, manifest, metricsFor(manifest)) : null);
  }

  const usable = new Map<PlanSystem, boolean>();
  for (const system of plan.systems) {
    if (system.type !== 'model') continue;
    // Expanded precisions share one entry: install once.
    const sibling = [...usable.keys()].find((s) => s.entry === system.entry);
    usable.set(system, sibling ? usable.get(sibling)! : await installModel(ctx, system));
  }

  const tasks: PlanTask[] = [];
  // Plan paths are absolute by now; uploads belong to the browser host.
  const resolveFile: ResolveFile = (ref) =>
    'path' in ref ? checkRegularFile(ref.path) : Promise.reject(new Error('paths only'));
  for (const system of plan.systems) {
    const datasets = system.type === 'outputs' ? [system.dataset] : plan.datasets.map((_, i) => i);
    for (const i of datasets) {
      const manifest = manifests[i];
      const split = splits[i];
      if (!manifest || !split) continue;
      const metrics = metricsFor(manifest);
      const where = `${manifest.id}/${split.name}`;
      if (system.type === 'model') {
        if (!usable.get(system)) continue;
        try {
          const model = await modelIdentity(workspace.modelsDir, system.spec.model);
          checkModelFits(model.kind, model.id, manifest.kind, `"${manifest.id}"`, metrics);
        } catch (error) {
          fail(ctx, system.path, `${system.label} on ${where}: ${messageOf(error)}`);
          continue;
        }
      } else {
        try {
          await checkImported(system.spec, resolveFile, {
            rows: split.rows,
            dataset: where,
            metrics,
          });
        } catch (error) {
          fail(ctx, [...system.path, 'outputs'], messageOf(error));
          continue;
        }
      }
      const of = system.type === 'model' ? plan.energy.repeats : 1;
      for (let repeat = 1; repeat <= of; repeat++) {
        const dataset = { id: manifest.id, split: split.name, name: manifest.name };
        const task = { spec: system.spec, dataset, metrics, repeat };
        tasks.push({
          ...task,
          key: taskKey(task),
          system,
          of,
          label: `${system.label} on ${where}${of > 1 ? ` (repeat ${repeat} of ${of})` : ''}`,
        });
      }
    }
  }
  if (ctx.problems.length) {
    throw new PlanError(
      plan.display,
      [...ctx.problems].sort((a, b) => a.line - b.line || a.col - b.col),
      plan.source.text,
    );
  }
  return { tasks, datasetIds: manifests.map((m) => m!.id), notes: ctx.notes };
}
