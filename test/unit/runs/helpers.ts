/**
 * Workspaces for the evaluation-run tests: the app's service graph on a temporary folder (as the
 * CLI builds it), a small translation dataset in the fixture tokenizer's words (w0…w55), and a
 * random encoder-decoder checkpoint in `models/tiny`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAppServices } from '../../../main/app';
import type { AppServices } from '../../../main/app';
import { validatedApi } from '../../../main/bridge/direct';
import type { WorkbenchApi, WorkbenchEvents } from '../../../shared/api/contract';
import { TINY_SEQ2SEQ, writeFixtureCheckpoint } from '../../fixtures/model/checkpoints';
import { pathHost, repoRoot } from '../../helpers/services';
import { tempDir } from '../../helpers/temp';

export type Event = {
  [E in keyof WorkbenchEvents]: { event: E; payload: WorkbenchEvents[E] };
}[keyof WorkbenchEvents];

export type RunServices = AppServices & { api: WorkbenchApi; events: Event[]; root: string };

export const hostFor = pathHost;

/** App services on `root` (a fresh temporary workspace when absent). */
export async function runServices(
  options: {
    root?: string;
    energy?: 'auto' | 'off';
    onEvaluatorSpawn?: (pid: number) => void;
  } = {},
): Promise<RunServices> {
  const root = options.root ?? (await tempDir('ecoeval-runs-'));
  const services = await createAppServices({
    workspaceDir: root,
    host: hostFor(root),
    builtinDir: join(repoRoot, 'datasets'),
    evaluation: {
      energy: options.energy ?? 'off',
      ...(options.onEvaluatorSpawn ? { onEvaluatorSpawn: options.onEvaluatorSpawn } : {}),
    },
  });
  const events: Event[] = [];
  services.subscribe((event, payload) => events.push({ event, payload } as Event));
  return { ...services, api: validatedApi(services.handlers), events, root };
}

/** Sentences of 2–6 fixture words; the reference reverses the source (a learnable toy task). */
export function tinyRows(count: number): { sources: string[]; references: string[] } {
  const sources: string[] = [];
  const references: string[] = [];
  for (let i = 0; i < count; i++) {
    const words = Array.from({ length: 2 + (i % 5) }, (_, j) => `w${(i * 7 + j * 3) % 56}`);
    sources.push(words.join(' '));
    references.push([...words].reverse().join(' '));
  }
  return { sources, references };
}

/** Imports a `rows`-segment translation dataset named `name` (split `test`). */
export async function importTinyDataset(
  services: RunServices,
  name = 'tiny set',
  rows = 20,
): Promise<string> {
  const { sources, references } = tinyRows(rows);
  const src = join(services.root, `${name.replace(/\W+/g, '-')}.src`);
  const ref = join(services.root, `${name.replace(/\W+/g, '-')}.ref`);
  await writeFile(src, sources.join('\n') + '\n');
  await writeFile(ref, references.join('\n') + '\n');
  const manifest = await services.api.importDataset({
    name,
    kind: 'translation',
    format: 'text',
    sourceFile: { path: src },
    referenceFiles: [{ path: ref }],
  });
  return manifest.id;
}

/** A random encoder-decoder checkpoint as workspace model `id`. */
export async function addTinyModel(root: string, id = 'tiny', seed = 7): Promise<string> {
  return writeFixtureCheckpoint(join(root, 'models', id), TINY_SEQ2SEQ, seed);
}

/** Resolves when `predicate` holds for an event pushed from now on (or already pushed). */
export function eventWhere(
  services: RunServices,
  predicate: (e: Event) => boolean,
): Promise<Event> {
  const seen = services.events.find(predicate);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve) => {
    const off = services.subscribe((event, payload) => {
      const e = { event, payload } as Event;
      if (predicate(e)) {
        off();
        resolve(e);
      }
    });
  });
}
