/**
 * Lazy access to onnxruntime-node: loaded on first use so hosts that never run a model (the
 * renderer bridge, most CLI commands) do not pay for the native addon.
 */
import type * as Ort from 'onnxruntime-node';

export type OrtModule = typeof Ort;
export type OrtTensor = Ort.Tensor;
export type OrtSession = Ort.InferenceSession;

let loading: Promise<OrtModule> | null = null;

export function loadOrt(): Promise<OrtModule> {
  loading ??= import('onnxruntime-node').then((m) => m as OrtModule);
  return loading;
}
