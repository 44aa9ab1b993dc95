/**
 * @file KontextModels on onnxruntime sessions: one lazily created session per graph, kept open or closed as the
 * memory plan (memoryPlan.ts) says. Tensors cross as Float32Array (CPU); the GPU-resident denoising loop lives
 * beside this in deviceDenoise.ts.
 */
import { EngineError } from '../api/errors';
import type { AeDecoderStage } from '../bundle/aeStages';
import type { GraphFiles, Manifest } from '../bundle/manifest';
import type { KontextModels, VelocityInputs } from '../kontext/models';
import { repeatRuns } from '../kontext/batch';
import { mapLatentsToRgb } from '../kontext/preview';
import { chooseStagedTile, runStagedDecoder } from '../kontext/stagedDecode';
import { chooseTiling, runTiled } from '../kontext/tiles';
import { denoiseOnDevice } from './deviceDenoise';
import { runDitSegments, runDitSegmentsCached } from './ditSegments';
import { countGpuBytes } from './gpuBytes';
import {
  AE_BUFFER_CAP,
  chooseEvictions,
  getComponentBytes,
  getFileBytes,
  planMemory,
  type MemoryPlan,
  type SessionRole,
} from './memoryPlan';
import type { Ort, OrtSession, OrtTensor, RuntimeTarget } from './ort';
import { createGraphReads, type GraphLoader, type GraphReads } from './graphReads';
import { createSessionFrom } from './session';
import { createStageRunner } from './stagedDecoder';

/** The graphs of `roles` in that order (a role the bundle lacks, a preview decoder, has none). */
function getGraphsOf(manifest: Manifest, roles: readonly SessionRole[]): GraphFiles[] {
  const c = manifest.components;
  return roles.flatMap((role) =>
    role === 'dit' ? c.dit : role === 'previewDecoder' ? (c.previewDecoder ? [c.previewDecoder] : []) : [c[role]],
  );
}

/** The order an edit opens its sessions in: the warm-up reads them ahead in this order. */
export const EDIT_ROLES: readonly SessionRole[] = ['t5', 'clip', 'aeEncoder', 'dit', 'aeDecoder'];

/** The graphs an edit opens, in that order. */
export function getEditGraphs(manifest: Manifest): GraphFiles[] {
  return getGraphsOf(manifest, EDIT_ROLES);
}

/** What the sessions held since the last sample: peak bytes (planned weights; live GPU buffers) and sessions made. */
interface MemorySample {
  sessionBytes: number;
  /** Peak bytes in live GPU buffers (createBuffer wrapper); null on WASM. */
  gpuBytes: number | null;
  sessionsCreated: number;
}

/** KontextModels plus session lifetime control. */
export interface SessionModels extends KontextModels {
  /** Releases every open session (e.g. before switching bundles). */
  release(): Promise<void>;
  /**
   * Starts reading the graphs of `roles` (in that order) ahead of their sessions (graphReads.ts): the reads run
   * while the runtime starts and earlier sessions are created.
   */
  readAhead(roles: readonly SessionRole[]): void;
  /** Drops what was read ahead and not used yet. */
  dropReadAhead(): void;
  /**
   * GPU→CPU reads so far: `inStep` inside denoising steps (0 on the GPU-resident path), `preview` for live
   * previews, `other` for everything else (encoder outputs, final results).
   */
  readonly readbacks: { inStep: number; preview: number; other: number };
  /** The plan the sessions follow. */
  readonly plan: MemoryPlan;
  /** Sessions created so far (each DiT segment counts). */
  readonly sessionsCreated: number;
  /** Returns what was held since the last call and starts a new sample. */
  takeMemorySample(): MemorySample;
}

/**
 * The largest single buffer an AE pass may need before it is tiled: the device's own limits, and at most 256 MiB
 * (issue #12's bar; a huge allocation can fail on a busy GPU even under the limit). WASM is never tiled.
 */
function getAeBufferBudget(target: RuntimeTarget): number {
  if (target.backend !== 'webgpu') return Infinity;
  const { maxBufferSize, maxStorageBufferBindingSize } = target.device.limits;
  return Math.min(maxBufferSize, maxStorageBufferBindingSize, AE_BUFFER_CAP);
}

/** The plan for `manifest` on `target` with the user's VRAM budget (bytes, null: none). @throws PlanError */
export function planFor(manifest: Manifest, target: RuntimeTarget, budget: number | null): MemoryPlan {
  const limits = target.backend === 'webgpu' ? target.device.limits : null;
  return planMemory({ bytes: getComponentBytes(manifest), limits, budget, memoryTight: manifest.memoryTight });
}

