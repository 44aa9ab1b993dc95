/**
 * @file The converter's core, shared by the CLI and the browser's conversion worker: a model folder (any
 * layout modelFolder.ts finds) read through an InputFolder → bundle files written into a BundleSink, one
 * component at a time. No Node API: the front ends bring the files, the sink and the decoder runtime.
 * A front end that stores finished components may pass them back in `done`, and the conversion goes on at
 * the first component not stored yet (the browser resumes this way after a reload).
 */
import type { GraphFiles, Manifest } from '../../../workers/bundle/manifest';
import { convertAutoencoder, countAeSourceBytes, type ConvertedAutoencoder } from '../graphs/autoencoder';
import { convertClip } from '../graphs/clip';
import { convertDit } from '../graphs/dit';
import { convertT5 } from '../graphs/t5';
import { buildTaef1Decoder } from '../graphs/taef1';
import type { ConvertedGraph, ConvertOptions } from '../graphs/types';
import type { BundleSink } from '../io/bundleSink';
import type { InputFolder } from '../io/inputFolder';
import { getLoraTag, openLoraFiles, type OpenedLora } from '../lora/loraFiles';
import { withLoras } from '../lora/loraMerge';
import type { TensorSource } from '../safetensors';
import { buildManifest, checkBundleOptions, type BundleOptions } from './bundleManifest';
import { readModelFolder, type BundleSidecar, type ModelFolder } from './modelFolder';
import { openModelInputs, type ModelInputs } from './openInputs';
import { fitPreviewRgb, type OpenDecoder } from './previewFit';
import { pacedSource } from './pacedSource';
import { writeTokenizers } from './tokenizers';

/** The steps of a conversion, in order; each one's files are complete when its result is reported. */
type ConvertStep = keyof StepResults;

/** What each step produced (JSON: the browser stores it to resume). */
export interface StepResults {
  dit: { config: Manifest['model']['dit']; graphs: ConvertedGraph[] };
  t5: { config: Manifest['model']['t5']; graphs: ConvertedGraph[] };
  clip: { config: Manifest['model']['clip']; graphs: ConvertedGraph[] };
  ae: {
    config: Manifest['model']['ae'];
    encoder: ConvertedGraph;
    decoder: ConvertedGraph;
    /** The staged decoder (graphs/autoencoderStages.ts); empty when `aeStages` is false. */
    decoderStages: ConvertedAutoencoder['decoderStages'];
  };
  /** Preview decoder (TAEF1 or the fitted linear map) and tokenizers. */
  extras: {
    preview: GraphFiles | null;
    previewRgb: Manifest['previewRgb'];
    tokenizers: Manifest['components']['t5Tokenizer'][];
  };
}

/** Progress of one step over its source tensors, in bytes. */
interface StepProgress {
  step: ConvertStep;
  doneBytes: number;
  totalBytes: number;
}

export interface ConvertModelOptions extends BundleOptions {
  /** Runs the AE decoder for the preview fit (onnxruntime-web's WASM backend in both front ends). */
  openDecoder: OpenDecoder;
  /** Steps already stored by an earlier run; they are not converted again. */
  done?: Partial<StepResults>;
  /** Called once a step's files are all written (after the sink drained). */
  onStepDone?: <S extends ConvertStep>(step: S, result: StepResults[S]) => Promise<void>;
  onStepProgress?: (progress: StepProgress) => void;
  /** Called once before converting, with every step's source bytes (the extras read next to nothing). */
  onPlan?: (totals: Record<ConvertStep, number>) => void;
  /** Checked before every tensor is read. */
  signal?: AbortSignal;
}

export interface ConvertedModel {
  manifest: Manifest;
  /** manifest.json's bytes as the bundle stores them. */
  manifestText: string;
  results: StepResults;
}

/** The bundle id a conversion of `folder` with these options and LoRAs gets (known before converting). */
function getBundleId(sidecar: BundleSidecar, options: BundleOptions, loras: readonly OpenedLora[]): string {
  const id = options.overrides?.id ?? sidecar.id ?? `flux1-kontext-dev-${options.weights}`;
  return loras.length > 0 ? `${id}-lora-${getLoraTag(loras)}` : id; // another cache entry than the plain model
}

const sumBytes = (src: TensorSource) => src.listTensors().reduce((m, t) => m + t.byteLength, 0);

/** An opened conversion: the folder found, its inputs and LoRAs opened, and the bundle id. */
export interface OpenedModel {
  folder: ModelFolder;
  inputs: ModelInputs;
  loras: OpenedLora[];
  id: string;
  close(): Promise<void>;
}

/**
 * Finds and opens every input (checkpoints, LoRAs) so the front end can learn the bundle id before writing.
 * @throws ConvertError (or the reader's error) naming the file.
 */
