/**
 * @file A model folder (official, diffusers, ComfyUI, fp8 or GGUF inputs: see modelFolder.ts) → web bundle:
 * every component converted into a temporary folder beside the output, hashed, described in manifest.json,
 * then renamed into place — so a failure never leaves a half-written bundle.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { getDefaultPrecision, type PrecisionComponent } from '../../../workers/bundle/precision';
import type { Activations } from '../onnx/mixedPrecision';
import {
  MANIFEST_VERSION,
  type DitConfig,
  ManifestError,
  manifestToJson,
  parseManifest,
  type Manifest,
} from '../../../workers/bundle/manifest';
import { parseDomain } from '../../../workers/bundle/domain';
import { PREFERRED_KONTEXT_RESOLUTIONS } from '../../../workers/kontext/resolution';
import { convertAutoencoder } from '../graphs/autoencoder';
import { convertClip } from '../graphs/clip';
import { convertDit } from '../graphs/dit';
import { convertT5 } from '../graphs/t5';
import { getLoraTag, openLoraFiles, type LoraSpec, type OpenedLora } from '../lora/loraFiles';
import { withLoras } from '../lora/loraMerge';
import { buildTaef1Graphs } from '../graphs/taef1';
import type { AccuracyLevel, ConvertedGraph, ConvertOptions, WeightFormat } from '../graphs/types';
import type { TensorSource } from '../safetensors';
import { ConvertError, readModelFolder, type BundleSidecar } from './modelFolder';
import { openModelInputs, type ModelInputs } from './openInputs';
import { fitPreviewRgb } from './previewFit';
import { writeTokenizers } from './tokenizers';
import { describeFiles } from './writeFiles';

export interface BundleOptions {
  weights: WeightFormat;
  /** fp16 activations with fp32 islands for the DiT, T5, CLIP and AE (docs/graph-contract.md); fp32 by default. */
  activations?: Activations;
  segments: number;
  /** Lay the DiT out for first-block caching (planDitSegments): `segments` + 2 graphs. */
  firstBlockCache?: boolean;
  blockSize?: 32 | 64;
  /** MatMulNBits accuracy_level of int4 bundles (recorded in the manifest); undefined leaves it out. */
  accuracyLevel?: AccuracyLevel;
  maxShardBytes?: number;
  /** A TAEF1 folder (taef1_encoder/decoder.safetensors) for the live-preview decoder. */
  taef1Dir?: string;
  /** Overrides for the text lengths (else kontext_bundle.json, else 512 / CLIP's positions). */
  t5MaxLength?: number;
  clipMaxLength?: number;
  /** DiT fields the tensors cannot give (RoPE axesDim, theta); wins over the checkpoint's own config. */
  ditConfig?: Partial<DitConfig>;
  /** Overrides for what kontext_bundle.json says (id, name, defaults, resolutions). */
  overrides?: BundleSidecar;
  /** LoRAs merged into the DiT before quantisation, in this order (recorded in the manifest). */
  loras?: LoraSpec[];
  /** Progress over all source tensors, in bytes. */
  onProgress?: (doneBytes: number, totalBytes: number, tensor: string) => void;
}

/** One row of the summary table. */
export interface ComponentSummary {
  component: string;
  parameters: number;
  bytes: number;
  dtype: string;
}

export interface BundleResult {
  outDir: string;
  manifest: Manifest;
  summary: ComponentSummary[];
}

/** Bundles bigger than this cannot keep every component loaded beside the DiT in a browser tab. */
const TIGHT_MEMORY_BYTES = 2 * 1024 ** 3;

function sumSourceBytes(sources: TensorSource[]): number {
  return sources.reduce((n, s) => n + s.listTensors().reduce((m, t) => m + t.byteLength, 0), 0);
}

const filesOf = (g: ConvertedGraph) => [g.graph, ...g.data];
const graphEntry = (g: ConvertedGraph) => ({ graph: g.graph, data: g.data });

/**
 * Converts `modelDir` (any layout modelFolder.ts finds) into a bundle at `outDir`.
 * @throws ConvertError (or the component's error) naming the file and tensor; nothing is left behind.
 */
