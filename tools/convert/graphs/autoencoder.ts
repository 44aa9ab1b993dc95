/**
 * @file FLUX autoencoder (BFL `ae.safetensors`) → `ae_encoder.onnx` / `ae_decoder.onnx` with symbolic
 * H, W (docs/graph-contract.md). The encoder returns the transformer-space latent scale·(mean − shift)
 * (only the mean half of conv_out is kept); the decoder takes that latent and undoes the scaling first.
 * GroupNorm is decomposed (no GroupNormalization op on the WebGPU EP); the mid attention is single-head
 * over h·w tokens with plain MatMul/Softmax, in query chunks so no [hw, hw] matrix exists (chunkedAttention.ts). Convs stay float: fp32, or fp16 storage when the bundle's
 * weights are fp16 (int4 is for Linear layers; the AE has none).
 */
import type { AeConfig } from '../../../workers/bundle/manifest';
import type { BundleSink } from '../io/bundleSink';
import type { TensorSource } from '../safetensors';
import { getAeTensorShapes, getSpatialFactor, readAeArchitecture, type AeArchitecture } from './autoencoderConfig';
import { AeGraph } from './autoencoderGraph';
import { convertDecoderStages } from './autoencoderStages';
import { AE_ATTENTION_CHUNKS } from './chunkedAttention';
import { checkTensorShapes, startGraph, WeightReader } from './commonIo';
import type { ConvertedGraph, ConvertOptions } from './types';

export { FLUX_AE, getAeTensorShapes, readAeArchitecture, type AeArchitecture } from './autoencoderConfig';

/** File names of the graphs in a bundle. */
export const AE_ENCODER_FILE = 'ae_encoder.onnx';
export const AE_DECODER_FILE = 'ae_decoder.onnx';

/** What convertAutoencoder() returns. */
export interface ConvertedAutoencoder {
  encoder: ConvertedGraph;
  decoder: ConvertedGraph;
  /** The staged decoder (autoencoderStages.ts): each stage's manifest fields and its graph; empty when left out. */
  decoderStages: Awaited<ReturnType<typeof convertDecoderStages>>;
  config: AeConfig;
  /** The architecture used (from metadata or inferred), for the manifest writer and logs. */
  architecture: AeArchitecture;
}

/**
 * Source bytes the AE conversion reads, as its progress counts them: every tensor once, and the decoder's
 * again for the staged decoder, which builds its graphs from the same tensors.
 */
export function countAeSourceBytes(source: TensorSource, stages = true): number {
  return source.listTensors().reduce((n, t) => n + t.byteLength * (stages && t.name.startsWith('decoder.') ? 2 : 1), 0);
}

/**
 * Converts `ae.safetensors` to the encoder and decoder graphs (+ `.onnx.data`) in `sink`, and the staged decoder
 * unless `stages` is false (a bundle whose pictures never tile has no use for it).
 * @throws Error naming the file and tensor for missing/misshapen/unexpected tensors or a bad config.
 */
export async function convertAutoencoder(
  source: TensorSource,
  sink: BundleSink,
  options: ConvertOptions,
  stages = true,
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
    const target = startGraph(sink, fileName, options);
    try {
      await body(new AeGraph(target.b, reader, a, options));
      return await target.finish(reader.takeParameters(), {
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
    decoderStages: stages ? await convertDecoderStages(source, a, sink, options) : [],
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
