/**
 * Chooses the tfjs backend at run time: tfjs-node-gpu (CUDA), tfjs-node (native CPU), the
 * WebAssembly backend (SIMD; with our kernel fixes), then the plain-JS `cpu` backend as a last
 * resort. `force` pins one. The report says which ran and why each other one did not; it is
 * stored with every model and shown in the UI.
 *
 * The native packages are optional dependencies that cannot install on every machine (their
 * install script downloads libtensorflow; see the team design note toolchain.md), so they are loaded
 * with a dynamic import whose specifier is a variable: bundlers leave it alone and a missing
 * package becomes a reason in the report, not a crash.
 */
import * as tf from '@tensorflow/tfjs';
import { patchWasmKernels } from './wasm-patches';

export type BackendName = 'node-gpu' | 'node' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['node-gpu', 'node', 'wasm', 'cpu'];

export interface BackendAttempt {
  name: BackendName;
  /** 'used', 'skipped' (a better one already ran, or another was forced) or 'failed'. */
  outcome: 'used' | 'skipped' | 'failed';
  reason: string;
}

export interface BackendReport {
  /** Our name for the backend that runs. */
  name: BackendName;
  /** tfjs's own name (`tensorflow`, `wasm`, `cpu`). */
  tfjsBackend: string;
  forced: boolean;
  attempts: BackendAttempt[];
  /** WebAssembly details, when wasm runs. */
  wasm?: { simd: boolean; threads: boolean; threadsReason: string };
  /** Kernel patches applied (wasm). */
  patches: string[];
  tfjsVersion: string;
}

export function isBackendName(value: string): value is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(value);
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 300);
}

/** Loads a package that may be absent without letting TS or a bundler resolve it statically. */
async function optionalImport(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ specifier);
}

async function tryNative(name: 'node-gpu' | 'node'): Promise<string> {
  const pkg = name === 'node-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  try {
    await optionalImport(pkg);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(
        `${pkg} is not installed (optional: its install script downloads libtensorflow and npm drops the package when that fails)`,
        { cause: error },
      );
    }
    throw new Error(`${pkg} failed to load: ${firstLine(error)}`, { cause: error });
  }
  // Both packages register a backend named 'tensorflow'.
  if (!(await tf.setBackend('tensorflow'))) {
    throw new Error(`${pkg} loaded but the 'tensorflow' backend did not initialise`);
  }
  return `${pkg} loaded`;
}

async function tryWasm(report: Partial<BackendReport>, patches: boolean): Promise<string> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    throw new Error(`@tensorflow/tfjs-backend-wasm failed to load: ${firstLine(error)}`, {
      cause: error,
    });
  }
  report.patches = patches ? patchWasmKernels() : [];
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  report.wasm = {
    simd,
    threads,
    // tfjs turns threads off in Node on purpose (tensorflow/tfjs#3830); forcing it fails with
    // ERR_WORKER_PATH, in Electron's main and utility processes too.
    threadsReason: threads
      ? 'multi-threaded WebAssembly available'
      : 'threads off: tfjs disables multi-threaded WebAssembly in Node (tensorflow/tfjs#3830)',
  };
  return `WebAssembly${simd ? ' with SIMD' : ' without SIMD'}, ${threads ? 'multi-threaded' : 'one thread'}`;
}

async function tryCpu(): Promise<string> {
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
  return 'plain JavaScript (about 100× slower than wasm for training)';
}

let current: BackendReport | undefined;

/** The backend chosen by the last `selectBackend` call in this process. */
export function currentBackend(): BackendReport | undefined {
  return current;
}

/**
 * Selects and initialises a backend. With `force`, only that one is tried and its failure is an
 * error; otherwise the first that works wins. Calling again with the same choice is cheap.
 */
export async function selectBackend(
  options: {
    force?: BackendName;
    /** Apply our wasm kernel fixes (default true; false only to measure tfjs as shipped). */
    wasmPatches?: boolean;
  } = {},
): Promise<BackendReport> {
  if (current && (!options.force || options.force === current.name)) {
    if (tf.getBackend() === current.tfjsBackend) return current;
  }
  const attempts: BackendAttempt[] = [];
  const extra: Partial<BackendReport> = { patches: [] };
  let chosen: BackendName | undefined;
  for (const name of BACKEND_ORDER) {
    if (chosen) {
      attempts.push({ name, outcome: 'skipped', reason: `${chosen} already chosen` });
      continue;
    }
    if (options.force && options.force !== name) {
      attempts.push({ name, outcome: 'skipped', reason: `--backend ${options.force} was forced` });
      continue;
    }
    try {
      const reason =
        name === 'wasm'
          ? await tryWasm(extra, options.wasmPatches ?? true)
          : name === 'cpu'
            ? await tryCpu()
            : await tryNative(name);
      attempts.push({ name, outcome: 'used', reason });
      chosen = name;
    } catch (error) {
      attempts.push({ name, outcome: 'failed', reason: firstLine(error) });
      if (options.force) {
        throw new Error(`backend ${name} was forced but is unavailable: ${firstLine(error)}`, {
          cause: error,
        });
      }
    }
  }
  if (!chosen) throw new Error('no tfjs backend could start');
  current = {
    name: chosen,
    tfjsBackend: tf.getBackend(),
    forced: Boolean(options.force),
    attempts,
    ...(extra.wasm ? { wasm: extra.wasm } : {}),
    patches: chosen === 'wasm' ? (extra.patches ?? []) : [],
    tfjsVersion: tf.version.tfjs,
  };
  return current;
}

/** One line for logs and the CLI. */
export function describeBackend(report: BackendReport): string {
  const used = report.attempts.find((a) => a.outcome === 'used');
  const others = report.attempts
    .filter((a) => a.outcome === 'failed')
    .map((a) => `${a.name}: ${a.reason}`);
  return `backend ${report.name} (${used?.reason ?? report.tfjsBackend})${others.length ? `; not used: ${others.join('; ')}` : ''}`;
}
