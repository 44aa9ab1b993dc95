/**
 * @file GraphBuilder: declare inputs/outputs, add initializers and nodes with auto-unique names,
 * then hand the result to serializeModel() or saveModel(). Pure TypeScript.
 *
 * Streaming: given a `sink`, every initializer at or above `externalThresholdBytes` is appended to
 * the sink at once and only its location is kept, so a 12B-parameter converter never holds more
 * than one tensor in memory.
 */
import { convertHalfToFloat32 } from '../safetensorsDtypes';
import { convertFloat32ToHalf } from '../quantize/fp16';
import type { ExternalDataSink } from './externalData';
import {
  addFp16Rounding,
  FP32_OPS,
  getCastCode,
  inferOutputType,
  isFixedInput,
  isFloatType,
  MOVE_OPS,
  UNCONVERTED_OPS,
  type Activations,
  type FloatType,
} from './mixedPrecision';
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
  /** fp16 activations with fp32 islands (see ./mixedPrecision.ts); fp32 when omitted. */
  activations?: Activations;
}

/** Wraps a float attribute value (plain numbers mean int). */
export function attrFloat(value: number): AttributeValue {
  return { type: 'float', value };
}

/** Wraps a float-list attribute value (plain number lists mean ints). */
export function attrFloats(value: readonly number[]): AttributeValue {
  return { type: 'floats', value };
}

/**
 * Accumulates one ONNX graph.
 *
 * Mixed precision (`activations` fp16 or fp16-emulated): every value has a type, and every op computes in its
 * scope's float type (fp16 by default, fp32 inside {@link inFloat32}; FP32_OPS always fp32). A float input of
 * the other type is converted where the op uses it: a Cast node, or for a small inline constant a converted
 * copy. Float32Array initializers added in an fp16 scope are stored as fp16, so weights are consumed by ops of
 * their own type and ORT has no Cast of a weight to fold at load. A weight in external data that an op of the
 * other type uses is a converter bug and throws.
 */
