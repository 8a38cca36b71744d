/**
 * Running an opened export: the encoder once per batch of sources, the decoder teacher-forced
 * (whole target, empty cache) or step by step with its key/value cache. A `Stepper` owns the
 * cache of one decoding batch and can reorder or drop rows (beam search, finished sequences),
 * so search code never touches tensors. `cache: false` re-runs the whole prefix each step
 * instead — the uncached baseline the reference speeds were measured with, and a parity check.
 */
import type { ModelConfig } from './config';
import { PAD_ID } from './config';
import type { OpenedExport } from './session';
import { loadOrt } from './ort';
import type { OrtModule, OrtSession, OrtTensor } from './ort';

/** Right-pads rows with <pad> into a [rows, length] int64 matrix. */
export function padIds(rows: readonly (readonly number[])[], length?: number) {
  const width = length ?? rows.reduce((m, r) => Math.max(m, r.length), 0);
  const ids = new BigInt64Array(rows.length * width);
  const mask = new BigInt64Array(rows.length * width);
  rows.forEach((row, b) => {
    for (let t = 0; t < row.length && t < width; t++) {
      ids[b * width + t] = BigInt(row[t]);
      mask[b * width + t] = row[t] === PAD_ID ? 0n : 1n;
    }
  });
  return { ids, mask, width };
}

/** Copies rows `indices` of a [rows, rowSize] float array. */
export function gatherRows(
  data: Float32Array,
  rowSize: number,
  indices: readonly number[],
): Float32Array {
  const out = new Float32Array(indices.length * rowSize);
  indices.forEach((r, i) => out.set(data.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize));
  return out;
}

function gatherInt64Rows(
  data: BigInt64Array,
  rowSize: number,
  indices: readonly number[],
): BigInt64Array {
  const out = new BigInt64Array(indices.length * rowSize);
  indices.forEach((r, i) => out.set(data.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize));
  return out;
}

/** What a decoding step needs from the encoder, for `batch` source rows. */
export interface EncodedBatch {
  batch: number;
  srcLen: number;
  srcMask: BigInt64Array;
  /** [batch, srcLen, dModel], when `encode` was asked for it. */
  memory: Float32Array | null;
  /** Per decoder layer: cross-attention keys and values, [batch, heads, srcLen, dHead]. */
  cross: { key: Float32Array; value: Float32Array }[];
}

/** One batch of sequences being decoded token by token. */
export interface Stepper {
  readonly rows: number;
  readonly vocab: number;
  /** Feeds one token per row; returns next-token logits, [rows, vocab]. */
  step(tokens: readonly number[]): Promise<Float32Array>;
  /** Keeps rows `indices` (in that order; repeats allowed) for the next step. */
  select(indices: readonly number[]): void;
}

function floatData(tensor: OrtTensor | undefined, name: string): Float32Array {
  if (!tensor) throw new Error(`internal: the model produced no ${name}`);
  return tensor.data as Float32Array;
}

abstract class ExportedModel {
  readonly config: ModelConfig;
  protected readonly decoder: OrtSession;
  protected readonly dHead: number;

  constructor(
    readonly opened: OpenedExport,
    protected readonly ort: OrtModule,
  ) {
    this.config = opened.manifest.config;
    this.decoder = opened.sessions.decoder!;
    this.dHead = this.config.dModel / this.config.heads;
  }

  get provider(): string {
    return this.opened.provider;
  }

  release(): Promise<void> {
    return this.opened.release();
  }

  protected checkLength(length: number, what: string): void {
    if (length > this.config.maxLength) {
      throw new RangeError(
        `${what} length ${length} exceeds the model's maxLength ${this.config.maxLength}`,
      );
    }
  }

  int64Tensor(data: BigInt64Array, dims: number[]): OrtTensor {
    return new this.ort.Tensor('int64', data, dims);
  }

  floatTensor(data: Float32Array, dims: number[]): OrtTensor {
    return new this.ort.Tensor('float32', data, dims);
  }

  /** Zero-length past keys/values: the first step, or a teacher-forced pass. */
  emptyPast(rows: number): Record<string, OrtTensor> {
    const feeds: Record<string, OrtTensor> = {};
    const dims = [rows, this.config.heads, 0, this.dHead];
    for (let i = 0; i < this.config.decoderLayers; i++) {
      feeds[`past.${i}.key`] = this.floatTensor(new Float32Array(0), dims);
      feeds[`past.${i}.value`] = this.floatTensor(new Float32Array(0), dims);
    }
    return feeds;
  }
}

/** An exported encoder-decoder model. */
export class Seq2SeqModel extends ExportedModel {
  static async create(opened: OpenedExport): Promise<Seq2SeqModel> {
    if (opened.manifest.config.kind !== 'encoder-decoder') {
      throw new TypeError('this export is a decoder-only model; use LanguageModel');
    }
    return new Seq2SeqModel(opened, await loadOrt());
  }

