/**
 * Number formats for the exported weights: float32 → IEEE float16 bits (round to nearest even;
 * Node 20 has no Float16Array) and symmetric per-column int8 quantization of [in, out] matrices,
 * the layout onnxruntime's dynamic-quantized MatMul kernels take as per-column scales.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of `value`, rounded to nearest even; overflow → ±infinity. */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // NaN / infinity
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // underflows to zero
    mantissa |= 0x800000; // subnormal: shift in the implicit bit
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  let bits = sign | (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && bits & 1)) bits++; // may carry into the exponent: correct
  return bits;
}

export function toFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toFloat16Bits(values[i]);
  return out;
}

export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

export interface QuantizedMatrix {
  /** int8 values, same [rows, cols] layout as the input. */
  values: Int8Array;
  /** One scale per column: w ≈ values * scale. */
  scales: Float32Array;
}

/**
 * Symmetric int8 quantization with one scale per column of `w` ([rows, cols], row-major).
 * `levels` is 127 for full int8 range; 63 reduces the range to 7 bits, which avoids the int16
 * saturation of u8×s8 products on AVX2 machines without VNNI.
 */
export function quantizeColumns(
  w: Float32Array,
  rows: number,
  cols: number,
  levels = 127,
): QuantizedMatrix {
  const scales = new Float32Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) scales[c] = Math.max(scales[c], Math.abs(w[r * cols + c]));
  }
  for (let c = 0; c < cols; c++) scales[c] = scales[c] > 0 ? scales[c] / levels : 1;
  const values = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const q = Math.round(w[r * cols + c] / scales[c]);
      values[r * cols + c] = Math.max(-levels, Math.min(levels, q));
    }
  }
  return { values, scales };
}

/** Transposes a row-major [rows, cols] matrix. */
export function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
}
