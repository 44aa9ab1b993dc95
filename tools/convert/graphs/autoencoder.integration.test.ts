import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOutput } from '../../testing/outputs';
import { openSafetensors, writeSafetensors, type TensorSource, type WritableTensor } from '../node/nodeFiles';
import { makeRandomFloats, makeRng, makeTempDir } from '../testing';
import {
  AE_DECODER_FILE,
  AE_ENCODER_FILE,
  convertAutoencoder,
  FLUX_AE,
  getAeTensorShapes,
  readAeArchitecture,
  type AeArchitecture,
  type ConvertedAutoencoder,
} from './autoencoder';
import { countParameters } from './commonIo';
import {
  getRelativeError,
  makeTestOptions,
  openGolden,
  runConverted,
  TINY_MODEL_DIR,
  writeEditedCheckpoint,
  type Runtime,
} from './commonTesting';
import { openFolderSink } from '../node/folderSink';

const temp = makeTempDir('ae-convert');
afterAll(() => temp.cleanup());

let source: TensorSource;
const io = {
  image: new Float32Array(),
  latentIn: new Float32Array(),
  latentOut: new Float32Array(),
  imageOut: new Float32Array(),
};

beforeAll(async () => {
  source = await openSafetensors(join(TINY_MODEL_DIR, 'ae.safetensors'));
  const enc = await openGolden('ae_encoder');
  const dec = await openGolden('ae_decoder');
  io.image = Float32Array.from(await enc.readFloat32('image'));
  io.latentOut = Float32Array.from(await enc.readFloat32('latent'));
  io.latentIn = Float32Array.from(await dec.readFloat32('latent'));
  io.imageOut = Float32Array.from(await dec.readFloat32('image'));
  await enc.close();
  await dec.close();
});
afterAll(() => source.close());

/** Relative errors of the encoder and decoder against the goldens. */
async function checkGoldens(runtime: Runtime, dir: string, ae: ConvertedAutoencoder): Promise<[number, number]> {
  const latent = getOutput(
    await runConverted(runtime, dir, ae.encoder, { image: { type: 'float32', data: io.image, dims: [1, 3, 32, 48] } }),
    'latent',
  );
  expect(latent.dims).toEqual([1, 16, 4, 6]);
  const image = getOutput(
    await runConverted(runtime, dir, ae.decoder, {
      latent: { type: 'float32', data: io.latentIn, dims: [1, 16, 4, 6] },
    }),
    'image',
  );
  expect(image.dims).toEqual([1, 3, 32, 48]);
  return [getRelativeError(latent.data, io.latentOut), getRelativeError(image.data, io.imageOut)];
}

