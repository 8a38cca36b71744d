/**
 * Evaluation requests, end to end: checks every system × dataset before anything is queued (so a
 * bad request fails whole, with a message naming what to fix), skips those whose identical run
 * already exists (unless forced), queues the rest as measured jobs, and executes them — models in
 * the evaluator child process, imported outputs here — writing each run into a staging folder
 * that becomes the run only when everything is in it. Scores come later (`awaiting-scores`).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type {
  DatasetManifest,
  ModelSystemSpec,
  QueuedJob,
  RunMetric,
  RunRecord,
  SplitInfo,
  SystemSpec,
} from '../../../shared/api/types';
import type { EvaluateRequest } from '../../../shared/api/schemas';
import { BadRequestError } from '../errors';
import { CancelledError } from '../jobs/jobs';
import type { DatasetService } from '../datasets/service';
import { findSplit } from '../datasets/service';
import type { Workspace } from '../workspace/workspace';
import { runEvaluator } from './evaluator-job';
import { checkImported, importOutputs } from './imported';
import type { ResolveFile } from './imported';
import { checkModelFits, evaluateModel } from './model-evaluation';
import type { ModelEvaluationResult, ModelEvaluationTask } from './model-evaluation';
import type { ExecutorResult, MeasuredJobContext, MeasuredQueue } from './queue';
import { OUTPUTS_TXT } from './record';
import { newRunId } from './store';
import type { RunStore } from './store';
import { hardware, modelIdentity, modelSettings, sameRun, sha256File, systemLabel } from './system';
import type { ModelIdentity, RunIdentity } from './system';

/** What a queued evaluation job keeps (in queue.json) to run, or run again after a restart. */
export interface EvaluationTask {
  system: SystemSpec;
  dataset: string;
  split: string;
  metrics: RunMetric[];
  tags: string[];
}

export interface EvaluationServiceOptions {
  workspace: Workspace;
  datasets: DatasetService;
  runs: RunStore;
  queue: MeasuredQueue;
  resolveFile: ResolveFile;
  appVersion: string;
  /** The host kind recorded with each run (electron, web, cli). */
  host: string;
  /** `off` skips energy windows (quick checks, the job-machinery benchmark). */
  energy?: 'auto' | 'off';
  /** Runs models in this process instead of the evaluator child (benchmark baseline only). */
  inProcess?: boolean;
  onEvaluatorSpawn?: (pid: number) => void;
}

const REFERENCE_METRICS: readonly RunMetric[] = ['bleu', 'chrf', 'ter', 'rouge'];

function jobLabel(task: EvaluationTask): string {
  return `Evaluate ${systemLabel(task.system)} on ${task.dataset}/${task.split}`;
}

function runName(task: EvaluationTask, manifest: DatasetManifest): string {
  const name = `${systemLabel(task.system)} · ${manifest.name} (${task.split})`;
  return name.length > 120 ? `${name.slice(0, 119)}…` : name;
}

export class EvaluationService {
  constructor(private readonly options: EvaluationServiceOptions) {
    options.queue.register('evaluate', (payload, context) => this.execute(payload, context), {
      unit: 'segments',
      planRunId: (payload) => newRunId(systemLabel((payload as EvaluationTask).system)),
    });
  }

  /** The dataset split, checked against the metrics asked for. */
  private async target(
    dataset: string,
    splitName: string,
    metrics: readonly RunMetric[],
  ): Promise<{ manifest: DatasetManifest; split: SplitInfo }> {
    const manifest = await this.options.datasets.get(dataset);
    const split = findSplit(manifest, splitName);
    if (manifest.kind === 'system-outputs') {
      throw new BadRequestError(
        `Dataset "${manifest.id}" holds system outputs, not a test set; evaluate against ${manifest.against ? `"${manifest.against.dataset}"` : 'the dataset they were produced for'} and import the outputs as a system.`,
      );
    }
    const needReferences = metrics.filter((m) => REFERENCE_METRICS.includes(m));
    if (needReferences.length && manifest.references === 0) {
      throw new BadRequestError(
        `Dataset "${manifest.id}" has no references, so ${needReferences.join(', ')} cannot be computed; choose perplexity only, or a dataset with references.`,
      );
    }
    if (split.rows === 0) {
      throw new BadRequestError(`Split "${split.name}" of "${manifest.id}" is empty.`);
    }
    return { manifest, split };
  }

  private async model(spec: ModelSystemSpec): Promise<ModelIdentity> {
    return modelIdentity(this.options.workspace.modelsDir, spec.model);
  }

  /** Checks one system × dataset; returns what identifies the evaluation. */
  private async prepare(task: EvaluationTask): Promise<RunIdentity> {
    const { manifest, split } = await this.target(task.dataset, task.split, task.metrics);
    const { system } = task;
    if (system.type === 'model') {
      const model = await this.model(system);
      checkModelFits(model.kind, model.id, manifest.kind, `"${manifest.id}"`, task.metrics);
      if (task.metrics.includes('perplexity') && model.kind === 'encoder-decoder') {
        if (manifest.references === 0) {
          throw new BadRequestError(
            `Dataset "${manifest.id}" has no references to compute a conditional perplexity on.`,
          );
        }
      }
      return {
        spec: system,
        dataset: manifest.id,
        split: split.name,
        datasetSha256: split.sha256,
        modelSha256: model.sha256,
        outputsSha256: null,
        metrics: task.metrics,
      };
    }
    const { outputsSha256 } = await checkImported(system, this.options.resolveFile, {
      rows: split.rows,
      dataset: `${manifest.id}/${split.name}`,
      metrics: task.metrics,
    });
    return {
      spec: system,
      dataset: manifest.id,
      split: split.name,
      datasetSha256: split.sha256,
      modelSha256: null,
      outputsSha256,
      metrics: task.metrics,
    };
  }

