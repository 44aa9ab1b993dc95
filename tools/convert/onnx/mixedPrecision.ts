/**
 * @file The type rules GraphBuilder follows when it builds a mixed-precision graph (docs/graph-contract.md,
 * "Mixed precision"): which ops run in fp32 whatever the scope, which ops only move values and so keep their
 * inputs' type, each op's output type, and the fp16 rounding that emulates fp16 activations on an EP that
 * would otherwise compute them in fp32 (onnxruntime's CPU EP removes fp32→fp16→fp32 Cast pairs). Pure.
 */
import type { ActivationPrecision } from '../../../workers/bundle/precision';
import type { AttributeValue, ElemType } from './proto';

/**
 * How a graph carries its activations: fp32; fp16 with fp32 islands; or `fp16-emulated`, the same graph in
 * float32 tensors with every fp16 value rounded to fp16 precision (for measuring fp16 error on a CPU).
 */
export type Activations = ActivationPrecision;

/** The float type a scope computes in. */
export type FloatType = 'float' | 'float16';

/** Norm statistics, softmax and attention run in fp32 in every mixed graph, whatever the scope. */
export const FP32_OPS: ReadonlySet<string> = new Set([
  'LayerNormalization',
  'SimplifiedLayerNormalization',
  'InstanceNormalization',
  'ReduceMean',
  'Softmax',
  'MultiHeadAttention',
  'RotaryEmbedding',
]);

/**
 * Ops that move, select or compare values without arithmetic: they keep their inputs' type (fp32 when any
 * computed input is fp32), so joining two fp32 streams never goes through fp16, and emulation needs no rounding.
 */
export const MOVE_OPS: ReadonlySet<string> = new Set([
  'Reshape',
  'Transpose',
  'Concat',
  'Split',
  'Slice',
  'Squeeze',
  'Unsqueeze',
  'Gather',
  'Expand',
  'Identity',
  'Where',
  'Resize',
  'ArgMax',
]);

/** Ops whose inputs are never converted (any type in). */
export const UNCONVERTED_OPS: ReadonlySet<string> = new Set(['Cast', 'Shape', 'Size']);

/** Inputs that keep their own type whatever the op computes in (Resize's roi, scales and sizes are float32). */
const FIXED_INPUTS: Readonly<Record<string, readonly number[]>> = { Resize: [1, 2, 3] };

/** True when input `index` of `op` must keep its type. */
export function isFixedInput(op: string, index: number): boolean {
  return FIXED_INPUTS[op]?.includes(index) ?? false;
}

const BOOL_OPS = new Set(['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Not', 'Xor']);
const INT64_OPS = new Set(['Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero']);

