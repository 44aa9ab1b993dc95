/**
 * @file KontextModels on onnxruntime sessions: one lazily created session per graph, released in the
 * order the manifest's memory note asks for. Tensors cross as Float32Array (CPU); the GPU-resident
 * denoising loop lives beside this in gpuSampler.ts.
 */
import { EngineError } from '../api/errors';
import type { ModelFiles } from '../api/types';
import type { GraphFiles, Manifest } from '../bundle/manifest';
import type { KontextModels, VelocityInputs } from '../kontext/models';
import { mapLatentsToRgb } from '../kontext/preview';
import { chooseTiling, runTiled } from '../kontext/tiles';
import { denoiseOnDevice } from './deviceDenoise';
import { runDitSegments } from './ditSegments';
import type { Ort, OrtSession, OrtTensor, RuntimeTarget } from './ort';
import { createSession } from './session';

/** Where graphs come from: the bundle's files as Blobs, resolved by path. */
export type GraphLoader = (graph: GraphFiles) => Promise<ModelFiles>;

type Role = 'dit' | 't5' | 'clip' | 'aeEncoder' | 'aeDecoder' | 'previewDecoder';

/** KontextModels plus session lifetime control. */
export interface SessionModels extends KontextModels {
  /** Releases every open session (e.g. before switching bundles). */
  release(): Promise<void>;
  /**
   * GPU→CPU reads so far: `inStep` inside denoising steps (0 on the GPU-resident path), `preview` for live
   * previews, `other` for everything else (encoder outputs, final results).
   */
  readonly readbacks: { inStep: number; preview: number; other: number };
}

/**
 * The largest single buffer an AE pass may need before it is tiled: the device's own limits, and at most 256 MiB
 * (issue #12's bar; a huge allocation can fail on a busy GPU even under the limit). WASM is never tiled.
 */
const AE_BUFFER_CAP = 256 * 1024 ** 2;
function getAeBufferBudget(target: RuntimeTarget): number {
  if (target.backend !== 'webgpu') return Infinity;
  const { maxBufferSize, maxStorageBufferBindingSize } = target.device.limits;
  return Math.min(maxBufferSize, maxStorageBufferBindingSize, AE_BUFFER_CAP);
}

/**
 * Creates KontextModels for `manifest`'s graphs on `target`. `aeBufferBudget` overrides the AE's per-buffer
 * budget (tests force tiling on the CPU with it).
 */
