/**
 * @file Turns a GraphBuilder into ONNX bytes plus external-data shards (pure, in memory).
 * For disk output, and for builders that streamed their weights to a ShardWriter, see ./save.ts.
 */
import { DEFAULT_ALIGN_BYTES, DEFAULT_MAX_SHARD_BYTES, MemoryShardSink, type ExternalShard } from './externalData';
import type { GraphBuilder } from './GraphBuilder';
import { encodeModel } from './proto';

/** ONNX IR version that goes with opset 21 (ONNX 1.16). */
const IR_VERSION = 10;

/** Options for serializeModel(). */
export interface SerializeOptions {
  graphName: string;
  /** First shard's name; defaults to `<graphName>.onnx.data`, as the graph contract names it. */
  dataFileName?: string;
  maxShardBytes?: number;
  /** Inline initializers at or above this size move to external data (default: the builder's threshold). */
  externalThresholdBytes?: number;
  alignBytes?: number;
  producerName?: string;
  producerVersion?: string;
  metadata?: Readonly<Record<string, string>>;
}

/** A serialized model: the .onnx bytes and the external-data files it references. */
export interface SerializedModel {
  model: Uint8Array;
  shards: ExternalShard[];
}

/**
 * Serializes `builder`, moving every inline initializer ≥ the threshold into in-memory shards.
 * Initializers a streaming builder already sent to its sink keep their references and are not
 * among the returned shards.
 */
export function serializeModel(builder: GraphBuilder, options: SerializeOptions): SerializedModel {
  const threshold = options.externalThresholdBytes ?? builder.externalThresholdBytes;
  const sink = new MemoryShardSink({
    dataFileName: options.dataFileName ?? `${options.graphName}.onnx.data`,
    maxShardBytes: options.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES,
    alignBytes: options.alignBytes ?? DEFAULT_ALIGN_BYTES,
  });
  const graph = builder.toGraphSpec(options.graphName, (t) =>
    t.raw && t.raw.length >= threshold
      ? { name: t.name, elemType: t.elemType, dims: t.dims, external: sink.append(t.raw) }
      : t,
  );
  const model = encodeModel({
    irVersion: IR_VERSION,
    opsetImports: builder.getOpsetImports(),
    producerName: options.producerName ?? 'kontext-studio/tools/convert',
    producerVersion: options.producerVersion ?? '0.1.0',
    graph,
    metadata: options.metadata,
  });
  return { model, shards: sink.getShards() };
}
