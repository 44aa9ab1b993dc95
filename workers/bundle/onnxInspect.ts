/**
 * @file Read-only checks on ONNX model bytes, pure TypeScript over Uint8Array (no Node imports):
 * the browser worker imports this to validate a downloaded graph and to learn which
 * external-data files it must pass to onnxruntime-web.
 */
import { decodeFields, decodeString, ProtoDecodeError, type ProtoField } from './protobufDecode';

/** Thrown when bytes are not a well-formed ONNX ModelProto. */
export class OnnxFormatError extends Error {
  override name = 'OnnxFormatError';
}

// ModelProto / GraphProto / TensorProto field numbers (onnx.proto).
const MODEL_IR_VERSION = 1;
const MODEL_GRAPH = 7;
const MODEL_OPSET_IMPORT = 8;
const GRAPH_INITIALIZER = 5;
const TENSOR_EXTERNAL_DATA = 13;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;

// Wire types of the ModelProto fields we know; anything else there means "not ONNX".
const MODEL_WIRE_TYPES: Readonly<Record<number, number>> = {
  1: 0,
  2: 2,
  3: 2,
  4: 2,
  5: 0,
  6: 2,
  7: 2,
  8: 2,
  14: 2,
  20: 2,
  25: 2,
};

/**
 * Throws unless `bytes` parse as an ONNX ModelProto with an IR version and a graph.
 * @param label - names the file in the message, e.g. `preview_decoder.onnx`.
 * @throws OnnxFormatError with the reason and, for common mix-ups, a hint.
 */
export function assertOnnxModel(bytes: Uint8Array, label = 'model'): void {
  getModelFields(bytes, label);
}

/** Returns true when `bytes` parse as an ONNX model (see {@link assertOnnxModel}). */
export function isOnnxModel(bytes: Uint8Array): boolean {
  try {
    getModelFields(bytes, 'model');
    return true;
  } catch {
    return false;
  }
}

/**
 * Lists the distinct external-data `location`s referenced by the graph's initializers, in first-use order.
 * @throws OnnxFormatError when the bytes are not an ONNX model.
 */
export function listExternalDataLocations(bytes: Uint8Array, label = 'model'): string[] {
  const locations = new Set<string>();
  const fail = (what: string): never => {
    throw new OnnxFormatError(`${label} is not a valid ONNX model: ${what}`);
  };
  try {
    const graph = getModelFields(bytes, label).find((f) => f.field === MODEL_GRAPH);
    for (const init of subMessages(decodeFields(payload(graph)), GRAPH_INITIALIZER)) {
      for (const entry of subMessages(decodeFields(init), TENSOR_EXTERNAL_DATA)) {
        const fields = decodeFields(entry);
        const key = fields.find((f) => f.field === ENTRY_KEY);
        const value = fields.find((f) => f.field === ENTRY_VALUE);
        if (key && decodeString(payload(key)) === 'location') {
          if (!value) fail('external_data entry "location" has no value');
          locations.add(decodeString(payload(value)));
        }
      }
    }
  } catch (e) {
    if (e instanceof ProtoDecodeError) fail(e.message);
    throw e;
  }
  return [...locations];
}

function getModelFields(bytes: Uint8Array, label: string): ProtoField[] {
  const fail = (what: string): never => {
    throw new OnnxFormatError(`${label} is not an ONNX model: ${what}`);
  };
  if (bytes.length === 0) fail('it is empty');
  const hint = describeKnownNonOnnx(bytes);
  if (hint) fail(hint);
  let fields: ProtoField[] = [];
  try {
    fields = decodeFields(bytes);
    const graph = fields.find((f) => f.field === MODEL_GRAPH);
    for (const f of fields) {
      const expected = MODEL_WIRE_TYPES[f.field];
      if (expected !== undefined && expected !== f.wireType) {
        fail(`field ${f.field} has wire type ${f.wireType}, expected ${expected}`);
      }
    }
    const ir = fields.find((f) => f.field === MODEL_IR_VERSION);
    if (!ir || ir.wireType !== 0) fail('no ir_version');
    else if (ir.value < 1n || ir.value > 100n) fail(`implausible ir_version ${ir.value}`);
    if (!graph) fail('no graph');
    decodeFields(payload(graph));
    for (const opset of subMessages(fields, MODEL_OPSET_IMPORT)) decodeFields(opset);
  } catch (e) {
    if (e instanceof ProtoDecodeError) fail(`malformed protobuf (${e.message})`);
    throw e;
  }
  return fields;
}

function describeKnownNonOnnx(bytes: Uint8Array): string | undefined {
  const head = String.fromCharCode(...bytes.subarray(0, 64)).trimStart();
  if (/^<(!doctype|html|\?xml)/i.test(head)) return 'it looks like an HTML/XML page (a wrong URL or an error page?)';
  if (head.startsWith('version https://git-lfs')) return 'it is a Git LFS pointer, not the file itself';
  if (head.startsWith('{') || head.startsWith('[')) return 'it looks like JSON';
  if (bytes.length >= 9 && bytes[8] === 0x7b && bytes[6] === 0 && bytes[7] === 0) {
    return 'it looks like a safetensors file';
  }
  return undefined;
}

function subMessages(fields: readonly ProtoField[], field: number): Uint8Array[] {
  return fields.filter((f) => f.field === field && f.wireType === 2).map(payload);
}

function payload(f: ProtoField | undefined): Uint8Array {
  if (!f || f.wireType === 0) throw new ProtoDecodeError('expected a length-delimited field');
  return f.bytes;
}
