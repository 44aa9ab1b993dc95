/**
 * @file One bundle's edits on onnxruntime-node with its profiler on (session option enableProfiling): FLOPs per
 * component from the first edit's MatMul-like and Conv nodes at the shapes they ran at, the time per op type of the
 * edits after it (warm), and the FLOP-bearing kernel runs of one call of each session, which replayGraph.ts turns
 * into the same-shapes MatMul ceiling. onnxruntime-web writes its profile where the page cannot read it, so the
 * per-op split is node's; the browser's own split comes from that ceiling (report.ts).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ort, OrtSession } from '../../workers/runtime/ort';
import { COMPONENTS, runBenchEdit, type BenchInputs, type Component, type ComponentTimes } from './editBench';
import { countNodeFlops, type Shape } from './flops';

/** One kernel run as the profile records it. */
export interface KernelRun {
  op: string;
  inputs: Shape[];
  outputs: Shape[];
}

export interface EditProfile {
  /** FLOPs of one edit by component. */
  flops: ComponentTimes;
  /** Per component, op type → ms and kernel runs per edit, warm (the edits after the first). */
  ops: Record<Component, Record<string, { ms: number; runs: number }>>;
  /** Per component, the FLOP-bearing kernel runs of one call of each of its sessions … */
  work: Record<Component, KernelRun[]>;
  /** … and how many calls of it an edit makes (the DiT: steps × averaged runs). */
  calls: ComponentTimes;
}

interface ProfileEvent {
  cat?: string;
  name?: string;
  ts?: number;
  dur?: number;
  args?: { op_name?: string; input_type_shape?: Record<string, Shape>[]; output_type_shape?: Record<string, Shape>[] };
}

const shapes = (list: Record<string, Shape>[] = []) => list.map((t) => Object.values(t)[0] ?? []);
const zero = (): ComponentTimes => ({ text: 0, aeEncode: 0, dit: 0, aeDecode: 0 });

/** Adds one session's profile (`edits` edits of `runsPerEdit` runs each) to `out`. */
function addSessionProfile(events: ProfileEvent[], owner: Component, edits: number, out: EditProfile): void {
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => a.ts! - b.ts!);
  if (runs.length === 0) return;
  const perEdit = runs.length / edits;
  const firstCall = runs[0]!;
  const firstEditEnd = runs[perEdit - 1]!.ts! + runs[perEdit - 1]!.dur!;
  out.calls[owner] = Math.max(out.calls[owner], perEdit);
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args?.op_name) continue;
    const op = e.args.op_name;
    const run: KernelRun = { op, inputs: shapes(e.args.input_type_shape), outputs: shapes(e.args.output_type_shape) };
    const flops = countNodeFlops(op, run.inputs, run.outputs);
    if (e.ts! < firstEditEnd) {
      out.flops[owner] += flops;
      if (flops > 0 && e.ts! <= firstCall.ts! + firstCall.dur!) out.work[owner].push(run);
    } else {
      const entry = (out.ops[owner][op] ??= { ms: 0, runs: 0 });
      entry.ms += e.dur! / 1000 / (edits - 1);
      entry.runs += 1 / (edits - 1);
    }
  }
}

/**
 * Runs `edits` (≥ 2) edits (empty caches, the bundle's defaults) with every session profiled. `open(ort)` makes the
 * bench inputs on the given runtime; the sessions it creates are profiled.
 */
export async function profileEdits(
  baseOrt: Ort,
  open: (ort: Ort) => BenchInputs & { models: { release(): Promise<void> } },
  edits = 4,
): Promise<EditProfile> {
  const dir = mkdtempSync(join(tmpdir(), 'kontext-profile-'));
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
    for (let i = 0; i < edits; i++) await runBenchEdit(inputs, i, zero(), (c) => (active = c));
    for (const s of sessions) s.endProfiling();
    await inputs.models.release();
    const out: EditProfile = {
      flops: zero(),
      ops: { text: {}, aeEncode: {}, dit: {}, aeDecode: {} },
      work: { text: [], aeEncode: [], dit: [], aeDecode: [] },
      calls: zero(),
    };
    for (const file of readdirSync(dir)) {
      const owner = owners.get(file.split('_')[0]!);
      if (owner)
        addSessionProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProfileEvent[], owner, edits, out);
    }
    if (COMPONENTS.every((c) => out.flops[c] === 0)) throw new Error('the profile counted no FLOPs');
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
