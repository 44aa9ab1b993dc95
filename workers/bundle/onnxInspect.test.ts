import { describe, expect, it } from 'vitest';
import { listExternalDataLocations } from './onnxInspect';

/** Hand-encodes a protobuf length-delimited field. */
function lenField(number: number, payload: Uint8Array): number[] {
  const out = [number * 8 + 2];
  let n = payload.length;
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return [...out, ...payload];
}
const text = (s: string) => new TextEncoder().encode(s);

function modelWithLocations(locations: string[]): Uint8Array {
  const inits = locations.flatMap((loc, i) => {
    const entry = new Uint8Array([...lenField(1, text('location')), ...lenField(2, text(loc))]);
    const tensor = new Uint8Array([...lenField(8, text(`w${i}`)), ...lenField(13, entry), 14 * 8, 1]);
    return lenField(5, tensor);
  });
  const graph = new Uint8Array([...lenField(2, text('g')), ...inits]);
  return new Uint8Array([1 * 8, 8, ...lenField(7, graph)]);
}

describe('listExternalDataLocations', () => {
  it('lists each external file once, in order of first use', () => {
    const model = modelWithLocations(['a.onnx.data', 'a.onnx.data.1', 'a.onnx.data']);
    expect(listExternalDataLocations(model)).toEqual(['a.onnx.data', 'a.onnx.data.1']);
  });

  it('returns nothing for a self-contained model', () => {
    expect(listExternalDataLocations(modelWithLocations([]))).toEqual([]);
  });

  it('rejects bytes that are not an ONNX model, naming the file', () => {
    expect(() => listExternalDataLocations(text('hello, this is a text file\n'), 'notes.onnx')).toThrow(
      /notes\.onnx is not an ONNX model/,
    );
    expect(() => listExternalDataLocations(new Uint8Array(0), 'empty.onnx')).toThrow(
      /empty\.onnx is not an ONNX model/,
    );
  });
});
