/**
 * @file Minimal protobuf wire-format decoder, pure TypeScript over Uint8Array: enough to inspect ONNX
 * models in the worker before onnxruntime sees them.
 */

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** One decoded field: varints as bigint, length-delimited payloads as subarrays (no copy). */
export type ProtoField =
  | { field: number; wireType: 0; value: bigint }
  | { field: number; wireType: 1 | 5; bytes: Uint8Array }
  | { field: number; wireType: 2; bytes: Uint8Array };

/** Error for malformed protobuf bytes; callers wrap it with context. */
export class ProtoDecodeError extends Error {
  override name = 'ProtoDecodeError';
}

/**
 * Decodes the top-level fields of one message.
 * @throws ProtoDecodeError on truncated data, unknown wire types or field number 0.
 */
export function decodeFields(bytes: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let pos = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (pos >= bytes.length) throw new ProtoDecodeError(`truncated varint at byte ${pos}`);
      const b = bytes[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new ProtoDecodeError(`varint longer than 10 bytes at byte ${pos}`);
  };
  const take = (n: number): Uint8Array => {
    if (n > bytes.length - pos) {
      throw new ProtoDecodeError(`field runs past the end (needs ${n} bytes at ${pos}, ${bytes.length - pos} left)`);
    }
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  while (pos < bytes.length) {
    const key = readVarint();
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (field === 0) throw new ProtoDecodeError(`field number 0 at byte ${pos}`);
    switch (wireType) {
      case 0:
        fields.push({ field, wireType, value: readVarint() });
        break;
      case 1:
        fields.push({ field, wireType, bytes: take(8) });
        break;
      case 2: {
        const len = readVarint();
        if (len > BigInt(bytes.length)) throw new ProtoDecodeError(`length ${len} exceeds the message at byte ${pos}`);
        fields.push({ field, wireType, bytes: take(Number(len)) });
        break;
      }
      case 5:
        fields.push({ field, wireType, bytes: take(4) });
        break;
      default:
        throw new ProtoDecodeError(`unsupported wire type ${wireType} (field ${field}) at byte ${pos}`);
    }
  }
  return fields;
}

/** Decodes a UTF-8 string payload. @throws ProtoDecodeError when the bytes are not valid UTF-8. */
export function decodeString(bytes: Uint8Array): string {
  try {
    return textDecoder.decode(bytes);
  } catch {
    throw new ProtoDecodeError('string field is not valid UTF-8');
  }
}
