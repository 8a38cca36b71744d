/**
 * Execution-provider choice for onnxruntime-node: each candidate (CUDA, WebGPU, DirectML on
 * Windows, CoreML on macOS, then CPU) is tried by creating and running a tiny Add session,
 * because listing is not enough: onnxruntime-node lists `cuda` even when its libraries are
 * absent, and session creation is where that shows. The outcome, with why each candidate was
 * passed over, is recorded so results can say which provider ran.
 */
import { DataType, encodeModel } from './onnx-proto';
import { GraphBuilder } from './graph-builder';
import { loadOrt } from './ort';
import type { OrtSession } from './ort';

export type ProviderName = 'cuda' | 'webgpu' | 'dml' | 'coreml' | 'cpu';
export const PROVIDERS: readonly ProviderName[] = ['cuda', 'webgpu', 'dml', 'coreml', 'cpu'];

export interface ProviderAttempt {
  provider: ProviderName;
  ok: boolean;
  /** Why it was not used (absent when ok). */
  reason?: string;
}

export interface ProviderChoice {
  provider: ProviderName;
  attempts: ProviderAttempt[];
}

/** Candidates for this platform, best first. */
export function candidateProviders(platform: NodeJS.Platform = process.platform): ProviderName[] {
  return PROVIDERS.filter(
    (p) => (p !== 'dml' || platform === 'win32') && (p !== 'coreml' || platform === 'darwin'),
  );
}

function tinyModel(): Uint8Array {
  const g = new GraphBuilder('probe');
  const a = g.input('a', DataType.FLOAT, [2]);
  const b = g.input('b', DataType.FLOAT, [2]);
  g.output('sum', g.op('Add', [a, b]), DataType.FLOAT, [2]);
  return encodeModel({
    graph: g.build(),
    opsets: { '': 17 },
    producerName: 'ecoeval-probe',
    producerVersion: '1',
  });
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // Drop onnxruntime's source-location prefix; keep the human part.
  const line = text.split('\n')[0].replace(/^\/onnxruntime_src\/\S+\s+/, '');
  const because = line.lastIndexOf(' was false. ');
  return (because >= 0 ? line.slice(because + 12) : line).slice(0, 300);
}

/** Tries one provider on the tiny model; resolves with the attempt (never throws). */
export async function probeProvider(provider: ProviderName): Promise<ProviderAttempt> {
  const ort = await loadOrt();
  // A failing provider logs a native error line on stderr; the reason is recorded here instead.
  // The level is read when onnxruntime's environment starts, i.e. at the first session.
  if (ort.env.logLevel === undefined || ort.env.logLevel === 'warning') ort.env.logLevel = 'fatal';
  const listed = ort.listSupportedBackends().find((b) => b.name === provider);
  if (!listed) {
    return { provider, ok: false, reason: 'not built into this onnxruntime-node' };
  }
  let session: OrtSession | null = null;
  try {
    session = await ort.InferenceSession.create(tinyModel(), {
      executionProviders: [provider],
      logSeverityLevel: 4,
    });
    const one = new ort.Tensor('float32', Float32Array.of(1, 2), [2]);
    const out = await session.run({ a: one, b: one });
    const sum = out.sum?.data as Float32Array | undefined;
    if (!sum || sum[0] !== 2 || sum[1] !== 4) throw new Error('wrong result from the probe model');
    return { provider, ok: true };
  } catch (error) {
    return { provider, ok: false, reason: firstLine(error) };
  } finally {
    await session?.release().catch(() => undefined);
  }
}

const cache = new Map<string, Promise<ProviderChoice>>();

/**
 * The best working provider. `preferred` forces one (falling back to CPU with the reason
 * recorded if it does not work); probing happens once per process and preference.
 */
export function chooseProvider(preferred: ProviderName | 'auto' = 'auto'): Promise<ProviderChoice> {
  let choice = cache.get(preferred);
  if (!choice) {
    choice = (async () => {
      const order =
        preferred === 'auto'
          ? candidateProviders()
          : [preferred, ...(preferred === 'cpu' ? [] : ['cpu' as const])];
      const attempts: ProviderAttempt[] = [];
      for (const provider of order) {
        const attempt = await probeProvider(provider);
        attempts.push(attempt);
        if (attempt.ok) return { provider, attempts };
      }
      // CPU ships inside the package; if even it fails the install is broken.
      throw new Error(
        `onnxruntime-node could not run on any execution provider (${attempts.map((a) => `${a.provider}: ${a.reason}`).join('; ')}); reinstall dependencies (npm ci).`,
      );
    })();
    cache.set(preferred, choice);
  }
  return choice;
}
