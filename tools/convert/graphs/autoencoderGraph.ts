/**
 * @file The FLUX autoencoder's building blocks on a GraphBuilder (BFL names): convs, GroupNorm, ResNet blocks, the
 * chunked mid-block attention, and the whole encoder and decoder. autoencoder.ts builds the two whole graphs with it,
 * autoencoderStages.ts the staged decoder's graphs.
 */
import type { GraphBuilder } from '../onnx/GraphBuilder';
import { addAffine, addUpsampleNearest } from '../onnx/layers';
import { hasLength } from '../tuple';
import { addFloatWeight, addGroupNorm, addInt64s, addSwish } from './common';
import type { AeArchitecture } from './autoencoderConfig';
import { AE_ATTENTION_CHUNKS, addChunkedAttention } from './chunkedAttention';
import type { WeightReader } from './commonIo';
import type { ConvertOptions } from './types';

/** BFL's GroupNorm epsilon. */
export const GROUP_NORM_EPS = 1e-6;

/** Builds one AE graph; every block reads its weights by BFL name as it is added. */
export class AeGraph {
  constructor(
    readonly b: GraphBuilder,
    readonly r: WeightReader,
    readonly a: AeArchitecture,
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

  async mid(name: string, x: string): Promise<string> {
    const h = await this.resnet(`${name}.block_1`, x);
    // The mid-block attention (one block, at the lowest resolution) stays fp32 in mixed graphs, weights included.
    return this.resnet(`${name}.block_2`, await this.b.inFloat32(() => this.attention(`${name}.attn_1`, h)));
  }

  /** ResnetBlock: conv2(swish(norm2(conv1(swish(norm1(x)))))) + skip, skip a 1×1 conv when widths differ. */
  async resnet(name: string, x: string): Promise<string> {
    const h = await this.resnetFirstHalf(name, await this.norm(`${name}.norm1`, x));
    return this.resnetSecondHalf(name, await this.norm(`${name}.norm2`, h), x);
  }

  /** conv1(swish(normed)): a ResnetBlock up to its second GroupNorm, from norm1's output. */
  async resnetFirstHalf(name: string, normed: string): Promise<string> {
    return this.conv(`${name}.conv1`, addSwish(this.b, normed));
  }

  /** skip(x) + conv2(swish(normed)): the rest of a ResnetBlock, from norm2's output and the block's input x. */
  async resnetSecondHalf(name: string, normed: string, x: string): Promise<string> {
    const { b } = this;
    const h = await this.conv(`${name}.conv2`, addSwish(b, normed));
    const skip = this.r.src.hasTensor(`${name}.nin_shortcut.weight`) ? await this.conv(`${name}.nin_shortcut`, x) : x;
    return b.inFloat32(() => b.addOp('Add', [skip, h])); // the residual stream is fp32 in mixed graphs
  }

  /** AttnBlock: x + proj_out(softmax(q·kᵀ/√C)·v) over the h·w positions, one head of C channels, chunked. */
  async attention(name: string, x: string): Promise<string> {
    return this.attentionAfterNorm(name, x, await this.norm(`${name}.norm`, x));
  }

  /** The AttnBlock from its GroupNorm's output `normed` and its input `x` (the residual). */
  async attentionAfterNorm(name: string, x: string, normed: string): Promise<string> {
    const { b } = this;
    const flat = addInt64s(b, [0, 0, -1], 'tokens_shape');
    const tokens = async (m: string): Promise<string> =>
      b.addOp('Reshape', [await this.conv(`${name}.${m}`, normed), flat]); // [1, C, hw]
    const q = b.addOp('Transpose', [await tokens('q')], { perm: [0, 2, 1] }); // [1, hw, C]
    const k = await tokens('k'); // [1, C, hw]
    const v = b.addOp('Transpose', [await tokens('v')], { perm: [0, 2, 1] }); // [1, hw, C]
    const channels = this.r.src.getTensorInfo(`${name}.q.weight`).shape[0]!;
    const attended = addChunkedAttention(b, q, k, v, { scale: channels ** -0.5, chunks: AE_ATTENTION_CHUNKS }); // [1, hw, C]
    const image = b.addOp('Reshape', [
      b.addOp('Transpose', [attended], { perm: [0, 2, 1] }),
      b.addOp('Shape', [normed]),
    ]);
    return b.addOp('Add', [x, await this.conv(`${name}.proj_out`, image)]);
  }

  /** GroupNorm with the statistics of `x` itself (the whole picture in a whole graph). */
  async norm(name: string, x: string): Promise<string> {
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
   * GroupNorm with given per-channel statistics ([1, C, 1, 1] `mean` and `rstd`, each group's value repeated over
   * its channels): the staged decoder's norm, whose statistics come from the whole picture, not from the tile.
   */
  async normWithStats(name: string, x: string, mean: string, rstd: string): Promise<string> {
    const { b } = this;
    const weight = await this.r.read(`${name}.weight`);
    const bias = await this.r.read(`${name}.bias`);
    return b.inFloat32(() => {
      const normed = b.addOp('Mul', [b.addOp('Sub', [x, mean]), rstd]);
      const gamma = b.addInitializer(`${name}.weight`, weight, [weight.length, 1, 1]);
      return b.addOp('Add', [
        b.addOp('Mul', [normed, gamma]),
        b.addInitializer(`${name}.bias`, bias, [bias.length, 1, 1]),
      ]);
    });
  }

  /**
   * Adds a Conv with the checkpoint's weight and bias: same-size padding unless `pads` [top, left,
   * bottom, right] is given; `outRows` keeps only the first output channels.
   */
  async conv(name: string, x: string, o: { stride?: number; pads?: number[]; outRows?: number } = {}): Promise<string> {
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
