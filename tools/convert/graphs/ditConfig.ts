/**
 * @file The FLUX DiT's hyper-parameters read from a checkpoint's tensor shapes (never hard-coded),
 * the tensor "shape plan" a config implies (docs/kontext-spec.md §8), and the check that a checkpoint
 * matches it. Works on headers only; no tensor data is read here.
 */
import type { DitConfig } from '../../../workers/bundle/manifest';
import type { TensorSource } from '../safetensors';
import { hasLength, type Tuple } from '../tuple';

/** Width of the sinusoidal timestep/guidance embedding (BFL `timestep_embedding(t, 256)`). */
export const TIME_EMBED_DIM = 256;

/** RoPE base used when the checkpoint carries no config (FLUX.1). */
const DEFAULT_ROPE_THETA = 10_000;

/** A checkpoint that is not a FLUX DiT of the expected layout; the message names the file and tensor. */
export class DitCheckpointError extends Error {
  override name = 'DitCheckpointError';
}

/** Width of one attention head. */
export function getHeadDim(c: DitConfig): number {
  return c.hiddenSize / c.numHeads;
}

/** Hidden width of the MLPs (`int(hidden · mlp_ratio)`). */
export function getMlpHidden(c: DitConfig): number {
  return Math.round(c.hiddenSize * c.mlpRatio);
}

/**
 * Returns every DiT tensor name with its shape, in the order the converter consumes them
 * (embeddings, double blocks, single blocks, final layer). Weights are PyTorch [out, in].
 */
export function getDitTensorShapes(c: DitConfig): Map<string, number[]> {
  const h = c.hiddenSize;
  const d = getHeadDim(c);
  const m = getMlpHidden(c);
  const shapes = new Map<string, number[]>();
  const linear = (name: string, out: number, inp: number): void => {
    shapes.set(`${name}.weight`, [out, inp]);
    shapes.set(`${name}.bias`, [out]);
  };
  const embedder = (name: string, inp: number): void => {
    linear(`${name}.in_layer`, h, inp);
    linear(`${name}.out_layer`, h, h);
  };
  const qkNorm = (name: string): void => {
    shapes.set(`${name}.query_norm.scale`, [d]);
    shapes.set(`${name}.key_norm.scale`, [d]);
  };
  linear('img_in', h, c.inChannels);
  linear('txt_in', h, c.contextInDim);
  embedder('time_in', TIME_EMBED_DIM);
  if (c.guidanceEmbed) embedder('guidance_in', TIME_EMBED_DIM);
  embedder('vector_in', c.vecInDim);
  for (let i = 0; i < c.depth; i++) {
    for (const s of ['img', 'txt']) {
      const p = `double_blocks.${i}.${s}`;
      linear(`${p}_mod.lin`, 6 * h, h);
      linear(`${p}_attn.qkv`, 3 * h, h);
      qkNorm(`${p}_attn.norm`);
      linear(`${p}_attn.proj`, h, h);
      linear(`${p}_mlp.0`, m, h);
      linear(`${p}_mlp.2`, h, m);
    }
  }
  for (let j = 0; j < c.depthSingleBlocks; j++) {
    const p = `single_blocks.${j}`;
    linear(`${p}.modulation.lin`, 3 * h, h);
    linear(`${p}.linear1`, 3 * h + m, h);
    qkNorm(`${p}.norm`);
    linear(`${p}.linear2`, h, h + m);
  }
  linear('final_layer.adaLN_modulation.1', 2 * h, h);
  linear('final_layer.linear', c.inChannels, h);
  return shapes;
}

/** Total parameter count of a shape plan. */
export function countParameters(shapes: ReadonlyMap<string, readonly number[]>): number {
  let n = 0;
  for (const s of shapes.values()) n += s.reduce((a, b) => a * b, 1);
  return n;
}