/** TensorProto.DataType codes Cast's `to` uses in our graphs. */
const CAST_TYPES: Readonly<Record<number, ElemType>> = { 1: 'float', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16' };

/** Cast's `to` code for a float type. */
export function getCastCode(type: FloatType): number {
  return type === 'float' ? 1 : 10;
}

/**
 * Output type of `op` given its (converted) input types; undefined when unknown (an input of unknown type).
 * @throws Error for a Cast to a type the converter does not use.
 */
export function inferOutputType(
  op: string,
  inputTypes: readonly (ElemType | undefined)[],
  attrs: ReadonlyMap<string, AttributeValue>,
): ElemType | undefined {
  if (op === 'Cast') {
    const to = attrs.get('to');
    const type = to?.type === 'int' ? CAST_TYPES[Number(to.value)] : undefined;
    if (!type) throw new Error(`Cast to an unsupported type ${JSON.stringify(to)}`);
    return type;
  }
  if (BOOL_OPS.has(op)) return 'bool';
  if (INT64_OPS.has(op)) return 'int64';
  if (op === 'Where') return inputTypes[1];
  if (op === 'GatherBlockQuantized') return inputTypes[2];
  return inputTypes.find((t) => t !== undefined);
}

/** True for float32 and float16. */
export function isFloatType(type: ElemType | undefined): type is FloatType {
  return type === 'float' || type === 'float16';
}

/** One node of the rounding subgraph: op, inputs (`$x`, an earlier step's `$out` or a `$constant` key). */
interface RoundingStep {
  op: string;
  inputs: readonly string[];
  /** The step's own output key, referenced as `$key` by later steps. */
  out: string;
}

/** float32 constants the rounding steps use, by key. */
const ROUNDING_CONSTANTS: Readonly<Record<string, number>> = {
  invLn2: 1 / Math.LN2,
  two: 2,
  one: 1,
  ten: 10,
  minExp: -14,
  overflow: 65520,
  inf: Infinity,
};

/**
 * Rounds `$x` to the nearest fp16 value (ties to even, ±Inf from 65520 up, subnormals below 2⁻¹⁴) in float32
 * arithmetic: e = ⌊log2|x|⌋ (corrected by one where Log is off at a power of two), s = 2^(max(e, −14) − 10),
 * result = round(x / s)·s. Every step is exact except Log, whose error the correction absorbs.
 */
const ROUNDING_STEPS: readonly RoundingStep[] = [
  { op: 'Abs', inputs: ['$x'], out: 'a' },
  { op: 'Log', inputs: ['$a'], out: 'log' },
  { op: 'Mul', inputs: ['$log', '$invLn2'], out: 'log2' },
  { op: 'Floor', inputs: ['$log2'], out: 'e0' },
  { op: 'Max', inputs: ['$e0', '$minExp'], out: 'e1' },
  { op: 'Pow', inputs: ['$two', '$e1'], out: 'p1' },
  { op: 'Less', inputs: ['$a', '$p1'], out: 'below' },
  { op: 'Greater', inputs: ['$e1', '$minExp'], out: 'aboveMin' },
  { op: 'And', inputs: ['$below', '$aboveMin'], out: 'down' },
  { op: 'Sub', inputs: ['$e1', '$one'], out: 'e1m' },
  { op: 'Where', inputs: ['$down', '$e1m', '$e1'], out: 'e2' },
  { op: 'Add', inputs: ['$e2', '$one'], out: 'e2p' },
  { op: 'Pow', inputs: ['$two', '$e2p'], out: 'p2' },
  { op: 'GreaterOrEqual', inputs: ['$a', '$p2'], out: 'up' },
  { op: 'Where', inputs: ['$up', '$e2p', '$e2'], out: 'e' },
  { op: 'Sub', inputs: ['$e', '$ten'], out: 'sExp' },
  { op: 'Pow', inputs: ['$two', '$sExp'], out: 's' },
  { op: 'Div', inputs: ['$x', '$s'], out: 'q' },
  { op: 'Round', inputs: ['$q'], out: 'qr' },
  { op: 'Mul', inputs: ['$qr', '$s'], out: 'r' },
  { op: 'GreaterOrEqual', inputs: ['$a', '$overflow'], out: 'big' },
  { op: 'Mul', inputs: ['$x', '$inf'], out: 'infs' },
  { op: 'Where', inputs: ['$big', '$infs', '$r'], out: 'y' },
];

/**
 * Appends the rounding of float32 `x` to fp16 precision and returns the rounded value.
 * @param push - adds one node as is (no type conversion) and returns its output.
 * @param constant - returns the graph's float32 scalar initializer holding `value` (shared per key).
 */
export function addFp16Rounding(
  x: string,
  push: (op: string, inputs: string[], name: string) => string,
  constant: (key: string, value: number) => string,
): string {
  const values = new Map<string, string>([['x', x]]);
  const resolve = (ref: string): string => {
    const key = ref.slice(1);
    const known = values.get(key);
    if (known !== undefined) return known;
    const c = constant(key, ROUNDING_CONSTANTS[key]!);
    values.set(key, c);
    return c;
  };
  for (const step of ROUNDING_STEPS)
    values.set(step.out, push(step.op, step.inputs.map(resolve), `fp16_round_${step.out}`));
  return values.get('y')!;
}
