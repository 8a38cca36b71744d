/**
 * The docs/model-format.md Transformer as ONNX graphs (opset 17, plus com.microsoft for int8):
 *
 * - encoder (encoder-decoder kind): src_ids, src_mask → memory and, per decoder layer, the
 *   cross-attention keys and values (cross.{i}.key / .value, [batch, heads, src_len, dHead]).
 *   With separate vocabularies its ids index the source embedding (`enc.embed.weight`); the
 *   decoder's index the target one, which the tied output projection shares.
 *   Computing them here, once per source, means every decoder step only reads them.
 * - decoder: tgt_ids, src_mask, cross.{i}.*, past.{i}.key/value → logits, present.{i}.key/value.
 *   One graph serves the first step (past length 0), each cached step (one new token) and the
 *   teacher-forced pass (whole target, past length 0); positions start at the past length.
 * - lm (decoder-only kind): ids, past.{i}.* → logits, present.{i}.*.
 *
 * Graph inputs and outputs are always int64 ids/masks and float32 tensors. Precisions:
 * fp32; fp16 (weights stored as float16 — `fp16Compute` also runs the arithmetic in float16,
 * otherwise the weights are cast to float32 once at session load); int8 (weight matrices and the
 * embedding stored as int8 with per-column scales, activations quantized dynamically).
 *
 * Target padding is not a graph input: padding is always on the right, so the causal mask already
 * keeps real positions from seeing pads; logits at pad positions are don't-care.
 */
import { GraphBuilder, float } from './graph-builder';
import type { ModelConfig } from './config';
import { sourceEmbedding } from './config';
import type { OnnxGraph } from './onnx-proto';
import { DataType } from './onnx-proto';
import { quantizeColumns, toFloat16, transpose } from './numeric';
import { positionalEncoding } from './reference';

export type Precision = 'fp32' | 'fp16' | 'int8';
/** How int8 matrix products are written: one contrib op, or the standard-op chain. */
export type Int8Kernel = 'DynamicQuantizeMatMul' | 'MatMulInteger';

export interface GraphOptions {
  precision: Precision;
  /** fp16 only: run the arithmetic in float16 too (for GPU providers; slow on CPU). */
  fp16Compute?: boolean;
  int8Kernel?: Int8Kernel;
  /**
   * int8 only: quantize weights to 7 bits (±63). onnxruntime's u8×s8 kernel on AVX2 without VNNI
   * adds pairs of products in saturating int16; full-range weights overflow it and wreck accuracy.
   */
  reduceRange?: boolean;
  /** int8 only: also store the embedding (and tied output projection) as int8. */
  quantizeEmbedding?: boolean;
  /**
   * 'fused' (default): com.microsoft MultiHeadAttention and SkipLayerNormalization, far fewer
   * nodes per step; 'standard': opset-17 ops only (always used with float16 compute, which those
   * CPU kernels lack).
   */
  attention?: 'fused' | 'standard';
}

export type WeightSource = (name: string) => Float32Array;

const MS_DOMAIN = 'com.microsoft';