/**
 * Reads the DiT config from tensor shapes; axes_dim and theta come from `__metadata__.config`
 * (FluxParams JSON) when present, else theta 10000 and axes_dim [d/8, 7d/16, 7d/16] (FLUX's split of
 * head dim d). `override` wins over both.
 * @throws DitCheckpointError naming the file and the tensor or field that is missing or inconsistent.
 */
export function inferDitConfig(src: TensorSource, override: Partial<DitConfig> = {}): DitConfig {
  const fail = (msg: string): never => {
    throw new DitCheckpointError(`${src.path}: ${msg}`);
  };
  const shapeOf = <R extends number>(name: string, rank: R): Tuple<number, R> => {
    if (!src.hasTensor(name)) fail(`missing tensor '${name}' (needed to read the DiT config)`);
    const { shape } = src.getTensorInfo(name);
    if (!hasLength(shape, rank)) return fail(`tensor '${name}' has shape [${shape}], expected rank ${rank}`);
    return shape;
  };
  const names = src.listTensors().map((t) => t.name);
  const countBlocks = (prefix: string): number =>
    names.reduce((n, name) => {
      const match = new RegExp(`^${prefix}\\.(\\d+)\\.`).exec(name);
      return match ? Math.max(n, Number(match[1]) + 1) : n;
    }, 0);

  const [hiddenSize, inChannels] = shapeOf('img_in.weight', 2);
  const depth = countBlocks('double_blocks');
  const depthSingleBlocks = countBlocks('single_blocks');
  if (depth + depthSingleBlocks === 0) fail('no double_blocks.N or single_blocks.N tensors: not a FLUX DiT checkpoint');
  const normName =
    depth > 0 ? 'double_blocks.0.img_attn.norm.query_norm.scale' : 'single_blocks.0.norm.query_norm.scale';
  const [headDim] = shapeOf(normName, 1);
  if (hiddenSize % headDim !== 0)
    fail(`hidden size ${hiddenSize} (img_in.weight) is not a multiple of head dim ${headDim} (${normName})`);
  const mlpHidden =
    depth > 0
      ? shapeOf('double_blocks.0.img_mlp.0.weight', 2)[0]
      : shapeOf('single_blocks.0.linear1.weight', 2)[0] - 3 * hiddenSize;
  const meta = readMetadataConfig(src, fail);
  const config: DitConfig = {
    hiddenSize,
    numHeads: hiddenSize / headDim,
    depth,
    depthSingleBlocks,
    axesDim: override.axesDim ?? meta.axesDim ?? getDefaultAxesDim(headDim, fail),
    theta: meta.theta ?? DEFAULT_ROPE_THETA,
    inChannels,
    contextInDim: shapeOf('txt_in.weight', 2)[1],
    vecInDim: shapeOf('vector_in.in_layer.weight', 2)[1],
    mlpRatio: mlpHidden / hiddenSize,
    guidanceEmbed: names.some((n) => n.startsWith('guidance_in.')),
    ...override,
  };
  checkAgainstMetadata(config, meta.raw, fail);
  const axesSum = config.axesDim.reduce((a, b) => a + b, 0);
  if (config.axesDim.length !== 3 || config.axesDim.some((a) => !Number.isInteger(a) || a <= 0 || a % 2 !== 0)) {
    fail(`axes_dim [${config.axesDim}] must be three positive even integers`);
  }
  if (axesSum !== getHeadDim(config))
    fail(`axes_dim [${config.axesDim}] sums to ${axesSum}, not the head dim ${getHeadDim(config)}`);
  if (!Number.isInteger(getHeadDim(config)))
    fail(`hidden size ${config.hiddenSize} is not divisible by ${config.numHeads} heads`);
  if (Math.abs(config.hiddenSize * config.mlpRatio - getMlpHidden(config)) > 1e-6) {
    fail(`mlp_ratio ${config.mlpRatio} × hidden ${config.hiddenSize} is not an integer MLP width`);
  }
  return config;
}

