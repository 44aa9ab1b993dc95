/**
 * @file A GGUF (version 3) writer for tests: string/number metadata and tensors given in PyTorch shape
 * order, plain (F32/F16/BF16 bytes) or already quantised. Pure TypeScript; returns the file's bytes.
 */
import { GGML_BLOCKS, GGML_TYPE } from './ggmlQuants';

/** One tensor to write; `data` holds the bytes of its ggml `type`. */
export interface GgufTensorInput {
  name: string;
  shape: readonly number[];
  type: number;
  data: Uint8Array;
}

const ALIGNMENT = 32;
const PLAIN_BYTES: Readonly<Record<number, number>> = { [GGML_TYPE.F32]: 4, [GGML_TYPE.F16]: 2, [GGML_TYPE.BF16]: 2 };

/**
 * Serialises a GGUF v3 file: string metadata as type 8, numbers as uint32 (type 4), number arrays as
 * int64 arrays (the form ComfyUI-GGUF uses for original shapes).
 * @throws Error when a tensor's bytes do not match its shape and type.
 */
export function writeGguf(
  metadata: Readonly<Record<string, string | number | readonly number[]>>,
  tensors: readonly GgufTensorInput[],
): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number) => parts.push(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff);
  const u64 = (v: number) => {
    u32(v % 2 ** 32);
    u32(Math.floor(v / 2 ** 32));
  };
  const str = (s: string) => {
    const b = new TextEncoder().encode(s);
    u64(b.length);
    parts.push(...b);
  };
  u32(0x46554747);
  u32(3);
  u64(tensors.length);
  u64(Object.keys(metadata).length);
  for (const [key, value] of Object.entries(metadata)) {
    str(key);
    if (typeof value === 'string') {
      u32(8);
      str(value);
    } else if (typeof value === 'number') {
      u32(4);
      u32(value);
    } else {
      u32(9);
      u32(11);
      u64(value.length);
      for (const v of value) u64(v); // non-negative here
    }
  }
  let offset = 0;
  const placed = tensors.map((t) => {
    const count = t.shape.reduce((n, d) => n * d, 1);
    const block = GGML_BLOCKS[t.type];
    const expected = block ? (count / block.values) * block.bytes : count * (PLAIN_BYTES[t.type] ?? NaN);
    if (t.data.length !== expected)
      throw new Error(`writeGguf: '${t.name}' has ${t.data.length} bytes, needs ${expected}`);
    const at = offset;
    offset = Math.ceil((offset + t.data.length) / ALIGNMENT) * ALIGNMENT;
    return at;
  });
  tensors.forEach((t, i) => {
    str(t.name);
    u32(t.shape.length);
    for (const d of [...t.shape].reverse()) u64(d); // ne[0] is the last PyTorch dimension
    u32(t.type);
    u64(placed[i]!);
  });
  const dataStart = Math.ceil(parts.length / ALIGNMENT) * ALIGNMENT;
  const out = new Uint8Array(dataStart + offset);
  out.set(parts);
  tensors.forEach((t, i) => out.set(t.data, dataStart + placed[i]!));
  return out;
}