  /**
   * Runs the encoder on right-padded source rows. The memory itself is only copied out when
   * asked for: decoding needs just the cross-attention keys and values.
   */
  async encode(
    src: readonly (readonly number[])[],
    options: { memory?: boolean } = {},
  ): Promise<EncodedBatch> {
    const { ids, mask, width } = padIds(src);
    this.checkLength(width, 'source');
    const dims = [src.length, width];
    const fetches: string[] = options.memory ? ['memory'] : [];
    for (let i = 0; i < this.config.decoderLayers; i++) {
      fetches.push(`cross.${i}.key`, `cross.${i}.value`);
    }
    const out = await this.opened.sessions.encoder!.run(
      { src_ids: this.int64Tensor(ids, dims), src_mask: this.int64Tensor(mask, dims) },
      fetches,
    );
    const cross = [];
    for (let i = 0; i < this.config.decoderLayers; i++) {
      cross.push({
        key: floatData(out[`cross.${i}.key`], 'cross keys'),
        value: floatData(out[`cross.${i}.value`], 'cross values'),
      });
    }
    const memory = options.memory ? floatData(out.memory, 'memory') : null;
    return { batch: src.length, srcLen: width, srcMask: mask, memory, cross };
  }

  /** Cross-attention feeds for rows drawn from `encoded` sources `sourceOf`. */
  crossFeeds(encoded: EncodedBatch, sourceOf: readonly number[] | null): Record<string, OrtTensor> {
    const rows = sourceOf ? sourceOf.length : encoded.batch;
    const size = this.config.heads * encoded.srcLen * this.dHead;
    const pick = (data: Float32Array): Float32Array =>
      sourceOf ? gatherRows(data, size, sourceOf) : data;
    const dims = [rows, this.config.heads, encoded.srcLen, this.dHead];
    const feeds: Record<string, OrtTensor> = {
      src_mask: this.int64Tensor(
        sourceOf ? gatherInt64Rows(encoded.srcMask, encoded.srcLen, sourceOf) : encoded.srcMask,
        [rows, encoded.srcLen],
      ),
    };
    encoded.cross.forEach((layer, i) => {
      feeds[`cross.${i}.key`] = this.floatTensor(pick(layer.key), dims);
      feeds[`cross.${i}.value`] = this.floatTensor(pick(layer.value), dims);
    });
    return feeds;
  }

  /** Teacher-forced logits [batch, tgtLen, vocab] for decoder inputs `tgt` (starting with <s>). */
  async logits(encoded: EncodedBatch, tgt: readonly (readonly number[])[]): Promise<Float32Array> {
    const { ids, width } = padIds(tgt);
    this.checkLength(width, 'target');
    const out = await this.decoder.run(
      {
        tgt_ids: this.int64Tensor(ids, [tgt.length, width]),
        ...this.crossFeeds(encoded, null),
        ...this.emptyPast(tgt.length),
      },
      ['logits'],
    );
    return floatData(out.logits, 'logits');
  }

  /** A stepper decoding one row per entry of `sourceOf` (an index into `encoded`). */
  stepper(
    encoded: EncodedBatch,
    sourceOf: readonly number[],
    options: { cache?: boolean } = {},
  ): Stepper {
    return new DecoderStepper(
      this,
      this.decoder,
      'tgt_ids',
      this.crossFeeds(encoded, sourceOf),
      sourceOf.length,
      options.cache ?? true,
      (keep, feeds) => {
        const chosen = keep.map((i) => sourceOf[i]);
        sourceOf = chosen;
        Object.assign(feeds, this.crossFeeds(encoded, chosen));
      },
    );
  }
}

/** An exported decoder-only language model. */
export class LanguageModel extends ExportedModel {
  static async create(opened: OpenedExport): Promise<LanguageModel> {
    if (opened.manifest.config.kind !== 'decoder-only') {
      throw new TypeError('this export is an encoder-decoder model; use Seq2SeqModel');
    }
    return new LanguageModel(opened, await loadOrt());
  }

  /** Logits [batch, len, vocab] of right-padded token rows. */
  async logits(ids: readonly (readonly number[])[]): Promise<Float32Array> {
    const padded = padIds(ids);
    this.checkLength(padded.width, 'input');
    const out = await this.decoder.run(
      {
        ids: this.int64Tensor(padded.ids, [ids.length, padded.width]),
        ...this.emptyPast(ids.length),
      },
      ['logits'],
    );
    return floatData(out.logits, 'logits');
  }

  stepper(rows: number, options: { cache?: boolean } = {}): Stepper {
    return this.#stepper(rows, options);
  }

