/**
 * @file Checkpoint and config plumbing shared by the T5, CLIP and autoencoder converters:
 * shape checks against a converter's tensor plan, a reader that counts what each graph consumes,
 * typed reads of HF config.json fields, and writing a streamed graph into a bundle sink.
 */
import type { BundleSink } from '../io/bundleSink';
import { GraphBuilder } from '../onnx/GraphBuilder';
import { saveModel } from '../onnx/save';
import { ShardWriter } from '../onnx/shardWriter';
import type { RowReader } from '../onnx/linear';
import { makeRowReader, type TensorSource } from '../safetensors';
import type { ConvertedGraph, ConvertOptions } from './types';

/** Tensor name → shape: the checkpoint a converter expects (real HF/BFL names). */
export type TensorShapes = Map<string, number[]>;

/** Sum of elements over a shape plan. */
export function countParameters(shapes: TensorShapes): number {
  let n = 0;
  for (const shape of shapes.values()) n += shape.reduce((a, d) => a * d, 1);
  return n;
}

/**
 * Checks a checkpoint against a tensor plan before anything is written.
 * @param ignored - tensors a checkpoint may carry that the graph does not use (tied copies, buffers).
 * @throws Error naming the file and tensor: missing, misshapen, or not part of the architecture.
 */
export function checkTensorShapes(
  src: TensorSource,
  expected: TensorShapes,
  what: string,
  ignored: ReadonlySet<string> = new Set(),
): void {
  for (const [name, shape] of expected) {
    if (!src.hasTensor(name)) throw new Error(`${src.path}: ${what} tensor '${name}' is missing`);
    const info = src.getTensorInfo(name);
    if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) {
      throw new Error(
        `${info.file}: ${what} tensor '${name}' has shape [${info.shape.join(', ')}], expected [${shape.join(', ')}]`,
      );
    }
  }
  const extra = src.listTensors().filter((t) => !expected.has(t.name) && !ignored.has(t.name));
  if (extra.length > 0) {
    const names = extra
      .slice(0, 5)
      .map((t) => `'${t.name}'`)
      .join(', ');
    throw new Error(
      `${src.path}: ${extra.length} tensor(s) not in the ${what} architecture: ${names}${extra.length > 5 ? ', …' : ''}`,
    );
  }
}

/** `read`, calling `onLastRow` once the rows read add up to `rows` (a streamed tensor's progress report). */
export function trackRows(read: RowReader, rows: number, onLastRow: () => void): RowReader {
  let done = 0;
  return async (start, count) => {
    const slab = await read(start, count);
    done += count;
    if (done === rows) onLastRow();
    return slab;
  };
}

/** Reads source tensors as float32, counting the elements each graph holds and reporting progress. */
export class WeightReader {
  /** Elements placed in the graph being built (reset per graph). */
  parameters = 0;

  constructor(
    readonly src: TensorSource,
    private readonly onTensor?: ConvertOptions['onTensor'],
  ) {}

  /** Reads one tensor whose shape checkTensorShapes() already validated. */
  async read(name: string): Promise<Float32Array> {
    const data = await this.src.readFloat32(name);
    this.parameters += data.length;
    this.onTensor?.(name, this.src.getTensorInfo(name).byteLength);
    return data;
  }

  /** Reads the first `rows` rows of a tensor (e.g. the mean half of the AE's conv_out); counts only those. */
  async readRows(name: string, rows: number): Promise<Float32Array> {
    const info = this.src.getTensorInfo(name);
    const rowSize = info.shape.slice(1).reduce((a, d) => a * d, 1);
    const data = (await this.src.readFloat32(name)).slice(0, rows * rowSize);
    this.parameters += data.length;
    this.onTensor?.(name, info.byteLength);
    return data;
  }

  /** One tensor read a slab of rows at a time (makeRowReader); progress is reported with its last row. */
  openRows(name: string): RowReader {
    const info = this.src.getTensorInfo(name);
    this.parameters += info.shape.reduce((a, d) => a * d, 1);
    return trackRows(makeRowReader(this.src, name), info.shape[0] ?? 1, () => this.onTensor?.(name, info.byteLength));
  }

  /** Returns the count so far and starts a new graph's count. */
  takeParameters(): number {
    const n = this.parameters;
    this.parameters = 0;
    return n;
  }
}

/**
 * Reads a numeric field of a parsed HF config.json.
 * @throws Error naming the config and field when it is missing or not a (positive integer) number.
 */
export function readConfigNumber(config: unknown, key: string, what: string, { int = true, min = 1 } = {}): number {
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new Error(`${what}: config.json must be a JSON object`);
  const value = (config as Record<string, unknown>)[key];
  if (value === undefined) throw new Error(`${what}: config.json has no '${key}' field`);
  if (typeof value !== 'number' || !Number.isFinite(value) || (int && !Number.isInteger(value)) || value < min) {
    throw new Error(
      `${what}: config.json field '${key}' must be ${int ? 'an integer' : 'a number'} ≥ ${min}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Reads an optional string field of a parsed HF config.json. */
export function readConfigString(config: unknown, key: string): string | undefined {
  const value = (config as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

/** A builder that streams weights into `<fileName>.data` shards, and how to finish it. */
export interface GraphTarget {
  b: GraphBuilder;
  /** Writes the .onnx, closes the shards and reports the files. */
  finish(parameters: number, metadata: Record<string, string>): Promise<ConvertedGraph>;
  /** Closes the shard files after a failure. */
  abort(): void;
}

/** Starts a streamed graph `fileName` (e.g. `t5.onnx`) in `sink`. */
export function startGraph(
  sink: BundleSink,
  fileName: string,
  options: Pick<ConvertOptions, 'maxShardBytes' | 'activations'>,
): GraphTarget {
  const writer = new ShardWriter(sink, { dataFileName: `${fileName}.data`, maxShardBytes: options.maxShardBytes });
  const b = new GraphBuilder({ sink: writer, activations: options.activations });
  return {
    b,
    async finish(parameters, metadata) {
      const saved = saveModel(b, sink, {
        fileName,
        shardWriter: writer,
        maxShardBytes: options.maxShardBytes,
        metadata,
      });
      return describeGraph(sink, saved.modelFile, saved.dataFiles, parameters);
    },
    abort: () => writer.close(),
  };
}

/** A written graph as the converters report it (bytes: graph + data files). */
export async function describeGraph(
  sink: BundleSink,
  graph: string,
  data: string[],
  parameters: number,
): Promise<ConvertedGraph> {
  await sink.drain();
  let bytes = 0;
  for (const f of [graph, ...data]) bytes += (await sink.describe(f)).bytes;
  return { graph, data, parameters, bytes };
}
