/**
 * @file Writes a GraphBuilder into a BundleSink as `<name>.onnx` plus its external-data shards.
 */
import { writeWholeFile, type BundleSink } from '../io/bundleSink';
import type { GraphBuilder } from './GraphBuilder';
import { serializeModel, type SerializeOptions } from './serialize';
import type { ShardWriter } from './shardWriter';

/** Options for saveModel(). */
export interface SaveOptions extends Omit<SerializeOptions, 'graphName'> {
  /** Model file name, e.g. `preview_decoder.onnx`; the graph name defaults to it without `.onnx`. */
  fileName: string;
  graphName?: string;
  /** The writer a streaming builder appended to; it is closed and its files are reported. */
  shardWriter?: ShardWriter;
}

/** Files written by saveModel(), relative to the bundle root. */
export interface SavedModel {
  modelFile: string;
  dataFiles: string[];
}

/**
 * Serializes `builder` and writes the model and all external data into `sink`.
 * @throws Error when in-memory shards would collide with the streaming writer's files.
 */
export function saveModel(builder: GraphBuilder, sink: BundleSink, options: SaveOptions): SavedModel {
  const graphName = options.graphName ?? options.fileName.replace(/\.onnx$/, '');
  options.shardWriter?.close();
  const streamed = options.shardWriter?.getFileNames() ?? [];
  const { model, shards } = serializeModel(builder, {
    ...options,
    graphName,
    dataFileName: options.dataFileName ?? `${options.fileName}.data`,
  });
  const clash = shards.find((s) => streamed.includes(s.fileName));
  if (clash)
    throw new Error(`${clash.fileName} would be written twice; give the in-memory shards another dataFileName`);
  writeWholeFile(sink, options.fileName, model);
  for (const shard of shards) writeWholeFile(sink, shard.fileName, shard.bytes);
  return { modelFile: options.fileName, dataFiles: [...streamed, ...shards.map((s) => s.fileName)] };
}
