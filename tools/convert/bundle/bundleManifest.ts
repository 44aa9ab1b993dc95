/**
 * @file The bundle's options and its manifest.json: built from what each conversion step produced, checked
 * with the engine's own parser, and the summary table the CLI prints.
 */
import { getDefaultPrecision, type PrecisionComponent } from '../../../workers/bundle/precision';
import { parseDomain } from '../../../workers/bundle/domain';
import {
  MANIFEST_VERSION,
  type DitConfig,
  ManifestError,
  parseManifest,
  type Manifest,
} from '../../../workers/bundle/manifest';
import { manifestToJson } from '../../../workers/bundle/manifestJson';
import { PREFERRED_KONTEXT_RESOLUTIONS } from '../../../workers/kontext/resolution';
import type { AccuracyLevel, ConvertedGraph, WeightFormat } from '../graphs/types';
import type { BundleSink } from '../io/bundleSink';
import type { LoraSpec, OpenedLora } from '../lora/loraFiles';
import type { Activations } from '../onnx/mixedPrecision';
import type { StepResults } from './convertModel';
import { ConvertError, type BundleSidecar, type ModelFolder } from './modelFolder';

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
  /**
   * Write the staged AE decoder (graphs/autoencoderStages.ts), which makes tiled decodes exact; true by default. A
   * bundle whose buckets never tile can leave it out (the embedded kontext-micro: 64², 7 MB less to install).
   */
  aeStages?: boolean;
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

/** Bundles bigger than this cannot keep every component loaded beside the DiT in a browser tab. */
const TIGHT_MEMORY_BYTES = 2 * 1024 ** 3;

/** @throws ConvertError for option combinations no bundle can have. */
export function checkBundleOptions(options: BundleOptions): void {
  if (!Number.isInteger(options.segments) || options.segments < 1)
    throw new ConvertError(`--segments must be a positive integer, got ${options.segments}`);
  if (options.accuracyLevel !== undefined && options.weights !== 'int4')
    throw new ConvertError(
      `--accuracy-level is a MatMulNBits attribute: it needs --dtype int4, not ${options.weights}`,
    );
  if ((options.activations ?? 'fp32') !== 'fp32' && options.weights === 'fp32')
    throw new ConvertError(`fp16 activations need fp16 or int4 weights, not fp32`); // fp16 ops store fp16 weights
}

const filesOf = (g: { graph: string; data: string[] }) => [g.graph, ...g.data];
const graphEntry = (g: ConvertedGraph) => ({ graph: g.graph, data: g.data });

export interface ManifestInput {
  sink: BundleSink;
  folder: ModelFolder;
  options: BundleOptions;
  id: string;
  loras: readonly OpenedLora[];
  results: StepResults;
  t5MaxLength: number;
  clipMaxLength: number;
}

/**
 * The manifest of a converted bundle and its manifest.json text.
 * @throws ConvertError when the engine's parser refuses it (a bad kontext_bundle.json).
 */
