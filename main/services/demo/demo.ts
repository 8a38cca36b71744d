/**
 * The first-launch demo: the built-in translation dataset, the models trained in advance by
 * scripts/train-demo-models.mjs (datasets/demo/models/), and one evaluation per demo system,
 * queued so that a new user sees a populated accuracy-versus-energy chart within a minute.
 * Installing twice is harmless: installed parts are kept and identical runs are not redone.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { QueuedJob } from '../../../shared/api/types';
import { runMetric, precision } from '../../../shared/api/schemas';
import type { DatasetService } from '../datasets/service';
import type { JobRegistry } from '../jobs/jobs';
import { importBundle } from '../model/bundle';
import type { ModelStore } from '../model/store';
import type { EvaluationService } from '../runs/evaluation';
import type { MeasuredQueue } from '../runs/queue';
import { BadRequestError } from '../errors';

/** `datasets/demo/demo.json`: what the demo evaluates. */
const demoPlanSchema = z
  .object({
    dataset: z.string(),
    split: z.string(),
    metrics: z.array(runMetric).min(1),
    systems: z.array(z.object({ model: z.string(), precision }).strict()).min(1),
    tags: z.array(z.string()).default(['demo']),
  })
  .strict();
export type DemoPlan = z.infer<typeof demoPlanSchema>;

export interface DemoDependencies {
  datasets: DatasetService;
  models: ModelStore;
  evaluations: EvaluationService;
  queue: MeasuredQueue;
  jobs: JobRegistry;
  /** The folder holding demo.json and models/ (datasets/demo in the app). */
  demoDir: string;
}

export async function readDemoPlan(demoDir: string): Promise<DemoPlan> {
  const file = join(demoDir, 'demo.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new BadRequestError(`${file}: the demo is not part of this installation.`);
  }
  const parsed = demoPlanSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new BadRequestError(`${file}: ${parsed.error.issues[0].message}; reinstall EcoEval.`);
  }
  return parsed.data;
}

/** Installs what is missing and queues the demo's evaluations (in the measured queue). */
export async function installDemo(deps: DemoDependencies): Promise<QueuedJob[]> {
  const plan = await readDemoPlan(deps.demoDir);
  // A second click while the demo is still queued must not queue it twice.
  const demoModels = [...new Set(plan.systems.map((s) => s.model))];
  const active = deps.queue
    .list()
    .filter(
      (j) =>
        (j.state === 'queued' || j.state === 'running') &&
        demoModels.some((m) => j.label.includes(m)),
    );
  if (active.length) return active;
  const installed = (await deps.datasets.list()).datasets.some((d) => d.id === plan.dataset);
  if (!installed) {
    await deps.jobs.run('builtin', 'Installing the demo dataset', 'bytes', (job) =>
      deps.datasets.installBuiltins([plan.dataset], job),
    );
  }
  const present = new Set((await deps.models.list()).models.map((m) => m.id));
  for (const model of demoModels) {
    if (present.has(model)) continue;
    const bundle = join(deps.demoDir, 'models', model);
    if (!existsSync(bundle)) {
      throw new BadRequestError(`${bundle}: the demo model is missing; reinstall EcoEval.`);
    }
    await importBundle(deps.models, bundle, { id: model });
  }
  return deps.evaluations.evaluate({
    systems: plan.systems.map((s) => ({
      type: 'model' as const,
      model: s.model,
      precision: s.precision,
      provider: 'auto' as const,
      beam: 1,
      lengthPenalty: 1,
      batchSize: 32,
    })),
    datasets: [{ dataset: plan.dataset, split: plan.split }],
    metrics: plan.metrics,
    tags: plan.tags,
    force: false,
  });
}