describe('convertAutoencoder on the tiny fixture (fp16 ae.safetensors with __metadata__.config)', () => {
  let fp32: ConvertedAutoencoder;
  const dir = join(temp.dir, 'fp32');
  beforeAll(async () => {
    fp32 = await convertAutoencoder(source, openFolderSink(dir), makeTestOptions());
  });

  it('reads the config from the metadata and returns the manifest AeConfig', () => {
    expect(fp32.config).toEqual({
      zChannels: 16,
      spatialFactor: 8,
      scaleFactor: 0.3611,
      shiftFactor: 0.1159,
      channels: [32, 32, 32, 64, 64],
      attentionChunks: 16,
    });
    expect(fp32.architecture).toMatchObject({ ch: 32, chMult: [1, 1, 2, 2], numResBlocks: 2, numGroups: 32 });
    expect([fp32.encoder.graph, fp32.decoder.graph]).toEqual([AE_ENCODER_FILE, AE_DECODER_FILE]);
    // The encoder keeps only the mean half of conv_out: 16 of 32 output channels.
    const all = countParameters(getAeTensorShapes(fp32.architecture));
    expect(fp32.encoder.parameters + fp32.decoder.parameters).toBe(all - 16 * 64 * 9 - 16);
  });

  it('decomposes GroupNorm: no GroupNormalization op, InstanceNormalization instead', () => {
    for (const g of [fp32.encoder, fp32.decoder]) {
      const bytes = readFileSync(join(dir, g.graph));
      expect(bytes.length).toBeLessThan(256 * 1024);
      expect(bytes.includes('GroupNormalization')).toBe(false);
      expect(bytes.includes('InstanceNormalization')).toBe(true);
    }
  });

  it.each(['node', 'web'] as const)(
    'matches the encoder and decoder goldens in onnxruntime-%s (fp32, rel ≤ 1e-4)',
    async (runtime) => {
      const [enc, dec] = await checkGoldens(runtime, dir, fp32);
      console.log(`AE fp32 ${runtime}: encoder rel ${enc.toExponential(2)}, decoder rel ${dec.toExponential(2)}`);
      expect(enc).toBeLessThanOrEqual(1e-4);
      expect(dec).toBeLessThanOrEqual(1e-4);
    },
  );

  it('stores convs as float16 for fp16 bundles (this checkpoint is fp16, so nothing is lost)', async () => {
    const fp16Dir = join(temp.dir, 'fp16');
    const fp16 = await convertAutoencoder(source, openFolderSink(fp16Dir), makeTestOptions({ weights: 'fp16' }));
    expect(fp16.decoder.bytes).toBeLessThan(0.6 * fp32.decoder.bytes);
    const [enc, dec] = await checkGoldens('node', fp16Dir, fp16);
    expect(Math.max(enc, dec)).toBeLessThanOrEqual(1e-4);
  });

  it('infers the same architecture from tensor shapes when the metadata is absent (FLUX scale/shift/groups)', async () => {
    const bare = await writeEditedCheckpoint(source, join(temp.dir, 'bare.safetensors'), {});
    expect(bare.metadata.config).toBeUndefined();
    expect(readAeArchitecture(bare)).toEqual(fp32.architecture);
    const inferredDir = join(temp.dir, 'inferred');
    const [enc, dec] = await checkGoldens(
      'node',
      inferredDir,
      await convertAutoencoder(bare, openFolderSink(inferredDir), makeTestOptions()),
    );
    expect(Math.max(enc, dec)).toBeLessThanOrEqual(1e-4);
    await bare.close();
  });
});

/** Writes a random AE checkpoint for `a` (weights ~ U(±1/√fan_in)), without metadata unless given. */
async function writeRandomAe(
  file: string,
  a: AeArchitecture,
  metadata?: Record<string, string>,
): Promise<TensorSource> {
  const rng = makeRng(7);
  const tensors: Record<string, WritableTensor> = {};
  for (const [name, shape] of getAeTensorShapes(a)) {
    const n = shape.reduce((x, d) => x * d, 1);
    const fanIn = shape.length === 4 ? shape[1]! * shape[2]! * shape[3]! : 1;
    const isNormWeight = shape.length === 1 && /norm.*\.weight$/.test(name);
    tensors[name] = {
      shape,
      data: isNormWeight ? new Float32Array(n).fill(1) : makeRandomFloats(rng, n, 1 / Math.sqrt(fanIn)),
    };
  }
  await writeSafetensors(file, tensors, metadata);
  return openSafetensors(file);
}

describe('a 16× autoencoder (one more level) through the same code', () => {
  const a: AeArchitecture = { ...FLUX_AE, ch: 32, chMult: [1, 1, 2, 2, 2], numResBlocks: 1, zChannels: 8 };

  it('infers 5 levels, reports spatial factor 16 and runs at two sizes on symbolic H/W (node, web)', async () => {
    const src = await writeRandomAe(join(temp.dir, 'ae16.safetensors'), a);
    const dir = join(temp.dir, 'ae16');
    const ae = await convertAutoencoder(src, openFolderSink(dir), makeTestOptions());
    expect(ae.architecture).toEqual(a);
    expect(ae.config).toMatchObject({ zChannels: 8, spatialFactor: 16, channels: [32, 32, 32, 64, 64, 64] });
    for (const [runtime, H, W] of [
      ['node', 64, 32],
      ['web', 32, 80],
    ] as const) {
      const image = makeRandomFloats(makeRng(H), 3 * H * W);
      const latent = getOutput(
        await runConverted(runtime, dir, ae.encoder, { image: { type: 'float32', data: image, dims: [1, 3, H, W] } }),
        'latent',
      );
      expect(latent.dims).toEqual([1, 8, H / 16, W / 16]);
      const out = getOutput(
        await runConverted(runtime, dir, ae.decoder, {
          latent: { type: 'float32', data: latent.data, dims: latent.dims },
        }),
        'image',
      );
      expect(out.dims).toEqual([1, 3, H, W]);
      expect(out.data.every(Number.isFinite)).toBe(true);
    }
    await src.close();
  });
});

