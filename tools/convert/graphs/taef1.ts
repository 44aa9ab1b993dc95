/**
 * @file TAEF1 (tiny autoencoder for FLUX latents) → `preview_encoder.onnx` / `preview_decoder.onnx`.
 * Architecture per docs/kontext-spec.md §10 (taesd.py `Encoder`/`Decoder`, nn.Sequential indices as
 * checkpoint keys: `0.weight`, `1.conv.0.weight`, …). Graph I/O per docs/graph-contract.md:
 * the graphs take/return [-1, 1] images and map to TAEF1's [0, 1] pixels inside.
 * Weights stream from the safetensors reader straight into external-data shards.
 */
import type { BundleSink } from '../io/bundleSink';
import { joinPath, type InputFolder } from '../io/inputFolder';
import { GraphBuilder } from '../onnx/GraphBuilder';
import { addAffine, addConv2d, addRelu, addSoftClamp, addUpsampleNearest } from '../onnx/layers';
import { saveModel, type SavedModel } from '../onnx/save';
import { ShardWriter } from '../onnx/shardWriter';
import { openSafetensorsFile, type TensorSource } from '../safetensors';
import { hasLength } from '../tuple';

/** File names the engine and the bundle manifest expect. */
export const TAEF1_ENCODER_FILE = 'preview_encoder.onnx';
export const TAEF1_DECODER_FILE = 'preview_decoder.onnx';

/** Latent channels (FLUX z_channels). */
const TAEF1_LATENT_CHANNELS = 16;

/** One entry of taesd.py's nn.Sequential; its position is the checkpoint key prefix. */
type Layer =
  { kind: 'conv'; stride: 1 | 2 } | { kind: 'block' } | { kind: 'relu' } | { kind: 'clamp' } | { kind: 'upsample' };

const conv: Layer = { kind: 'conv', stride: 1 };
const down: Layer = { kind: 'conv', stride: 2 };
const block: Layer = { kind: 'block' };
const up: Layer = { kind: 'upsample' };

// Encoder(): conv(3,64), Block, [conv stride 2 no-bias, Block×3]×3, conv(64,16).
const ENCODER_LAYERS: readonly Layer[] = [
  conv,
  block,
  down,
  block,
  block,
  block,
  down,
  block,
  block,
  block,
  down,
  block,
  block,
  block,
  conv,
];

// Decoder(): Clamp, conv(16,64), ReLU, Block×3, [Upsample, conv no-bias, Block×3]×2, Upsample, conv no-bias, Block, conv(64,3).
const DECODER_LAYERS: readonly Layer[] = [
  { kind: 'clamp' },
  conv,
  { kind: 'relu' },
  block,
  block,
  block,
  up,
  conv,
  block,
  block,
  block,
  up,
  conv,
  block,
  block,
  block,
  up,
  conv,
  block,
  conv,
];

/** Files written for both graphs, relative to the bundle root. */
export interface Taef1GraphFiles {
  encoder: SavedModel;
  decoder: SavedModel;
}

/**
 * Builds both TAEF1 graphs from `taef1_encoder.safetensors` and `taef1_decoder.safetensors` in
 * `taef1Dir` of `folder` and writes them (with `.onnx.data` external weights) into `sink`.
 * @throws Error when the checkpoint does not match the TAEF1 layout (missing, extra or misshapen tensors).
 */
export async function buildTaef1Graphs(
  folder: InputFolder,
  taef1Dir: string,
  sink: BundleSink,
): Promise<Taef1GraphFiles> {
  const open = async (name: string) => openSafetensorsFile(await folder.open(joinPath(taef1Dir, name)));
  const encoder = await buildGraph(await open('taef1_encoder.safetensors'), sink, TAEF1_ENCODER_FILE, (b, src) =>
    buildEncoder(b, src),
  );
  return { encoder, decoder: await buildTaef1Decoder(folder, taef1Dir, sink) };
}

/** Builds the decoder graph only (what a bundle ships: the engine previews latents, it never encodes). */
export async function buildTaef1Decoder(folder: InputFolder, taef1Dir: string, sink: BundleSink): Promise<SavedModel> {
  const src = await openSafetensorsFile(await folder.open(joinPath(taef1Dir, 'taef1_decoder.safetensors')));
  return buildGraph(src, sink, TAEF1_DECODER_FILE, (b, r) => buildDecoder(b, r));
}

async function buildGraph(
  src: TensorSource,
  sink: BundleSink,
  fileName: string,
  build: (b: GraphBuilder, src: WeightReader) => Promise<void>,
): Promise<SavedModel> {
  const writer = new ShardWriter(sink, { dataFileName: `${fileName}.data` });
  try {
    const b = new GraphBuilder({ sink: writer });
    const reader = new WeightReader(src);
    await build(b, reader);
    reader.assertAllUsed();
    return saveModel(b, sink, {
      fileName,
      shardWriter: writer,
      metadata: { source: 'TAEF1 (madebyollin/taesd, MIT)' },
    });
  } finally {
    writer.close();
    await src.close();
  }
}

