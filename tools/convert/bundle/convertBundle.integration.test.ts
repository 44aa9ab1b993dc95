import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../../workers/bundle/manifest';
import { createPromptTokenizer } from '../../../workers/kontext/text';
import { TINY_BUNDLE_OVERRIDES, TINY_MODEL_DIR, TINY_TAEF1_DIR } from '../../testing/tinyBundle';
import { parseArgs } from '../cli';
import { makeTempDir } from '../testing';
import { convertBundle } from './convertBundle';
import { hashFile } from '../node/nodeFiles';

const temp = makeTempDir('bundle-');
afterAll(() => temp.cleanup());

/** A copy of the tiny model folder that a test may break. */
function copyModel(name: string): string {
  const dir = join(temp.dir, name);
  cpSync(TINY_MODEL_DIR, dir, { recursive: true });
  return dir;
}

const options = {
  weights: 'fp32' as const,
  segments: 2,
  t5MaxLength: 16,
  taef1Dir: TINY_TAEF1_DIR,
  overrides: TINY_BUNDLE_OVERRIDES,
};

describe('convertBundle', () => {
  it('writes a bundle whose manifest lists every file with its size and sha256', async () => {
    const out = join(temp.dir, 'ok');
    const result = await convertBundle(TINY_MODEL_DIR, out, options);
    const manifest = parseManifest(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
    expect(manifest).toEqual(result.manifest);
    expect(manifest.components.dit).toHaveLength(2);
    expect(manifest.model.dit.axesDim).toEqual([8, 12, 12]);
    expect(manifest.model.t5.maxLength).toBe(16);
    expect(manifest.sampling.resolutions).toEqual(TINY_BUNDLE_OVERRIDES.resolutions);
    expect(manifest.components.previewDecoder).not.toBeNull();
    const onDisk = readdirSync(out)
      .filter((f) => f !== 'manifest.json')
      .sort();
    expect(manifest.files.map((f) => f.path).sort()).toEqual(onDisk);
    for (const f of manifest.files) expect(await hashFile(join(out, f.path))).toBe(f.sha256);
    expect(result.summary.map((r) => r.component)).toEqual([
      'DiT (2 segments)',
      'T5 encoder',
      'CLIP text',
      'AE encoder',
      'AE decoder',
      'AE decoder, staged (34 graphs)',
    ]);
    expect(result.summary.at(-1)!.parameters).toBe(result.summary.at(-2)!.parameters); // the same weights, cut
    expect(result.summary[0]!.parameters).toBeGreaterThan(100_000);

    // The tokenizer files load with the engine's tokenizer code.
    const read = (p: string) => JSON.parse(readFileSync(join(out, p), 'utf8'));
    const clip = createPromptTokenizer(
      read(manifest.components.clipTokenizer.json),
      read(manifest.components.clipTokenizer.config),
      77,
    );
    const ids = clip.encode('turn the sky into night');
    expect(ids.length).toBe(77);
    expect(ids[0]).toBe(98); // the tiny vocabulary's BOS
  });

  it('without a preview decoder, stores a fitted latent → RGB map instead; without aeStages, no staged decoder', async () => {
    const out = join(temp.dir, 'no-preview');
    const { manifest, summary } = await convertBundle(TINY_MODEL_DIR, out, {
      ...options,
      taef1Dir: undefined,
      segments: 1,
      aeStages: false,
    });
    expect(manifest.components.aeDecoderStages).toBeNull();
    expect(readdirSync(out).filter((f) => f.includes('.stage'))).toEqual([]);
    expect(summary.map((r) => r.component).at(-1)).toBe('AE decoder');
    expect(manifest.components.previewDecoder).toBeNull();
    expect(manifest.previewRgb?.matrix).toHaveLength(3 * manifest.model.ae.zChannels);
    expect(manifest.previewRgb?.matrix.every(Number.isFinite)).toBe(true);
  });

  it('refuses an output folder that is not empty', async () => {
    const out = join(temp.dir, 'busy');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine');
    await expect(convertBundle(TINY_MODEL_DIR, out, options)).rejects.toThrow(/output folder is not empty/);
    expect(readFileSync(join(out, 'keep.txt'), 'utf8')).toBe('mine');
  });

  it.each([
    ['a truncated checkpoint', (dir: string) => truncateSync(join(dir, 'ae.safetensors'), 1000), /ae\.safetensors/],
    [
      'a file that is not safetensors',
      (dir: string) => writeFileSync(join(dir, 'flux1-kontext-dev.safetensors'), 'hello'),
      /flux1-kontext-dev\.safetensors/,
    ],
    [
      'a missing config',
      (dir: string) => writeFileSync(join(dir, 'text_encoder/config.json'), '{oops'),
      /text_encoder\/config\.json: not valid JSON/,
    ],
    [
      'a sidecar the engine would refuse',
      (dir: string) => writeFileSync(join(dir, 'kontext_bundle.json'), JSON.stringify({ default_average: 0 })),
      /sampling\.default_average must be an integer ≥ 1, got 0 \(from kontext_bundle\.json/,
    ],
  ])('fails clearly on %s and leaves nothing behind', async (_, breakIt, message) => {
    const model = copyModel(`broken-${readdirSync(temp.dir).length}`);
    breakIt(model);
    const out = join(temp.dir, `out-${readdirSync(temp.dir).length}`);
    await expect(convertBundle(model, out, options)).rejects.toThrow(message);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dirname(out)).filter((f) => f.includes('.partial-'))).toEqual([]);
  });
});

describe('convert CLI arguments', () => {
  it('parses the documented flags', () => {
    expect(parseArgs(['m', 'o', '--dtype', 'fp16', '--segments', '3', '--block', '64'])).toEqual({
      modelDir: 'm',
      outDir: 'o',
      options: { weights: 'fp16', segments: 3, blockSize: 64 },
    });
  });

  it('sets the RoPE axes and theta a checkpoint without config cannot give', () => {
    expect(parseArgs(['m', 'o', '--rope-axes', '16,56,56', '--rope-theta', '10000']).options.ditConfig).toEqual({
      axesDim: [16, 56, 56],
      theta: 10000,
    });
    expect(() => parseArgs(['m', 'o', '--rope-axes', '16,56'])).toThrow(
      /--rope-axes needs three positive even integers/,
    );
    expect(() => parseArgs(['m', 'o', '--rope-axes', '16,55,57'])).toThrow(/--rope-axes needs three positive even/);
  });

  it('rejects an unknown dtype and stray arguments with the usage line', () => {
    expect(() => parseArgs(['m', 'o', '--dtype', 'int3'])).toThrow(
      /unknown --dtype "int3"[\s\S]*usage: npm run convert/,
    );
    expect(() => parseArgs(['m'])).toThrow(/usage/);
    expect(() => parseArgs(['m', 'o', '--segments', '0'])).toThrow(/--segments needs a positive integer/);
    expect(parseArgs(['m', 'o', '--accuracy-level', '4']).options.accuracyLevel).toBe(4);
    expect(() => parseArgs(['m', 'o', '--accuracy-level', '5'])).toThrow(/--accuracy-level must be an integer 0–4/);
    expect(parseArgs(['m', 'o', '--activations', 'fp16']).options).toMatchObject({
      weights: 'int4',
      activations: 'fp16',
    });
    expect(() => parseArgs(['m', 'o', '--activations', 'bf16'])).toThrow(/unknown --activations "bf16"/);
    expect(() => parseArgs(['m', 'o', '--activations', 'fp16', '--dtype', 'fp32'])).toThrow(
      /--activations fp16 needs --dtype fp16 or int4/,
    );
  });
});