describe('convertAutoencoder rejects bad input', () => {
  it('names the file and tensor when one is missing or misshapen', async () => {
    const missing = await writeEditedCheckpoint(source, join(temp.dir, 'missing.safetensors'), {
      drop: ['decoder.up.2.upsample.conv.bias'],
    });
    await expect(convertAutoencoder(missing, openFolderSink(join(temp.dir, 'x1')), makeTestOptions())).rejects.toThrow(
      /missing\.safetensors.*'decoder\.up\.2\.upsample\.conv\.bias' is missing/,
    );
    await missing.close();
    const put = { 'encoder.mid.attn_1.q.weight': { shape: [64, 64, 3, 3], data: new Float32Array(64 * 64 * 9) } };
    const wrong = await writeEditedCheckpoint(source, join(temp.dir, 'wrong.safetensors'), {
      put,
      metadata: { ...source.metadata },
    });
    await expect(convertAutoencoder(wrong, openFolderSink(join(temp.dir, 'x2')), makeTestOptions())).rejects.toThrow(
      /wrong\.safetensors.*'encoder\.mid\.attn_1\.q\.weight' has shape \[64, 64, 3, 3\], expected \[64, 64, 1, 1\]/,
    );
    await wrong.close();
  });

  it('explains a malformed metadata config and GroupNorm groups that do not divide the widths', async () => {
    const bad = await writeEditedCheckpoint(source, join(temp.dir, 'badmeta.safetensors'), {
      metadata: { config: '{"ch": 32, "ch_mult": "1,1,2,2"}' },
    });
    await expect(convertAutoencoder(bad, openFolderSink(join(temp.dir, 'x3')), makeTestOptions())).rejects.toThrow(
      /badmeta\.safetensors: __metadata__\.config field 'ch_mult'/,
    );
    await bad.close();
    const fixtureConfig = source.metadata.config;
    if (fixtureConfig === undefined) throw new Error('the tiny ae.safetensors has no __metadata__.config');
    const config = JSON.stringify({ ...JSON.parse(fixtureConfig), num_groups: 24 });
    const groups = await writeEditedCheckpoint(source, join(temp.dir, 'groups.safetensors'), { metadata: { config } });
    await expect(convertAutoencoder(groups, openFolderSink(join(temp.dir, 'x4')), makeTestOptions())).rejects.toThrow(
      /32 channels are not divisible by 24 GroupNorm groups/,
    );
    await groups.close();
  });
});

describe('getAeTensorShapes', () => {
  it('plans the FLUX AE with BFL names: 83,819,683 parameters (torch count of kontext_ref AutoEncoder)', () => {
    const shapes = getAeTensorShapes(FLUX_AE);
    expect(shapes.get('encoder.conv_out.weight')).toEqual([32, 512, 3, 3]);
    expect(shapes.get('decoder.up.1.block.0.nin_shortcut.weight')).toEqual([256, 512, 1, 1]);
    expect(shapes.get('decoder.up.3.upsample.conv.weight')).toEqual([512, 512, 3, 3]);
    expect(shapes.has('decoder.up.0.upsample.conv.weight')).toBe(false);
    expect(countParameters(shapes)).toBe(83_819_683);
    const encoder = new Map([...shapes].filter(([name]) => name.startsWith('encoder.')));
    expect(countParameters(encoder)).toBe(34_274_208);
  });
});
