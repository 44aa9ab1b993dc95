/**
 * @file What every component converter takes and returns, so the CLI can drive the DiT, text encoders and
 * autoencoder the same way. Converters stream: they read one tensor at a time from a TensorSource and
 * append weights to external-data shards on disk as they go.
 */

import type { AccuracyLevel } from '../../../workers/bundle/manifest';

export type { AccuracyLevel } from '../../../workers/bundle/manifest';
import type { Activations } from '../onnx/mixedPrecision';

/** How the weights of Linear layers are stored; activations stay fp32 at graph boundaries. */
export type WeightFormat = 'fp32' | 'fp16' | 'int4';

export interface ConvertOptions {
  weights: WeightFormat;
  /** MatMulNBits block size for int4 weights. */
  blockSize: 32 | 64;
  /** MatMulNBits accuracy_level for int4 weights; undefined leaves the attribute out (onnxruntime's default, 0). */
  accuracyLevel?: AccuracyLevel;
  /** Activations inside the graph (fp32 at its boundary in every case); fp32 when omitted. */
  activations?: Activations;
  /** Largest external-data shard, bytes (512 MB by default). */
  maxShardBytes: number;
  /** Called after each source tensor is consumed (for the progress bar). */
  onTensor?: (name: string, sourceBytes: number) => void;
}

/** One ONNX graph a converter wrote (paths relative to the output folder). */
export interface ConvertedGraph {
  graph: string;
  data: string[];
  /** Parameters the graph holds (source tensor elements). */
  parameters: number;
  /** Bytes on disk: graph + data files. */
  bytes: number;
}

/** A converted component: its graphs (several for a segmented DiT) and what the manifest needs to know. */
export interface ConvertedComponent<Config> {
  config: Config;
  graphs: ConvertedGraph[];
}
