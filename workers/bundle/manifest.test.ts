import { describe, expect, it } from 'vitest';
import { JOB_LIMITS } from '../api/limits';
import { parseManifest, type Manifest } from './manifest';
import { manifestToJson } from './manifestJson';
import { getDefaultPrecision, getFp16Components } from './precision';

const sha = 'a'.repeat(64);
const g = (name: string) => ({ graph: `${name}.onnx`, data: [`${name}.onnx.data`] });
const files = ['dit', 't5', 'clip', 'ae_encoder', 'ae_decoder']
  .flatMap((n) => [`${n}.onnx`, `${n}.onnx.data`])
  .concat(['t5.tokenizer.json', 't5.tokenizer_config.json', 'clip.tokenizer.json', 'clip.tokenizer_config.json'])
  .map((path, i) => ({ path, bytes: 100 + i, sha256: sha }));

/** FLUX.1 Kontext [dev]'s real configuration (docs/kontext-spec.md §2.1, §4.1, §5, §6). */
const fluxDev: Manifest = {
  formatVersion: 1,
  id: 'flux1-kontext-dev-int4',
  name: 'FLUX.1 Kontext [dev]',
  weights: 'int4',
  precision: getDefaultPrecision('int4', 'fp16'),
  memoryTight: true,
  ditFirstBlockCache: false,
  ditBatch: false,
  previewRgb: { matrix: Array.from({ length: 48 }, (_, i) => i / 100), bias: [0.1, -0.2, 0.3] },
  domain: null,
  loras: [{ name: 'relight-kontext', sha256: 'ab'.repeat(32), strength: -0.5 }],
  model: {
    dit: {
      hiddenSize: 3072,
      numHeads: 24,
      depth: 19,
      depthSingleBlocks: 38,
      axesDim: [16, 56, 56],
      theta: 10000,
      inChannels: 64,
      contextInDim: 4096,
      vecInDim: 768,
      mlpRatio: 4,
      guidanceEmbed: true,
    },
    t5: { dModel: 4096, numLayers: 24, numHeads: 64, vocabSize: 32128, maxLength: 512 },
    clip: { hiddenSize: 768, numLayers: 12, numHeads: 12, vocabSize: 49408, maxLength: 77 },
    ae: {
      zChannels: 16,
      spatialFactor: 8,
      scaleFactor: 0.3611,
      shiftFactor: 0.1159,
      channels: [128, 128, 256, 512, 512],
      attentionChunks: 16,
    },
    patchSize: 2,
  },
  sampling: {
    defaultSteps: 28,
    defaultGuidance: 2.5,
    defaultAverage: 1,
    baseShift: 0.5,
    maxShift: 1.15,
    baseSeqLen: 256,
    maxSeqLen: 4096,
    resolutions: [
      [1024, 1024],
      [672, 1568],
    ],
  },
  components: {
    dit: [g('dit')],
    t5: g('t5'),
    clip: g('clip'),
    aeEncoder: g('ae_encoder'),
    aeDecoder: g('ae_decoder'),
    aeDecoderStages: null,
    previewDecoder: null,
    t5Tokenizer: { json: 't5.tokenizer.json', config: 't5.tokenizer_config.json' },
    clipTokenizer: { json: 'clip.tokenizer.json', config: 'clip.tokenizer_config.json' },
  },
  files,
};

const json = () => JSON.parse(JSON.stringify(manifestToJson(fluxDev)));