/** FLUX splits head dim 128 as [16, 56, 56]; generalised to [d/8, 7d/16, 7d/16]. */
function getDefaultAxesDim(headDim: number, fail: (m: string) => never): [number, number, number] {
  const axes: [number, number, number] = [headDim / 8, (7 * headDim) / 16, (7 * headDim) / 16];
  if (!axes.every((a) => Number.isInteger(a) && a % 2 === 0)) {
    fail(
      `no __metadata__.config and head dim ${headDim} has no even [d/8, 7d/16, 7d/16] RoPE split; pass axesDim in configOverride`,
    );
  }
  return axes;
}

interface MetadataConfig {
  axesDim?: [number, number, number];
  theta?: number;
  raw: Record<string, unknown>;
}

function readMetadataConfig(src: TensorSource, fail: (m: string) => never): MetadataConfig {
  const text = src.metadata.config;
  if (text === undefined) return { raw: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    fail('__metadata__.config is not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail('__metadata__.config is not a JSON object');
  const obj = raw as Record<string, unknown>;
  const axes = obj.axes_dim;
  if (axes !== undefined && !(Array.isArray(axes) && axes.length === 3 && axes.every((a) => typeof a === 'number'))) {
    fail(`__metadata__.config.axes_dim ${JSON.stringify(axes)} is not three numbers`);
  }
  if (obj.theta !== undefined && typeof obj.theta !== 'number')
    fail(`__metadata__.config.theta ${JSON.stringify(obj.theta)} is not a number`);
  return { axesDim: axes as [number, number, number] | undefined, theta: obj.theta, raw: obj };
}

/** A metadata config that disagrees with the tensors means a mislabelled file: refuse it. */
function checkAgainstMetadata(c: DitConfig, raw: Record<string, unknown>, fail: (m: string) => never): void {
  const fields: [string, unknown][] = [
    ['hidden_size', c.hiddenSize],
    ['num_heads', c.numHeads],
    ['depth', c.depth],
    ['depth_single_blocks', c.depthSingleBlocks],
    ['in_channels', c.inChannels],
    ['out_channels', c.inChannels],
    ['context_in_dim', c.contextInDim],
    ['vec_in_dim', c.vecInDim],
    ['mlp_ratio', c.mlpRatio],
    ['guidance_embed', c.guidanceEmbed],
  ];
  for (const [key, value] of fields) {
    if (raw[key] !== undefined && raw[key] !== value) {
      fail(`__metadata__.config.${key} is ${JSON.stringify(raw[key])} but the tensors give ${JSON.stringify(value)}`);
    }
  }
}

/**
 * Checks that `src` holds exactly the tensors of `getDitTensorShapes(config)` with those shapes and
 * float dtypes.
 * @throws DitCheckpointError naming the file and the first missing, misshapen or unexpected tensor.
 */
export function checkDitTensors(src: TensorSource, config: DitConfig): Map<string, number[]> {
  const shapes = getDitTensorShapes(config);
  for (const [name, shape] of shapes) {
    if (!src.hasTensor(name))
      throw new DitCheckpointError(`${src.path}: missing tensor '${name}' (expected shape [${shape}])`);
    const info = src.getTensorInfo(name);
    if (info.shape.length !== shape.length || info.shape.some((v, i) => v !== shape[i])) {
      throw new DitCheckpointError(
        `${src.path}: tensor '${name}' has shape [${info.shape}], the DiT config needs [${shape}]`,
      );
    }
    if (!['F32', 'F16', 'BF16', 'F64'].includes(info.dtype)) {
      throw new DitCheckpointError(`${src.path}: tensor '${name}' has dtype ${info.dtype}, expected a float dtype`);
    }
  }
  const extra = src
    .listTensors()
    .filter((t) => !shapes.has(t.name))
    .map((t) => t.name);
  if (extra.length > 0) {
    const shown = extra.slice(0, 5).join(', ') + (extra.length > 5 ? `, … (${extra.length} in all)` : '');
    throw new DitCheckpointError(`${src.path}: unexpected tensors not in the FLUX DiT layout: ${shown}`);
  }
  return shapes;
}
