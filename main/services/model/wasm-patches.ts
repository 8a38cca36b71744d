/**
 * Upstream-quality fixes for @tensorflow/tfjs-backend-wasm 4.22, applied in our code because the
 * package is no longer released (see the team design note model-speed.md and README Performance
 * for the measurements).
 *
 * BatchMatMul and _FusedMatMul (wasm-matmul.ts): the wasm kernel sends a product to XNNPACK only
 * when neither operand is transposed and there is no batch dimension; everything else falls into
 * a scalar C++ loop about 10× slower (tensorflow/tfjs#2532). Both kernels now run our own
 * WebAssembly products (wasm-kernels.c), which take transposed and strided operands as they are and
 * run about twice as fast as XNNPACK as built into tfjs. Small-model training went from 308 to
 * about 1,000 target tokens/s with materialised transposes alone (model-speed.md).
 *
 * Transpose (wasm-transpose.ts) and Sum (wasm-reduce.ts): JS loops over the heap, several times
 * faster than the shipped scalar kernels (a Sum over leading axes transposed its whole input).
 *
 * Identity and same-type Cast: the wasm kernels copy the tensor's bytes. The engine clones every
 * tensor it saves for back-propagation (tfjs-core `saveTensorsForBackwardMode`), and gradients of
 * Mul/Div cast float32 to float32, so a training step made ~400 full copies (the biggest being
 * logits-sized). Tensors are immutable in tfjs (a Variable's assign swaps its data id), so, like
 * the cpu backend's Identity, we share the data and count a reference instead.
 *
 * The patches must be installed after `@tensorflow/tfjs-backend-wasm` registers its kernels and is
 * best installed before `tf.setBackend('wasm')` (the engine runs each kernel's setupFunc at backend
 * initialisation; we keep the original setupFunc so either order works).
 */
import * as tf from '@tensorflow/tfjs';
import type { DataId, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { batchMatMulKernel, fusedMatMulKernel } from './wasm-matmul';
import { sumKernel } from './wasm-reduce';
import { transposeKernel } from './wasm-transpose';

let patched = false;

export const WASM_PATCHES = [
  'BatchMatMul and _FusedMatMul: our WebAssembly SIMD products, transposed and batched operands included (tfjs#2532)',
  'Transpose and Sum over leading axes in JS on the wasm heap',
  'Identity and same-dtype Cast share data by reference count instead of copying',
] as const;

interface RefCountingBackend {
  incRef(dataId: DataId): void;
}

/** Identity/Cast that keep the data and add a reference when no conversion is needed. */
function sharing(kernelName: 'Identity' | 'Cast'): KernelConfig {
  const original = tf.getKernel(kernelName, 'wasm');
  if (!original) throw new Error(`tfjs-backend-wasm has no ${kernelName} kernel`);
  const kernelFunc: KernelFunc = (args) => {
    const x = args.inputs.x as TensorInfo;
    const dtype = kernelName === 'Cast' ? (args.attrs as { dtype: string }).dtype : x.dtype;
    if (x.dtype === 'string' || dtype !== x.dtype) return original.kernelFunc(args);
    (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
  return { ...original, kernelFunc };
}

/** Installs the patched wasm kernels (idempotent). */
export function patchWasmKernels(): string[] {
  if (patched) return [...WASM_PATCHES];
  const replacements: KernelConfig[] = [
    batchMatMulKernel(),
    fusedMatMulKernel(),
    transposeKernel(),
    sumKernel(),
    sharing('Identity'),
    sharing('Cast'),
  ];
  for (const config of replacements) {
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  patched = true;
  return [...WASM_PATCHES];
}
