/**
 * @file FLOPs of one edit, counted from onnxruntime-node's profile of it: every MatMul-like and Conv node with the
 * shapes it ran at (the profile records them), so the count follows the graphs the converter wrote, whatever the
 * model. Elementwise ops, norms and softmax are left out: they are a few percent of the multiply-adds at most.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ort, OrtSession } from '../../workers/runtime/ort';
import { COMPONENTS, runBenchEdit, type BenchInputs, type Component, type ComponentTimes } from './editBench';

type Shape = number[];
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

interface ProfileEvent {
  cat?: string;
  name?: string;
  args?: { op_name?: string; input_type_shape?: Record<string, Shape>[]; output_type_shape?: Record<string, Shape>[] };
}

const shapes = (list: Record<string, Shape>[] = []) => list.map((t) => Object.values(t)[0] ?? []);

/** Sums countNodeFlops over a profile's kernel runs. */
function sumProfileFlops(events: ProfileEvent[]): number {
  let flops = 0;
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args?.op_name) continue;
    flops += countNodeFlops(e.args.op_name, shapes(e.args.input_type_shape), shapes(e.args.output_type_shape));
  }
  return flops;
}

/**
 * Runs one edit (empty caches, the bundle's defaults) on onnxruntime-node with profiling on and returns its FLOPs
 * by component. `open(ort)` makes the bench inputs on the given runtime; the sessions it creates are profiled.
 */
export async function countEditFlops(
  baseOrt: Ort,
  open: (ort: Ort) => BenchInputs & { models: { release(): Promise<void> } },
): Promise<ComponentTimes> {
  const dir = mkdtempSync(join(tmpdir(), 'kontext-flops-'));
  const owners = new Map<string, Component>();
  const sessions: OrtSession[] = [];
  let active: Component = 'text';
  let n = 0;
  const ort: Ort = {
    ...baseOrt,
    InferenceSession: {
      create: async (model: Uint8Array, options?: Record<string, unknown>) => {
        const prefix = `s${n++}`;
        const session = await baseOrt.InferenceSession.create(model, {
          ...options,
          enableProfiling: true,
          profileFilePrefix: join(dir, prefix),
        } as never);
        const run = session.run.bind(session);
        session.run = ((...a: Parameters<OrtSession['run']>) => {
          owners.set(prefix, active);
          return run(...a);
        }) as OrtSession['run'];
        sessions.push(session);
        return session;
      },
    } as Ort['InferenceSession'],
  };
  try {
    const inputs = open(ort);
    await runBenchEdit(inputs, 0, { text: 0, aeEncode: 0, dit: 0, aeDecode: 0 }, (c) => (active = c));
    for (const s of sessions) s.endProfiling();
    await inputs.models.release();
    const flops: ComponentTimes = { text: 0, aeEncode: 0, dit: 0, aeDecode: 0 };
    for (const file of readdirSync(dir)) {
      const owner = owners.get(file.split('_')[0]!);
      if (!owner) continue;
      flops[owner] += sumProfileFlops(JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProfileEvent[]);
    }
    if (COMPONENTS.every((c) => flops[c] === 0)) throw new Error('the profile counted no FLOPs');
    return flops;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
