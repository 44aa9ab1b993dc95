/**
 * @file DitGraph: a GraphBuilder plus the FLUX DiT's recurring pieces (docs/kontext-spec.md §2.3–§2.4):
 * weight-format-aware Linear layers read from the checkpoint, affine-free LayerNorm, adaLN
 * modulation, QK RMSNorm, interleaved RoPE and joint attention. Activations are float32 throughout, or in a
 * mixed-precision graph fp16 with fp32 norms, attention (QK-norm, RoPE, scores, softmax) and residual stream.
 */
import type { DitConfig } from '../../../workers/bundle/manifest';
import { attrFloat, MS_DOMAIN, type GraphBuilder } from '../onnx/GraphBuilder';
import { addSplit } from '../onnx/layers';
import { addLinearFromRows } from '../onnx/linear';
import { hasLength, type Tuple } from '../tuple';
import { getHeadDim } from './ditConfig';
import type { DitWeightReader } from './ditWeights';
import type { AccuracyLevel, WeightFormat } from './types';

/** Every DiT norm (LayerNorm and QK RMSNorm) uses this epsilon. */
const NORM_EPS = 1e-6;

/** Upper bound for Slice ends ("to the end of the axis"). */
const INT64_MAX = 2n ** 63n - 1n;

/** Builds one DiT graph (or segment); the RoPE tables and SiLU(vec) are set once per graph. */
export class DitGraph {
  /** SiLU(vec) [1, hidden]: the input of every modulation. */
  siluVec = '';
  /** RoPE cos/sin [L_txt + L_img, headDim / 2]. */
  ropeCos = '';
  ropeSin = '';
  private readonly cache = new Map<string, string>();

  constructor(
    readonly b: GraphBuilder,
    readonly config: DitConfig,
    private readonly weights: DitWeightReader,
    private readonly format: WeightFormat,
    private readonly blockSize: number,
    private readonly accuracyLevel?: AccuracyLevel,
  ) {}

  /** Checkpoint Linear `prefix` (`prefix.weight` [out, in], `prefix.bias`) applied to x. */
  async addLinear(prefix: string, x: string): Promise<string> {
    const shape = this.weights.getShape(`${prefix}.weight`);
    if (!hasLength(shape, 2))
      throw new Error(`DiT converter bug: '${prefix}.weight' has shape [${shape.join(', ')}], expected [out, in]`);
    const [outFeatures, inFeatures] = shape;
    const readRows = this.weights.openRows(`${prefix}.weight`);
    const bias = await this.weights.read(`${prefix}.bias`);
    return addLinearFromRows(
      this.b,
      x,
      { readRows, bias, inFeatures, outFeatures, name: prefix },
      this.format,
      this.blockSize,
      this.accuracyLevel,
    );
  }

  /** A float32 checkpoint tensor kept as-is (norm scales). */
  async addTensor(name: string): Promise<string> {
    return this.b.addInitializer(name, await this.weights.read(name), this.weights.getShape(name));
  }

  /** x·sigmoid(x). */
  addSilu(x: string): string {
    return this.b.addOp('Mul', [x, this.b.addOp('Sigmoid', [x])]);
  }

  /** GELU with the tanh approximation (ONNX Gelu, opset 20+). */
  addGelu(x: string): string {
    return this.b.addOp('Gelu', [x], { approximate: 'tanh' });
  }

  /** (1 + scale) · LayerNorm(x) + shift, LayerNorm without affine parameters. */
  addModulate(x: string, shift: string, scale: string): string {
    const ones = this.b.inFloat32(() =>
      this.getConstant('ones', () => new Float32Array(this.config.hiddenSize).fill(1), [this.config.hiddenSize]),
    );
    const normed = this.b.inFloat32(() =>
      this.b.addOp('LayerNormalization', [x, ones], { axis: -1, epsilon: attrFloat(NORM_EPS) }),
    );
    const onePlusScale = this.b.addOp('Add', [scale, this.getConstant('one', () => new Float32Array([1]), [])]);
    return this.b.addOp('Add', [this.b.addOp('Mul', [normed, onePlusScale]), shift]);
  }

  /** Modulation `prefix` on SiLU(vec), split into `chunks` [1, hidden] pieces (shift, scale, gate, …). */
  async addModulation<N extends number>(prefix: string, chunks: N): Promise<Tuple<string, N>> {
    const mod = await this.addLinear(prefix, this.siluVec);
    return addSplit(this.b, [mod], chunks, { axis: -1, num_outputs: chunks });
  }