export async function buildManifest(m: ManifestInput): Promise<{ manifest: Manifest; text: string }> {
  const { results: r, options } = m;
  const side: BundleSidecar = { ...m.folder.sidecar, ...options.overrides };
  const [t5Tokenizer, clipTokenizer] = r.extras.tokenizers as [
    Manifest['components']['t5Tokenizer'],
    Manifest['components']['clipTokenizer'],
  ];
  const stageGraphs = r.ae.decoderStages.map((s) => s.graph);
  const graphs = [...r.dit.graphs, ...r.t5.graphs, ...r.clip.graphs, r.ae.encoder, r.ae.decoder, ...stageGraphs];
  const paths = [
    ...graphs.flatMap(filesOf),
    ...(r.extras.preview ? filesOf(r.extras.preview) : []),
    ...[t5Tokenizer, clipTokenizer].flatMap((t) => [t.json, t.config]),
  ];
  await m.sink.drain();
  const files = [];
  for (const path of paths) files.push(await m.sink.describe(path));
  const totalBytes = files.reduce((n, f) => n + f.bytes, 0);
  const manifest: Manifest = {
    formatVersion: MANIFEST_VERSION,
    id: m.id,
    name: side.name ?? 'FLUX.1 Kontext [dev]',
    // An fp16-emulated bundle holds fp16 values in float32 tensors: no fp16 tensor for the engine to gate on.
    weights: options.activations === 'fp16-emulated' && options.weights === 'fp16' ? 'fp32' : options.weights,
    precision: getDefaultPrecision(options.weights, options.activations),
    ...(options.accuracyLevel === undefined ? {} : { accuracyLevel: options.accuracyLevel }),
    memoryTight: totalBytes > TIGHT_MEMORY_BYTES,
    ditFirstBlockCache: options.firstBlockCache === true,
    ditBatch: true, // convertDit gives every token tensor a batch axis
    previewRgb: r.extras.previewRgb,
    domain: parseDomain(side.domain, (message) => {
      throw new ConvertError(`${m.folder.dir}: ${message} (from kontext_bundle.json)`);
    }),
    loras: m.loras.map(({ name, sha256, strength }) => ({ name, sha256, strength })),
    model: {
      dit: r.dit.config,
      t5: { ...r.t5.config, maxLength: m.t5MaxLength },
      clip: { ...r.clip.config, maxLength: m.clipMaxLength },
      ae: r.ae.config,
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
      dit: r.dit.graphs.map(graphEntry),
      t5: graphEntry(r.t5.graphs[0]!),
      clip: graphEntry(r.clip.graphs[0]!),
      aeEncoder: graphEntry(r.ae.encoder),
      aeDecoder: graphEntry(r.ae.decoder),
      aeDecoderStages: r.ae.decoderStages.length
        ? r.ae.decoderStages.map(({ stage, graph }) => ({ ...stage, graph: graphEntry(graph) }))
        : null,
      previewDecoder: r.extras.preview,
      t5Tokenizer,
      clipTokenizer,
    },
    files,
  };
  const json = manifestToJson(manifest);
  try {
    parseManifest(json); // the engine's own checks, so a bad kontext_bundle.json fails here and not in a browser
  } catch (e) {
    if (e instanceof ManifestError)
      throw new ConvertError(`${m.folder.dir}: ${e.message} (from kontext_bundle.json or the weights)`);
    throw e;
  }
  return { manifest, text: JSON.stringify(json, null, 1) + '\n' };
}

/** The CLI's summary table rows. */
export function summarize(manifest: Manifest, r: StepResults): ComponentSummary[] {
  const row = (component: string, graphs: ConvertedGraph[], precision: PrecisionComponent) => ({
    component,
    parameters: graphs.reduce((n, g) => n + g.parameters, 0),
    bytes: graphs.reduce((n, g) => n + g.bytes, 0),
    dtype: describePrecision(manifest, precision),
  });
  const segments = r.dit.graphs.length;
  return [
    row(`DiT (${segments} segment${segments > 1 ? 's' : ''})`, r.dit.graphs, 'dit'),
    row('T5 encoder', r.t5.graphs, 't5'),
    row('CLIP text', r.clip.graphs, 'clip'),
    row('AE encoder', [r.ae.encoder], 'ae_encoder'),
    row('AE decoder', [r.ae.decoder], 'ae_decoder'),
    ...(r.ae.decoderStages.length
      ? [
          row(
            `AE decoder, staged (${r.ae.decoderStages.length} graphs)`,
            r.ae.decoderStages.map((s) => s.graph),
            'ae_decoder',
          ),
        ]
      : []),
  ];
}

/** The summary's dtype column: weight storage, plus the activations when they are not fp32. */
function describePrecision(m: Manifest, component: PrecisionComponent): string {
  const p = m.precision[component];
  return p.activations === 'fp32' ? p.weights : `${p.weights}, ${p.activations} activations`;
}
