/**
 * Running a fused op as a JS loop over tensor memory, on any backend. On wasm the loop reads and
 * writes the WebAssembly heap in place (no copies; see wasm-heap.ts); elsewhere the inputs are
 * read with dataSync and the outputs uploaded as new tensors. Used by the fused loss, layer norm
 * and dropout (fused-ops.ts) and the fused linear layer's gradients (fused-linear.ts), which
 * replace chains of small tfjs ops whose per-op engine overhead and slow wasm element-wise
 * kernels dominated the training step.
 */
import * as tf from '@tensorflow/tfjs';
import { activeWasm, f32, i32, toTensor } from './wasm-heap';

/**
 * Allocates float32 outputs of `shapes`, then calls `fill` with the inputs' and outputs'
 * memory (float32 inputs as Float32Array, int32 as Int32Array) and returns the outputs.
 * `fill` must not create tensors: on wasm an allocation may move the heap under the views.
 */
export function hostCompute(
  inputs: tf.Tensor[],
  shapes: number[][],
  fill: (ins: Array<Float32Array | Int32Array>, outs: Float32Array[]) => void,
): tf.Tensor[] {
  const wasm = activeWasm();
  if (wasm) {
    const outInfos = shapes.map((shape) => wasm.makeOutput(shape, 'float32'));
    // A tensor whose data still lives on another backend is read by copy (tfjs moves it).
    const ins = inputs.map((t) =>
      !wasm.dataIdMap.get(t.dataId)
        ? (t.dataSync() as Float32Array | Int32Array)
        : t.dtype === 'int32'
          ? i32(wasm, t)
          : f32(wasm, t),
    );
    try {
      fill(
        ins,
        outInfos.map((info) => f32(wasm, info)),
      );
    } catch (error) {
      for (const info of outInfos) wasm.disposeData(info.dataId);
      throw error;
    }
    return outInfos.map((info) => toTensor(info));
  }
  const ins = inputs.map((t) => t.dataSync() as Float32Array | Int32Array);
  const outs = shapes.map((shape) => new Float32Array(tf.util.sizeFromShape(shape)));
  fill(ins, outs);
  return outs.map((data, i) => tf.tensor(data, shapes[i], 'float32'));
}

/**
 * Whether a gradient tape is recording (inside tf.grad / variableGrads). Fused ops skip their
 * custom-gradient wrapper and the tensors kept for the backward pass when it is not: decoding
 * runs many small ops, where that bookkeeping cost more than the op.
 */
export function recordingGradients(): boolean {
  return tf.engine().state.gradientDepth > 0;
}
