/**
 * Upstream-quality fixes for @tensorflow/tfjs-backend-wasm 4.22, applied in our code because the
 * package is no longer released (see the team design note model-speed.md and README Performance for the measurements).
 *
 * BatchMatMul: the wasm kernel sends a product to XNNPACK only when neither operand is transposed
 * and there is no batch dimension; everything else falls into a scalar C++ loop about 10× slower.
 * Every gradient of a matmul (`dy·Wᵀ`, `xᵀ·dy`), the tied output projection `x·Eᵀ` and `q·kᵀ` take
 * that slow path. The fix materialises the transposed operand with the wasm Transpose kernel (a
 * cheap, cache-friendly copy) and then calls the original kernel untransposed, so 2-D products
 * reach XNNPACK. Same maths, same results to float32 rounding; small-model training went from 308
 * to about 1,000 target tokens/s on the reference machine (a 1024×4000 gradient product here:
 * 1.9 s → 0.12 s). Upstream: the XNNPACK path was added for the untransposed, batch-1 case only
 * (tensorflow/tfjs#2532, "support transposed bits" left as future work; see also #6982).
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
import type {
  DataId,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  TensorInfo,
} from '@tensorflow/tfjs';

let patched = false;

export const WASM_PATCHES = [
  'BatchMatMul: transposed operands materialised, then XNNPACK (tfjs#2532)',
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

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/** Installs the patched wasm kernels (idempotent). */
export function patchWasmKernels(): string[] {
  if (patched) return [...WASM_PATCHES];
  const original = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!original || !transpose) {
    throw new Error('tfjs-backend-wasm kernels are not registered; import the package first');
  }
  const originalFunc = original.kernelFunc;
  const transposeFunc = transpose.kernelFunc;
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    let a = inputs.a as TensorInfo;
    let b = inputs.b as TensorInfo;
    const temporaries: TensorInfo[] = [];
    if (transposeA) {
      a = transposeFunc({
        inputs: { x: a },
        backend,
        attrs: { perm: swapLastTwo(a.shape.length) },
      }) as TensorInfo;
      temporaries.push(a);
    }
    if (transposeB) {
      b = transposeFunc({
        inputs: { x: b },
        backend,
        attrs: { perm: swapLastTwo(b.shape.length) },
      }) as TensorInfo;
      temporaries.push(b);
    }
    try {
      return originalFunc({
        inputs: { a, b },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false } as unknown as NamedAttrMap,
      });
    } finally {
      // The kernel API types the backend as `{}`; every tfjs backend implements disposeData.
      for (const t of temporaries) (backend as KernelBackend).disposeData(t.dataId);
    }
  };
  const replacements: KernelConfig[] = [
    { ...original, kernelFunc },
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
