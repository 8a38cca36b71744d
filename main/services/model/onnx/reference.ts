/**
 * A plain-TypeScript forward pass of the docs/model-format.md Transformer (post-LN, sinusoidal
 * positions, masks as additive -1e9), written for clarity rather than speed. It is the yardstick
 * the ONNX export and the tfjs model are compared against in parity tests; never used to serve.
 */
import type { Checkpoint } from './checkpoint';
import { tensorOf } from './checkpoint';
import { PAD_ID, sourceEmbedding } from './config';

/** Logits of a batch: `data[(b * length + t) * vocab + v]`. */
export interface ReferenceLogits {
  data: Float32Array;
  batch: number;
  length: number;
  vocab: number;
}

const MASKED = -1e9;

/** Sinusoidal positional encoding row for position `pos` (PE[pos, 2i] = sin, PE[pos, 2i+1] = cos). */
export function positionalEncoding(maxLength: number, dModel: number): Float32Array {
  const pe = new Float32Array(maxLength * dModel);
  for (let pos = 0; pos < maxLength; pos++) {
    for (let i = 0; 2 * i < dModel; i++) {
      const angle = pos / Math.pow(10000, (2 * i) / dModel);
      pe[pos * dModel + 2 * i] = Math.sin(angle);
      if (2 * i + 1 < dModel) pe[pos * dModel + 2 * i + 1] = Math.cos(angle);
    }
  }
  return pe;
}

/** x [n, k] · w [k, m] + bias [m] → [n, m]. */
function linear(x: Float32Array, n: number, k: number, w: Float32Array, bias: Float32Array | null) {
  const m = w.length / k;
  const out = new Float32Array(n * m);
  const row = new Float64Array(m);
  for (let r = 0; r < n; r++) {
    if (bias) for (let j = 0; j < m; j++) row[j] = bias[j];
    else row.fill(0);
    for (let p = 0; p < k; p++) {
      const a = x[r * k + p];
      if (a === 0) continue;
      const wo = p * m;
      for (let j = 0; j < m; j++) row[j] += a * w[wo + j];
    }
    for (let j = 0; j < m; j++) out[r * m + j] = row[j];
  }
  return out;
}

function layerNorm(
  x: Float32Array,
  d: number,
  gamma: Float32Array,
  beta: Float32Array,
  eps: number,
) {
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length / d; r++) {
    let mean = 0;
    for (let j = 0; j < d; j++) mean += x[r * d + j];
    mean /= d;
    let variance = 0;
    for (let j = 0; j < d; j++) variance += (x[r * d + j] - mean) ** 2;
    variance /= d;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let j = 0; j < d; j++) out[r * d + j] = (x[r * d + j] - mean) * inv * gamma[j] + beta[j];
  }
  return out;
}