/** Column-concatenates [rows, colsᵢ] matrices (fuses q/k/v projections into one product). */
function concatColumns(parts: Float32Array[], rows: number): Float32Array {
  const widths = parts.map((p) => p.length / rows);
  const total = widths.reduce((a, b) => a + b, 0);
  const out = new Float32Array(rows * total);
  for (let r = 0; r < rows; r++) {
    let at = r * total;
    parts.forEach((p, i) => {
      out.set(p.subarray(r * widths[i], (r + 1) * widths[i]), at);
      at += widths[i];
    });
  }
  return out;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function scaled(values: Float32Array, factor: number): Float32Array {
  return values.map((v) => v * factor);
}

/** Emits the Transformer's pieces into one graph at one precision. */
class TransformerEmitter {
  readonly g: GraphBuilder;
  readonly d: number;
  readonly heads: number;
  readonly dHead: number;
  /** Element type of activations inside the graph. */
  readonly ctype: typeof DataType.FLOAT | typeof DataType.FLOAT16;
  readonly negative: number;
  readonly int8: boolean;
  /** Use onnxruntime's fused contrib ops (float32 kernels only, so not with float16 compute). */
  readonly fused: boolean;
  #embedding: { table: string; rowScale: string | null; projection: string | null } | null = null;

  constructor(
    readonly role: 'encoder' | 'decoder' | 'lm',
    readonly config: ModelConfig,
    readonly weights: WeightSource,
    readonly options: GraphOptions,
  ) {
    this.g = new GraphBuilder(role);
    this.d = config.dModel;
    this.heads = config.heads;
    this.dHead = config.dModel / config.heads;
    const fp16Compute = options.precision === 'fp16' && options.fp16Compute === true;
    this.ctype = fp16Compute ? DataType.FLOAT16 : DataType.FLOAT;
    // -1e9 as the format specifies; float16 tops out at 65504, and exp(-1e4) is already 0.
    this.negative = fp16Compute ? -1e4 : -1e9;
    this.int8 = options.precision === 'int8';
    this.fused = !fp16Compute && options.attention !== 'standard';
  }

  scalar(value: number): string {
    return this.g.scalar(value, this.ctype, toFloat16);
  }

  /** A float tensor initializer in the compute type (float16 storage cast up when needed). */
  constant(hint: string, values: Float32Array, dims: readonly number[]): string {
    const g = this.g;
    if (this.options.precision !== 'fp16') {
      return g.initializer(g.fresh(hint), DataType.FLOAT, dims, values);
    }
    const stored = g.initializer(g.fresh(hint), DataType.FLOAT16, dims, toFloat16(values));
    if (this.ctype === DataType.FLOAT16) return stored;
    // Storage-only float16: onnxruntime folds this Cast at load, so compute stays float32.
    return g.op('Cast', [stored], { to: DataType.FLOAT });
  }

  /** Graph float32 input → compute type. */
  toCompute(value: string): string {
    return this.ctype === DataType.FLOAT ? value : this.g.op('Cast', [value], { to: this.ctype });
  }

  /** Compute type → float32, optionally straight into a graph output name. */
  toFloat(value: string, outputName?: string): string {
    const outputs = outputName ? [outputName] : undefined;
    if (this.ctype === DataType.FLOAT) {
      return outputs ? this.g.op('Identity', [value], {}, { outputs }) : value;
    }
    return this.g.op('Cast', [value], { to: DataType.FLOAT }, outputs ? { outputs } : {});
  }

  levels(): number {
    return this.options.reduceRange === false ? 127 : 63;
  }

  /** x · w + b for w [rows, cols] (rows = x's last dimension). */
  linear(hint: string, x: string, w: Float32Array, rows: number, b: Float32Array | null): string {
    const g = this.g;
    const cols = w.length / rows;
    if (!this.int8) {
      const weight = this.constant(`${hint}.w`, w, [rows, cols]);
      const product = g.op('MatMul', [x, weight]);
      return b ? g.op('Add', [product, this.constant(`${hint}.b`, b, [cols])]) : product;
    }
    const q = quantizeColumns(w, rows, cols, this.levels());
    const weight = g.initializer(g.fresh(`${hint}.wq`), DataType.INT8, [rows, cols], q.values);
    const scale = g.initializer(g.fresh(`${hint}.ws`), DataType.FLOAT, [cols], q.scales);
    const bias = b ? g.initializer(g.fresh(`${hint}.b`), DataType.FLOAT, [cols], b) : '';
    return this.int8MatMul(x, weight, scale, cols, bias);
  }

  /** x · (weight * scale) + bias with int8 `weight` [rows, cols] and float per-column `scale`. */
  int8MatMul(x: string, weight: string, scale: string, cols: number, bias: string): string {
    const g = this.g;
    const zeros = g.initializer(g.fresh('wzp'), DataType.INT8, [cols], new Int8Array(cols));
    if ((this.options.int8Kernel ?? 'DynamicQuantizeMatMul') === 'DynamicQuantizeMatMul') {
      return g.op(
        'DynamicQuantizeMatMul',
        [x, weight, scale, zeros, bias],
        {},
        { domain: MS_DOMAIN },
      );
    }
    const [xq, xScale, xZero] = g.ops('DynamicQuantizeLinear', [x], {}, { outputs: 3 });
    const product = g.op('MatMulInteger', [xq, weight, xZero, zeros]);
    const asFloat = g.op('Cast', [product], { to: DataType.FLOAT });
    const out = g.op('Mul', [g.op('Mul', [asFloat, xScale]), scale]);
    return bias ? g.op('Add', [out, bias]) : out;
  }

  /**
   * The embedding table (and, with tied weights, the output projection built from it). The
   * encoder graph reads the source table, which differs from the target one only with separate
   * vocabularies; it never projects, so its projection scales go unused.
   */
  embedding(): { table: string; rowScale: string | null; projection: string | null } {
    if (this.#embedding) return this.#embedding;
    const g = this.g;
    const side =
      this.role === 'encoder'
        ? sourceEmbedding(this.config)
        : { name: 'embed.weight', rows: this.config.vocabSize };
    const vocabSize = side.rows;
    const table = this.weights(side.name);
    if (this.int8 && this.options.quantizeEmbedding !== false) {
      // Per-row scales: a row of the table is a column of the tied projection Eᵀ, so one set of
      // int8 values and scales serves both the lookup and the output layer.
      const q = quantizeColumns(
        transpose(table, vocabSize, this.d),
        this.d,
        vocabSize,
        this.levels(),
      );
      const values = new Int8Array(table.length);
      for (let v = 0; v < vocabSize; v++) {
        for (let j = 0; j < this.d; j++) values[v * this.d + j] = q.values[j * vocabSize + v];
      }
      const stored = g.initializer('embed.q', DataType.INT8, [vocabSize, this.d], values);
      const lookupScale = g.initializer(
        'embed.scale_x_sqrt_d',
        DataType.FLOAT,
        [vocabSize, 1],
        scaled(q.scales, Math.sqrt(this.d)),
      );
      const projectionScale = g.initializer('embed.scale', DataType.FLOAT, [vocabSize], q.scales);
      this.#embedding = { table: stored, rowScale: lookupScale, projection: projectionScale };
    } else {
      const stored = this.constant('embed', table, [vocabSize, this.d]);
      this.#embedding = { table: stored, rowScale: null, projection: null };
    }
    return this.#embedding;
  }

  /** E[ids] * sqrt(d) + PE[start : start + len]; `start`/`end` are int64 [1] values. */
  embed(ids: string, start: string, end: string): string {
    const g = this.g;
    const e = this.embedding();
    let x: string;
    if (e.rowScale) {
      const rows = g.op('Cast', [g.op('Gather', [e.table, ids], { axis: 0 })], {
        to: DataType.FLOAT,
      });
      x = g.op('Mul', [rows, g.op('Gather', [e.rowScale, ids], { axis: 0 })]);
    } else {
      x = g.op('Mul', [
        g.op('Gather', [e.table, ids], { axis: 0 }),
        this.scalar(Math.sqrt(this.d)),
      ]);
    }
    const table = positionalEncoding(this.config.maxLength, this.d);
    const pe = this.constant('positions', table, [this.config.maxLength, this.d]);
    return g.op('Add', [x, g.op('Slice', [pe, start, end, g.int64([0])])]);
  }

  layerNorm(x: string, prefix: string): string {
    const [gamma, beta] = this.normWeights(prefix);
    return this.g.op('LayerNormalization', [x, gamma, beta], {
      axis: -1,
      epsilon: float(this.config.layerNormEps),
    });
  }

  normWeights(prefix: string): [string, string] {
    return [
      this.constant(`${prefix}.gamma`, this.weights(`${prefix}.gamma`), [this.d]),
      this.constant(`${prefix}.beta`, this.weights(`${prefix}.beta`), [this.d]),
    ];
  }

  /**
   * LN(x + sub + bias): the post-LN residual. Fused, one SkipLayerNormalization node does the
   * two additions and the normalisation (onnxruntime does not fuse this pattern by itself here).
   */
  residual(x: string, sub: string, bias: Float32Array, norm: string): string {
    const g = this.g;
    const b = this.constant(`${norm}.residual_bias`, bias, [this.d]);
    if (this.fused) {
      const [gamma, beta] = this.normWeights(norm);
      return g.op(
        'SkipLayerNormalization',
        [sub, x, gamma, beta, b],
        { epsilon: float(this.config.layerNormEps) },
        { domain: MS_DOMAIN },
      );
    }
    return this.layerNorm(g.op('Add', [x, g.op('Add', [sub, b])]), norm);
  }

  /** [batch, len, d] → [batch, heads, len, dHead]. */
  splitHeads(x: string): string {
    const g = this.g;
    const r = g.op('Reshape', [x, g.int64([0, 0, this.heads, this.dHead])]);
    return g.op('Transpose', [r], { perm: [0, 2, 1, 3] });
  }

  /** softmax(q·kᵀ / sqrt(dHead) + mask)·v with heads merged back to [batch, len, d]. */
  attend(q: string, k: string, v: string, mask: string): string {
    const g = this.g;
    const scores = g.op('MatMul', [q, g.op('Transpose', [k], { perm: [0, 1, 3, 2] })]);
    const scaled = g.op('Mul', [scores, this.scalar(1 / Math.sqrt(this.dHead))]);
    const probs = g.op('Softmax', [g.op('Add', [scaled, mask])], { axis: -1 });
    const context = g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: [0, 2, 1, 3] });
    return g.op('Reshape', [context, g.int64([0, 0, this.d])]);
  }

  /** com.microsoft MultiHeadAttention: projection bias, scaling, masks, softmax and cache in one node. */
  multiHead(inputs: {
    q: string;
    k: string;
    v: string;
    bias?: string;
    keyMask?: string;
    attentionBias?: string;
    past?: { key: string; value: string };
  }): string[] {
    const names = [
      inputs.q,
      inputs.k,
      inputs.v,
      inputs.bias ?? '',
      inputs.keyMask ?? '',
      inputs.attentionBias ?? '',
      inputs.past?.key ?? '',
      inputs.past?.value ?? '',
    ];
    while (names[names.length - 1] === '') names.pop();
    return this.g.ops(
      'MultiHeadAttention',
      names,
      { num_heads: this.heads, mask_filter_value: float(this.negative) },
      { domain: MS_DOMAIN, outputs: inputs.past ? 3 : 1 },
    );
  }

  /**
   * Self-attention over [past ; new] (past null in the encoder). Returns the output before the
   * output bias (the residual adds it) and the present keys and values [batch, heads, len, dHead].
   * Masks: `keyMask`/`additive` from paddingMask (encoder), `causal` from causalMask (decoder).
   */
  selfAttention(
    x: string,
    prefix: string,
    masks: { keyMask?: string; additive?: string; causal?: string },
    past: { key: string; value: string } | null,
  ): { out: string; key: string; value: string } {
    const g = this.g;
    const w = (p: string): Float32Array => this.weights(`${prefix}.${p}`);
    const weights = concatColumns([w('q.weight'), w('k.weight'), w('v.weight')], this.d);
    const bias = concat([w('q.bias'), w('k.bias'), w('v.bias')]);
    if (this.fused) {
      const projected = this.linear(`${prefix}.qkv`, x, weights, this.d, null);
      const [q, k, v] = g.ops('Split', [projected], { axis: -1 }, { outputs: 3 });
      const [context, key, value] = this.multiHead({
        q,
        k,
        v,
        bias: this.constant(`${prefix}.qkv.b`, bias, [3 * this.d]),
        ...(masks.keyMask ? { keyMask: masks.keyMask } : {}),
        ...(masks.causal ? { attentionBias: masks.causal } : {}),
        ...(past ? { past } : {}),
      });
      return { out: this.projectOut(context, prefix), key: key ?? '', value: value ?? '' };
    }
    const projected = this.linear(`${prefix}.qkv`, x, weights, this.d, bias);
    const [q, k, v] = g
      .ops('Split', [projected], { axis: -1 }, { outputs: 3 })
      .map((t) => this.splitHeads(t));
    const key = past ? g.op('Concat', [past.key, k], { axis: 2 }) : k;
    const value = past ? g.op('Concat', [past.value, v], { axis: 2 }) : v;
    const context = this.attend(q, key, value, masks.additive || masks.causal || '');
    return { out: this.projectOut(context, prefix), key, value };
  }

  /** context · Wo (the output bias goes to the residual). */
  projectOut(context: string, prefix: string): string {
    return this.linear(`${prefix}.o`, context, this.weights(`${prefix}.o.weight`), this.d, null);
  }

  /** Cross-attention keys and values of one decoder layer from the encoder memory. */
  crossKeyValue(memory: string, layer: number): { key: string; value: string } {
    const prefix = `dec.${layer}.cross`;
    const w = (p: string): Float32Array => this.weights(`${prefix}.${p}`);
    const fused = this.linear(
      `${prefix}.kv`,
      memory,
      concatColumns([w('k.weight'), w('v.weight')], this.d),
      this.d,
      concat([w('k.bias'), w('v.bias')]),
    );
    const [k, v] = this.g.ops('Split', [fused], { axis: -1 }, { outputs: 2 });
    return { key: this.splitHeads(k), value: this.splitHeads(v) };
  }

  /** Cross-attention on precomputed keys/values; output before the output bias. */
  crossAttention(
    x: string,
    prefix: string,
    key: string,
    value: string,
    masks: { keyMask: string; additive: string },
  ): string {
    const w = (p: string): Float32Array => this.weights(`${prefix}.${p}`);
    const q = this.linear(`${prefix}.q`, x, w('q.weight'), this.d, w('q.bias'));
    if (this.fused) {
      const [context] = this.multiHead({ q, k: key, v: value, keyMask: masks.keyMask });
      return this.projectOut(context, prefix);
    }
    return this.projectOut(this.attend(this.splitHeads(q), key, value, masks.additive), prefix);
  }

  /** relu(x·W1 + b1)·W2 (b2 goes to the residual). */
  feedForward(x: string, prefix: string): string {
    const { d } = this;
    const w = (p: string): Float32Array => this.weights(`${prefix}.${p}`);
    const first = this.linear(`${prefix}.ff1`, x, w('ff1.weight'), d, w('ff1.bias'));
    const hidden = this.g.op('Relu', [first]);
    return this.linear(`${prefix}.ff2`, hidden, w('ff2.weight'), this.config.ffDim, null);
  }

  /**
   * Key-padding masks from the int64 0/1 mask: int32 [batch, len] for MultiHeadAttention, or
   * additive [batch, 1, 1, len] for the standard attention.
   */
  paddingMask(mask: string): { keyMask: string; additive: string } {
    const g = this.g;
    if (this.fused) return { keyMask: g.op('Cast', [mask], { to: DataType.INT32 }), additive: '' };
    const m = g.op('Cast', [mask], { to: this.ctype });
    const blocked = g.op('Mul', [g.op('Sub', [this.scalar(1), m]), this.scalar(this.negative)]);
    return { keyMask: '', additive: g.op('Unsqueeze', [blocked, g.int64([1, 2])]) };
  }

  /**
   * Additive causal mask for queries at positions start..end-1 over keys 0..end-1: [len, total]
   * for the standard attention, [1, heads, len, total] for MultiHeadAttention (its bias input
   * wants the heads dimension spelled out).
   */
  causalMask(start: string, end: string): string {
    const g = this.g;
    const first = g.op('Squeeze', [start]);
    const last = g.op('Squeeze', [end]);
    const one = g.int64([1], []);
    const rows = g.op('Range', [first, last, one]);
    const cols = g.op('Range', [g.int64([0], []), last, one]);
    const future = g.op('Greater', [
      g.op('Unsqueeze', [cols, g.int64([0])]),
      g.op('Unsqueeze', [rows, g.int64([1])]),
    ]);
    const mask = g.op('Where', [future, this.scalar(this.negative), this.scalar(0)]);
    if (!this.fused) return mask;
    const four = g.op('Unsqueeze', [mask, g.int64([0, 1])]);
    return g.op('Expand', [four, g.int64([1, this.heads, 1, 1])]);
  }

  /** Final LN and the output projection (tied Eᵀ or generator) → float32 logits output. */
  logits(x: string): void {
    const g = this.g;
    const { vocabSize } = this.config;
    const h = this.layerNorm(x, 'dec.ln');
    let logits: string;
    if (this.config.tiedEmbeddings) {
      const e = this.embedding();
      // Transposing an initializer is folded by onnxruntime at load: the file keeps one copy.
      const projection = g.op('Transpose', [e.table], { perm: [1, 0] });
      logits = e.projection
        ? this.int8MatMul(h, projection, e.projection, vocabSize, '')
        : g.op('MatMul', [h, projection]);
    } else {
      logits = this.linear(
        'generator',
        h,
        this.weights('generator.weight'),
        this.d,
        this.weights('generator.bias'),
      );
    }
    this.toFloat(logits, 'logits');
    g.outputs.push({
      name: 'logits',
      dataType: DataType.FLOAT,
      shape: ['batch', 'tgt_len', vocabSize],
    });
  }

  /** Declares a float32 [batch, heads, len, dHead] output fed by `value`. */
  cacheOutput(name: string, value: string, length: string): void {
    this.toFloat(value, name);
    this.g.outputs.push({
      name,
      dataType: DataType.FLOAT,
      shape: ['batch', this.heads, length, this.dHead],
    });
  }

  cacheInput(name: string, length: string): string {
    return this.toCompute(
      this.g.input(name, DataType.FLOAT, ['batch', this.heads, length, this.dHead]),
    );
  }
}

