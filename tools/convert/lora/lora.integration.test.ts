import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../../workers/bundle/manifest';
import { TINY_BUNDLE_OVERRIDES, TINY_MODEL_DIR } from '../../testing/tinyBundle';
import { convertBundle } from '../bundle/convertBundle';
import { parseArgs } from '../cli';
import { hashFile } from '../node/nodeFiles';
import { convertDit } from '../graphs/dit';
import { readDitGoldens, runDitSegments, TINY_DIT_CHECKPOINT } from '../graphs/ditTesting';
import { REPO_ROOT } from '../paths';
import { convertAeToDiffusers, convertDitToDiffusers, readRawTensors, writeRawTensors } from '../inputs/layoutTesting';
import { getRelativeError, type Feed } from '../quantize/runOrt';
import { openSafetensors, writeSafetensors, type TensorSource, type WritableTensor } from '../node/nodeFiles';
import { makeTempDir } from '../testing';
import { LoraError } from './loraPlan';
import { withLoras, type LoraInput } from './loraMerge';
import { openFolderSink } from '../node/folderSink';

/** training/make_tiny_lora.py's output: one LoRA in three key formats, a second one, the reference velocities. */
const LORA_DIR = join(REPO_ROOT, 'training/fixtures/tiny/lora');
const STRENGTH = 0.75; // make_tiny_lora.STRENGTH
const STRENGTH_2 = -1.5; // make_tiny_lora.STRENGTH_2

const temp = makeTempDir('lora-test');
let dit: TensorSource;
let feeds: Record<string, Feed>;
let velocityWithout: Float32Array;
let want: { lora: Float32Array; twoLoras: Float32Array };
const opened: TensorSource[] = [];
/** Every merged tensor of the BFL-format LoRA, which the other formats must reproduce bit for bit. */
let mergedBfl: Map<string, Float32Array>;

beforeAll(async () => {
  dit = await openSafetensors(TINY_DIT_CHECKPOINT);
  ({ feeds, velocity: velocityWithout } = await readDitGoldens());
  const g = await openSafetensors(join(LORA_DIR, 'goldens.safetensors'));
  want = { lora: await g.readFloat32('velocity_lora'), twoLoras: await g.readFloat32('velocity_two_loras') };
  await g.close();
  mergedBfl = await readAll(withLoras(dit, [await openLora('lora_bfl', STRENGTH)]));
});
afterAll(async () => {
  for (const s of [dit, ...opened]) await s.close();
  temp.cleanup();
});

async function openLora(file: string, strength: number): Promise<LoraInput> {
  const tensors = await openSafetensors(join(LORA_DIR, `${file}.safetensors`));
  opened.push(tensors);
  return { name: file, strength, tensors };
}

async function readAll(src: TensorSource): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const t of src.listTensors()) out.set(t.name, await src.readFloat32(t.name));
  return out;
}

const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** The merged DiT converted to fp32 and run on onnxruntime-node with the goldens' inputs. */
async function runMerged(src: TensorSource, name: string): Promise<Float32Array> {
  const dir = join(temp.dir, name);
  const { graphs } = await convertDit(src, openFolderSink(dir), {
    weights: 'fp32',
    blockSize: 32,
    maxShardBytes: 1 << 29,
    segments: 1,
  });
  return runDitSegments('node', dir, graphs, feeds);
}