describe('parseManifest', () => {
  it('round-trips through the on-disk snake_case JSON', () => {
    const onDisk = json();
    expect(onDisk.model.dit.depth_single_blocks).toBe(38);
    expect(parseManifest(onDisk)).toEqual(fluxDev);
  });

  it('reads sampling.default_average, one run when a bundle made before it has none, 1–16 otherwise', () => {
    const old = json();
    delete old.sampling.default_average;
    expect(parseManifest(old).sampling.defaultAverage).toBe(1);
    const four = json();
    four.sampling.default_average = 4;
    expect(parseManifest(four).sampling.defaultAverage).toBe(4);
    for (const bad of [0, 2.5, '4']) {
      expect(() => parseManifest({ ...json(), sampling: { ...json().sampling, default_average: bad } })).toThrow(
        /sampling.default_average must be an integer ≥ 1/,
      );
    }
    expect(() => parseManifest({ ...json(), sampling: { ...json().sampling, default_average: 17 } })).toThrow(
      /default_average must be at most 16, got 17/,
    );
  });

  it('takes only sampler defaults a job may use (JOB_LIMITS), so the UI never shows a value the engine refuses', () => {
    const sampling = (over: Record<string, unknown>) => ({ ...json(), sampling: { ...json().sampling, ...over } });
    const { steps, guidance, average } = JOB_LIMITS;
    expect(
      parseManifest(sampling({ default_steps: steps.max, default_guidance: guidance.max })).sampling,
    ).toMatchObject({ defaultSteps: steps.max, defaultGuidance: guidance.max });
    expect(() => parseManifest(sampling({ default_steps: steps.max + 1 }))).toThrow(/default_steps must be at most/);
    expect(() => parseManifest(sampling({ default_guidance: guidance.max + 1 }))).toThrow(
      /default_guidance must be at most/,
    );
    expect(() => parseManifest(sampling({ default_guidance: -1 }))).toThrow(/default_guidance must be a number ≥ 0/);
    expect(() => parseManifest(sampling({ default_average: average.max + 1 }))).toThrow(
      /default_average must be at most/,
    );
  });

  it('reads the optional staged AE decoder: stages in order, each reading the latent or an earlier output', () => {
    expect(json().components).not.toHaveProperty('ae_decoder_stages'); // older manifests keep their bytes
    const stageFiles = ['s0', 's1'].flatMap((n) => [`${n}.onnx`, `${n}.onnx.data`]);
    const staged = {
      ...json(),
      files: [...json().files, ...stageFiles.map((path) => ({ path, bytes: 1, sha256: sha }))],
      components: {
        ...json().components,
        ae_decoder_stages: [
          { ...g('s0'), output: 'a', input: 'latent', upscale: 1, halo: 1, whole: false, channels: 8 },
          {
            ...g('s1'),
            output: 'b',
            input: 'a',
            skip: 'latent',
            norm_groups: 2,
            norm_epsilon: 1e-6,
            upscale: 2,
            halo: 1,
            whole: true,
            channels: 3,
          },
        ],
      },
    };
    const parsed = parseManifest(staged);
    expect(parsed.components.aeDecoderStages).toEqual([
      { graph: g('s0'), output: 'a', input: 'latent', upscale: 1, halo: 1, whole: false, channels: 8 },
      {
        graph: g('s1'),
        output: 'b',
        input: 'a',
        skip: 'latent',
        norm: { groups: 2, epsilon: 1e-6 },
        upscale: 2,
        halo: 1,
        whole: true,
        channels: 3,
      },
    ]);
    expect(parseManifest(manifestToJson(parsed))).toEqual(parsed);
    expect(manifestToJson(parsed).files).toContainEqual({
      path: 's1.onnx',
      role: 'ae_decoder_stages',
      bytes: 1,
      sha256: sha,
    });
    const [first, second] = staged.components.ae_decoder_stages;
    const withStages = (stages: unknown[]) => ({
      ...staged,
      components: { ...staged.components, ae_decoder_stages: stages },
    });
    expect(() => parseManifest(withStages([second, first]))).toThrow(
      /\[0\]\.input must name the latent or an earlier stage's output, got "a"/,
    );
    expect(() => parseManifest(withStages([first, { ...second, output: 'a' }]))).toThrow(
      /\[1\]\.output must be a new tensor name/,
    );
    expect(() => parseManifest(withStages([first, { ...second, norm_epsilon: 0 }]))).toThrow(
      /norm_epsilon must be a positive number/,
    );
    expect(() => parseManifest(withStages([{ ...first, graph: 'x.onnx' }]))).toThrow(
      /reference "x.onnx", which is not in files/,
    );
  });

  it('reads accuracy_level of int4 bundles when present and leaves it out when not (older bundles)', () => {
    expect(json()).not.toHaveProperty('accuracy_level');
    expect(parseManifest(json())).not.toHaveProperty('accuracyLevel');
    const four = { ...json(), accuracy_level: 4 };
    expect(parseManifest(four).accuracyLevel).toBe(4);
    expect(manifestToJson(parseManifest(four))).toMatchObject({ accuracy_level: 4 });
    for (const bad of [5, -1, 1.5, '4'])
      expect(() => parseManifest({ ...json(), accuracy_level: bad })).toThrow(/accuracy_level must be an integer 0–4/);
    expect(() => parseManifest({ ...json(), weights: 'fp16', accuracy_level: 4 })).toThrow(/int4 bundles only/);
  });

  it('reads an optional input domain: none for FLUX, a described flat-share threshold for a narrow model', () => {
    expect(json()).not.toHaveProperty('domain'); // left out, so manifests without one stay byte-identical
    expect(parseManifest(json()).domain).toBeNull();
    expect(parseManifest({ ...json(), domain: null }).domain).toBeNull();
    const micro = { ...json(), domain: { description: 'simple drawings, 64×64', min_flat_share: 0.6 } };
    expect(parseManifest(micro).domain).toEqual({ description: 'simple drawings, 64×64', minFlatShare: 0.6 });
    expect(manifestToJson(parseManifest(micro)).domain).toEqual(micro.domain);
    expect(() => parseManifest({ ...json(), domain: { description: '', min_flat_share: 0.5 } })).toThrow(
      /domain.description must be a non-empty string/,
    );
    for (const bad of [1.5, -0.1, '0.6', undefined])
      expect(() => parseManifest({ ...json(), domain: { description: 'drawings', min_flat_share: bad } })).toThrow(
        /domain.min_flat_share must be a number in \[0, 1\]/,
      );
    expect(() => parseManifest({ ...json(), domain: 'drawings' })).toThrow(/domain must be an object/);
  });

  it('reads the merged LoRAs: none when a bundle has no loras, each with name, sha256 and strength', () => {
    const none = json();
    delete none.loras;
    expect(parseManifest(none).loras).toEqual([]);
    expect(manifestToJson({ ...fluxDev, loras: [] })).not.toHaveProperty('loras'); // old manifests keep their bytes
    expect(json().loras).toEqual([{ name: 'relight-kontext', sha256: 'ab'.repeat(32), strength: -0.5 }]);
    for (const [bad, message] of [
      [{ name: 'x', sha256: 'ab'.repeat(32), strength: '1' }, /loras\[0\].strength must be a number/],
      [{ name: 'x', sha256: 'AB'.repeat(32), strength: 1 }, /loras\[0\].sha256 must be 64 lowercase hex/],
      [{ sha256: 'ab'.repeat(32), strength: 1 }, /loras\[0\].name must be a non-empty string/],
    ] as const) {
      expect(() => parseManifest({ ...json(), loras: [bad] })).toThrow(message);
    }
    expect(() => parseManifest({ ...json(), loras: {} })).toThrow(/loras must be an array/);
  });

  it('reads precision per component, and derives it from weights for a bundle made before it', () => {
    expect(parseManifest(json()).precision.dit).toEqual({ activations: 'fp16', weights: 'int4' });
    expect(parseManifest(json()).precision.ae_decoder).toEqual({ activations: 'fp16', weights: 'fp16' });
    expect(getFp16Components(parseManifest(json()).precision)).toEqual([
      'dit',
      't5',
      'clip',
      'ae_encoder',
      'ae_decoder',
    ]);
    const old = json();
    delete old.precision;
    expect(parseManifest(old).precision).toEqual(getDefaultPrecision('int4'));
    expect(getFp16Components(parseManifest(old).precision)).toEqual([]);
    const bad = json();
    bad.precision.t5.activations = 'bf16';
    expect(() => parseManifest(bad)).toThrow(/precision.t5.activations must be one of fp32, fp16, fp16-emulated/);
    const missing = json();
    delete missing.precision.clip;
    expect(() => parseManifest(missing)).toThrow(/precision.clip must be an object/);
  });

  it('reads dit_first_block_cache: off when absent, and only on a DiT of at least 3 segments', () => {
    expect(parseManifest(json()).ditFirstBlockCache).toBe(false);
    expect('dit_first_block_cache' in json()).toBe(false); // older manifests keep their bytes
    expect(() => parseManifest({ ...json(), dit_first_block_cache: true })).toThrow(/at least 3 DiT segments, got 1/);
    expect(() => parseManifest({ ...json(), dit_first_block_cache: 'yes' })).toThrow(/must be true or false/);
    const three = {
      ...fluxDev,
      ditFirstBlockCache: true,
      components: { ...fluxDev.components, dit: [0, 1, 2].map(() => g('dit')) },
    };
    expect(parseManifest(manifestToJson(three)).ditFirstBlockCache).toBe(true);
  });

  it('reads dit_batch: off when absent (older graphs are fixed at batch 1), and round-trips it', () => {
    expect(parseManifest(json()).ditBatch).toBe(false);
    expect('dit_batch' in json()).toBe(false);
    expect(parseManifest(manifestToJson({ ...fluxDev, ditBatch: true })).ditBatch).toBe(true);
    expect(() => parseManifest({ ...json(), dit_batch: 1 })).toThrow(/dit_batch must be true or false/);
  });

  it('refuses an unknown format version instead of guessing', () => {
    expect(() => parseManifest({ ...json(), format_version: 2 })).toThrow(/format version 2 is not supported/);
    expect(() => parseManifest({ hello: 1 })).toThrow(/not a Kontext bundle/);
  });

  it('names the bad field', () => {
    const bad = json();
    bad.model.dit.axes_dim = [16, 56, 50];
    expect(() => parseManifest(bad)).toThrow(/axes_dim must sum to the head size 128/);
    const bad2 = json();
    bad2.model.ae.z_channels = 32;
    expect(() => parseManifest(bad2)).toThrow(/in_channels \(64\) must equal z_channels × patch_size² \(128\)/);
    const bad3 = json();
    bad3.sampling.resolutions.push([1000, 1000]);
    expect(() => parseManifest(bad3)).toThrow(/resolutions\[2\] must be \[width, height\], multiples of 16/);
    const bad4 = json();
    bad4.files = bad4.files.filter((f: { path: string }) => f.path !== 't5.onnx.data');
    expect(() => parseManifest(bad4)).toThrow(/"t5.onnx.data", which is not in files/);
    const bad6 = json();
    expect(bad6.files[0]).toMatchObject({ path: 'dit.onnx', role: 'dit' });
    bad6.files[0].role = 't5';
    expect(() => parseManifest(bad6)).toThrow(/files\[0\].role is "t5", but the components use "dit.onnx" as dit/);
    const bad7 = json();
    bad7.preview_rgb.matrix.pop();
    expect(() => parseManifest(bad7)).toThrow(/preview_rgb.matrix must be 48 finite numbers/);
    const bad5 = json();
    bad5.files[0].sha256 = 'xyz';
    expect(() => parseManifest(bad5)).toThrow(/files\[0\].sha256/);
  });
});