export function buildEncoderGraph(
  config: ModelConfig,
  weights: WeightSource,
  options: GraphOptions,
): OnnxGraph {
  const m = new TransformerEmitter('encoder', config, weights, options);
  const g = m.g;
  const ids = g.input('src_ids', DataType.INT64, ['batch', 'src_len']);
  const mask = g.input('src_mask', DataType.INT64, ['batch', 'src_len']);
  const length = g.op('Shape', [ids], { start: 1, end: 2 });
  let x = m.embed(ids, g.int64([0]), length);
  const padding = m.paddingMask(mask);
  const w = (name: string): Float32Array => weights(name);
  for (let i = 0; i < config.encoderLayers; i++) {
    const p = `enc.${i}`;
    const attention = m.selfAttention(x, `${p}.self`, padding, null).out;
    x = m.residual(x, attention, w(`${p}.self.o.bias`), `${p}.ln1`);
    x = m.residual(x, m.feedForward(x, p), w(`${p}.ff2.bias`), `${p}.ln2`);
  }
  const memory = m.layerNorm(x, 'enc.ln');
  m.toFloat(memory, 'memory');
  g.outputs.push({
    name: 'memory',
    dataType: DataType.FLOAT,
    shape: ['batch', 'src_len', config.dModel],
  });
  for (let i = 0; i < config.decoderLayers; i++) {
    const kv = m.crossKeyValue(memory, i);
    m.cacheOutput(`cross.${i}.key`, kv.key, 'src_len');
    m.cacheOutput(`cross.${i}.value`, kv.value, 'src_len');
  }
  return g.build();
}

