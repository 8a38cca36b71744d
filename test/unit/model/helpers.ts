/**
 * Shared set-up for the model tests: a temporary workspace with the built-in translation
 * dataset installed, the first rows of that dataset read straight from datasets/, and a tiny
 * training request sized for CI on two cores (small vocabulary, short batches, no energy meter).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetService } from '../../../main/services/datasets/service';
import { Workspace } from '../../../main/services/workspace/workspace';
import type { TrainRequest } from '../../../main/services/model/training-types';
import { repoRoot } from '../../helpers/services';
import { tempDir } from '../../helpers/temp';

export const DATASET = 'grammar-en-xx';

/** A fresh workspace with grammar-en-xx installed through the normal importer. */
export async function workspaceWithDataset(): Promise<string> {
  const root = await tempDir('ecoeval-model-');
  const workspace = await Workspace.open(root);
  const datasets = new DatasetService(workspace, { builtinDir: join(repoRoot, 'datasets') });
  const job = {
    id: 'test',
    signal: new AbortController().signal,
    progress: () => undefined,
    throwIfCancelled: () => undefined,
  };
  await datasets.installBuiltins([DATASET], job);
  return root;
}

/** The first `n` training pairs of grammar-en-xx, read from the shipped text files. */
export async function firstPairs(n: number): Promise<{ source: string; references: string[] }[]> {
  const dir = join(repoRoot, 'datasets', DATASET);
  const en = (await readFile(join(dir, 'train.en'), 'utf8')).split('\n').slice(0, n);
  const xx = (await readFile(join(dir, 'train.xx'), 'utf8')).split('\n').slice(0, n);
  return en.map((source, i) => ({ source, references: [xx[i]] }));
}

/** A tiny, quick run: 300-token batches from the first rows, no validation, no energy meter. */
export function tinyRequest(
  workspaceDir: string,
  overrides: Partial<TrainRequest> = {},
): TrainRequest {
  return {
    workspaceDir,
    dataset: DATASET,
    preset: 'tiny',
    backend: 'wasm',
    ...overrides,
    model: { vocabSize: 300, maxLength: 48, ...overrides.model },
    options: {
      trainRows: 400,
      batchTokens: 300,
      validSplit: null,
      evalEvery: 0,
      energy: 'off',
      warmupSteps: 20,
      workers: 1,
      ...overrides.options,
    },
  };
}