  /**
   * x + gate · y. Mixed graphs keep this residual stream in fp32 and clamp y to ±65504 first, as diffusers
   * clamps FLUX block outputs in fp16: a branch that overflowed fp16 saturates instead of turning into Inf/NaN.
   */
  addGated(x: string, gate: string, y: string): string {
    if (!this.b.mixed) return this.b.addOp('Add', [x, this.b.addOp('Mul', [gate, y])]);
    return this.b.inFloat32(() => {
      const clamped = this.b.addOp('Clip', [
        y,
        this.getConstant('fp16_min', () => new Float32Array([-65504]), []),
        this.getConstant('fp16_max', () => new Float32Array([65504]), []),
      ]);
      return this.b.addOp('Add', [x, this.b.addOp('Mul', [gate, clamped])]);
    });
  }

  /** RMSNorm over each head of x [1, L, hidden] with the learned scale `scaleName` (eps 1e-6). */
  async addQkNorm(x: string, scaleName: string): Promise<string> {
    return this.b.inFloat32(() => this.addQkNormFp32(x, scaleName));
  }

  private async addQkNormFp32(x: string, scaleName: string): Promise<string> {
    const { numHeads, hiddenSize } = this.config;
    const d = getHeadDim(this.config);
    const heads = this.b.addOp('Reshape', [x, this.getInt64('shape_heads', [0, 0, numHeads, d])]);
    const scale = await this.addTensor(scaleName);
    const normed = this.b.addOp('SimplifiedLayerNormalization', [heads, scale], {
      axis: -1,
      epsilon: attrFloat(NORM_EPS),
    });
    return this.b.addOp('Reshape', [normed, this.getInt64('shape_flat', [0, 0, hiddenSize])]);
  }

  /** Rotates interleaved pairs of every head of x [1, L, hidden] by the graph's RoPE tables. */
  addRope(x: string): string {
    // Position ids = [0]: token s reads row s of the per-token tables.
    const start = this.getInt64('rope_position_start', [0]);
    return this.b.addOp(
      'RotaryEmbedding',
      [x, start, this.ropeCos, this.ropeSin],
      { interleaved: 1, num_heads: this.config.numHeads },
      MS_DOMAIN,
    );
  }

  /** Softmax(q kᵀ / √d) v over all tokens, no mask; q, k, v and the result are [1, L, heads · d]. */
  addAttention(q: string, k: string, v: string): string {
    // fp32 in mixed graphs: RoPE angles need fp32, and the scores and softmax are where FLUX needs the range.
    return this.b.inFloat32(() =>
      this.b.addOp(
        'MultiHeadAttention',
        [this.addRope(q), this.addRope(k), v],
        { num_heads: this.config.numHeads, scale: attrFloat(1 / Math.sqrt(getHeadDim(this.config))) },
        MS_DOMAIN,
      ),
    );
  }

  /** Concatenates along the token axis. */
  addConcatTokens(first: string, second: string): string {
    return this.b.addOp('Concat', [first, second], { axis: 1 });
  }

  /** Splits joint tokens [1, L_txt + L_img, C] into txt and img parts; `txtLen` is int64 [1]. */
  addSplitTokens(x: string, txtLen: string): { txt: string; img: string } {
    const axis = this.getInt64('axis_tokens', [1]);
    return {
      txt: this.b.addOp('Slice', [x, this.getInt64('zero', [0]), txtLen, axis]),
      img: this.b.addOp('Slice', [x, txtLen, this.getInt64Big('int64_max', [INT64_MAX]), axis]),
    };
  }

  /** Number of tokens of x [1, L, C] as int64 [1]. */
  addTokenCount(x: string): string {
    return this.b.addOp('Shape', [x], { start: 1, end: 2 });
  }

  /** A shared int64 constant. */
  getInt64(key: string, values: readonly number[]): string {
    return this.getInt64Big(key, values.map(BigInt));
  }

  private getInt64Big(key: string, values: readonly bigint[]): string {
    return this.getConstant(key, () => BigInt64Array.from(values), [values.length]);
  }

  /** A constant created once per graph under `key`. */
  getConstant(key: string, make: () => Float32Array | BigInt64Array, dims: readonly number[]): string {
    let name = this.cache.get(key);
    if (!name) {
      name = this.b.addInitializer(key, make(), dims);
      this.cache.set(key, name);
    }
    return name;
  }
}