export async function openModel(files: InputFolder, options: BundleOptions): Promise<OpenedModel> {
  checkBundleOptions(options);
  const folder = await readModelFolder(files);
  const inputs = await openModelInputs(files, folder);
  const loras: OpenedLora[] = [];
  const close = async () => {
    await inputs.close();
    for (const l of loras) await l.tensors.close();
  };
  try {
    loras.push(...(await openLoraFiles(files, options.loras ?? [])));
    return { folder, inputs, loras, id: getBundleId(folder.sidecar, options, loras), close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Converts an opened model into `sink`, step by step (skipping `options.done`), and builds the manifest.
 * The caller writes manifest.json (manifestText) where its front end keeps it.
 * @throws ConvertError (or the component's error) naming the file and tensor.
 */
export async function convertModel(
  files: InputFolder,
  model: OpenedModel,
  sink: BundleSink,
  options: ConvertModelOptions,
): Promise<ConvertedModel> {
  const { folder, inputs, loras } = model;
  const { t5Config, clipConfig } = inputs;
  const pace = (src: TensorSource) => pacedSource(src, sink, options.signal);
  const dit = withLoras(inputs.dit, loras, { ...inputs.ditOverride, ...options.ditConfig }); // checks LoRA keys first
  const aeStages = options.aeStages ?? true;
  const stepBytes = {
    dit: sumBytes(dit),
    t5: sumBytes(inputs.t5),
    clip: sumBytes(inputs.clip),
    ae: countAeSourceBytes(inputs.ae, aeStages),
    extras: 0,
  };
  const total = Object.values(stepBytes).reduce((n, b) => n + b, 0);
  options.onPlan?.(stepBytes);
  let doneAll = 0;
  const base = (step: ConvertStep, stepTotal: number): ConvertOptions => {
    let done = 0;
    return {
      weights: options.weights,
      activations: options.activations ?? 'fp32',
      blockSize: options.blockSize ?? 32,
      accuracyLevel: options.accuracyLevel,
      maxShardBytes: options.maxShardBytes ?? 512 * 1024 * 1024,
      onTensor: (name, bytes) => {
        done += bytes;
        doneAll += bytes;
        options.onProgress?.(doneAll, total, name);
        options.onStepProgress?.({ step, doneBytes: done, totalBytes: stepTotal });
      },
    };
  };
  const side: BundleSidecar = { ...folder.sidecar, ...options.overrides };
  const t5MaxLength = options.t5MaxLength ?? side.t5_max_length ?? 512;
  const clipMaxLength =
    options.clipMaxLength ?? side.clip_max_length ?? Number(clipConfig.max_position_embeddings ?? 77);

  const done: Partial<StepResults> = { ...options.done };
  async function run<S extends ConvertStep>(step: S, bytes: number, make: () => Promise<StepResults[S]>) {
    if (done[step]) {
      doneAll += bytes;
      return done[step];
    }
    options.signal?.throwIfAborted();
    const result = await make();
    await sink.drain();
    await options.onStepDone?.(step, result);
    done[step] = result;
    return result;
  }
  const ditOut = await run('dit', stepBytes.dit, () =>
    convertDit(pace(dit), sink, {
      ...base('dit', stepBytes.dit),
      segments: options.segments,
      firstBlockCache: options.firstBlockCache,
      configOverride: { ...inputs.ditOverride, ...options.ditConfig },
    }),
  );
  const t5Out = await run('t5', stepBytes.t5, () =>
    convertT5(pace(inputs.t5), t5Config, sink, { ...base('t5', stepBytes.t5), maxLength: t5MaxLength }),
  );
  const clipOut = await run('clip', stepBytes.clip, () =>
    convertClip(pace(inputs.clip), clipConfig, sink, base('clip', stepBytes.clip)),
  );
  const aeOut = await run('ae', stepBytes.ae, () =>
    convertAutoencoder(pace(inputs.ae), sink, base('ae', stepBytes.ae), aeStages),
  );
  const extras = await run('extras', 0, async () => {
    const preview = options.taef1Dir ? await buildTaef1Decoder(files, options.taef1Dir, sink) : null;
    const tokenizers = await writeTokenizers(files, folder, sink);
    // Previews without a preview decoder use a linear map fitted to this AE decoder.
    const previewRgb = preview
      ? null
      : await fitPreviewRgb(
          sink,
          { graph: aeOut.decoder.graph, data: aeOut.decoder.data },
          aeOut.config.zChannels,
          aeOut.config.spatialFactor,
          options.openDecoder,
        );
    return {
      preview: preview && { graph: preview.modelFile, data: preview.dataFiles },
      previewRgb,
      tokenizers: [tokenizers.t5, tokenizers.clip],
    };
  });
  const results: StepResults = { dit: ditOut, t5: t5Out, clip: clipOut, ae: aeOut, extras };
  const manifest = await buildManifest({
    sink,
    folder,
    options,
    id: model.id,
    loras,
    results,
    t5MaxLength,
    clipMaxLength,
  });
  return { manifest: manifest.manifest, manifestText: manifest.text, results };
}
