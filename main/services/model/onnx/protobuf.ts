/**
 * A minimal Protocol Buffers writer: varints, fixed32 floats and length-delimited fields, enough to
 * encode ONNX models without a protobuf library. Messages are built bottom-up: each nested
 * message is encoded to bytes first and embedded as a length-delimited field, which keeps the
 * writer stateless apart from its growing buffer.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED32 = 5;
const WIRE_LENGTH_DELIMITED = 2;

const utf8 = new TextEncoder();

export class ProtoWriter {
  #buffer = new Uint8Array(256);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#buffer.length) return;
    let size = this.#buffer.length * 2;
    while (size < this.#length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = next;
  }

  /** Unsigned varint of a non-negative safe integer, or a negative int64 as 10 bytes (two's complement). */
  #varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    this.#reserve(10);
    // Small values are the common case (tags, lengths): stay in plain numbers for speed.
    if (v < 0x80000000n) {
      let n = Number(v);
      while (n >= 0x80) {
        this.#buffer[this.#length++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      this.#buffer[this.#length++] = n;
      return;
    }
    while (v >= 0x80n) {
      this.#buffer[this.#length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.#buffer[this.#length++] = Number(v);
  }

  #tag(field: number, wire: number): void {
    this.#varint(field * 8 + wire);
  }

  /** int32 / int64 / enum field (negative values take ten bytes, as protobuf specifies). */
  int(field: number, value: number | bigint): this {
    this.#tag(field, WIRE_VARINT);
    this.#varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.#tag(field, WIRE_FIXED32);
    this.#reserve(4);
    new DataView(this.#buffer.buffer).setFloat32(this.#length, value, true);
    this.#length += 4;
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, WIRE_LENGTH_DELIMITED);
    this.#varint(value.length);
    this.#reserve(value.length);
    this.#buffer.set(value, this.#length);
    this.#length += value.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** An embedded message, encoded by `build` into its own writer. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  /** Packed repeated int64 (one length-delimited field). */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.#varint(v);
    return this.bytes(field, inner.finish());
  }

  /** Packed repeated float. */
  packedFloats(field: number, values: readonly number[]): this {
    const data = new Float32Array(values);
    return this.bytes(field, new Uint8Array(data.buffer));
  }

  finish(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }
}