function add(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

class Forward {
  readonly d: number;
  readonly heads: number;
  readonly eps: number;

  constructor(readonly checkpoint: Checkpoint) {
    this.d = checkpoint.config.dModel;
    this.heads = checkpoint.config.heads;
    this.eps = checkpoint.config.layerNormEps;
  }

  t(name: string): Float32Array {
    return tensorOf(this.checkpoint, name);
  }

  ln(x: Float32Array, prefix: string): Float32Array {
    return layerNorm(x, this.d, this.t(`${prefix}.gamma`), this.t(`${prefix}.beta`), this.eps);
  }

  /** `table` is the target embedding unless the encoder has its own (separate vocabularies). */
  embed(ids: number[][], length: number, table = this.t('embed.weight')): Float32Array {
    const { d } = this;
    const pe = positionalEncoding(length, d);
    const scale = Math.sqrt(d);
    const out = new Float32Array(ids.length * length * d);
    ids.forEach((row, b) => {
      for (let t = 0; t < length; t++) {
        const id = row[t] ?? PAD_ID;
        for (let j = 0; j < d; j++) {
          out[(b * length + t) * d + j] = table[id * d + j] * scale + pe[t * d + j];
        }
      }
    });
    return out;
  }

  /** Multi-head attention; `allowed(b, i, j)` says whether query i of row b may see key j. */
  attention(
    x: Float32Array,
    tq: number,
    source: Float32Array,
    tk: number,
    batch: number,
    prefix: string,
    allowed: (b: number, i: number, j: number) => boolean,
  ): Float32Array {
    const { d, heads } = this;
    const dh = d / heads;
    const q = linear(x, batch * tq, d, this.t(`${prefix}.q.weight`), this.t(`${prefix}.q.bias`));
    const k = linear(
      source,
      batch * tk,
      d,
      this.t(`${prefix}.k.weight`),
      this.t(`${prefix}.k.bias`),
    );
    const v = linear(
      source,
      batch * tk,
      d,
      this.t(`${prefix}.v.weight`),
      this.t(`${prefix}.v.bias`),
    );
    const context = new Float32Array(batch * tq * d);
    const scores = new Float64Array(tk);
    const scale = 1 / Math.sqrt(dh);
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < tq; i++) {
          let max = -Infinity;
          for (let j = 0; j < tk; j++) {
            let s = 0;
            for (let c = 0; c < dh; c++) {
              s += q[(b * tq + i) * d + h * dh + c] * k[(b * tk + j) * d + h * dh + c];
            }
            s = s * scale + (allowed(b, i, j) ? 0 : MASKED);
            scores[j] = s;
            if (s > max) max = s;
          }
          let sum = 0;
          for (let j = 0; j < tk; j++) {
            scores[j] = Math.exp(scores[j] - max);
            sum += scores[j];
          }
          for (let c = 0; c < dh; c++) {
            let acc = 0;
            for (let j = 0; j < tk; j++) acc += scores[j] * v[(b * tk + j) * d + h * dh + c];
            context[(b * tq + i) * d + h * dh + c] = acc / sum;
          }
        }
      }
    }
    return linear(context, batch * tq, d, this.t(`${prefix}.o.weight`), this.t(`${prefix}.o.bias`));
  }

  feedForward(x: Float32Array, rows: number, prefix: string): Float32Array {
    const { d } = this;
    const ff = this.checkpoint.config.ffDim;
    const hidden = linear(x, rows, d, this.t(`${prefix}.ff1.weight`), this.t(`${prefix}.ff1.bias`));
    for (let i = 0; i < hidden.length; i++) if (hidden[i] < 0) hidden[i] = 0;
    return linear(hidden, rows, ff, this.t(`${prefix}.ff2.weight`), this.t(`${prefix}.ff2.bias`));
  }

  encode(src: number[][], srcLength: number): Float32Array {
    const batch = src.length;
    const keyOk = (b: number, _i: number, j: number): boolean => (src[b][j] ?? PAD_ID) !== PAD_ID;
    let x = this.embed(src, srcLength, this.t(sourceEmbedding(this.checkpoint.config).name));
    for (let l = 0; l < this.checkpoint.config.encoderLayers; l++) {
      const p = `enc.${l}`;
      x = this.ln(
        add(x, this.attention(x, srcLength, x, srcLength, batch, `${p}.self`, keyOk)),
        `${p}.ln1`,
      );
      x = this.ln(add(x, this.feedForward(x, batch * srcLength, p)), `${p}.ln2`);
    }
    return this.ln(x, 'enc.ln');
  }

  decode(
    tgt: number[][],
    tgtLength: number,
    memory: { x: Float32Array; src: number[][]; length: number } | null,
  ): Float32Array {
    const batch = tgt.length;
    const { config } = this.checkpoint;
    const selfOk = (b: number, i: number, j: number): boolean =>
      j <= i && (tgt[b][j] ?? PAD_ID) !== PAD_ID;
    let x = this.embed(tgt, tgtLength);
    for (let l = 0; l < config.decoderLayers; l++) {
      const p = `dec.${l}`;
      x = this.ln(
        add(x, this.attention(x, tgtLength, x, tgtLength, batch, `${p}.self`, selfOk)),
        `${p}.ln1`,
      );
      let ffNorm = `${p}.ln2`;
      if (memory) {
        const crossOk = (b: number, _i: number, j: number): boolean =>
          (memory.src[b][j] ?? PAD_ID) !== PAD_ID;
        const cross = this.attention(
          x,
          tgtLength,
          memory.x,
          memory.length,
          batch,
          `${p}.cross`,
          crossOk,
        );
        x = this.ln(add(x, cross), `${p}.ln2`);
        ffNorm = `${p}.ln3`;
      }
      x = this.ln(add(x, this.feedForward(x, batch * tgtLength, p)), ffNorm);
    }
    x = this.ln(x, 'dec.ln');
    const rows = batch * tgtLength;
    if (config.tiedEmbeddings) {
      const table = this.t('embed.weight');
      const out = new Float32Array(rows * config.vocabSize);
      for (let r = 0; r < rows; r++) {
        for (let v = 0; v < config.vocabSize; v++) {
          let s = 0;
          for (let j = 0; j < this.d; j++) s += x[r * this.d + j] * table[v * this.d + j];
          out[r * config.vocabSize + v] = s;
        }
      }
      return out;
    }
    return linear(x, rows, this.d, this.t('generator.weight'), this.t('generator.bias'));
  }
}

const longest = (rows: number[][]): number => rows.reduce((m, r) => Math.max(m, r.length), 0);

/**
 * Logits for a batch. Encoder-decoder: `srcIds` are the source rows, `tgtIds` the decoder inputs
 * (starting with <s>). Decoder-only: `srcIds` is null and `tgtIds` the token rows. Shorter rows
 * are right-padded with <pad>; padded keys are masked; logits at padded positions are computed
 * but meaningless (compare only real positions).
 */
export function referenceLogits(
  checkpoint: Checkpoint,
  srcIds: number[][] | null,
  tgtIds: number[][],
): ReferenceLogits {
  const { config } = checkpoint;
  const forward = new Forward(checkpoint);
  const length = longest(tgtIds);
  if (length > config.maxLength) {
    throw new RangeError(`target length ${length} exceeds maxLength ${config.maxLength}`);
  }
  let memory = null;
  if (config.kind === 'encoder-decoder') {
    if (!srcIds || srcIds.length !== tgtIds.length) {
      throw new RangeError('an encoder-decoder model needs one source row per target row');
    }
    const srcLength = longest(srcIds);
    if (srcLength > config.maxLength) {
      throw new RangeError(`source length ${srcLength} exceeds maxLength ${config.maxLength}`);
    }
    memory = { x: forward.encode(srcIds, srcLength), src: srcIds, length: srcLength };
  }
  const data = forward.decode(tgtIds, length, memory);
  return { data, batch: tgtIds.length, length, vocab: config.vocabSize };
}

/** Encoder output (`memory`, [batch, srcLength, dModel]) of an encoder-decoder checkpoint. */
export function referenceMemory(checkpoint: Checkpoint, srcIds: number[][]): Float32Array {
  return new Forward(checkpoint).encode(srcIds, longest(srcIds));
}
