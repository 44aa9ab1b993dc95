/**
 * @file Merges LoRAs into the DiT as its tensors are read: W[rows] += strength · alpha/rank · B·A (and the
 * bias by strength · alpha/rank · b when the LoRA has one), before any quantisation, so every weight format
 * gets the merged weights. Pure: works on any TensorSource-like LoRA (a file in Node, a File in a worker).
 */
import type { DitConfig } from '../../../workers/bundle/manifest';
import { forwardTensorSource, type TensorSource } from '../safetensors';
import { inferDitConfig } from '../graphs/ditConfig';
import { LoraError, planLora, type LoraAdapter, type LoraTensorInfo } from './loraPlan';
import { getLoraTargets } from './loraTargets';

/** What the merge reads of a LoRA file. */
interface LoraTensors {
  readonly path: string;
  listTensors(): LoraTensorInfo[];
  readFloat32(name: string): Promise<Float32Array>;
}

/** One LoRA to merge, at a strength (1 = as trained; negative subtracts it). */
export interface LoraInput {
  /** Shown in the manifest and the model manager. */
  name: string;
  strength: number;
  tensors: LoraTensors;
}

/** An adapter with everything known but its numbers. */
interface PlannedUpdate {
  adapter: LoraAdapter;
  lora: LoraInput;
}

/**
 * `dit` with the LoRAs merged into the tensors they adapt, in the given order. Checks every LoRA key and
 * shape now, before anything is converted. `configOverride` is the DiT converter's (what the tensors cannot say).
 * @throws LoraError naming the LoRA file and key that matches no DiT layer or does not fit it.
 */
export function withLoras(
  dit: TensorSource,
  loras: readonly LoraInput[],
  configOverride?: Partial<DitConfig>,
): TensorSource {
  if (loras.length === 0) return dit;
  const tables = getLoraTargets(inferDitConfig(dit, configOverride));
  const byTensor = new Map<string, PlannedUpdate[]>();
  for (const lora of loras) {
    if (!Number.isFinite(lora.strength)) throw new LoraError(`${lora.tensors.path}: strength ${lora.strength}`);
    for (const adapter of planLora(lora.tensors.path, lora.tensors.listTensors(), tables)) {
      const names = [adapter.target.weight, ...(adapter.bias ? [biasOf(adapter.target.weight)] : [])];
      for (const name of names) byTensor.set(name, [...(byTensor.get(name) ?? []), { adapter, lora }]);
    }
  }
  for (const name of byTensor.keys()) {
    if (!dit.hasTensor(name)) {
      const { adapter, lora } = byTensor.get(name)![0]!;
      throw new LoraError(`${lora.tensors.path}: ${adapter.module} adapts '${name}', which ${dit.path} lacks`);
    }
  }
  return forwardTensorSource(dit, {
    async readBytes(name) {
      if (byTensor.has(name)) throw new Error(`'${name}' has LoRAs merged: read it with readFloat32`);
      return dit.readBytes(name);
    },
    async readFloat32(name) {
      const updates = byTensor.get(name);
      if (!updates) return dit.readFloat32(name);
      const merged = (await dit.readFloat32(name)).slice();
      if (name.endsWith('.bias')) await mergeBias(merged, updates);
      else await mergeWeight(merged, updates);
      return merged;
    },
  });
}

const biasOf = (weight: string) => `${weight.slice(0, -'.weight'.length)}.bias`;

async function readScale({ adapter, lora }: PlannedUpdate): Promise<number> {
  const alpha = adapter.alpha === undefined ? adapter.rank : (await lora.tensors.readFloat32(adapter.alpha))[0]!;
  return (lora.strength * alpha) / adapter.rank;
}

/** The adapter's row that writes weight row `row`, or -1 (the half swap is its own inverse). */
function getModuleRow({ target }: LoraAdapter, row: number): number {
  const i = row - target.rowOffset;
  if (i < 0 || i >= target.rows) return -1;
  return target.swapHalves ? (i + target.rows / 2) % target.rows : i;
}

/**
 * Adds every update to `weight` [out, in] one row at a time (memory: two rows of float64): each adapter's
 * B·A row is summed in float64 and scaled, and the row's updates are added to the weight with one rounding to
 * float32. Zeros in B (the off-diagonal blocks of a fused layer's LoRA) are skipped, so a fused and a split
 * LoRA of the same numbers merge identically.
 */
async function mergeWeight(weight: Float32Array, updates: readonly PlannedUpdate[]): Promise<void> {
  const inp = updates[0]!.adapter.target.inFeatures;
  const loaded = [];
  for (const u of updates) {
    const { down, up } = u.adapter;
    loaded.push({
      adapter: u.adapter,
      scale: await readScale(u),
      a: await u.lora.tensors.readFloat32(down),
      b: await u.lora.tensors.readFloat32(up),
    });
  }
  const acc = new Float64Array(inp);
  const product = new Float64Array(inp);
  for (let row = 0; row < weight.length / inp; row++) {
    let touched = false;
    for (const { adapter, scale, a, b } of loaded) {
      const i = getModuleRow(adapter, row);
      if (i < 0) continue;
      if (!touched) acc.fill(0);
      touched = true;
      product.fill(0);
      const r = adapter.rank;
      for (let k = 0; k < r; k++) {
        const bik = b[i * r + k]!;
        if (bik === 0) continue;
        const a0 = k * inp;
        for (let j = 0; j < inp; j++) product[j]! += bik * a[a0 + j]!;
      }
      for (let j = 0; j < inp; j++) acc[j]! += scale * product[j]!;
    }
    if (!touched) continue;
    const w0 = row * inp;
    for (let j = 0; j < inp; j++) weight[w0 + j] = weight[w0 + j]! + acc[j]!;
  }
}

async function mergeBias(bias: Float32Array, updates: readonly PlannedUpdate[]): Promise<void> {
  const delta = new Float64Array(bias.length);
  for (const u of updates) {
    if (!u.adapter.bias) continue;
    const scale = await readScale(u);
    const b = await u.lora.tensors.readFloat32(u.adapter.bias);
    for (let row = 0; row < bias.length; row++) {
      const i = getModuleRow(u.adapter, row);
      if (i >= 0) delta[row]! += scale * b[i]!;
    }
  }
  for (let i = 0; i < bias.length; i++) bias[i] = bias[i]! + delta[i]!;
}
