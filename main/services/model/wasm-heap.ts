/**
 * Typed access to the internals of @tensorflow/tfjs-backend-wasm 4.22 that our kernels need: a
 * tensor's bytes on the WebAssembly heap (read and written in place, no copy), its byte offset
 * (for our own WebAssembly kernels, which share the heap; see wasm-kernels.ts), fresh outputs,
 * the allocator and the heap's Memory object.
 *
 * The wasm kernels of tfjs are slow for everything except XNNPACK's matrix products (the scalar
 * Transpose runs at ~9 ns per element, Exp at ~15 ns, reductions over a leading axis transpose
 * first). Loops over heap views, in JS or in our SIMD module, are several times faster and can
 * fuse whole ops, so the hot ones are written against these helpers. The package is no longer released, so
 * depending on its private fields is safe for the pinned version; `wasmBackendOf` checks the
 * fields exist and callers fall back to tfjs ops when it returns null (cpu, tensorflow backends).
 *
 * Views on the heap are invalidated when the heap grows (any allocation may grow it), so callers
 * allocate every output first and take views after.
 */
import * as tf from '@tensorflow/tfjs';
import type { DataId, DataType, TensorInfo } from '@tensorflow/tfjs';

interface WasmModule {
  HEAPU8: Uint8Array;
  /** The instance's exports; `memory` is the heap every tensor lives in. */
  asm?: { memory?: unknown };
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

interface TensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: DataType;
}

/** The fields of tfjs-backend-wasm's BackendWasm that we use. */
export interface WasmBackend {
  wasm: WasmModule;
  dataIdMap: { get(dataId: DataId): TensorData | undefined };
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
}

/** The backend as BackendWasm, or null when it is another backend. */
export function wasmBackendOf(backend: unknown): WasmBackend | null {
  const b = backend as Partial<WasmBackend> | null;
  if (!b || typeof b !== 'object' || !b.wasm || !b.dataIdMap || !b.makeOutput) return null;
  return b as WasmBackend;
}

/** The active backend as BackendWasm, or null. */
export function activeWasm(): WasmBackend | null {
  return tf.getBackend() === 'wasm' ? wasmBackendOf(tf.backend()) : null;
}

function data(backend: WasmBackend, info: TensorInfo): TensorData {
  const d = backend.dataIdMap.get(info.dataId);
  if (!d) throw new Error('tensor data is not on the wasm backend');
  return d;
}

/** A typed view over a tensor's heap memory (valid until the heap grows). */
function view<T>(
  backend: WasmBackend,
  info: TensorInfo,
  make: (buffer: ArrayBufferLike, offset: number, length: number) => T,
): T {
  const d = data(backend, info);
  return make(backend.wasm.HEAPU8.buffer, d.memoryOffset, tf.util.sizeFromShape(info.shape));
}

/** A Float32Array over a float32 tensor's heap memory (valid until the heap grows). */
export function f32(backend: WasmBackend, info: TensorInfo): Float32Array {
  return view(backend, info, (b, o, n) => new Float32Array(b, o, n));
}

/** An Int32Array over an int32 tensor's heap memory (valid until the heap grows). */
export function i32(backend: WasmBackend, info: TensorInfo): Int32Array {
  return view(backend, info, (b, o, n) => new Int32Array(b, o, n));
}

/** The tensor's internal id and byte offset (for raw calls into the module). */
export function location(backend: WasmBackend, info: TensorInfo): { id: number; offset: number } {
  const d = data(backend, info);
  return { id: d.id, offset: d.memoryOffset };
}

/** Wraps a kernel output (TensorInfo) as a tensor owned by the engine. */
export function toTensor<T extends tf.Tensor>(info: TensorInfo): T {
  return tf.engine().makeTensorFromTensorInfo(info) as T;
}