describe('LoRA merge into the tiny DiT against the PyTorch reference (unmerged adapters, float64)', () => {
  it('BFL keys: every Linear weight changes, biases and norms do not, and fp32 matches (rel err ≤ 1e-4)', async () => {
    const base = await readAll(dit);
    for (const [name, merged] of mergedBfl) {
      const changed = merged.some((v, i) => v !== base.get(name)![i]);
      expect([name, changed]).toEqual([name, name.endsWith('.weight') && dit.getTensorInfo(name).shape.length === 2]);
    }
    const velocity = await runMerged(withLoras(dit, [await openLora('lora_bfl', STRENGTH)]), 'bfl');
    const err = getRelativeError(velocity, want.lora);
    console.log(`LoRA (BFL keys) merged, fp32: rel err vs reference = ${err.toExponential(2)}`);
    expect(err).toBeLessThanOrEqual(1e-4);
    expect(getRelativeError(velocityWithout, want.lora)).toBeGreaterThan(0.1); // the LoRA matters
  });

  it.each([
    ['diffusers / PEFT keys (split q, k, v, proj_mlp; swapped norm_out)', 'lora_diffusers'],
    ['kohya keys (lora_unet_…, alpha)', 'lora_kohya'],
  ])('%s merge into the same weights as BFL keys, and match the reference', async (_, file) => {
    const src = withLoras(dit, [await openLora(file, STRENGTH)]);
    const merged = await readAll(src);
    const differing = [...mergedBfl].filter(([name, bfl]) => !bytesOf(bfl).equals(bytesOf(merged.get(name)!)));
    expect(differing.map(([name]) => name)).toEqual([]);
    const err = getRelativeError(await runMerged(src, file), want.lora);
    console.log(`LoRA (${file}) merged, fp32: rel err vs reference = ${err.toExponential(2)}`);
    expect(err).toBeLessThanOrEqual(1e-4);
  });

  it('stacks two LoRAs at their strengths, one of them negative', async () => {
    const src = withLoras(dit, [await openLora('lora_kohya', STRENGTH), await openLora('lora2_kohya', STRENGTH_2)]);
    const err = getRelativeError(await runMerged(src, 'two'), want.twoLoras);
    console.log(`two LoRAs merged, fp32: rel err vs reference = ${err.toExponential(2)}`);
    expect(err).toBeLessThanOrEqual(1e-4);
    expect(getRelativeError(want.lora, want.twoLoras)).toBeGreaterThan(0.1);
  });

  it('adds strength · alpha/rank · lora_B.bias to the layer bias (in-memory LoRA, no file system)', async () => {
    const rows = dit.getTensorInfo('img_in.weight').shape[0]!;
    const inp = dit.getTensorInfo('img_in.weight').shape[1]!;
    const tensors: Record<string, { shape: number[]; data: Float32Array }> = {
      'img_in.lora_A.weight': { shape: [1, inp], data: new Float32Array(inp).fill(0.5) },
      'img_in.lora_B.weight': { shape: [rows, 1], data: new Float32Array(rows).fill(0.25) },
      'img_in.lora_B.bias': { shape: [rows], data: Float32Array.from({ length: rows }, (_, i) => i) },
      'img_in.alpha': { shape: [], data: Float32Array.of(4) },
    };
    const lora: LoraInput = {
      name: 'bias',
      strength: 0.5,
      tensors: {
        path: 'in-memory',
        listTensors: () => Object.entries(tensors).map(([name, t]) => ({ name, shape: t.shape })),
        readFloat32: async (name) => tensors[name]!.data,
      },
    };
    const src = withLoras(dit, [lora]);
    const [bias, weight] = [await dit.readFloat32('img_in.bias'), await dit.readFloat32('img_in.weight')];
    const scale = (0.5 * 4) / 1;
    expect(await src.readFloat32('img_in.bias')).toEqual(bias.map((b, i) => Math.fround(b + scale * i)));
    expect(await src.readFloat32('img_in.weight')).toEqual(weight.map((w) => Math.fround(w + scale * 0.125)));
    await expect(src.readBytes('img_in.weight')).rejects.toThrow(/LoRAs merged/);
  });
});

