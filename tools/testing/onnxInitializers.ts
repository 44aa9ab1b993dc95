/** @file The initializers of an ONNX model (name and TensorProto data type), read from its bytes, for tests. */
import { decodeFields, decodeString, type ProtoField } from '../../workers/bundle/protobufDecode';

/** TensorProto.DataType of float16. */
export const ONNX_FLOAT16 = 10;

const bytesOf = (f: ProtoField | undefined): Uint8Array => {
  if (!f || f.wireType !== 2) throw new Error('malformed ONNX model: expected a length-delimited field');
  return f.bytes;
};

/** Name → data type of every initializer of the model's graph (ModelProto.graph = 7, GraphProto.initializer = 5). */
export function listInitializerTypes(model: Uint8Array): Map<string, number> {
  const graph = bytesOf(decodeFields(model).find((f) => f.field === 7));
  const out = new Map<string, number>();
  for (const f of decodeFields(graph)) {
    if (f.field !== 5) continue;
    const tensor = decodeFields(bytesOf(f));
    const type = tensor.find((t) => t.field === 2);
    const name = decodeString(bytesOf(tensor.find((t) => t.field === 8)));
    out.set(name, type?.wireType === 0 ? Number(type.value) : 0);
  }
  return out;
}
