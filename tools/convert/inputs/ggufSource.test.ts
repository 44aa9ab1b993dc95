import { describe, expect, it } from 'vitest';
import { makeRandomFloats, makeRng } from '../testing';
import { dequantizeGgml, GGML_TYPE } from './ggmlQuants';
import { quantizeGgml } from './ggmlQuantize';
import { openGgufSource } from './ggufSource';
import { writeGguf } from './ggufWriter';

const reader = (file: Uint8Array) => async (offset: number, length: number) => file.slice(offset, offset + length);
const open = (file: Uint8Array) => openGgufSource(reader(file), file.length, 'x.gguf', async () => {});

describe('GGUF reader', () => {
  const rng = makeRng(3);
  const w = makeRandomFloats(rng, 4 * 256, 0.1);
  const bias = makeRandomFloats(rng, 4);
  const file = writeGguf({ 'general.architecture': 'flux', 'comfy.gguf.orig_shape.conv': [2, 2, 1, 1] }, [
    { name: 'lin.weight', shape: [4, 256], type: GGML_TYPE.Q4_K, data: quantizeGgml(GGML_TYPE.Q4_K, w) },
    { name: 'lin.bias', shape: [4], type: GGML_TYPE.F32, data: new Uint8Array(bias.buffer) },
    { name: 'conv', shape: [4], type: GGML_TYPE.F16, data: Uint8Array.from([0, 0x3c, 0, 0x40, 0, 0xc0, 0, 0]) },
  ]);

  it('lists tensors in PyTorch order, reads plain ones as stored and dequantises the rest', async () => {
    const src = await open(file);
    expect(src.metadata['general.architecture']).toBe('flux');
    expect(src.listTensors().map((t) => [t.name, t.dtype, t.shape])).toEqual([
      ['lin.weight', 'F32', [4, 256]],
      ['lin.bias', 'F32', [4]],
      ['conv', 'F16', [2, 2, 1, 1]], // ComfyUI-GGUF's recorded original shape
    ]);
    expect(await src.readFloat32('lin.bias')).toEqual(bias);
    expect([...(await src.readFloat32('conv'))]).toEqual([1, 2, -2, 0]);
    expect(await src.readFloat32('lin.weight')).toEqual(
      dequantizeGgml(GGML_TYPE.Q4_K, quantizeGgml(GGML_TYPE.Q4_K, w), w.length),
    );
  });

  it.each([
    [
      'a file that is not GGUF',
      (f: Uint8Array) => Uint8Array.from([...f.slice(0, 3), 0x58, ...f.slice(4)]),
      /x\.gguf: not a GGUF file/,
    ],
    [
      'a truncated file',
      (f: Uint8Array) => f.slice(0, f.length - 100),
      /x\.gguf: tensor '[\w.]+' ends at byte \d+, past the end .*truncated/,
    ],
    ['a truncated header', (f: Uint8Array) => f.slice(0, 40), /x\.gguf: truncated header/],
    [
      'an unsupported type',
      (f: Uint8Array) => {
        const g = f.slice();
        const at = new TextDecoder('latin1').decode(g).indexOf('lin.weight') + 'lin.weight'.length + 4 + 16;
        g[at] = 3; // Q4_1
        return g;
      },
      /x\.gguf: tensor 'lin\.weight': ggml type 3 is not supported \(F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K are\)/,
    ],
  ])('names the file for %s', async (_, damage, message) => {
    await expect(open(damage(file))).rejects.toThrow(message);
  });
});
