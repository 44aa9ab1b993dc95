/**
 * @file ONNX message encoders (onnx.proto field numbers), pure TypeScript.
 * Covers ModelProto, GraphProto, NodeProto, TensorProto (raw or external data), ValueInfoProto,
 * AttributeProto and OperatorSetIdProto: what our converters emit, nothing more.
 */
import { ProtoWriter } from './protobuf';

/** TensorProto.DataType codes. */
const DataType = {
  float: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  double: 11,
  uint32: 12,
  uint64: 13,
  bfloat16: 16,
  uint4: 21,
  int4: 22,
} as const;

/** Element type name, e.g. `float` or `int32`. */
export type ElemType = keyof typeof DataType;

/** Where an initializer's bytes live inside an external data file. */
export interface ExternalDataRef {
  location: string;
  offset: number;
  length: number;
}

/** A tensor as it goes into TensorProto: either raw little-endian bytes or an external reference. */
export interface TensorSpec {
  name: string;
  elemType: ElemType;
  dims: readonly number[];
  raw?: Uint8Array;
  external?: ExternalDataRef;
}

/** A dimension: a fixed size or a symbolic name such as `H`. */
export type Dim = number | string;

/** A graph input, output or intermediate value; `dims` undefined means unknown rank. */
export interface ValueInfo {
  name: string;
  elemType: ElemType;
  dims?: readonly Dim[];
}

/** An attribute value with its ONNX type made explicit. */
export type AttributeValue =
  | { type: 'int'; value: number | bigint }
  | { type: 'float'; value: number }
  | { type: 'ints'; value: readonly (number | bigint)[] }
  | { type: 'floats'; value: readonly number[] }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: TensorSpec };

/** One node of the graph. */
export interface NodeSpec {
  name: string;
  opType: string;
  domain: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: ReadonlyMap<string, AttributeValue>;
}

/** A whole graph. */
export interface GraphSpec {
  name: string;
  nodes: readonly NodeSpec[];
  initializers: readonly TensorSpec[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
}

/** An operator-set import, e.g. `{ domain: '', version: 21 }`. */
export interface OpsetImport {
  domain: string;
  version: number;
}

/** A whole model. */
export interface ModelSpec {
  irVersion: number;
  opsetImports: readonly OpsetImport[];
  producerName: string;
  producerVersion: string;
  graph: GraphSpec;
  metadata?: Readonly<Record<string, string>>;
}

// AttributeProto.AttributeType codes.
const AttributeType = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

/** Encodes a ModelProto. */
export function encodeModel(model: ModelSpec): Uint8Array {
  const w = new ProtoWriter();
  w.writeVarintField(1, model.irVersion);
  w.writeStringField(2, model.producerName);
  w.writeStringField(3, model.producerVersion);
  w.writeMessageField(7, (g) => writeGraph(g, model.graph));
  for (const opset of model.opsetImports) {
    w.writeMessageField(8, (o) => {
      o.writeStringField(1, opset.domain);
      o.writeVarintField(2, opset.version);
    });
  }
  for (const [key, value] of Object.entries(model.metadata ?? {})) {
    w.writeMessageField(14, (e) => writeStringEntry(e, key, value));
  }
  return w.finish();
}

function writeGraph(w: ProtoWriter, graph: GraphSpec): void {
  for (const node of graph.nodes) w.writeMessageField(1, (n) => writeNode(n, node));
  w.writeStringField(2, graph.name);
  for (const t of graph.initializers) w.writeMessageField(5, (m) => writeTensor(m, t));
  for (const v of graph.inputs) w.writeMessageField(11, (m) => writeValueInfo(m, v));
  for (const v of graph.outputs) w.writeMessageField(12, (m) => writeValueInfo(m, v));
}

function writeNode(w: ProtoWriter, node: NodeSpec): void {
  for (const input of node.inputs) w.writeStringField(1, input);
  for (const output of node.outputs) w.writeStringField(2, output);
  w.writeStringField(3, node.name);
  w.writeStringField(4, node.opType);
  for (const [name, value] of node.attributes) w.writeMessageField(5, (a) => writeAttribute(a, name, value));
  if (node.domain !== '') w.writeStringField(7, node.domain);
}

function writeAttribute(w: ProtoWriter, name: string, attr: AttributeValue): void {
  w.writeStringField(1, name);
  w.writeVarintField(20, AttributeType[attr.type]);
  switch (attr.type) {
    case 'float':
      w.writeFloatField(2, attr.value);
      return;
    case 'int':
      w.writeVarintField(3, attr.value);
      return;
    case 'string':
      w.writeStringField(4, attr.value);
      return;
    case 'tensor':
      w.writeMessageField(5, (t) => writeTensor(t, attr.value));
      return;
    case 'floats':
      // onnx.proto is proto2 with unpacked repeated scalars; emit them the declared way.
      for (const f of attr.value) w.writeFloatField(7, f);
      return;
    case 'ints':
      for (const i of attr.value) w.writeVarintField(8, i);
      return;
    default:
      assertNever(attr);
  }
}

function writeTensor(w: ProtoWriter, t: TensorSpec): void {
  for (const d of t.dims) w.writeVarintField(1, d);
  w.writeVarintField(2, DataType[t.elemType]);
  w.writeStringField(8, t.name);
  if (t.external) {
    const ext = t.external;
    w.writeMessageField(13, (e) => writeStringEntry(e, 'location', ext.location));
    w.writeMessageField(13, (e) => writeStringEntry(e, 'offset', String(ext.offset)));
    w.writeMessageField(13, (e) => writeStringEntry(e, 'length', String(ext.length)));
    w.writeVarintField(14, 1); // data_location = EXTERNAL
  } else {
    w.writeBytesField(9, t.raw ?? new Uint8Array(0));
  }
}

function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.writeStringField(1, v.name);
  w.writeMessageField(2, (type) =>
    type.writeMessageField(1, (tensorType) => {
      tensorType.writeVarintField(1, DataType[v.elemType]);
      if (v.dims === undefined) return;
      const dims = v.dims;
      tensorType.writeMessageField(2, (shape) => {
        for (const d of dims) {
          shape.writeMessageField(1, (dim) => {
            if (typeof d === 'number') dim.writeVarintField(1, d);
            else dim.writeStringField(2, d);
          });
        }
      });
    }),
  );
}

function writeStringEntry(w: ProtoWriter, key: string, value: string): void {
  w.writeStringField(1, key);
  w.writeStringField(2, value);
}

function assertNever(x: never): never {
  throw new Error(`unhandled attribute ${JSON.stringify(x)}`);
}