  /**
   * A stepper whose rows have already read `prefixes` (one pass over all of them; rows must be
   * equally long, since the decoder graph takes no padding mask; empty rows read nothing). The
   * search then feeds each prompt's last token first (`SearchOptions.firstTokens`).
   */
  async primedStepper(
    prefixes: readonly (readonly number[])[],
    options: { cache?: boolean } = {},
  ): Promise<Stepper> {
    const stepper = this.#stepper(prefixes.length, options);
    const length = prefixes[0]?.length ?? 0;
    if (prefixes.some((p) => p.length !== length)) {
      throw new RangeError('primed rows must all have the same length');
    }
    if (length > 0) await stepper.feed(prefixes);
    return stepper;
  }

  #stepper(rows: number, options: { cache?: boolean }): DecoderStepper {
    return new DecoderStepper(
      this,
      this.decoder,
      'ids',
      {},
      rows,
      options.cache ?? true,
      () => undefined,
    );
  }
}

/** The cache-owning stepper shared by both kinds. */
class DecoderStepper implements Stepper {
  readonly vocab: number;
  #rows: number;
  #past: Record<string, OrtTensor>;
  #length = 0;
  /** Tokens fed so far, per row (uncached mode re-feeds them). */
  #history: number[][];
  private readonly fetches: string[];

  constructor(
    private readonly model: Seq2SeqModel | LanguageModel,
    private readonly session: OrtSession,
    private readonly idsName: string,
    private readonly fixed: Record<string, OrtTensor>,
    rows: number,
    private readonly cache: boolean,
    private readonly onSelect: (keep: readonly number[], fixed: Record<string, OrtTensor>) => void,
  ) {
    this.vocab = model.config.vocabSize;
    this.#rows = rows;
    this.#past = model.emptyPast(rows);
    this.#history = Array.from({ length: rows }, () => []);
    // Uncached decoding throws the present keys/values away: do not copy them out.
    this.fetches = ['logits'];
    if (cache) {
      for (let i = 0; i < model.config.decoderLayers; i++) {
        this.fetches.push(`present.${i}.key`, `present.${i}.value`);
      }
    }
  }

  get rows(): number {
    return this.#rows;
  }

  step(tokens: readonly number[]): Promise<Float32Array> {
    if (tokens.length !== this.#rows)
      throw new RangeError(`expected ${this.#rows} tokens, got ${tokens.length}`);
    return this.feed(tokens.map((t) => [t]));
  }

  /** Feeds the same number (≥ 1) of tokens to every row; returns the last position's logits. */
  async feed(rows: readonly (readonly number[])[]): Promise<Float32Array> {
    const count = rows[0]?.length ?? 0;
    if (rows.length !== this.#rows || count === 0 || rows.some((r) => r.length !== count)) {
      throw new RangeError(`expected ${this.#rows} rows of the same length (≥ 1)`);
    }
    const m = this.model;
    rows.forEach((row, r) => this.#history[r].push(...row));
    this.#length += count;
    if (this.#length > this.model.config.maxLength) {
      throw new RangeError(`decoding past the model's maxLength ${this.model.config.maxLength}`);
    }
    const width = this.cache ? count : this.#length;
    const ids = new BigInt64Array(this.#rows * width);
    this.#history.forEach((row, r) => {
      for (let j = 0; j < width; j++) ids[r * width + j] = BigInt(row[row.length - width + j]);
    });
    const out = await this.session.run(
      {
        [this.idsName]: m.int64Tensor(ids, [this.#rows, width]),
        ...this.fixed,
        ...(this.cache ? this.#past : m.emptyPast(this.#rows)),
      },
      this.fetches,
    );
    if (this.cache) {
      for (let i = 0; i < this.model.config.decoderLayers; i++) {
        this.#past[`past.${i}.key`] = out[`present.${i}.key`];
        this.#past[`past.${i}.value`] = out[`present.${i}.value`];
      }
    }
    const logits = floatData(out.logits, 'logits');
    if (width === 1) return logits;
    // Several positions (uncached, or a primed prefix): keep the last of each row.
    const v = this.vocab;
    const last = new Float32Array(this.#rows * v);
    for (let r = 0; r < this.#rows; r++)
      last.set(logits.subarray((r * width + width - 1) * v, (r * width + width) * v), r * v);
    return last;
  }

  select(indices: readonly number[]): void {
    const same = indices.length === this.#rows && indices.every((v, i) => v === i);
    if (same) return;
    const m = this.model;
    const { heads } = this.model.config;
    const dHead = this.model.config.dModel / heads;
    if (this.cache) {
      for (const [name, tensor] of Object.entries(this.#past)) {
        const length = tensor.dims[2];
        this.#past[name] = m.floatTensor(
          gatherRows(tensor.data as Float32Array, heads * length * dHead, indices),
          [indices.length, heads, length, dHead],
        );
      }
    }
    this.#history = indices.map((i) => [...this.#history[i]]);
    this.onSelect(indices, this.fixed);
    this.#rows = indices.length;
  }
}
