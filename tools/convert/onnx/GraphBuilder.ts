/**
 * @file GraphBuilder: declare inputs/outputs, add initializers and nodes with auto-unique names,
 * then hand the result to serializeModel() or saveModel(). Pure TypeScript.
 *
 * Streaming: given a `sink`, every initializer at or above `externalThresholdBytes` is appended to
 * the sink at once and only its location is kept, so a 12B-parameter converter never holds more
 * than one tensor in memory.
 */
import type { ExternalDataSink } from './externalData';
import type { AttributeValue, Dim, ElemType, GraphSpec, NodeSpec, OpsetImport, TensorSpec, ValueInfo } from './proto';

/** Default-domain opset: 21 keeps Conv at v11 and Resize at v19, both native WebGPU EP kernels. */
const DEFAULT_OPSET = 21;

/** Microsoft contrib domain (MatMulNBits, MultiHeadAttention, …). */
export const MS_DOMAIN = 'com.microsoft';

/** Initializers smaller than this stay inside the .onnx file (scalars, shapes, small biases). */
const DEFAULT_EXTERNAL_THRESHOLD_BYTES = 1024;

/** Typed arrays accepted as initializer data; Uint16Array carries float16/bfloat16 bit patterns. */
export type InitializerData = Float32Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Uint16Array;

/** Attribute shorthand: integers, integer lists and strings are plain; floats use {@link attrFloat}. */
type AttributeInput = number | bigint | readonly number[] | string | AttributeValue;

/** Options for a node. */
export interface NodeOptions {
  attrs?: Readonly<Record<string, AttributeInput>>;
  domain?: string;
  /** Number of outputs (default 1) or explicit output names. */
  outputs?: number | readonly string[];
  /** Node-name prefix; defaults to the op type. */
  name?: string;
}

/** Options for a builder. */
export interface GraphBuilderOptions {
  opset?: number;
  sink?: ExternalDataSink;
  externalThresholdBytes?: number;
}

/** Wraps a float attribute value (plain numbers mean int). */
export function attrFloat(value: number): AttributeValue {
  return { type: 'float', value };
}

/** Wraps a float-list attribute value (plain number lists mean ints). */
export function attrFloats(value: readonly number[]): AttributeValue {
  return { type: 'floats', value };
}

/** Accumulates one ONNX graph. */
export class GraphBuilder {
  readonly opset: number;
  readonly externalThresholdBytes: number;
  private readonly sink: ExternalDataSink | undefined;
  private readonly names = new Set<string>();
  private readonly nodes: NodeSpec[] = [];
  private readonly initializers: TensorSpec[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];

  constructor(options: GraphBuilderOptions = {}) {
    this.opset = options.opset ?? DEFAULT_OPSET;
    this.sink = options.sink;
    this.externalThresholdBytes = options.externalThresholdBytes ?? DEFAULT_EXTERNAL_THRESHOLD_BYTES;
  }

  /** Returns `prefix` if unused, else `prefix_1`, `prefix_2`, …, and reserves it. */
  makeUniqueName(prefix: string): string {
    let name = prefix;
    for (let i = 1; this.names.has(name); i++) name = `${prefix}_${i}`;
    this.names.add(name);
    return name;
  }

  /** Declares a graph input and returns its name (exactly `name`; it must be unused). */
  addInput(name: string, elemType: ElemType, dims: readonly Dim[]): string {
    this.reserveExact(name);
    this.inputs.push({ name, elemType, dims: [...dims] });
    return name;
  }

  /**
   * Declares `value` as a graph output called `name`, renaming the value where it is produced.
   * @throws Error when `value` is not a node output or `name` is taken.
   */
  addOutput(value: string, name: string, elemType: ElemType, dims: readonly Dim[]): void {
    if (value !== name) this.renameNodeOutput(value, name);
    this.outputs.push({ name, elemType, dims: [...dims] });
  }

  /**
   * Adds a constant tensor and returns its (unique) name. Large tensors go to the sink at once
   * when the builder has one.
   * @param elemType - needed for Uint16Array (float16/bfloat16) and packed 4-bit Uint8Array data.
   */
  addInitializer(prefix: string, data: InitializerData, dims: readonly number[], elemType?: ElemType): string {
    const type = elemType ?? inferElemType(data);
    checkByteLength(prefix, type, dims, data.byteLength);
    const name = this.makeUniqueName(prefix);
    const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (this.sink && view.length >= this.externalThresholdBytes) {
      this.initializers.push({ name, elemType: type, dims: [...dims], external: this.sink.append(view) });
    } else {
      // Copy: the caller may reuse its buffer for the next tensor.
      this.initializers.push({ name, elemType: type, dims: [...dims], raw: view.slice() });
    }
    return name;
  }

