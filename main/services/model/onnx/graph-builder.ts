/**
 * A small builder for ONNX graphs: unique value names, typed initializers and one-line node
 * creation, so the Transformer graphs read like the forward pass they encode.
 */
import type {
  AttributeValue,
  DataTypeCode,
  OnnxGraph,
  OnnxNode,
  OnnxTensor,
  OnnxValueInfo,
} from './onnx-proto';
import { DataType } from './onnx-proto';

export type Attr = number | string | readonly number[] | AttributeValue;

/** Marks a number attribute as a float (plain numbers are written as ints). */
export const float = (value: number): AttributeValue => ({ kind: 'float', value });

function toAttribute(value: Attr): AttributeValue {
  if (typeof value === 'number') return { kind: 'int', value };
  if (typeof value === 'string') return { kind: 'string', value };
  if (Array.isArray(value)) return { kind: 'ints', value: value as readonly number[] };
  return value as AttributeValue;
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  readonly inputs: OnnxValueInfo[] = [];
  readonly outputs: OnnxValueInfo[] = [];
  #counter = 0;
  #constants = new Map<string, string>();

  constructor(readonly name: string) {}

  fresh(hint: string): string {
    return `${hint}_${this.#counter++}`;
  }

  input(name: string, dataType: DataTypeCode, shape: readonly (number | string)[]): string {
    this.inputs.push({ name, dataType, shape });
    return name;
  }

  /** Declares graph output `name`, fed by value `from` through an Identity when the names differ. */
  output(
    name: string,
    from: string,
    dataType: DataTypeCode,
    shape: readonly (number | string)[],
  ): void {
    if (from !== name) this.op('Identity', [from], {}, { outputs: [name] });
    this.outputs.push({ name, dataType, shape });
  }

  /** Adds an initializer; `data` is little-endian (typed arrays on every supported platform). */
  initializer(
    name: string,
    dataType: DataTypeCode,
    dims: readonly number[],
    data: ArrayBufferView,
  ): string {
    this.initializers.push({ name, dataType, dims, data: bytesOf(data).slice() });
    return name;
  }

  /** A small int64 constant, deduplicated by value (shapes, axes, indices). */
  int64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `i64:${dims.join('x')}:${values.join(',')}`;
    let name = this.#constants.get(key);
    if (!name) {
      name = this.initializer(
        this.fresh('const_i64'),
        DataType.INT64,
        dims,
        BigInt64Array.from(values, (v) => BigInt(v)),
      );
      this.#constants.set(key, name);
    }
    return name;
  }

  /** A scalar or small constant of element type `dataType` (float or float16), deduplicated. */
  scalar(
    value: number,
    dataType: DataTypeCode,
    encode16: (v: Float32Array) => Uint16Array,
  ): string {
    const key = `s:${dataType}:${value}`;
    let name = this.#constants.get(key);
    if (!name) {
      const data =
        dataType === DataType.FLOAT16 ? encode16(Float32Array.of(value)) : Float32Array.of(value);
      name = this.initializer(this.fresh('const'), dataType, [], data);
      this.#constants.set(key, name);
    }
    return name;
  }

  /** Adds a node and returns its output names. */
  ops(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, Attr> = {},
    options: { outputs?: readonly string[] | number; domain?: string } = {},
  ): string[] {
    const outputs =
      typeof options.outputs === 'object'
        ? [...options.outputs]
        : Array.from({ length: options.outputs ?? 1 }, () => this.fresh(opType.toLowerCase()));
    const attrs: Record<string, AttributeValue> = {};
    for (const [k, v] of Object.entries(attributes)) attrs[k] = toAttribute(v);
    this.nodes.push({
      opType,
      inputs,
      outputs,
      name: this.fresh(`n_${opType}`),
      ...(options.domain ? { domain: options.domain } : {}),
      ...(Object.keys(attrs).length ? { attributes: attrs } : {}),
    });
    return outputs;
  }

  /** Adds a single-output node and returns its output name. */
  op(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, Attr> = {},
    options: { outputs?: readonly string[]; domain?: string } = {},
  ): string {
    return this.ops(opType, inputs, attributes, options)[0];
  }

  build(): OnnxGraph {
    return {
      name: this.name,
      nodes: this.nodes,
      initializers: this.initializers,
      inputs: this.inputs,
      outputs: this.outputs,
    };
  }
}
