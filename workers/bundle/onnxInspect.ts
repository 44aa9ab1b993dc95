/**
 * Just enough of the ONNX protobuf to check a model before onnxruntime sees it: is it an ONNX model at
 * all, and which external-data files does it need. Pure: runs in the worker and in Node.
 */

interface Field {
  number: number;
  wireType: number;
  /** varint value (wire type 0) */
  value?: number;
  /** payload (wire type 2) */
  bytes?: Uint8Array;
}

class ProtoError extends Error {}

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new ProtoError('truncated varint');
    const byte = buf[pos++];
    result += (byte & 0x7f) * shift; // multiply, not <<, so values above 2^31 stay exact
    if ((byte & 0x80) === 0) return [result, pos];
    shift *= 128;
  }
  throw new ProtoError('varint too long');
}

/** Splits one protobuf message into its fields; throws on anything malformed. */
function readFields(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, afterTag] = readVarint(buf, pos);
    const number = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (number === 0) throw new ProtoError('field number 0');
    pos = afterTag;
    if (wireType === 0) {
      const [value, next] = readVarint(buf, pos);
      fields.push({ number, wireType, value });
      pos = next;
    } else if (wireType === 2) {
      const [length, next] = readVarint(buf, pos);
      if (next + length > buf.length) throw new ProtoError('length past end of message');
      fields.push({ number, wireType, bytes: buf.subarray(next, next + length) });
      pos = next + length;
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      if (pos + size > buf.length) throw new ProtoError('truncated fixed field');
      fields.push({ number, wireType });
      pos += size;
    } else {
      throw new ProtoError(`unsupported wire type ${wireType}`);
    }
  }
  return fields;
}

const decoder = new TextDecoder();

/** ModelProto.graph (field 7) of a valid model; throws `what is not an ONNX model` otherwise. */
function readGraph(bytes: Uint8Array, what: string): Uint8Array {
  let fields: Field[];
  try {
    fields = readFields(bytes);
  } catch (e) {
    throw new Error(`${what} is not an ONNX model (${(e as Error).message})`);
  }
  const irVersion = fields.find((f) => f.number === 1 && f.wireType === 0);
  const graph = fields.find((f) => f.number === 7 && f.wireType === 2);
  if (!irVersion || !graph?.bytes) throw new Error(`${what} is not an ONNX model (no ir_version or graph)`);
  return graph.bytes;
}

/**
 * Checks that `bytes` is an ONNX model and returns the distinct external-data file names
 * (TensorProto.external_data `location`) its initializers reference, in first-use order.
 * @throws Error naming `what` when the bytes are not an ONNX model.
 */
export function listExternalDataLocations(bytes: Uint8Array, what = 'the file'): string[] {
  const graph = readGraph(bytes, what);
  const locations: string[] = [];
  try {
    for (const init of readFields(graph)) {
      if (init.number !== 5 || !init.bytes) continue; // GraphProto.initializer
      for (const entry of readFields(init.bytes)) {
        if (entry.number !== 13 || !entry.bytes) continue; // TensorProto.external_data
        const kv = readFields(entry.bytes);
        const key = kv.find((f) => f.number === 1)?.bytes;
        const value = kv.find((f) => f.number === 2)?.bytes;
        if (key && value && decoder.decode(key) === 'location') {
          const location = decoder.decode(value);
          if (!locations.includes(location)) locations.push(location);
        }
      }
    }
  } catch (e) {
    throw new Error(`${what} is not an ONNX model (${(e as Error).message})`);
  }
  return locations;
}
