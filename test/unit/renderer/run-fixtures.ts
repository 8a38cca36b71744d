// Fixtures for the evaluation pages' DOM tests: plausible runs and a fake transport that records
// calls and lets a test push host events, so a real Workbench drives the components.
import type {
  EventName,
  Transport,
  WorkbenchApi,
  WorkbenchEvents,
} from '../../../shared/api/contract';
import type {
  CorpusScore,
  DatasetSummary,
  ModelInfo,
  RunRecord,
  RunSummary,
} from '../../../shared/api/types';
import { tick, flushSync } from 'svelte';

/** What the host lists for a run: the summary the run store itself makes. */
export { summariseRun as summary } from '../../../main/services/runs/record';

export function score(name: string, value: number, metric: CorpusScore['metric']): CorpusScore {
  return {
    metric,
    name,
    score: value,
    low: value - 1.5,
    high: value + 1.5,
    lowerIsBetter: metric === 'ter' || metric === 'perplexity',
    signature: `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0|${name}`,
    formatted: `${name} = ${value.toFixed(1)}`,
  };
}

export function runRecord(id: string, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    schema: 1,
    id,
    name: `run ${id}`,
    tags: [],
    state: 'complete',
    createdAt: '2026-01-02T10:00:00.000Z',
    updatedAt: '2026-01-02T10:00:00.000Z',
    system: {
      label: 'tiny-grammar',
      spec: {
        type: 'model',
        model: 'tiny-grammar',
        precision: 'fp32',
        provider: 'auto',
        beam: 1,
        lengthPenalty: 1,
        batchSize: 32,
      },
      precision: 'fp32',
    },
    dataset: {
      id: 'grammar-en-xx',
      split: 'test',
      name: 'Grammar EN→Kelvari',
      kind: 'translation',
    },
    metrics: ['bleu', 'chrf'],
    scores: [score('BLEU', 30, 'bleu'), score('chrF2', 55, 'chrf')],
    energy: {
      joules: 120,
      lowJ: 100,
      highJ: 140,
      grade: 'C',
      gradeReasons: ['single-shot window'],
      flags: ['shared-machine'],
      kind: 'estimated',
      components: [
        { component: 'cpu', label: 'CPU TDP model', method: 'estimate', joules: 100 },
        { component: 'ram', label: 'DIMM model', method: 'estimate', joules: 20 },
      ],
      phases: [
        { phase: 'load', joules: 10, startS: 0, endS: 1 },
        { phase: 'generate', joules: 110, startS: 1, endS: 5 },
      ],
      perUnit: [{ unit: 'segment', count: 1000, joules: 0.11, lowJ: 0.09, highJ: 0.13 }],
      windowS: 5,
      timeline: [
        { t: 0, watts: 10 },
        { t: 1, watts: 20 },
        { t: 3, watts: 30 },
        { t: 5, watts: 25 },
      ],
      carbon: { grams: 0.01, lowG: 0.008, highG: 0.012, country: 'DE', source: 'EcoEval table' },
      signature: 'energy:v1|meters:est:cpu-tdp',
    },
    training: null,
    throughput: {
      seconds: 5,
      segmentsPerSecond: 200,
      outputTokens: 9000,
      tokensPerSecond: 1800,
      latencyMsP50: 4.5,
      latencyMsP95: 7.2,
    },
    provenance: {
      appVersion: '0.1.0',
      createdAt: '2026-01-02T10:00:00.000Z',
      host: 'web',
      dataset: { id: 'grammar-en-xx', split: 'test', sha256: 'a'.repeat(64), segments: 1000 },
      model: {
        id: 'tiny-grammar',
        sha256: 'b'.repeat(64),
        step: 20,
        preset: 'tiny',
        parameters: 123456,
      },
      settings: { precision: 'fp32', beam: 1 },
      hardware: { cpu: 'Test CPU', cores: 2, memoryGB: 8, platform: 'linux', gpu: null },
      backend: 'onnxruntime',
      provider: 'cpu',
      outputsSha256: 'c'.repeat(64),
    },
    ...overrides,
  };
}

/** Outputs imported for the demo dataset's test split, not yet scored: tests add what they need. */
export function importedRun(id: string, overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    schema: 1,
    id,
    name: `Run ${id}`,
    tags: [],
    state: 'complete',
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-01-01T00:00:00Z',
    system: {
      label: `system ${id}`,
      spec: { type: 'outputs', name: id, hypotheses: { path: `/tmp/${id}.txt` } },
      precision: null,
    },
    dataset: { id: 'demo', split: 'test', name: 'Demo', kind: 'translation' },
    metrics: ['bleu'],
    scores: [],
    energy: null,
    training: null,
    throughput: null,
    provenance: {
      appVersion: '0',
      host: 'test',
      backend: 'none',
      provider: null,
      datasetSha256: 'x',
      modelSha256: null,
    },
    ...overrides,
  };
}

export const DATASET: DatasetSummary = {
  id: 'grammar-en-xx',
  name: 'Grammar EN→Kelvari',
  kind: 'translation',
  builtin: true,
  references: 1,
  splits: [
    { name: 'train', rows: 24000 },
    { name: 'valid', rows: 1000 },
    { name: 'test', rows: 1000 },
  ],
  createdAt: '',
};

export const MODEL: ModelInfo = {
  id: 'tiny-grammar',
  name: 'tiny grammar',
  kind: 'transformer',
  preset: 'tiny',
  parameters: 123456,
  vocabSize: 500,
  srcVocabSize: null,
  status: 'cancelled',
  step: 20,
  joules: 50,
  bestBleu: 3,
  backend: 'wasm',
  bytes: 1000,
  createdAt: '',
};

type Handlers = { [C in keyof WorkbenchApi]?: (...args: Parameters<WorkbenchApi[C]>) => unknown };

/** A transport whose channels answer from `handlers` (others reject) and that records calls. */
export class FakeTransport implements Transport {
  readonly kind = 'websocket' as const;
  readonly calls: { channel: string; args: unknown[] }[] = [];
  readonly #listeners = new Map<string, ((payload: unknown) => void)[]>();

  constructor(public handlers: Handlers = {}) {}

  invoke = ((channel: keyof WorkbenchApi, ...args: unknown[]) => {
    this.calls.push({ channel, args });
    const handler = this.handlers[channel] as ((...a: unknown[]) => unknown) | undefined;
    if (!handler) return Promise.reject(new Error(`${channel} is not available yet.`));
    try {
      return Promise.resolve(handler(...args));
    } catch (error) {
      return Promise.reject(error);
    }
  }) as Transport['invoke'];

  on<E extends EventName>(event: E, listener: (payload: WorkbenchEvents[E]) => void): () => void {
    const list = this.#listeners.get(event) ?? [];
    list.push(listener as (payload: unknown) => void);
    this.#listeners.set(event, list);
    return () => undefined;
  }

  emit<E extends EventName>(event: E, payload: WorkbenchEvents[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) listener(payload);
  }

  count(channel: string): number {
    return this.calls.filter((c) => c.channel === channel).length;
  }
}

/** Lets promises, effects and the DOM catch up. */
export async function settle(rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await tick();
    await new Promise((r) => setTimeout(r, 0));
  }
  flushSync();
}