export async function convertBundle(modelDir: string, outDir: string, options: BundleOptions): Promise<BundleResult> {
  const out = resolve(outDir);
  if (existsSync(out) && readdirSync(out).length > 0)
    throw new ConvertError(`${outDir}: the output folder is not empty`);
  if (!Number.isInteger(options.segments) || options.segments < 1)
    throw new ConvertError(`--segments must be a positive integer, got ${options.segments}`);
  if (options.accuracyLevel !== undefined && options.weights !== 'int4')
    throw new ConvertError(
      `--accuracy-level is a MatMulNBits attribute: it needs --dtype int4, not ${options.weights}`,
    );
  if ((options.activations ?? 'fp32') !== 'fp32' && options.weights === 'fp32')
    throw new ConvertError(`fp16 activations need fp16 or int4 weights, not fp32`); // fp16 ops store fp16 weights
  const folder = await readModelFolder(modelDir);
  const tmp = join(dirname(out), `.${basename(out)}.partial-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  let inputs: ModelInputs | undefined;
  const loras: OpenedLora[] = [];
  try {
    inputs = await openModelInputs(folder);
    const { dit, ae, t5, clip, t5Config, clipConfig } = inputs;
    const total = sumSourceBytes([dit, ae, t5, clip]);
    loras.push(...(await openLoraFiles(options.loras ?? [])));
    let done = 0;
    const base: ConvertOptions = {
      weights: options.weights,
      activations: options.activations ?? 'fp32',
      blockSize: options.blockSize ?? 32,
      accuracyLevel: options.accuracyLevel,
      maxShardBytes: options.maxShardBytes ?? 512 * 1024 * 1024,
      onTensor: (name, bytes) => {
        done += bytes;
        options.onProgress?.(done, total, name);
      },
    };
    const side: BundleSidecar = { ...folder.sidecar, ...options.overrides };
    const t5MaxLength = options.t5MaxLength ?? side.t5_max_length ?? 512;
    const clipMaxLength =
      options.clipMaxLength ?? side.clip_max_length ?? Number(clipConfig.max_position_embeddings ?? 77);

    const configOverride = { ...inputs.ditOverride, ...options.ditConfig };
    const ditWithLoras = withLoras(dit, loras, configOverride); // checks every LoRA key before anything is converted
    const ditOut = await convertDit(ditWithLoras, tmp, {
      ...base,
      segments: options.segments,
      firstBlockCache: options.firstBlockCache,
      configOverride,
    });
    const t5Out = await convertT5(t5, t5Config, tmp, { ...base, maxLength: t5MaxLength });
    const clipOut = await convertClip(clip, clipConfig, tmp, base);
    const aeOut = await convertAutoencoder(ae, tmp, base);
    const preview = options.taef1Dir ? await buildTaef1Graphs(options.taef1Dir, tmp) : null;
    if (preview) for (const f of [preview.encoder.modelFile, ...preview.encoder.dataFiles]) rmSync(join(tmp, f)); // tests only
    const tokenizers = writeTokenizers(folder, tmp);

    const stageGraphs = aeOut.decoderStages.map((s) => s.graph);
    const graphs = [...ditOut.graphs, ...t5Out.graphs, ...clipOut.graphs, aeOut.encoder, aeOut.decoder, ...stageGraphs];
    const paths = [
      ...graphs.flatMap(filesOf),
      ...(preview ? [preview.decoder.modelFile, ...preview.decoder.dataFiles] : []),
      ...[tokenizers.t5, tokenizers.clip].flatMap((t) => [t.json, t.config]),
    ];
    // Previews without a preview decoder use a linear map fitted to this AE decoder.
    const previewRgb = preview
      ? null
      : await fitPreviewRgb(tmp, graphEntry(aeOut.decoder), aeOut.config.zChannels, aeOut.config.spatialFactor);
    const files = await describeFiles(tmp, paths);
    const totalBytes = files.reduce((n, f) => n + f.bytes, 0);
    const id = side.id ?? `flux1-kontext-dev-${options.weights}`;
    const manifest: Manifest = {
      formatVersion: MANIFEST_VERSION,
      id: loras.length > 0 ? `${id}-lora-${getLoraTag(loras)}` : id, // another cache entry than the plain model
      name: side.name ?? 'FLUX.1 Kontext [dev]',
      // An fp16-emulated bundle holds fp16 values in float32 tensors: no fp16 tensor for the engine to gate on.
      weights: options.activations === 'fp16-emulated' && options.weights === 'fp16' ? 'fp32' : options.weights,
      precision: getDefaultPrecision(options.weights, options.activations),
      ...(options.accuracyLevel === undefined ? {} : { accuracyLevel: options.accuracyLevel }),
      memoryTight: totalBytes > TIGHT_MEMORY_BYTES,
      ditFirstBlockCache: options.firstBlockCache === true,
      previewRgb,
      domain: parseDomain(side.domain, (message) => {
        throw new ConvertError(`${folder.dir}: ${message} (from kontext_bundle.json)`);
      }),
      loras: loras.map(({ name, sha256, strength }) => ({ name, sha256, strength })),
      model: {
        dit: ditOut.config,
        t5: { ...t5Out.config, maxLength: t5MaxLength },
        clip: { ...clipOut.config, maxLength: clipMaxLength },
        ae: aeOut.config,
        patchSize: 2,
      },
      sampling: {
        defaultSteps: side.default_steps ?? 28,
        defaultGuidance: side.default_guidance ?? 2.5,
        defaultAverage: side.default_average ?? 1,
        baseShift: 0.5,
        maxShift: 1.15,
        baseSeqLen: 256,
        maxSeqLen: 4096,
        resolutions: side.resolutions ?? PREFERRED_KONTEXT_RESOLUTIONS.map(([w, h]) => [w, h] as [number, number]),
      },
      components: {
        dit: ditOut.graphs.map(graphEntry),
        t5: graphEntry(t5Out.graphs[0]!),
        clip: graphEntry(clipOut.graphs[0]!),
        aeEncoder: graphEntry(aeOut.encoder),
        aeDecoder: graphEntry(aeOut.decoder),
        aeDecoderStages: aeOut.decoderStages.map(({ stage, graph }) => ({ ...stage, graph: graphEntry(graph) })),
        previewDecoder: preview ? { graph: preview.decoder.modelFile, data: preview.decoder.dataFiles } : null,
        t5Tokenizer: tokenizers.t5,
        clipTokenizer: tokenizers.clip,
      },
      files,
    };
    const json = manifestToJson(manifest);
    try {
      parseManifest(json); // the engine's own checks, so a bad kontext_bundle.json fails here and not in a browser
    } catch (e) {
      if (e instanceof ManifestError)
        throw new ConvertError(`${folder.dir}: ${e.message} (from kontext_bundle.json or the weights)`);
      throw e;
    }
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(json, null, 1) + '\n');
    const summary: ComponentSummary[] = [
      {
        component: `DiT (${ditOut.graphs.length} segment${ditOut.graphs.length > 1 ? 's' : ''})`,
        parameters: sum(ditOut.graphs, 'parameters'),
        bytes: sum(ditOut.graphs, 'bytes'),
        dtype: describePrecision(manifest, 'dit'),
      },
      {
        component: 'T5 encoder',
        parameters: sum(t5Out.graphs, 'parameters'),
        bytes: sum(t5Out.graphs, 'bytes'),
        dtype: describePrecision(manifest, 't5'),
      },
      {
        component: 'CLIP text',
        parameters: sum(clipOut.graphs, 'parameters'),
        bytes: sum(clipOut.graphs, 'bytes'),
        dtype: describePrecision(manifest, 'clip'),
      },
      {
        component: 'AE encoder',
        parameters: aeOut.encoder.parameters,
        bytes: aeOut.encoder.bytes,
        dtype: describePrecision(manifest, 'ae_encoder'),
      },
      {
        component: 'AE decoder',
        parameters: aeOut.decoder.parameters,
        bytes: aeOut.decoder.bytes,
        dtype: describePrecision(manifest, 'ae_decoder'),
      },
      {
        component: `AE decoder, staged (${stageGraphs.length} graphs)`,
        parameters: sum(stageGraphs, 'parameters'),
        bytes: sum(stageGraphs, 'bytes'),
        dtype: describePrecision(manifest, 'ae_decoder'),
      },
    ];
    if (existsSync(out)) rmSync(out, { recursive: true }); // empty, checked above
    renameSync(tmp, out);
    return { outDir: out, manifest, summary };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  } finally {
    await inputs?.close();
    for (const l of loras) await l.tensors.close();
  }
}

/** The summary's dtype column: weight storage, plus the activations when they are not fp32. */
function describePrecision(m: Manifest, component: PrecisionComponent): string {
  const p = m.precision[component];
  return p.activations === 'fp32' ? p.weights : `${p.weights}, ${p.activations} activations`;
}

function sum(graphs: ConvertedGraph[], key: 'parameters' | 'bytes'): number {
  return graphs.reduce((n, g) => n + g[key], 0);
}
