// The pieces under the ONNX exporter: protobuf encoding, float16 conversion and int8 quantization.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtoWriter } from '../../../main/services/model/onnx/protobuf';
import {
  fromFloat16Bits,
  quantizeColumns,
  toFloat16Bits,
} from '../../../main/services/model/onnx/numeric';
import { DataType, encodeModel } from '../../../main/services/model/onnx/onnx-proto';
import { GraphBuilder } from '../../../main/services/model/onnx/graph-builder';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('ProtoWriter', () => {
  it('writes varints, negative int64, floats, strings and packed fields as protobuf does', () => {
    expect(hex(new ProtoWriter().int(1, 150).finish())).toBe('089601');
    expect(hex(new ProtoWriter().int(3, -1).finish())).toBe('18ffffffffffffffffff01');
    expect(hex(new ProtoWriter().int(2, 2 ** 40).finish())).toBe('10808080808020');
    expect(hex(new ProtoWriter().float(2, 1).finish())).toBe('150000803f');
    expect(hex(new ProtoWriter().string(4, 'Add').finish())).toBe('2203416464');
    expect(hex(new ProtoWriter().packedInts(1, [3, 270]).finish())).toBe('0a03038e02');
    expect(hex(new ProtoWriter().message(7, (m) => m.int(1, 1)).finish())).toBe('3a020801');
  });

  it('grows past its initial buffer', () => {
    const big = new Uint8Array(10_000).fill(7);
    const out = new ProtoWriter().bytes(9, big).finish();
    expect(out.length).toBe(10_000 + 3);
    expect(out[out.length - 1]).toBe(7);
  });
});

describe('float16', () => {
  it('converts known values exactly', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(toFloat16Bits(2 ** -24)).toBe(1);
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(NaN)))).toBe(true);
  });

  it('round-trips within half a unit in the last place', () => {
    fc.assert(
      fc.property(fc.float({ min: -60000, max: 60000, noNaN: true }), (v) => {
        const back = fromFloat16Bits(toFloat16Bits(v));
        const ulp = Math.max(2 ** -24, 2 ** (Math.floor(Math.log2(Math.abs(v) || 1)) - 10));
        expect(Math.abs(back - v)).toBeLessThanOrEqual(ulp / 2 + 1e-12);
      }),
    );
  });
});

describe('quantizeColumns', () => {
  it('keeps every weight within half a step of its column scale', () => {
    const rows = 5;
    const cols = 3;
    const w = Float32Array.from(
      { length: rows * cols },
      (_, i) => Math.sin(i * 1.7) * (1 + (i % 3)),
    );
    for (const levels of [127, 63]) {
      const q = quantizeColumns(w, rows, cols, levels);
      for (let i = 0; i < w.length; i++) {
        const c = i % cols;
        expect(Math.abs(q.values[i])).toBeLessThanOrEqual(levels);
        expect(Math.abs(q.values[i] * q.scales[c] - w[i])).toBeLessThanOrEqual(
          q.scales[c] / 2 + 1e-7,
        );
      }
    }
  });
});

describe('encodeModel', () => {
  it('produces a model onnxruntime runs', async () => {
    const ort = await import('onnxruntime-node');
    const g = new GraphBuilder('t');
    const x = g.input('x', DataType.FLOAT, ['n', 2]);
    const w = g.initializer('w', DataType.FLOAT, [2, 2], Float32Array.of(1, 2, 3, 4));
    g.output('y', g.op('MatMul', [x, w]), DataType.FLOAT, ['n', 2]);
    const bytes = encodeModel({
      graph: g.build(),
      opsets: { '': 17 },
      producerName: 'test',
      producerVersion: '1',
      metadata: { k: 'v' },
    });
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 1), [1, 2]) });
    expect(Array.from(out.y.data as Float32Array)).toEqual([4, 6]);
    await session.release();
  });
});