describe('convertBundle --lora', () => {
  const options = { weights: 'fp32' as const, segments: 1, t5MaxLength: 16, overrides: TINY_BUNDLE_OVERRIDES };

  it('records each LoRA with its name, file sha256 and strength in the manifest', async () => {
    const out = join(temp.dir, 'bundle');
    const loras = [
      { path: join(LORA_DIR, 'lora_kohya.safetensors'), strength: STRENGTH },
      { path: join(LORA_DIR, 'lora2_kohya.safetensors'), strength: STRENGTH_2 },
    ];
    const result = await convertBundle(TINY_MODEL_DIR, out, { ...options, loras });
    const manifest = parseManifest(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
    expect(manifest).toEqual(result.manifest);
    expect(manifest.loras).toEqual([
      { name: 'lora_kohya', sha256: await hashFile(loras[0]!.path), strength: STRENGTH },
      { name: 'lora2_kohya', sha256: await hashFile(loras[1]!.path), strength: STRENGTH_2 },
    ]);
    expect(manifest.id).toMatch(/^tiny-random-lora-[0-9a-f]{8}$/); // not the plain model's cache entry
  });

  it('merges into a diffusers-layout DiT (transformer/, renamed and restacked on reading) exactly as into the BFL file', async () => {
    const loras = [{ path: join(LORA_DIR, 'lora_diffusers.safetensors'), strength: STRENGTH }];
    const dir = join(temp.dir, 'diffusers-model');
    mkdirSync(join(dir, 'transformer'), { recursive: true });
    mkdirSync(join(dir, 'vae'));
    for (const d of ['text_encoder', 'text_encoder_2', 'tokenizer', 'tokenizer_2'])
      cpSync(join(TINY_MODEL_DIR, d), join(dir, d), { recursive: true });
    const ae = await openSafetensors(join(TINY_MODEL_DIR, 'ae.safetensors'));
    await writeRawTensors(
      join(dir, 'vae/diffusion_pytorch_model.safetensors'),
      convertAeToDiffusers(await readRawTensors(ae)),
    );
    await ae.close();
    const transformer = convertDitToDiffusers(await readRawTensors(dit));
    await writeRawTensors(join(dir, 'transformer/diffusion_pytorch_model.safetensors'), transformer);
    writeFileSync(join(dir, 'transformer/config.json'), JSON.stringify({ axes_dims_rope: [8, 12, 12] }));
    writeFileSync(join(dir, 'vae/config.json'), JSON.stringify({ _class_name: 'AutoencoderKL' }));
    const ditFiles = async (model: string, out: string, withLora = true) =>
      (
        await convertBundle(model, join(temp.dir, out), { ...options, loras: withLora ? loras : [] })
      ).manifest.files.filter((f) => f.path.startsWith('dit'));
    const fromBfl = await ditFiles(TINY_MODEL_DIR, 'from-bfl');
    expect(fromBfl.length).toBeGreaterThan(0);
    expect(await ditFiles(dir, 'from-diffusers')).toEqual(fromBfl);
    expect((await ditFiles(TINY_MODEL_DIR, 'no-lora', false)).map((f) => f.sha256)).not.toEqual(
      fromBfl.map((f) => f.sha256),
    );
  });

  /** Writes a copy of the BFL-format LoRA with `edit` applied. */
  async function writeBrokenLora(name: string, edit: (t: Record<string, WritableTensor>) => void): Promise<string> {
    const src = await openSafetensors(join(LORA_DIR, 'lora_bfl.safetensors'));
    const tensors: Record<string, WritableTensor> = {};
    for (const t of src.listTensors()) tensors[t.name] = { shape: t.shape, data: await src.readFloat32(t.name) };
    await src.close();
    edit(tensors);
    const path = join(temp.dir, `${name}.safetensors`);
    await writeSafetensors(path, tensors);
    return path;
  }

  it.each([
    [
      'a key that matches no DiT layer',
      (t: Record<string, WritableTensor>) => {
        t['double_blocks.7.img_attn.qkv.lora_A.weight'] = t['double_blocks.0.img_attn.qkv.lora_A.weight']!;
      },
      /key 'double_blocks\.7\.img_attn\.qkv\.lora_A\.weight' matches no layer of the DiT/,
    ],
    [
      'a text-encoder key',
      (t: Record<string, WritableTensor>) => {
        t['lora_te1_text_model_encoder_layers_0_mlp_fc1.lora_down.weight'] = t['img_in.lora_A.weight']!;
      },
      /key 'lora_te1_text_model_encoder_layers_0_mlp_fc1\.lora_down\.weight' matches no layer of the DiT \(it adapts a text encoder/,
    ],
    [
      'a down matrix of the wrong width',
      (t: Record<string, WritableTensor>) => {
        t['txt_in.lora_A.weight'] = { shape: [2, 31], data: new Float32Array(62) };
      },
      /'txt_in\.lora_A\.weight' has shape \[2,31\], txt_in \(txt_in\.weight rows 0…63\) needs \[rank, 32\]/,
    ],
    [
      'an up matrix of the wrong rank',
      (t: Record<string, WritableTensor>) => {
        t['single_blocks.1.linear1.lora_B.weight'] = { shape: [448, 3], data: new Float32Array(448 * 3) };
      },
      /'single_blocks\.1\.linear1\.lora_B\.weight' has shape \[448,3\], .* with rank 8 needs \[448, 8\]/,
    ],
    [
      'a down matrix without its up matrix',
      (t: Record<string, WritableTensor>) => {
        delete t['img_in.lora_B.weight'];
      },
      /img_in has no up\/B tensor \(only img_in\.lora_A\.weight\)/,
    ],
  ])('fails on %s, naming the key, and writes nothing', async (_, edit, message) => {
    const lora = await writeBrokenLora(`broken-${readdirSync(temp.dir).length}`, edit);
    const out = join(temp.dir, `out-${readdirSync(temp.dir).length}`);
    const error = await convertBundle(TINY_MODEL_DIR, out, { ...options, loras: [{ path: lora, strength: 1 }] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LoraError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(lora);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dirname(out)).filter((f) => f.includes('.partial-'))).toEqual([]);
  });
});

describe('convert CLI --lora', () => {
  it('takes repeated --lora path[:strength], strength 1 when absent', () => {
    expect(
      parseArgs(['m', 'o', '--lora', 'a.safetensors', '--lora', 'dir:x/b.safetensors:-0.5', '--lora', 'c:1e-1']),
    ).toEqual({
      modelDir: 'm',
      outDir: 'o',
      options: {
        weights: 'int4',
        segments: 1,
        loras: [
          { path: 'a.safetensors', strength: 1 },
          { path: 'dir:x/b.safetensors', strength: -0.5 },
          { path: 'c', strength: 0.1 },
        ],
      },
    });
    expect(() => parseArgs(['m', 'o', '--lora'])).toThrow(/--lora needs a file[\s\S]*usage/);
  });
});
