/**
 * @file Reads DiT tensors one at a time as the graph needs them, against a checked shape plan,
 * reporting progress and counting the parameters each segment graph holds.
 */
import type { RowReader } from '../onnx/linear';
import { makeRowReader, type TensorSource } from '../safetensors';
import { trackRows } from './commonIo';

/** Streams checkpoint tensors into the graph being built. */
export class DitWeightReader {
  private readonly used = new Set<string>();
  /** Source tensor elements read since the last resetCount(). */
  parameters = 0;

  constructor(
    private readonly src: TensorSource,
    private readonly shapes: ReadonlyMap<string, readonly number[]>,
    private readonly onTensor?: (name: string, sourceBytes: number) => void,
  ) {}

  /** Shape of a planned tensor. */
  getShape(name: string): readonly number[] {
    const shape = this.shapes.get(name);
    if (!shape) throw new Error(`DiT converter bug: '${name}' is not in the shape plan`);
    return shape;
  }

  /** One tensor as float32; each tensor may be read once. */
  async read(name: string): Promise<Float32Array> {
    this.getShape(name);
    if (this.used.has(name)) throw new Error(`DiT converter bug: '${name}' read twice`);
    this.used.add(name);
    const data = await this.src.readFloat32(name);
    this.parameters += data.length;
    this.onTensor?.(name, this.src.getTensorInfo(name).byteLength);
    return data;
  }

  /**
   * One tensor read a slab of rows at a time (makeRowReader), for weights that stream; each tensor may be read
   * once, and its progress is reported with its last row.
   */
  openRows(name: string): RowReader {
    const shape = this.getShape(name);
    if (this.used.has(name)) throw new Error(`DiT converter bug: '${name}' read twice`);
    this.used.add(name);
    this.parameters += shape.reduce((a, d) => a * d, 1);
    return trackRows(makeRowReader(this.src, name), shape[0] ?? 1, () =>
      this.onTensor?.(name, this.src.getTensorInfo(name).byteLength),
    );
  }

  /** Starts a new per-graph parameter count. */
  resetCount(): void {
    this.parameters = 0;
  }

  /** Internal check that the graphs used every planned tensor. */
  assertAllUsed(): void {
    const unused = [...this.shapes.keys()].filter((n) => !this.used.has(n));
    if (unused.length > 0) throw new Error(`DiT converter bug: tensors never used: ${unused.join(', ')}`);
  }
}