  /**
   * Queues one job per system × dataset, in request order. Everything is checked first: one bad
   * pair fails the request and nothing is queued. A pair whose identical complete run exists is
   * answered with that run (state `done`) unless `force` is set.
   */
  async evaluate(request: EvaluateRequest): Promise<QueuedJob[]> {
    const metrics = [...new Set(request.metrics)];
    const tags = [...new Set(request.tags)];
    const tasks: EvaluationTask[] = [];
    for (const system of request.systems) {
      for (const { dataset, split } of request.datasets) {
        tasks.push({ system, dataset, split, metrics, tags });
      }
    }
    const identities: RunIdentity[] = [];
    for (const task of tasks) identities.push(await this.prepare(task));
    const existing = request.force ? [] : await this.options.runs.records();
    existing.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const out: QueuedJob[] = [];
    tasks.forEach((task, i) => {
      const same = existing.find((r) => sameRun(r, identities[i]));
      if (same) {
        out.push({
          jobId: `evaluate-${randomBytes(6).toString('hex')}`,
          kind: 'evaluate',
          label: jobLabel(task),
          position: null,
          state: 'done',
          runId: same.id,
          message: `An identical run exists (${same.id}: same system, data and metrics); evaluate with force to run it again.`,
          queuedAt: new Date().toISOString(),
        });
      } else {
        out.push(this.options.queue.enqueue('evaluate', jobLabel(task), task));
      }
    });
    return out;
  }

  /** Executes one queued evaluation (the queue's executor for `evaluate` jobs). */
  private async execute(payload: unknown, context: MeasuredJobContext): Promise<ExecutorResult> {
    const task = payload as EvaluationTask;
    const { manifest, split } = await this.target(task.dataset, task.split, task.metrics);
    const staged = await this.options.runs.stage();
    try {
      const runId = context.runId ?? newRunId(systemLabel(task.system));
      const createdAt = new Date().toISOString();
      const base = {
        schema: 1 as const,
        id: runId,
        name: runName(task, manifest),
        tags: task.tags,
        state: 'awaiting-scores' as const,
        createdAt,
        updatedAt: createdAt,
        dataset: { id: manifest.id, split: split.name, name: manifest.name, kind: manifest.kind },
        metrics: task.metrics,
        scores: [],
      };
      const provenanceBase = {
        appVersion: this.options.appVersion,
        createdAt,
        host: this.options.host,
        dataset: { id: manifest.id, split: split.name, sha256: split.sha256, segments: split.rows },
        hardware: hardware(),
      };
      let record: RunRecord;
      if (task.system.type === 'model') {
        const spec = task.system;
        const model = await this.model(spec);
        checkModelFits(model.kind, model.id, manifest.kind, `"${manifest.id}"`, task.metrics);
        const evaluation: ModelEvaluationTask = {
          modelDir: model.dir,
          spec,
          splitFile: join(this.options.datasets.workspace.datasetsDir, manifest.id, split.file),
          datasetKind: manifest.kind,
          metrics: task.metrics,
          outDir: staged.dir,
          energy: this.options.energy ?? 'auto',
        };
        context.progress(0, null);
        const result: ModelEvaluationResult = this.options.inProcess
          ? await evaluateModel(evaluation, {
              signal: context.signal,
              onProgress: (done, total, joules) => context.progress(done, total, joules),
            })
          : await runEvaluator(evaluation, {
              signal: context.signal,
              label: jobLabel(task),
              onProgress: (done, total, joules) => context.progress(done, total, joules),
              ...(this.options.onEvaluatorSpawn ? { onSpawn: this.options.onEvaluatorSpawn } : {}),
            });
        if (context.signal.aborted) throw new CancelledError(jobLabel(task));
        record = {
          ...base,
          system: { label: systemLabel(spec), spec, precision: spec.precision },
          energy: result.energy,
          training: model.training,
          throughput: result.throughput,
          provenance: {
            ...provenanceBase,
            model: {
              id: model.id,
              sha256: result.weightsSha256,
              step: model.step,
              preset: model.preset,
              parameters: model.parameters,
            },
            settings: {
              ...modelSettings(spec),
              ...result.settings,
              ...(result.energyNote ? { energyNote: result.energyNote } : {}),
            },
            backend: result.backend,
            provider: result.provider,
            outputsSha256: await sha256File(join(staged.dir, OUTPUTS_TXT)),
          },
        };
      } else {
        const spec = task.system;
        context.progress(0, split.rows);
        const imported = await importOutputs(
          spec,
          this.options.resolveFile,
          { rows: split.rows, dataset: `${manifest.id}/${split.name}`, metrics: task.metrics },
          staged.dir,
        );
        if (context.signal.aborted) throw new CancelledError(jobLabel(task));
        context.progress(split.rows, split.rows, imported.energy?.joules ?? null);
        record = {
          ...base,
          system: { label: systemLabel(spec), spec, precision: null },
          energy: imported.energy,
          training: null,
          throughput: null,
          provenance: {
            ...provenanceBase,
            model: null,
            settings: { name: spec.name, ...imported.settings },
            backend: 'imported',
            provider: null,
            outputsSha256: await sha256File(join(staged.dir, OUTPUTS_TXT)),
          },
        };
      }
      if (context.signal.aborted) throw new CancelledError(jobLabel(task));
      await staged.commit(record);
      return { runId };
    } catch (error) {
      await staged.abort();
      throw error;
    }
  }
}
