/**
 * Issue #12 item 2: fp16 weights stay fp16. An fp16 bundle with fp32 activations stores each weight as fp16 and
 * Casts it to float in the graph; onnxruntime's ConstantFolding (an EP-independent transformer) evaluates that
 * Cast on the CPU at load, so the weight reaches the GPU as fp32. A mixed-precision bundle feeds fp16 weights to
 * fp16 ops directly: ORT's own load log (verbose, onnxruntime-node) shows no fp16 initializer consumed by
 * ConstantFolding. (The CPU EP then widens fp16 weights of ops it has no fp16 kernel for, in its own
 * FuseFp16InitializerToFp32NodeTransformer; that pass belongs to the CPU EP's fp16 fallback, not to the WebGPU EP,
 * whose kernels take fp16.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../../workers/bundle/manifest';
import { listInitializerTypes, ONNX_FLOAT16 } from '../../testing/onnxInitializers';
import { getDroppedInitializers, readOrtLoadLog } from '../../testing/ortLoadLog';
import { TINY_BUNDLE_OVERRIDES, TINY_MODEL_DIR } from '../../testing/tinyBundle';
import type { Activations } from '../onnx/mixedPrecision';
import { makeTempDir } from '../testing';
import { convertBundle } from './convertBundle';

const temp = makeTempDir('fp16w-');
afterAll(() => temp.cleanup());

/** The CPU EP's fp16 fallback passes (InsertCastTransformer and friends), which the WebGPU EP does not run. */
const CPU_FP16_FALLBACK = new Set([
  'RemoveDuplicateCastTransformer',
  'CastFloat16Transformer',
  'FuseFp16InitializerToFp32NodeTransformer',
]);

interface GraphLoad {
  graph: string;
  fp16: string[];
  /** fp16 initializers a generic transformer (ConstantFolding, …) consumed at load. */
  folded: string[];
  /** fp16 initializers the CPU EP's own fp16 fallback widened. */
  widenedByCpuEp: string[];
}

async function loadAll(weights: 'fp16' | 'int4', activations: Activations): Promise<GraphLoad[]> {
  const out = join(temp.dir, `${weights}-${activations}`);
  await convertBundle(TINY_MODEL_DIR, out, {
    weights,
    activations,
    segments: 1,
    t5MaxLength: 16,
    overrides: TINY_BUNDLE_OVERRIDES,
  });
  const { components: c } = parseManifest(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
  // Of the staged decoder: a ResNet half (norm with fed statistics, then an fp16 conv) and the output conv.
  const stages = [c.aeDecoderStages![1]!.graph, c.aeDecoderStages!.at(-1)!.graph];
  return [c.dit[0]!, c.t5, c.clip, c.aeEncoder, c.aeDecoder, ...stages].map(({ graph }) => {
    const path = join(out, graph);
    const types = listInitializerTypes(new Uint8Array(readFileSync(path)));
    const fp16 = [...types].filter(([, t]) => t === ONNX_FLOAT16).map(([name]) => name);
    const dropped = getDroppedInitializers(readOrtLoadLog(path)).filter((d) => fp16.includes(d.name));
    return {
      graph,
      fp16,
      folded: dropped.filter((d) => !CPU_FP16_FALLBACK.has(d.transformer)).map((d) => d.name),
      widenedByCpuEp: dropped.filter((d) => CPU_FP16_FALLBACK.has(d.transformer)).map((d) => d.name),
    };
  });
}

const loads = new Map<string, GraphLoad[]>();
beforeAll(async () => {
  loads.set('fp16 weights, fp32 activations', await loadAll('fp16', 'fp32'));
  loads.set('fp16 weights, fp16 activations', await loadAll('fp16', 'fp16'));
  loads.set('int4 weights, fp16 activations', await loadAll('int4', 'fp16'));
  for (const [label, graphs] of loads) {
    for (const g of graphs)
      console.log(
        `${label}, ${g.graph}: ${g.fp16.length} fp16 initializers, ${g.folded.length} folded by ORT at load, ` +
          `${g.widenedByCpuEp.length} widened by the CPU EP's fp16 fallback`,
      );
  }
}, 600_000);

describe('fp16 weights at load (onnxruntime-node, verbose log)', () => {
  it('an fp16 bundle with fp32 activations has its fp16 weights folded to fp32 by ConstantFolding (the old way)', () => {
    const dit = loads.get('fp16 weights, fp32 activations')![0]!;
    expect(dit.fp16.length).toBeGreaterThan(10);
    expect([...dit.folded].sort()).toEqual([...dit.fp16].sort()); // every one: Cast(weight) runs on the CPU
  });

  it.each(['fp16 weights, fp16 activations', 'int4 weights, fp16 activations'])(
    '%s: no fp16 initializer of any component is folded at load',
    (label) => {
      const graphs = loads.get(label)!;
      for (const g of graphs) {
        expect(g.fp16.length, g.graph).toBeGreaterThan(0);
        expect(g.folded, g.graph).toEqual([]);
      }
    },
  );
});