export function createSessionModels(
  ort: Ort,
  target: RuntimeTarget,
  manifest: Manifest,
  load: GraphLoader,
  options: { aeBufferBudget?: number } = {},
): SessionModels {
  const sessions = new Map<string, OrtSession>();
  const readbacks = { inStep: 0, preview: 0, other: 0 };

  async function open(key: string, graph: GraphFiles): Promise<OrtSession> {
    const existing = sessions.get(key);
    if (existing) return existing;
    // DiT outputs stay on the GPU: segment to segment, and velocity to the Euler kernel.
    const session = await createSession(ort, await load(graph), target, key.startsWith('dit'));
    sessions.set(key, session);
    return session;
  }

  async function close(keys: (k: string) => boolean): Promise<void> {
    for (const [key, session] of [...sessions]) {
      if (keys(key)) {
        sessions.delete(key);
        await session.release();
      }
    }
  }

  /** Before a phase, drop what a tight-memory bundle cannot keep beside it. */
  async function enter(role: Role): Promise<void> {
    if (!manifest.memoryTight) return;
    if (role === 'dit') await close((k) => !k.startsWith('dit'));
    else await close((k) => k.startsWith('dit'));
  }

  async function read(
    tensor: OrtTensor | undefined,
    what: string,
    kind: keyof typeof readbacks = 'other',
  ): Promise<Float32Array> {
    if (!tensor) throw new EngineError('bad-model', `the graph has no output "${what}"`);
    if (tensor.location !== 'cpu') readbacks[kind]++;
    const data = (await tensor.getData(true)) as Float32Array; // true: release a GPU tensor once read
    return data;
  }

  const openDit = async () => {
    await enter('dit');
    const list: OrtSession[] = [];
    for (const [i, graph] of manifest.components.dit.entries()) list.push(await open(`dit.${i}`, graph));
    return list;
  };

  const f32 = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', data, dims);

  const ae = manifest.model.ae;
  const aeBudget = options.aeBufferBudget ?? getAeBufferBudget(target);
  /** Tiles for an AE pass over an h×w latent when its largest buffer would be over budget, else null. */
  const aeTiling = (h: number, w: number) =>
    ae.channels && ae.attentionChunks
      ? chooseTiling({ channels: ae.channels, attentionChunks: ae.attentionChunks }, h, w, aeBudget)
      : null;

  async function decode(latents: Float32Array, height: number, width: number): Promise<Float32Array> {
    await enter('aeDecoder');
    const session = await open('aeDecoder', manifest.components.aeDecoder);
    const run = async (z: Float32Array, h: number, w: number) =>
      read((await session.run({ latent: f32(z, [1, ae.zChannels, h, w]) })).image, 'image');
    const tiling = aeTiling(height, width);
    if (!tiling) return run(latents, height, width);
    const input = { data: latents, channels: ae.zChannels, height, width, unit: 1 };
    return runTiled((z, t) => run(z, t.h, t.w), input, { channels: 3, unit: ae.spatialFactor }, tiling);
  }
  const i32 = (data: Int32Array, dims: number[]) => new ort.Tensor('int32', data, dims);
  const { dit, t5, clip } = manifest.model;

  return {
    get readbacks() {
      return { ...readbacks };
    },

    async encodeText(t5Ids, clipIds) {
      await enter('t5');
      const t5Session = await open('t5', manifest.components.t5);
      const t5Out = await t5Session.run({ input_ids: i32(t5Ids, [1, t5Ids.length]) });
      const clipSession = await open('clip', manifest.components.clip);
      const clipOut = await clipSession.run({ input_ids: i32(clipIds, [1, clipIds.length]) });
      const text = await read(t5Out.text_embeddings, 'text_embeddings');
      if (text.length !== t5Ids.length * t5.dModel)
        throw new EngineError('bad-model', `T5 returned ${text.length} values for ${t5Ids.length} tokens`);
      const pooled = await read(clipOut.pooled_embeddings, 'pooled_embeddings');
      if (pooled.length !== clip.hiddenSize)
        throw new EngineError('bad-model', `CLIP returned ${pooled.length} values, expected ${clip.hiddenSize}`);
      return { text, length: t5Ids.length, pooled };
    },

    async encodeImage(pixels, width, height) {
      await enter('aeEncoder');
      const session = await open('aeEncoder', manifest.components.aeEncoder);
      const run = async (x: Float32Array, h: number, w: number) =>
        read((await session.run({ image: f32(x, [1, 3, h, w]) })).latent, 'latent');
      const f = ae.spatialFactor;
      const tiling = aeTiling(height / f, width / f);
      if (!tiling) return run(pixels, height, width);
      const input = { data: pixels, channels: 3, height: height / f, width: width / f, unit: f };
      return runTiled((x, t) => run(x, t.h * f, t.w * f), input, { channels: ae.zChannels, unit: 1 }, tiling);
    },

    async velocity(inputs: VelocityInputs) {
      const length = inputs.imgIds.length / 3;
      const values: Record<string, OrtTensor> = {
        hidden_states: f32(inputs.hiddenStates, [1, length, dit.inChannels]),
        encoder_hidden_states: f32(inputs.text.text, [1, inputs.text.length, dit.contextInDim]),
        pooled_projections: f32(inputs.text.pooled, [1, dit.vecInDim]),
        timestep: f32(new Float32Array([inputs.timestep]), [1]),
        img_ids: f32(inputs.imgIds, [length, 3]),
        txt_ids: f32(inputs.txtIds, [inputs.text.length, 3]),
        guidance: f32(new Float32Array([inputs.guidance]), [1]),
      };
      const { velocity, intermediates } = await runDitSegments(await openDit(), values);
      const data = await read(velocity, 'velocity', 'inStep');
      for (const tensor of intermediates) if (tensor.location === 'gpu-buffer') tensor.dispose();
      return data;
    },

    denoiseOnDevice:
      target.backend === 'webgpu'
        ? (request) =>
            denoiseOnDevice(
              {
                ort,
                device: target.device,
                dit,
                openSegments: openDit,
                countReadback: (kind) => readbacks[kind === 'preview' ? 'preview' : 'other']++,
              },
              request,
            )
        : undefined,

    decode,

    // Previews use the bundle's preview decoder; without one, its linear latent → RGB map; without that, the
    // AE decoder — unless memory is tight, where loading it would evict the DiT every preview.
    decodePreview: manifest.components.previewDecoder
      ? async (latents, height, width) => {
          const session = await open('previewDecoder', manifest.components.previewDecoder!);
          const out = await session.run({ latent: f32(latents, [1, manifest.model.ae.zChannels, height, width]) });
          return read(out.image, 'image');
        }
      : manifest.previewRgb
        ? async (latents, height, width) =>
            mapLatentsToRgb(
              latents,
              manifest.model.ae.zChannels,
              height,
              width,
              manifest.previewRgb!,
              manifest.model.ae.spatialFactor,
            )
        : manifest.memoryTight
          ? undefined
          : (latents, height, width) => decode(latents, height, width),

    release: () => close(() => true),
  };
}