export class GraphBuilder {
  readonly opset: number;
  readonly externalThresholdBytes: number;
  readonly activations: Activations;
  private readonly sink: ExternalDataSink | undefined;
  private readonly names = new Set<string>();
  private readonly nodes: NodeSpec[] = [];
  private readonly initializers: TensorSpec[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  /** Value name → its (logical) type, tracked in mixed graphs; emulated fp16 values are float32 tensors. */
  private readonly types = new Map<string, ElemType>();
  private readonly inlineInitializers = new Map<string, TensorSpec>();
  /** `${value}>${type}` → the converted value, so each value is converted once per type. */
  private readonly conversions = new Map<string, string>();
  private scope: FloatType;

  constructor(options: GraphBuilderOptions = {}) {
    this.opset = options.opset ?? DEFAULT_OPSET;
    this.sink = options.sink;
    this.externalThresholdBytes = options.externalThresholdBytes ?? DEFAULT_EXTERNAL_THRESHOLD_BYTES;
    this.activations = options.activations ?? 'fp32';
    this.scope = this.mixed ? 'float16' : 'float';
  }

  /** True when activations are fp16 (real or emulated). */
  get mixed(): boolean {
    return this.activations !== 'fp32';
  }

  /** The float type ops added now compute in. */
  get floatType(): FloatType {
    return this.scope;
  }

  /** Runs `build` (sync or async) with ops and new float weights in fp32; a no-op scope in fp32 graphs. */
  inFloat32<T>(build: () => T): T {
    const saved = this.scope;
    this.scope = 'float';
    let result: T;
    try {
      result = build();
    } catch (e) {
      this.scope = saved;
      throw e;
    }
    if (result instanceof Promise) {
      return result.finally(() => {
        this.scope = saved;
      }) as T;
    }
    this.scope = saved;
    return result;
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
    this.types.set(name, elemType);
    return name;
  }

  /**
   * Declares `value` as a graph output called `name`, renaming the value where it is produced.
   * @throws Error when `value` is not a node output or `name` is taken.
   */
  addOutput(value: string, name: string, elemType: ElemType, dims: readonly Dim[]): void {
    if (this.mixed && isFloatType(elemType)) value = this.convert(value, elemType);
    if (value !== name) this.renameNodeOutput(value, name);
    this.outputs.push({ name, elemType, dims: [...dims] });
  }

  /**
   * Adds a constant tensor and returns its (unique) name. Large tensors go to the sink at once
   * when the builder has one.
   * @param elemType - needed for Uint16Array (float16/bfloat16) and packed 4-bit Uint8Array data; 'float'
   *   keeps a Float32Array float32 in an fp16 scope (else it is stored in the scope's type).
   */
  addInitializer(prefix: string, data: InitializerData, dims: readonly number[], elemType?: ElemType): string {
    if (this.scope === 'float16' && data instanceof Float32Array && elemType === undefined) {
      return this.addHalfInitializer(prefix, data, dims);
    }
    return this.storeInitializer(prefix, data, dims, elemType ?? inferElemType(data));
  }

  /**
   * Starts a constant tensor whose bytes come in pieces, in order (an int4 weight quantized a slab of rows at a
   * time, so it never exists whole): `write` every piece, then `finish` returns its name. It is stored as
   * addInitializer would store the whole, bit for bit; no other initializer may be added until `finish`.
   */
  startInitializer(
    prefix: string,
    dims: readonly number[],
    elemType: ElemType,
  ): { write(piece: Uint8Array): void; finish(): string } {
    const length = Math.ceil((dims.reduce((n, d) => n * d, 1) * ELEM_BITS[elemType]) / 8);
    let written = 0;
    if (!this.sink || length < this.externalThresholdBytes) {
      const whole = new Uint8Array(length);
      return {
        write: (piece) => {
          whole.set(piece, written);
          written += piece.length;
        },
        finish: () => {
          if (written !== length) throw new Error(`initializer ${prefix}: ${written} of ${length} bytes were written`);
          return this.storeInitializer(prefix, whole, dims, elemType);
        },
      };
    }
    checkByteLength(prefix, elemType, dims, length);
    const name = this.makeUniqueName(prefix);
    const reserved = this.sink.reserve(length);
    return {
      write: (piece) => {
        reserved.write(piece);
        written += piece.length;
      },
      finish: () => {
        if (written !== length) throw new Error(`initializer ${name}: ${written} of ${length} bytes were written`);
        this.initializers.push({ name, elemType, dims: [...dims], external: reserved.ref });
        this.types.set(name, elemType);
        return name;
      },
    };
  }

  /** Stores fp16 values: as float16, or emulated as float32 holding fp16-rounded values. */
  private addHalfInitializer(prefix: string, data: Float32Array, dims: readonly number[]): string {
    const half = convertFloat32ToHalf(data);
    if (this.activations === 'fp16') return this.storeInitializer(prefix, half, dims, 'float16');
    const name = this.storeInitializer(prefix, convertHalfToFloat32(half), dims, 'float');
    this.types.set(name, 'float16');
    return name;
  }

  private storeInitializer(prefix: string, data: InitializerData, dims: readonly number[], type: ElemType): string {
    checkByteLength(prefix, type, dims, data.byteLength);
    const name = this.makeUniqueName(prefix);
    const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (this.sink && view.length >= this.externalThresholdBytes) {
      this.initializers.push({ name, elemType: type, dims: [...dims], external: this.sink.append(view) });
    } else {
      // Copy: the caller may reuse its buffer for the next tensor.
      const spec = { name, elemType: type, dims: [...dims], raw: view.slice() };
      this.initializers.push(spec);
      this.inlineInitializers.set(name, spec);
    }
    this.types.set(name, type);
    return name;
  }

  /** Adds a node and returns its output names. Use '' in `inputs` for an omitted optional input. */
  addNode(opType: string, inputs: readonly string[], options: NodeOptions = {}): string[] {
    if (!this.mixed) return this.pushNode(opType, inputs, options);
    const target = this.getComputeType(opType, inputs);
    const converted = inputs.map((x, i) =>
      UNCONVERTED_OPS.has(opType) || isFixedInput(opType, i) || !isFloatType(this.types.get(x))
        ? x
        : this.convert(x, target),
    );
    const outputs = this.pushNode(opType, converted, options);
    // Emulated fp16 → fp32 conversions keep the value's name, so the op's float outputs take its compute type here.
    if (!UNCONVERTED_OPS.has(opType))
      for (const o of outputs) if (isFloatType(this.types.get(o))) this.types.set(o, target);
    const rounded = this.activations === 'fp16-emulated' && !MOVE_OPS.has(opType);
    return outputs.map((o) => (rounded && this.types.get(o) === 'float16' ? this.addRounding(o) : o));
  }

  /** The float type `op` computes in: fp32 for FP32_OPS; a move op keeps its computed inputs' type. */
  private getComputeType(op: string, inputs: readonly string[]): FloatType {
    if (FP32_OPS.has(op)) return 'float';
    if (!MOVE_OPS.has(op)) return this.scope;
    const moved = inputs.filter((x, i) => !isFixedInput(op, i) && !this.inlineInitializers.has(x));
    const types = moved.map((x) => this.types.get(x)).filter(isFloatType);
    if (types.includes('float')) return 'float';
    return types.includes('float16') ? 'float16' : this.scope;
  }

  /**
   * Returns `value` as `type`: itself, a converted copy of an inline constant, or a Cast (emulated: the fp16
   * rounding; fp16 → fp32 is free there, the tensor is float32 already).
   * @throws Error for a weight in external data: ORT would fold its Cast at load.
   */
  private convert(value: string, type: FloatType): string {
    const from = this.types.get(value);
    if (!isFloatType(from) || from === type) return value;
    const key = `${value}>${type}`;
    const done = this.conversions.get(key);
    if (done) return done;
    const emulated = this.activations === 'fp16-emulated';
    let out: string;
    const constant = this.inlineInitializers.get(value);
    if (constant) {
      const values = getFloatValues(constant);
      if (type === 'float16') out = this.addHalfInitializer(`${value}_fp16`, values, constant.dims);
      else out = emulated ? value : this.storeInitializer(`${value}_fp32`, values, constant.dims, 'float');
    } else if (this.initializers.some((t) => t.name === value)) {
      throw new Error(`weight '${value}' is stored as ${from}, but a ${type} op uses it: store it in that op's scope`);
    } else if (emulated) {
      out = type === 'float' ? value : this.addRounding(value);
    } else {
      out = this.pushNode('Cast', [value], { attrs: { to: getCastCode(type) } })[0]!;
    }
    this.conversions.set(key, out);
    return out;
  }

  /** Appends the fp16 rounding of float32 `x` (emulated fp16) and returns the rounded value, typed float16. */
  private addRounding(x: string): string {
    const y = addFp16Rounding(
      x,
      (op, inputs, name) => this.pushNode(op, inputs, { name })[0]!,
      (key, value) => {
        const cacheKey = `$round:${key}`;
        let name = this.conversions.get(cacheKey);
        if (!name) {
          name = this.storeInitializer(`fp16_round_${key}`, new Float32Array([value]), [], 'float');
          this.conversions.set(cacheKey, name);
        }
        return name;
      },
    );
    this.types.set(y, 'float16');
    return y;
  }

  private pushNode(opType: string, inputs: readonly string[], options: NodeOptions = {}): string[] {
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
    if (this.mixed) {
      const type = inferOutputType(
        opType,
        inputs.map((x) => this.types.get(x)),
        attributes,
      );
      if (type) for (const o of outputs) this.types.set(o, type);
    }
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
    const type = this.types.get(from);
    if (type) this.types.set(to, type);
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

/** The values of an inline float32 or float16 initializer. */
function getFloatValues(t: TensorSpec): Float32Array {
  const raw = t.raw!.slice();
  if (t.elemType === 'float16') return convertHalfToFloat32(new Uint16Array(raw.buffer, 0, raw.length / 2));
  return new Float32Array(raw.buffer, 0, raw.length / 4);
}

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
