import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePngRgb, type RgbImage } from '../fixtures/makeRoundtripImage';
import { listExternalDataLocations } from '../../../workers/bundle/onnxInspect';
import { getOutput } from '../../testing/outputs';
import { computePsnr, makeTempDir, ROUNDTRIP_FIXTURE } from '../testing';
import { hasVendorData } from '../../testing/vendorData';
import { ensureTaef1Graphs, TAEF1_VENDOR_DIR, TAEF1_WEIGHT_PATHS } from './buildTaef1ForTests';
import { openFolderSink } from '../node/folderSink';
import { openNodeFolder } from '../node/nodeFiles';
import { buildTaef1Graphs, TAEF1_DECODER_FILE, TAEF1_ENCODER_FILE, type Taef1GraphFiles } from './taef1';

const hasWeights = hasVendorData('the TAEF1 graph tests', TAEF1_WEIGHT_PATHS);

const temp = makeTempDir('taef1-test');
afterAll(() => temp.cleanup());

/** [1, 3, H, W] planar float in [-1, 1], as the graph contract wants. */
function toPlanarSigned(image: RgbImage): Float32Array {
  const n = image.width * image.height;
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) out[c * n + i] = image.rgb[i * 3 + c]! / 127.5 - 1;
  return out;
}

const toUnit = (signed: Float32Array): Float32Array => signed.map((v) => Math.min(1, Math.max(0, (v + 1) / 2)));

describe.skipIf(!hasWeights)('TAEF1 preview graphs (real weights)', () => {
  const outDir = join(temp.dir, 'graphs');
  let building: Promise<Taef1GraphFiles> | undefined;
  // Lazy: the describe body also runs when skipped, and must not start a build then.
  const getBuilt = (): Promise<Taef1GraphFiles> =>
    (building ??= buildTaef1Graphs(openNodeFolder(TAEF1_VENDOR_DIR), TAEF1_VENDOR_DIR, openFolderSink(outDir)));

  it('writes small .onnx files whose weights live in one .onnx.data shard each', async () => {
    const files = await getBuilt();
    for (const [saved, name] of [
      [files.encoder, TAEF1_ENCODER_FILE],
      [files.decoder, TAEF1_DECODER_FILE],
    ] as const) {
      expect(saved).toEqual({ modelFile: name, dataFiles: [`${name}.data`] });
      const model = readFileSync(join(outDir, name));
      expect(model.length).toBeLessThan(64 * 1024);
      expect(listExternalDataLocations(model, name)).toEqual([`${name}.data`]);
      // ~1.23M fp32 parameters, minus the small biases kept inline.
      expect(statSync(join(outDir, `${name}.data`)).size).toBeGreaterThan(4_800_000);
    }
  });

  it('round-trips e2e/fixtures/roundtrip-128.png at ≥ 25 dB PSNR in onnxruntime-node', async () => {
    await getBuilt();
    const image = decodePngRgb(readFileSync(ROUNDTRIP_FIXTURE));
    expect([image.width, image.height]).toEqual([128, 128]);
    const input = toPlanarSigned(image);
    const encoder = await ort.InferenceSession.create(join(outDir, TAEF1_ENCODER_FILE));
    const decoder = await ort.InferenceSession.create(join(outDir, TAEF1_DECODER_FILE));
    try {
      expect(encoder.inputNames).toEqual(['image']);
      expect(encoder.outputNames).toEqual(['latent']);
      expect(decoder.inputNames).toEqual(['latent']);
      expect(decoder.outputNames).toEqual(['image']);
      const latent = getOutput(
        await encoder.run({ image: new ort.Tensor('float32', input, [1, 3, 128, 128]) }),
        'latent',
      );
      expect(latent.dims).toEqual([1, 16, 16, 16]);
      const decoded = getOutput(await decoder.run({ latent }), 'image');
      expect(decoded.dims).toEqual([1, 3, 128, 128]);
      const psnr = computePsnr(toUnit(decoded.data as Float32Array), toUnit(input));
      console.log(`TAEF1 round trip PSNR on roundtrip-128.png: ${psnr.toFixed(2)} dB`);
      expect(psnr).toBeGreaterThanOrEqual(25);
    } finally {
      await encoder.release();
      await decoder.release();
    }
  });

  it('accepts any multiple-of-8 size through symbolic H/W', async () => {
    await getBuilt();
    const encoder = await ort.InferenceSession.create(join(outDir, TAEF1_ENCODER_FILE));
    const decoder = await ort.InferenceSession.create(join(outDir, TAEF1_DECODER_FILE));
    try {
      const latent = getOutput(
        await encoder.run({ image: new ort.Tensor('float32', new Float32Array(3 * 40 * 24), [1, 3, 40, 24]) }),
        'latent',
      );
      expect(latent.dims).toEqual([1, 16, 5, 3]);
      // Huge latents pass the 3·tanh(x/3) soft clamp, so the image stays bounded.
      const big = new ort.Tensor('float32', new Float32Array(16 * 5 * 3).fill(1e6), [1, 16, 5, 3]);
      const image = getOutput(await decoder.run({ latent: big }), 'image');
      expect(image.dims).toEqual([1, 3, 40, 24]);
      expect((image.data as Float32Array).every((v) => Number.isFinite(v) && Math.abs(v) < 100)).toBe(true);
    } finally {
      await encoder.release();
      await decoder.release();
    }
  });

  it('ensureTaef1Graphs builds once into its cache dir and reuses it', async () => {
    const cacheDir = join(temp.dir, 'cache', 'taef1');
    expect(await ensureTaef1Graphs({ cacheDir })).toBe(cacheDir);
    const first = statSync(join(cacheDir, TAEF1_DECODER_FILE)).mtimeMs;
    expect(await ensureTaef1Graphs({ cacheDir })).toBe(cacheDir);
    expect(statSync(join(cacheDir, TAEF1_DECODER_FILE)).mtimeMs).toBe(first);
  });
});

describe('ensureTaef1Graphs without weights', () => {
  it('returns null and says why', async () => {
    const warnings: unknown[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
    try {
      expect(
        await ensureTaef1Graphs({ vendorDir: join(temp.dir, 'nowhere'), cacheDir: join(temp.dir, 'unused') }),
      ).toBeNull();
    } finally {
      console.warn = warn;
    }
    expect(String(warnings[0])).toMatch(/taef1_encoder\.safetensors.*not found/);
    expect(existsSync(join(temp.dir, 'unused'))).toBe(false);
  });
});