  /** Adds a node and returns its output names. Use '' in `inputs` for an omitted optional input. */
  addNode(opType: string, inputs: readonly string[], options: NodeOptions = {}): string[] {
    const name = this.makeUniqueName(options.name ?? opType);
    const outs = options.outputs ?? 1;
    const outputs =
      typeof outs === 'number'
        ? Array.from({ length: outs }, (_, i) => this.makeUniqueName(outs === 1 ? `${name}_out` : `${name}_out${i}`))
        : outs.map((o) => (this.reserveExact(o), o));
    const attributes = new Map<string, AttributeValue>();
    for (const [key, value] of Object.entries(options.attrs ?? {}))
      attributes.set(key, toAttributeValue(name, key, value));
    this.nodes.push({ name, opType, domain: options.domain ?? '', inputs: [...inputs], outputs, attributes });
    return outputs;
  }

  /** Adds a single-output node and returns the output name. */
  addOp(opType: string, inputs: readonly string[], attrs?: NodeOptions['attrs'], domain?: string): string {
    return this.addNode(opType, inputs, { attrs, domain })[0]!;
  }

  /**
   * Returns the graph, checking that every node input is defined before use and every output is produced.
   * @param transformInitializer - lets serializeModel() move inline tensors to external data.
   * @throws Error naming the first dangling value.
   */
  toGraphSpec(graphName: string, transformInitializer: (t: TensorSpec) => TensorSpec = (t) => t): GraphSpec {
    const defined = new Set<string>([...this.inputs.map((v) => v.name), ...this.initializers.map((t) => t.name)]);
    for (const node of this.nodes) {
      for (const input of node.inputs) {
        if (input !== '' && !defined.has(input)) {
          throw new Error(`graph ${graphName}: node ${node.name} (${node.opType}) uses undefined value '${input}'`);
        }
      }
      for (const output of node.outputs) defined.add(output);
    }
    for (const output of this.outputs) {
      if (!defined.has(output.name)) throw new Error(`graph ${graphName}: output '${output.name}' is never produced`);
    }
    return {
      name: graphName,
      nodes: this.nodes,
      initializers: this.initializers.map(transformInitializer),
      inputs: this.inputs,
      outputs: this.outputs,
    };
  }

  /** Returns the opset imports: the default domain plus com.microsoft v1. */
  getOpsetImports(): OpsetImport[] {
    return [
      { domain: '', version: this.opset },
      { domain: MS_DOMAIN, version: 1 },
    ];
  }

  private reserveExact(name: string): void {
    if (name === '' || this.names.has(name)) throw new Error(`value name '${name}' is empty or already used`);
    this.names.add(name);
  }

  private renameNodeOutput(from: string, to: string): void {
    const producer = this.nodes.find((n) => n.outputs.includes(from));
    if (!producer) throw new Error(`cannot mark '${from}' as output '${to}': it is not produced by any node`);
    this.reserveExact(to);
    const rename = (names: readonly string[]): string[] => names.map((n) => (n === from ? to : n));
    for (let i = 0; i < this.nodes.length; i++) {
      const node = this.nodes[i]!;
      if (node.inputs.includes(from) || node.outputs.includes(from)) {
        this.nodes[i] = { ...node, inputs: rename(node.inputs), outputs: rename(node.outputs) };
      }
    }
    this.names.delete(from);
  }
}

const ELEM_BITS: Readonly<Record<ElemType, number>> = {
  float: 32,
  uint8: 8,
  int8: 8,
  uint16: 16,
  int16: 16,
  int32: 32,
  int64: 64,
  string: 0,
  bool: 8,
  float16: 16,
  double: 64,
  uint32: 32,
  uint64: 64,
  bfloat16: 16,
  uint4: 4,
  int4: 4,
};

function inferElemType(data: InitializerData): ElemType {
  if (data instanceof Float32Array) return 'float';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  throw new Error('Uint16Array initializers need an explicit elemType (float16 or bfloat16)');
}

function checkByteLength(name: string, elemType: ElemType, dims: readonly number[], byteLength: number): void {
  const bits = ELEM_BITS[elemType];
  if (bits === 0) throw new Error(`initializer ${name}: elemType ${elemType} is not supported`);
  const count = dims.reduce((n, d) => n * d, 1);
  const expected = Math.ceil((count * bits) / 8);
  if (dims.some((d) => !Number.isInteger(d) || d < 0) || expected !== byteLength) {
    throw new Error(
      `initializer ${name}: dims [${dims.join(', ')}] of ${elemType} need ${expected} bytes, data has ${byteLength}`,
    );
  }
}

function toAttributeValue(node: string, key: string, value: AttributeInput): AttributeValue {
  if (typeof value === 'string') return { type: 'string', value };
  if (typeof value === 'bigint') return { type: 'int', value };
  if (typeof value === 'number') {
    if (!Number.isInteger(value))
      throw new Error(`${node}.${key}: ${value} is not an integer; wrap floats in attrFloat()`);
    return { type: 'int', value };
  }
  if (isAttributeValue(value)) return value;
  if (!value.every(Number.isInteger)) throw new Error(`${node}.${key}: non-integer list; wrap floats in attrFloats()`);
  return { type: 'ints', value: [...value] };
}

function isAttributeValue(value: readonly number[] | AttributeValue): value is AttributeValue {
  return !Array.isArray(value);
}
