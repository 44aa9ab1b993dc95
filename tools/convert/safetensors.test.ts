import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors, openTensorSource, SafetensorsError, writeSafetensors } from './node/nodeFiles';
import { forwardTensorSource, makeRowReader } from './safetensors';
import { hasVendorData } from '../testing/vendorData';
import { makeRandomFloats, makeRng, makeTempDir, VENDOR_DATA_DIR } from './testing';

const temp = makeTempDir('safetensors-test');
afterAll(() => temp.cleanup());

/** Builds a safetensors file by hand (independent of writeSafetensors). */
function makeRawFile(header: Record<string, unknown>, data: Uint8Array, pad = ''): Buffer {
  const json = Buffer.from(JSON.stringify(header) + pad, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([prefix, json, data]);
}

function u16Bytes(values: number[]): Uint8Array {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeUInt16LE(v, i * 2));
  return b;
}

describe('safetensors', () => {
  it('round-trips F32 and I32 tensors through the writer, reading one tensor at a time', async () => {
    const file = join(temp.dir, 'roundtrip.safetensors');
    const rng = makeRng(7);
    const a = makeRandomFloats(rng, 2 * 3 * 5);
    const ids = Int32Array.from([3, -1, 2147483647, -2147483648]);
    await writeSafetensors(
      file,
      { 'layer.a': { shape: [2, 3, 5], data: a }, ids: { shape: [4], data: ids } },
      { format: 'pt' },
    );

    const src = await openSafetensors(file);
    try {
      expect(src.metadata).toEqual({ format: 'pt' });
      const infos = src.listTensors();
      expect(infos.map((t) => [t.name, t.dtype, t.shape, t.byteLength])).toEqual([
        ['layer.a', 'F32', [2, 3, 5], 120],
        ['ids', 'I32', [4], 16],
      ]);
      expect(infos[1]!.byteOffset - infos[0]!.byteOffset).toBe(120);
      expect(infos[0]!.byteOffset % 8).toBe(0);
      expect(await src.readFloat32('layer.a')).toEqual(a);
      expect(await src.readInt32('ids')).toEqual(ids);
      expect(Array.from(await src.readFloat32('ids'))).toEqual(Array.from(ids, Math.fround));
      await expect(src.readFloat32('missing')).rejects.toThrow(/roundtrip\.safetensors: no tensor named 'missing'/);
      // rows along the first axis, alone: what a streamed int4 weight reads a slab at a time
      expect(await src.readFloat32Rows!('layer.a', 1, 1)).toEqual(a.subarray(15));
      expect(await src.readFloat32Rows!('layer.a', 0, 2)).toEqual(a);
      await expect(src.readFloat32Rows!('layer.a', 1, 2)).rejects.toThrow(/rows 1…2 of 'layer\.a', which has 2/);
      // a view that changes the values (here a scaled copy) reads whole: makeRowReader slices one whole read
      const whole: string[] = [];
      const scaled = forwardTensorSource(src, {
        readFloat32: async (name) => (whole.push(name), (await src.readFloat32(name)).map((v) => v * 2)),
      });
      expect(scaled.readFloat32Rows).toBeUndefined();
      const rows = makeRowReader(scaled, 'layer.a');
      expect(await rows(1, 1)).toEqual(a.subarray(15).map((v) => v * 2));
      expect(await rows(0, 1)).toEqual(a.subarray(0, 15).map((v) => v * 2));
      expect(whole).toEqual(['layer.a']);
    } finally {
      await src.close();
    }
  });

  it('converts hand-made F16, BF16 and I64 tensors (misaligned data section) to float32', async () => {
    const half = [0x3c00, 0xc000, 0x3555, 0x0001, 0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x8000];
    const halfExpected = [1, -2, 0.333251953125, 2 ** -24, 65504, Infinity, -Infinity, NaN, -0];
    const bf16 = [0x3f80, 0xc040, 0x3eab, 0x7f80, 0x0000];
    const bf16Expected = [1, -3, 0.333984375, Infinity, 0];
    const i64 = Buffer.alloc(24);
    [5n, -7n, 2n ** 40n].forEach((v, i) => i64.writeBigInt64LE(v, i * 8));
    const data = Buffer.concat([u16Bytes(half), u16Bytes(bf16), i64]);
    const header = {
      h: { dtype: 'F16', shape: [3, 3], data_offsets: [0, 18] },
      b: { dtype: 'BF16', shape: [5], data_offsets: [18, 28] },
      l: { dtype: 'I64', shape: [3], data_offsets: [28, 52] },
    };
    const file = join(temp.dir, 'half.safetensors');
    writeFileSync(file, makeRawFile(header, data, ' '.repeat(3)));
    const src = await openSafetensors(file);
    try {
      expect(Array.from(await src.readFloat32('h'))).toEqual(halfExpected);
      expect(Array.from(await src.readFloat32('b'))).toEqual(bf16Expected);
      expect(Array.from(await src.readFloat32('l'))).toEqual([5, -7, 2 ** 40]);
      await expect(src.readInt32('l')).rejects.toThrow(/does not fit int32/);
      await expect(src.readInt32('h')).rejects.toThrow(/cannot read dtype F16 as int32/);
    } finally {
      await src.close();
    }
  });

  it('rejects broken files with errors that name the file', async () => {
    const good = join(temp.dir, 'good.safetensors');
    await writeSafetensors(good, { w: { shape: [64], data: new Float32Array(64).fill(1) } });
    const bytes = readFileSync(good);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const cases: [string, Uint8Array, RegExp][] = [
      ['text.safetensors', Buffer.from('hello, this is not a tensor file at all'), /not a safetensors file/],
      ['tiny.safetensors', Buffer.from([1, 2, 3]), /not a safetensors file \(only 3 bytes\)/],
      ['cut-data.safetensors', bytes.subarray(0, bytes.length - 10), /out of range.*truncated/],
      ['cut-header.safetensors', bytes.subarray(0, 8 + Math.floor(headerLength / 2)), /truncated: header needs/],
      [
        'dtype.safetensors',
        makeRawFile({ w: { dtype: 'F12', shape: [1], data_offsets: [0, 2] } }, new Uint8Array(2)),
        /unknown dtype "F12"/,
      ],
      [
        'offsets.safetensors',
        makeRawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(8)),
        /hold 4 bytes.*needs 8/,
      ],
      [
        'reversed.safetensors',
        makeRawFile({ w: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, new Uint8Array(8)),
        /invalid data_offsets/,
      ],
    ];
    for (const [name, content, message] of cases) {
      const file = join(temp.dir, name);
      writeFileSync(file, content);
      const opened = openSafetensors(file);
      await expect(opened).rejects.toThrow(SafetensorsError);
      await expect(openSafetensors(file)).rejects.toThrow(new RegExp(`${name.replace('.', '\\.')}: .*`));
      await expect(openSafetensors(file)).rejects.toThrow(message);
    }
  });

  it('opens a sharded folder through model.safetensors.index.json behind the same interface', async () => {
    const dir = join(temp.dir, 'sharded');
    mkdirSync(dir);
    const rng = makeRng(3);
    const t = { a: makeRandomFloats(rng, 10), b: makeRandomFloats(rng, 6), c: makeRandomFloats(rng, 4) };
    await writeSafetensors(join(dir, 'model-00001-of-00002.safetensors'), { a: { shape: [10], data: t.a } });
    await writeSafetensors(join(dir, 'model-00002-of-00002.safetensors'), {
      b: { shape: [2, 3], data: t.b },
      c: { shape: [4], data: t.c },
    });
    const weightMap = {
      a: 'model-00001-of-00002.safetensors',
      b: 'model-00002-of-00002.safetensors',
      c: 'model-00002-of-00002.safetensors',
    };
    writeFileSync(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: { total_size: 80 }, weight_map: weightMap }),
    );

    const src = await openTensorSource(dir);
    try {
      expect(src.listTensors().map((x) => [x.name, x.shape, x.file.endsWith(weightMap[x.name as 'a'])])).toEqual([
        ['a', [10], true],
        ['b', [2, 3], true],
        ['c', [4], true],
      ]);
      expect(await src.readFloat32('a')).toEqual(t.a);
      expect(await src.readFloat32('c')).toEqual(t.c);
      expect(src.metadata).toEqual({ total_size: '80' });
    } finally {
      await src.close();
    }

    writeFileSync(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: { ...weightMap, c: 'model-00001-of-00002.safetensors' } }),
    );
    await expect(openTensorSource(dir)).rejects.toThrow(
      /'c' is mapped to model-00001-of-00002\.safetensors, which does not contain it/,
    );
  });

  it('opens a folder holding a single file, and refuses an ambiguous folder', async () => {
    const one = join(temp.dir, 'one');
    mkdirSync(one);
    await writeSafetensors(join(one, 'only.safetensors'), { x: { shape: [2], data: Float32Array.from([1, 2]) } });
    const src = await openTensorSource(one);
    expect(Array.from(await src.readFloat32('x'))).toEqual([1, 2]);
    await src.close();
    await writeSafetensors(join(one, 'second.safetensors'), { y: { shape: [1], data: Float32Array.from([3]) } });
    await expect(openTensorSource(one)).rejects.toThrow(
      /2 \.safetensors files .* and no model\.safetensors\.index\.json/,
    );
  });

  const taef1 = join(VENDOR_DATA_DIR, 'taef1', 'taef1_decoder.safetensors');
  it.skipIf(!hasVendorData('the real-weights safetensors test', [taef1]))(
    'reads the real BF16 TAEF1 decoder header and one tensor',
    async () => {
      const src = await openSafetensors(taef1);
      try {
        const infos = src.listTensors();
        expect(infos).toHaveLength(67);
        expect(new Set(infos.map((t) => t.dtype))).toEqual(new Set(['BF16']));
        const w = await src.readFloat32('1.weight');
        expect(w.length).toBe(64 * 16 * 9);
        expect(w.every(Number.isFinite)).toBe(true);
        expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0);
      } finally {
        await src.close();
      }
    },
  );
});