/**
 * Creates KontextModels for `manifest`'s graphs on `target`, following `plan` (by default the one with no budget
 * set). `aeBufferBudget` overrides the AE's per-buffer budget (tests force tiling on the CPU with it), `reads`
 * the graph reads (graphReads.ts: with reads started elsewhere, or tests' with another byte budget).
 */
export function createSessionModels(
  ort: Ort,
  target: RuntimeTarget,
  manifest: Manifest,
  load: GraphLoader,
  options: { aeBufferBudget?: number; plan?: MemoryPlan; reads?: GraphReads } = {},
): SessionModels {
  const plan = options.plan ?? planFor(manifest, target, null);
  const sessions = new Map<SessionRole, OrtSession[]>();
  const readbacks = { inStep: 0, preview: 0, other: 0 };
  const gpu = target.backend === 'webgpu' ? countGpuBytes(target.device) : null;
  let created = 0;
  const sample = { sessionBytes: 0, created: 0 };
  const openBytes = () => [...sessions.keys()].reduce((n, r) => n + plan.bytes[r], 0);
  const reads = options.reads ?? createGraphReads(load, getFileBytes(manifest));
  const graphsOf = (role: SessionRole) => getGraphsOf(manifest, [role]);

  /**
   * The role's sessions, opened after closing what the plan says must make room. `alongside` stays open too
   * (the DiT while a preview decodes): then the plan's budget is a wish, not a promise.
   */
  async function open(role: SessionRole, alongside: SessionRole[] = []): Promise<OrtSession[]> {
    const existing = sessions.get(role);
    if (existing) return existing;
    await close(chooseEvictions(plan, [...sessions.keys()], [role, ...alongside]));
    const list: OrtSession[] = [];
    try {
      for (const graph of graphsOf(role)) {
        // DiT outputs stay on the GPU: segment to segment, and velocity to the Euler kernel.
        const options = { gpuOutputs: role === 'dit', storageBufferCacheMode: plan.storageBufferCacheMode };
        list.push(await createSessionFrom(ort, await reads.read(graph), target, options));
        created++;
      }
    } catch (e) {
      await Promise.all(list.map((session) => session.release()));
      throw e;
    }
    sessions.set(role, list);
    sample.sessionBytes = Math.max(sample.sessionBytes, openBytes());
    return list;
  }

  async function close(roles: SessionRole[]): Promise<void> {
    for (const role of roles) {
      const list = sessions.get(role) ?? [];
      sessions.delete(role);
      for (const session of list) await session.release();
    }
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

  const openDit = () => open('dit');

  const f32 = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', data, dims);

  const ae = manifest.model.ae;
  const aeBudget = options.aeBufferBudget ?? getAeBufferBudget(target);
  /** Tiles for an AE pass over an h×w latent when its largest buffer would be over budget, else null. */
  const aeTiling = (h: number, w: number) =>
    ae.channels && ae.attentionChunks
      ? chooseTiling({ channels: ae.channels, attentionChunks: ae.attentionChunks }, h, w, aeBudget)
      : null;

  async function decode(latents: Float32Array, height: number, width: number): Promise<Float32Array> {
    const tiling = aeTiling(height, width);
    // Exact tiles when the bundle has the staged decoder and its whole-latent attention fits; else blended tiles.
    const stages = manifest.components.aeDecoderStages;
    const picture = { zChannels: ae.zChannels, attentionChunks: ae.attentionChunks ?? 1, height, width };
    const tile = tiling && stages && chooseStagedTile(stages, picture, aeBudget);
    if (stages && tile) return decodeStaged(stages, latents, height, width, tile);
    const [session] = await open('aeDecoder');
    const run = async (z: Float32Array, h: number, w: number) =>
      read((await session!.run({ latent: f32(z, [1, ae.zChannels, h, w]) })).image, 'image');
    if (!tiling) return run(latents, height, width);
    const input = { data: latents, channels: ae.zChannels, height, width, unit: 1 };
    return runTiled((z, t) => run(z, t.h, t.w), input, { channels: 3, unit: ae.spatialFactor }, tiling);
  }

  /** The staged decode: one stage's session at a time (a part of the decoder's weights), after making room as for it. */
  async function decodeStaged(
    stages: AeDecoderStage[],
    latents: Float32Array,
    height: number,
    width: number,
    tile: number,
  ): Promise<Float32Array> {
    await close(chooseEvictions(plan, [...sessions.keys()], ['aeDecoder']));
    const openGraph = async (graph: GraphFiles) => {
      const options = { storageBufferCacheMode: plan.storageBufferCacheMode };
      const session = await createSessionFrom(ort, await reads.read(graph), target, options);
      created++;
      return session;
    };
    const runner = createStageRunner(ort, stages, openGraph, read);
    try {
      return await runStagedDecoder(stages, runner.run, { data: latents, channels: ae.zChannels, height, width }, tile);
    } finally {
      await runner.release();
    }
  }
  const i32 = (data: Int32Array, dims: number[]) => new ort.Tensor('int32', data, dims);
  const { dit, t5, clip } = manifest.model;

  return {
    readAhead(roles) {
      reads.start(
        getGraphsOf(
          manifest,
          roles.filter((role) => !sessions.has(role)),
        ),
      );
    },
    dropReadAhead: () => reads.clear(),
    get readbacks() {
      return { ...readbacks };
    },
    plan,
    get sessionsCreated() {
      return created;
    },
    takeMemorySample() {
      const taken: MemorySample = {
        sessionBytes: sample.sessionBytes,
        gpuBytes: gpu ? gpu.takePeak() : null,
        sessionsCreated: created - sample.created,
      };
      sample.sessionBytes = openBytes();
      sample.created = created;
      return taken;
    },

    async encodeText(t5Ids, clipIds) {
      const [t5Session] = await open('t5');
      const t5Out = await t5Session!.run({ input_ids: i32(t5Ids, [1, t5Ids.length]) });
      const [clipSession] = await open('clip');
      const clipOut = await clipSession!.run({ input_ids: i32(clipIds, [1, clipIds.length]) });
      const text = await read(t5Out.text_embeddings, 'text_embeddings');
      if (text.length !== t5Ids.length * t5.dModel)
        throw new EngineError('bad-model', `T5 returned ${text.length} values for ${t5Ids.length} tokens`);
      const pooled = await read(clipOut.pooled_embeddings, 'pooled_embeddings');
      if (pooled.length !== clip.hiddenSize)
        throw new EngineError('bad-model', `CLIP returned ${pooled.length} values, expected ${clip.hiddenSize}`);
      return { text, length: t5Ids.length, pooled };
    },

    async encodeImage(pixels, width, height) {
      const [session] = await open('aeEncoder');
      const run = async (x: Float32Array, h: number, w: number) =>
        read((await session!.run({ image: f32(x, [1, 3, h, w]) })).latent, 'latent');
      const f = ae.spatialFactor;
      const tiling = aeTiling(height / f, width / f);
      if (!tiling) return run(pixels, height, width);
      const input = { data: pixels, channels: 3, height: height / f, width: width / f, unit: f };
      return runTiled((x, t) => run(x, t.h * f, t.w * f), input, { channels: ae.zChannels, unit: 1 }, tiling);
    },

    async velocity(inputs: VelocityInputs) {
      const length = inputs.imgIds.length / 3;
      const { runs, text } = inputs;
      const values: Record<string, OrtTensor> = {
        hidden_states: f32(inputs.hiddenStates, [runs, length, dit.inChannels]),
        // Every run attends to the same prompt (the text stream differs per run after the first block).
        encoder_hidden_states: f32(runs === 1 ? text.text : repeatRuns(text.text, runs), [
          runs,
          text.length,
          dit.contextInDim,
        ]),
        pooled_projections: f32(inputs.text.pooled, [1, dit.vecInDim]),
        timestep: f32(new Float32Array([inputs.timestep]), [1]),
        img_ids: f32(inputs.imgIds, [length, 3]),
        txt_ids: f32(inputs.txtIds, [inputs.text.length, 3]),
        guidance: f32(new Float32Array([inputs.guidance]), [1]),
      };
      const segments = await openDit();
      const { velocity, intermediates } =
        inputs.cache && manifest.ditFirstBlockCache
          ? await runDitSegmentsCached(segments, values, inputs.cache, {
              // Without release: the first block's GPU output still feeds the next segment.
              read: async (t) => {
                if (t.location !== 'cpu') readbacks.inStep++;
                return (await t.getData()) as Float32Array;
              },
              tensor: (data, dims) => f32(data, [...dims]),
            })
          : await runDitSegments(segments, values);
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

    // Previews use the bundle's preview decoder (never evicting the DiT); without one, its linear latent → RGB
    // map; without that, the AE decoder, when the plan keeps it open beside the DiT (else it would evict the
    // DiT every preview).
    decodePreview: manifest.components.previewDecoder
      ? async (latents, height, width) => {
          const [session] = await open('previewDecoder', ['dit']);
          const out = await session!.run({ latent: f32(latents, [1, manifest.model.ae.zChannels, height, width]) });
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
        : plan.resident.includes('dit') && plan.resident.includes('aeDecoder')
          ? (latents, height, width) => decode(latents, height, width)
          : undefined,

    release: () => {
      reads.clear();
      return close([...sessions.keys()]);
    },
  };
}
