/**
 * Realistic RunSummary objects for the evaluation and chart tests (and the chart benchmark):
 * a translation run with BLEU/chrF2/TER scores carrying signatures, an energy figure with
 * components, per-unit figures and carbon at a stated intensity, and optional training energy.
 */
import type {
  CorpusScore,
  RunEnergy,
  RunSummary,
  TrainingEnergyLink,
} from '../../../shared/api/types';

const BLEU_SIG =
  'nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:ecoeval-1.0.0+sacrebleu-2.6.0';
const CHRF_SIG =
  'nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:ecoeval-1.0.0+sacrebleu-2.6.0';
const TER_SIG =
  'nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:ecoeval-1.0.0+sacrebleu-2.6.0';

/** gCO2e per joule at 475 g/kWh (the world default intensity). */
export const WORLD_G_PER_J = 475 / 3.6e6;

export interface RunOptions {
  system?: string;
  dataset?: string;
  /** BLEU and its interval half-width (null = no interval). */
  bleu?: number;
  bleuHalfWidth?: number | null;
  ter?: number;
  joules?: number;
  /** Relative half-width of the energy interval. */
  band?: number;
  grade?: RunEnergy['grade'];
  kind?: RunEnergy['kind'];
  segments?: number;
  /** Carbon intensity in g/J; null = no carbon figure. */
  gPerJ?: number | null;
  energy?: null;
  training?: Partial<TrainingEnergyLink> | null;
  scores?: CorpusScore[];
}

function score(
  metric: CorpusScore['metric'],
  name: string,
  value: number,
  half: number | null,
  signature: string,
  lowerIsBetter = false,
): CorpusScore {
  return {
    metric,
    name,
    score: value,
    low: half === null ? null : value - half,
    high: half === null ? null : value + half,
    lowerIsBetter,
    signature,
    formatted: `${name} = ${value.toFixed(2)}`,
  };
}

/** A complete, plausible run; every figure can be overridden through `o`. */
export function makeRun(id: string, o: RunOptions = {}): RunSummary {
  const joules = o.joules ?? 1200;
  const band = o.band ?? 0.05;
  const segments = o.segments ?? 500;
  const gPerJ = o.gPerJ === undefined ? WORLD_G_PER_J : o.gPerJ;
  const bleu = o.bleu ?? 30;
  const half = o.bleuHalfWidth === undefined ? 1.2 : o.bleuHalfWidth;
  const lowJ = joules * (1 - band);
  const highJ = joules * (1 + band);
  const energy: RunEnergy = {
    joules,
    lowJ,
    highJ,
    grade: o.grade ?? 'A',
    gradeReasons: [],
    flags: [],
    kind: o.kind ?? 'measured',
    components: [
      { component: 'gpu', label: 'GPU', method: 'NVML counter', joules: joules * 0.8 },
      { component: 'cpu', label: 'CPU', method: 'RAPL package counter', joules: joules * 0.2 },
    ],
    phases: [{ phase: 'generate', joules, startS: 0, endS: 60 }],
    perUnit: [
      {
        unit: 'J/output token',
        count: segments * 25,
        joules: joules / (segments * 25),
        lowJ: 0,
        highJ: 0,
      },
      {
        unit: 'J/sample',
        count: segments,
        joules: joules / segments,
        lowJ: lowJ / segments,
        highJ: highJ / segments,
      },
    ],
    windowS: 60,
    timeline: [],
    carbon:
      gPerJ === null
        ? null
        : {
            grams: joules * gPerJ,
            lowG: lowJ * gPerJ * 0.95,
            highG: highJ * gPerJ * 1.05,
            country: 'WORLD',
            source: 'default 475 g/kWh',
          },
    signature:
      'meters:cpu=rapl.counter,gpu=nvml.counter|scope:cpu-package+gpu-board|basis:gross|grid:475|version:0.1.0',
  };
  const training: TrainingEnergyLink | null =
    o.training === undefined || o.training === null
      ? null
      : {
          modelId: 'small-en-de',
          step: 20000,
          joules: 3.6e6,
          lowJ: 3.4e6,
          highJ: 3.9e6,
          kind: 'measured',
          grade: 'B',
          signature: 'meters:gpu=nvml.counter|basis:gross|version:0.1.0',
          ...o.training,
        };
  return {
    schema: 1,
    id,
    name: `${o.system ?? 'small-fp32'} on newstest`,
    tags: [],
    state: 'complete',
    createdAt: '2026-03-01T10:00:00.000Z',
    updatedAt: '2026-03-01T10:05:00.000Z',
    system: {
      label: o.system ?? 'small-fp32',
      spec: {
        type: 'model',
        model: 'small-en-de',
        precision: 'fp32',
        provider: 'cpu',
        beam: 4,
        lengthPenalty: 1,
        batchSize: 16,
      },
      precision: 'fp32',
    },
    dataset: {
      id: o.dataset ?? 'newstest',
      split: 'test',
      name: 'newstest 2019 en-de',
      kind: 'translation',
    },
    metrics: ['bleu', 'chrf', 'ter'],
    scores: o.scores ?? [
      score('bleu', 'BLEU', bleu, half, BLEU_SIG),
      score('chrf', 'chrF2', bleu + 25, half === null ? null : half * 0.8, CHRF_SIG),
      score('ter', 'TER', o.ter ?? 100 - bleu * 1.4, half, TER_SIG, true),
    ],
    energy: o.energy === null ? null : energy,
    training,
    throughput: {
      seconds: 60,
      segmentsPerSecond: segments / 60,
      outputTokens: segments * 25,
      tokensPerSecond: (segments * 25) / 60,
      latencyMsP50: 110,
      latencyMsP95: 180,
    },
    provenance: {
      appVersion: '0.1.0',
      host: 'test-host',
      backend: 'onnxruntime-node 1.30.0',
      provider: 'cpu',
      datasetSha256: 'a'.repeat(64),
      modelSha256: 'b'.repeat(64),
    },
  };
}