/** The decoder with a key/value cache; `kind` picks the encoder-decoder or language-model form. */
export function buildDecoderGraph(
  config: ModelConfig,
  weights: WeightSource,
  options: GraphOptions,
): OnnxGraph {
  const seq2seq = config.kind === 'encoder-decoder';
  const m = new TransformerEmitter(seq2seq ? 'decoder' : 'lm', config, weights, options);
  const g = m.g;
  const ids = g.input(seq2seq ? 'tgt_ids' : 'ids', DataType.INT64, ['batch', 'tgt_len']);
  const srcMask = seq2seq
    ? m.paddingMask(g.input('src_mask', DataType.INT64, ['batch', 'src_len']))
    : null;
  const past: { key: string; value: string }[] = [];
  const cross: { key: string; value: string }[] = [];
  for (let i = 0; i < config.decoderLayers; i++) {
    past.push({
      key: m.cacheInput(`past.${i}.key`, 'past_len'),
      value: m.cacheInput(`past.${i}.value`, 'past_len'),
    });
    if (seq2seq) {
      cross.push({
        key: m.cacheInput(`cross.${i}.key`, 'src_len'),
        value: m.cacheInput(`cross.${i}.value`, 'src_len'),
      });
    }
  }
  // Positions continue from the cache: start = past length, end = past length + new tokens.
  const start = g.op('Shape', [g.inputs.find((v) => v.name === 'past.0.key')!.name], {
    start: 2,
    end: 3,
  });
  const end = g.op('Add', [start, g.op('Shape', [ids], { start: 1, end: 2 })]);
  let x = m.embed(ids, start, end);
  const causal = m.causalMask(start, end);
  const w = (name: string): Float32Array => weights(name);
  for (let i = 0; i < config.decoderLayers; i++) {
    const p = `dec.${i}`;
    const self = m.selfAttention(x, `${p}.self`, { causal }, past[i]);
    x = m.residual(x, self.out, w(`${p}.self.o.bias`), `${p}.ln1`);
    let ffNorm = `${p}.ln2`;
    if (srcMask) {
      const c = m.crossAttention(x, `${p}.cross`, cross[i].key, cross[i].value, srcMask);
      x = m.residual(x, c, w(`${p}.cross.o.bias`), `${p}.ln2`);
      ffNorm = `${p}.ln3`;
    }
    x = m.residual(x, m.feedForward(x, p), w(`${p}.ff2.bias`), ffNorm);
    m.cacheOutput(`present.${i}.key`, self.key, 'total_len');
    m.cacheOutput(`present.${i}.value`, self.value, 'total_len');
  }
  m.logits(x);
  return g.build();
}
