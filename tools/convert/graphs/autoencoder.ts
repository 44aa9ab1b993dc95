/**
 * @file FLUX autoencoder (BFL `ae.safetensors`) → `ae_encoder.onnx` / `ae_decoder.onnx` with symbolic
 * H, W (docs/graph-contract.md). The encoder returns the transformer-space latent scale·(mean − shift)
 * (only the mean half of conv_out is kept); the decoder takes that latent and undoes the scaling first.
 * GroupNorm is decomposed (no GroupNormalization op on the WebGPU EP); the mid attention is single-head
 * over h·w tokens with plain MatMul/Softmax, in query chunks so no [hw, hw] matrix exists (chunkedAttention.ts). Convs stay float: fp32, or fp16 storage when the bundle's
 * weights are fp16 (int4 is for Linear layers; the AE has none).
 */
import type { AeConfig } from '../../../workers/bundle/manifest';
import type { GraphBuilder } from '../onnx/GraphBuilder';
import { addAffine, addUpsampleNearest } from '../onnx/layers';
import type { TensorSource } from '../safetensors';
import { hasLength } from '../tuple';
import { addFloatWeight, addGroupNorm, addInt64s, addSwish } from './common';
import { getAeTensorShapes, getSpatialFactor, readAeArchitecture, type AeArchitecture } from './autoencoderConfig';
import { AE_ATTENTION_CHUNKS, addChunkedAttention } from './chunkedAttention';
import { checkTensorShapes, startGraph, WeightReader } from './commonIo';
import type { ConvertedGraph, ConvertOptions } from './types';

export { FLUX_AE, getAeTensorShapes, readAeArchitecture, type AeArchitecture } from './autoencoderConfig';

/** File names of the graphs in a bundle. */
export const AE_ENCODER_FILE = 'ae_encoder.onnx';
export const AE_DECODER_FILE = 'ae_decoder.onnx';

/** BFL's GroupNorm epsilon. */
const GROUP_NORM_EPS = 1e-6;

/** What convertAutoencoder() returns. */
export interface ConvertedAutoencoder {
  encoder: ConvertedGraph;
  decoder: ConvertedGraph;
  config: AeConfig;
  /** The architecture used (from metadata or inferred), for the manifest writer and logs. */
  architecture: AeArchitecture;
}

/**
 * Converts `ae.safetensors` to the encoder and decoder graphs (+ `.onnx.data`) in `outDir`.
 * @throws Error naming the file and tensor for missing/misshapen/unexpected tensors or a bad config.
 */
export async function convertAutoencoder(
  source: TensorSource,
  outDir: string,
  options: ConvertOptions,
): Promise<ConvertedAutoencoder> {
  const a = readAeArchitecture(source);
  checkTensorShapes(source, getAeTensorShapes(a), 'autoencoder');
  const widths = [a.ch, ...a.chMult.map((m) => a.ch * m)];
  const odd = widths.find((c) => c % a.numGroups !== 0);
  if (odd !== undefined)
    throw new Error(`${source.path}: ${odd} channels are not divisible by ${a.numGroups} GroupNorm groups`);
  const reader = new WeightReader(source, options.onTensor);
  const build = async (
    fileName: string,
    body: (ae: AeGraph) => Promise<void>,
    label: string,
  ): Promise<ConvertedGraph> => {
    const target = startGraph(outDir, fileName, options);
    try {
      await body(new AeGraph(target.b, reader, a, options));
      return target.finish(reader.takeParameters(), {
        source: `FLUX autoencoder ${label} (BFL ae.safetensors)`,
        ae_config: JSON.stringify(a),
      });
    } catch (e) {
      target.abort();
      throw e;
    }
  };
  const encoder = await build(AE_ENCODER_FILE, (ae) => ae.buildEncoder(), 'encoder');
  const decoder = await build(AE_DECODER_FILE, (ae) => ae.buildDecoder(), 'decoder');
  return {
    encoder,
    decoder,
    config: {
      zChannels: a.zChannels,
      spatialFactor: getSpatialFactor(a),
      scaleFactor: a.scaleFactor,
      shiftFactor: a.shiftFactor,
      channels: widths,
      attentionChunks: AE_ATTENTION_CHUNKS,
    },
    architecture: a,
  };
}

/** Builds one AE graph; every block reads its weights by BFL name as it is added. */
class AeGraph {
  constructor(
    private readonly b: GraphBuilder,
    private readonly r: WeightReader,
    private readonly a: AeArchitecture,
    private readonly options: ConvertOptions,
  ) {}

  async buildEncoder(): Promise<void> {
    const { b, a } = this;
    const image = b.addInput('image', 'float', [1, a.inChannels, 'H', 'W']);
    let h = await this.conv('encoder.conv_in', image);
    for (let i = 0; i < a.chMult.length; i++) {
      for (let j = 0; j < a.numResBlocks; j++) h = await this.resnet(`encoder.down.${i}.block.${j}`, h);
      // Downsample: pad one zero row/column on the bottom/right only (Conv's asymmetric pads), then stride 2.
      if (i !== a.chMult.length - 1)
        h = await this.conv(`encoder.down.${i}.downsample.conv`, h, { stride: 2, pads: [0, 0, 1, 1] });
    }
    h = await this.mid('encoder.mid', h);
    h = addSwish(b, await this.norm('encoder.norm_out', h));
    const mean = await this.conv('encoder.conv_out', h, { outRows: a.zChannels }); // logvar half dropped
    const latent = b.inFloat32(() => addAffine(b, mean, a.scaleFactor, -a.scaleFactor * a.shiftFactor));
    b.addOutput(latent, 'latent', 'float', [1, a.zChannels, 'h', 'w']);
  }

