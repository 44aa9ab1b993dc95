/**
 * @file FLOPs of one kernel run from its op and shapes: the MatMul-like and Conv nodes of onnxruntime's profile
 * (opProfile.ts), so the count follows the graphs the converter wrote, whatever the model. Elementwise ops, norms,
 * softmax and fused attention are left out: a few percent of the multiply-adds at the bench's shapes.
 */

export type Shape = number[];
const prod = (s: Shape) => s.reduce((a, b) => a * b, 1);

/** Multiply-adds × 2 of one node run, from its op and its input/output shapes; 0 for ops that are not counted. */
export function countNodeFlops(op: string, inputs: Shape[], outputs: Shape[]): number {
  const [a, b] = inputs;
  const out = outputs[0];
  if (!a || !out) return 0;
  switch (op) {
    case 'MatMul':
    case 'FusedMatMul':
    case 'Gemm':
    case 'MatMulNBits': {
      // K is A's last axis, or its second last when A is transposed (its last axis is then the output's rows).
      const m = out.length >= 2 ? out[out.length - 2]! : 1;
      const transposed = a.length >= 2 && a[a.length - 1] === m && a[a.length - 2] !== m;
      const k = transposed ? a[a.length - 2]! : a[a.length - 1]!;
      return 2 * prod(out) * k;
    }
    case 'Conv':
    case 'FusedConv': {
      if (!b || b.length < 3) return 0;
      return 2 * prod(out) * prod(b.slice(1)); // weight [Cout, Cin/groups, kh, kw]
    }
    default:
      return 0;
  }
}