async function buildEncoder(b: GraphBuilder, src: WeightReader): Promise<void> {
  const image = b.addInput('image', 'float', [1, 3, 'H', 'W']);
  const pixels = addAffine(b, image, 0.5, 0.5); // [-1, 1] → TAEF1's [0, 1]
  const { value, channels } = await addLayers(b, src, ENCODER_LAYERS, pixels, 3);
  assertChannels('encoder output', channels, TAEF1_LATENT_CHANNELS);
  b.addOutput(value, 'latent', 'float', [1, TAEF1_LATENT_CHANNELS, 'h', 'w']);
}

async function buildDecoder(b: GraphBuilder, src: WeightReader): Promise<void> {
  const latent = b.addInput('latent', 'float', [1, TAEF1_LATENT_CHANNELS, 'h', 'w']);
  const { value, channels } = await addLayers(b, src, DECODER_LAYERS, latent, TAEF1_LATENT_CHANNELS);
  assertChannels('decoder output', channels, 3);
  b.addOutput(addAffine(b, value, 2, -1), 'image', 'float', [1, 3, 'H', 'W']); // [0, 1] → [-1, 1], not clamped
}

async function addLayers(
  b: GraphBuilder,
  src: WeightReader,
  layers: readonly Layer[],
  input: string,
  inChannels: number,
): Promise<{ value: string; channels: number }> {
  let x = input;
  let channels = inChannels;
  for (const [index, layer] of layers.entries()) {
    switch (layer.kind) {
      case 'conv':
        ({ value: x, channels } = await addCheckpointConv(b, src, `${index}`, x, channels, layer.stride));
        break;
      case 'block':
        ({ value: x, channels } = await addBlock(b, src, `${index}`, x, channels));
        break;
      case 'relu':
        x = addRelu(b, x);
        break;
      case 'clamp':
        x = addSoftClamp(b, x, 3); // 3·tanh(x/3)
        break;
      case 'upsample':
        x = addUpsampleNearest(b, x, 2);
        break;
      default:
        assertNever(layer);
    }
  }
  return { value: x, channels };
}

/** taesd.py Block: relu(conv(relu(conv(relu(conv(x))))) + skip(x)), skip = 1×1 conv when channels change. */
async function addBlock(
  b: GraphBuilder,
  src: WeightReader,
  key: string,
  x: string,
  channels: number,
): Promise<{ value: string; channels: number }> {
  let h = x;
  let c = channels;
  for (const [i, sub] of ['0', '2', '4'].entries()) {
    ({ value: h, channels: c } = await addCheckpointConv(b, src, `${key}.conv.${sub}`, h, c, 1));
    if (i < 2) h = addRelu(b, h);
  }
  const skip = src.has(`${key}.skip.weight`)
    ? (await addCheckpointConv(b, src, `${key}.skip`, x, channels, 1)).value
    : (assertChannels(`${key} identity skip`, channels, c), x);
  return { value: addRelu(b, b.addOp('Add', [h, skip])), channels: c };
}

async function addCheckpointConv(
  b: GraphBuilder,
  src: WeightReader,
  key: string,
  x: string,
  channels: number,
  stride: 1 | 2,
): Promise<{ value: string; channels: number }> {
  const { data: weight, shape } = await src.read(`${key}.weight`);
  if (!hasLength(shape, 4) || shape[2] !== shape[3] || shape[2] % 2 !== 1) {
    throw new Error(`${src.path}: ${key}.weight has shape [${shape}], expected [out, in, k, k] with odd k`);
  }
  const [outCh, inCh, k] = shape;
  assertChannels(`${src.path}: ${key}.weight input`, inCh, channels);
  const bias = src.has(`${key}.bias`) ? (await src.read(`${key}.bias`)).data : undefined;
  const value = addConv2d(b, x, { weight, weightDims: [outCh, inCh, k, k], bias, stride, name: key });
  return { value, channels: outCh };
}

/** Reads checkpoint tensors as float32 and remembers which ones the graph used. */
class WeightReader {
  private readonly used = new Set<string>();

  constructor(private readonly src: TensorSource) {}

  get path(): string {
    return this.src.path;
  }

  has(name: string): boolean {
    return this.src.hasTensor(name);
  }

  async read(name: string): Promise<{ data: Float32Array; shape: number[] }> {
    const info = this.src.getTensorInfo(name);
    this.used.add(name);
    return { data: await this.src.readFloat32(name), shape: info.shape };
  }

  assertAllUsed(): void {
    const unused = this.src.listTensors().filter((t) => !this.used.has(t.name));
    if (unused.length > 0) {
      throw new Error(`${this.src.path}: tensors not in the TAEF1 layout: ${unused.map((t) => t.name).join(', ')}`);
    }
  }
}

function assertChannels(what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`TAEF1 ${what}: ${actual} channels, expected ${expected}`);
}

function assertNever(x: never): never {
  throw new Error(`unhandled layer ${JSON.stringify(x)}`);
}