  async buildDecoder(): Promise<void> {
    const { b, a } = this;
    const latent = b.addInput('latent', 'float', [1, a.zChannels, 'h', 'w']);
    const z = b.inFloat32(() => addAffine(b, latent, 1 / a.scaleFactor, a.shiftFactor));
    let h = await this.mid('decoder.mid', await this.conv('decoder.conv_in', z));
    for (let i = a.chMult.length - 1; i >= 0; i--) {
      for (let j = 0; j <= a.numResBlocks; j++) h = await this.resnet(`decoder.up.${i}.block.${j}`, h);
      if (i !== 0) h = await this.conv(`decoder.up.${i}.upsample.conv`, addUpsampleNearest(b, h, 2));
    }
    h = addSwish(b, await this.norm('decoder.norm_out', h));
    b.addOutput(await this.conv('decoder.conv_out', h), 'image', 'float', [1, a.outChannels, 'H', 'W']);
  }

  private async mid(name: string, x: string): Promise<string> {
    const h = await this.resnet(`${name}.block_1`, x);
    // The mid-block attention (one block, at the lowest resolution) stays fp32 in mixed graphs, weights included.
    return this.resnet(`${name}.block_2`, await this.b.inFloat32(() => this.attention(`${name}.attn_1`, h)));
  }

  /** ResnetBlock: conv2(swish(norm2(conv1(swish(norm1(x)))))) + skip, skip a 1×1 conv when widths differ. */
  private async resnet(name: string, x: string): Promise<string> {
    const { b } = this;
    let h = await this.conv(`${name}.conv1`, addSwish(b, await this.norm(`${name}.norm1`, x)));
    h = await this.conv(`${name}.conv2`, addSwish(b, await this.norm(`${name}.norm2`, h)));
    const skip = this.r.src.hasTensor(`${name}.nin_shortcut.weight`) ? await this.conv(`${name}.nin_shortcut`, x) : x;
    return b.inFloat32(() => b.addOp('Add', [skip, h])); // the residual stream is fp32 in mixed graphs
  }

  /** AttnBlock: x + proj_out(softmax(q·kᵀ/√C)·v) over the h·w positions, one head of C channels, chunked. */
  private async attention(name: string, x: string): Promise<string> {
    const { b } = this;
    const h = await this.norm(`${name}.norm`, x);
    const flat = addInt64s(b, [0, 0, -1], 'tokens_shape');
    const tokens = async (m: string): Promise<string> => b.addOp('Reshape', [await this.conv(`${name}.${m}`, h), flat]); // [1, C, hw]
    const q = b.addOp('Transpose', [await tokens('q')], { perm: [0, 2, 1] }); // [1, hw, C]
    const k = await tokens('k'); // [1, C, hw]
    const v = b.addOp('Transpose', [await tokens('v')], { perm: [0, 2, 1] }); // [1, hw, C]
    const channels = this.r.src.getTensorInfo(`${name}.q.weight`).shape[0]!;
    const attended = addChunkedAttention(b, q, k, v, { scale: channels ** -0.5, chunks: AE_ATTENTION_CHUNKS }); // [1, hw, C]
    const image = b.addOp('Reshape', [b.addOp('Transpose', [attended], { perm: [0, 2, 1] }), b.addOp('Shape', [h])]);
    return b.addOp('Add', [x, await this.conv(`${name}.proj_out`, image)]);
  }

  private async norm(name: string, x: string): Promise<string> {
    const weight = await this.r.read(`${name}.weight`);
    return addGroupNorm(this.b, x, {
      groups: this.a.numGroups,
      weight,
      bias: await this.r.read(`${name}.bias`),
      epsilon: GROUP_NORM_EPS,
      name,
    });
  }

  /**
   * Adds a Conv with the checkpoint's weight and bias: same-size padding unless `pads` [top, left,
   * bottom, right] is given; `outRows` keeps only the first output channels.
   */
  private async conv(
    name: string,
    x: string,
    o: { stride?: number; pads?: number[]; outRows?: number } = {},
  ): Promise<string> {
    const { shape } = this.r.src.getTensorInfo(`${name}.weight`);
    if (!hasLength(shape, 4))
      throw new Error(`${this.r.src.path}: '${name}.weight' has shape [${shape.join(', ')}], expected a conv weight`);
    const [out, inp, kh, kw] = shape;
    const rows = o.outRows ?? out;
    const weight =
      o.outRows === undefined ? await this.r.read(`${name}.weight`) : await this.r.readRows(`${name}.weight`, rows);
    const bias =
      o.outRows === undefined ? await this.r.read(`${name}.bias`) : await this.r.readRows(`${name}.bias`, rows);
    const w = addFloatWeight(this.b, `${name}.weight`, weight, [rows, inp, kh, kw], this.options.weights);
    const pH = (kh - 1) / 2;
    const pW = (kw - 1) / 2;
    return this.b.addOp('Conv', [x, w, this.b.addInitializer(`${name}.bias`, bias, [rows])], {
      kernel_shape: [kh, kw],
      strides: [o.stride ?? 1, o.stride ?? 1],
      pads: o.pads ?? [pH, pW, pH, pW],
    });
  }
}
