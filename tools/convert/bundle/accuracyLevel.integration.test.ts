/**
 * MatMulNBits accuracy_level on the tiny checkpoints: int4 bundles at level 0 (onnxruntime's default: fp32
 * activations) and 4 (int8 activations, the faster dot-product path) against the fp32 bundle, per component,
 * on onnxruntime-node's CPU EP. Level 4 quantizes each block of activations to int8, so it may add error of
 * its own; the bound says how much is acceptable beside int4's own weight error.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccuracyLevel, Manifest } from '../../../workers/bundle/manifest';
import { getRelativeL2 } from '../../testing/numerics';
import { getOutput } from '../../testing/outputs';
import { TINY_MODEL_DIR } from '../../testing/tinyBundle';
import { openGolden, runConverted } from '../graphs/commonTesting';
import { readDitGoldens, runDitSegments } from '../graphs/ditTesting';
import type { ConvertedGraph } from '../graphs/types';
import { makeTempDir } from '../testing';
import { convertBundle, type BundleOptions } from './convertBundle';

const temp = makeTempDir('accuracy-level-');
afterAll(() => temp.cleanup());

const T5_TOKENS = 16; // the goldens' T5 length
type Component = 'dit' | 't5' | 'clip';

/** The components' outputs for the golden inputs. */
type Outputs = Record<Component, Float32Array>;

const withData = (g: { graph: string; data: string[] }): ConvertedGraph => ({ ...g, parameters: 0, bytes: 0 });

async function runBundle(dir: string, manifest: Manifest): Promise<Outputs> {
  const t5Golden = await openGolden('t5');
  const clipGolden = await openGolden('clip');
  const t5Ids = await t5Golden.readInt32('input_ids');
  const clipIds = Int32Array.from(await clipGolden.readInt32('input_ids'));
  await t5Golden.close();
  await clipGolden.close();
  const { feeds } = await readDitGoldens();
  const t5 = await runConverted('node', dir, withData(manifest.components.t5), {
    input_ids: { type: 'int32', data: t5Ids, dims: [1, T5_TOKENS] },
  });
  const clip = await runConverted('node', dir, withData(manifest.components.clip), {
    input_ids: { type: 'int32', data: clipIds, dims: [1, 77] },
  });
  return {
    dit: await runDitSegments('node', dir, manifest.components.dit.map(withData), feeds),
    t5: getOutput(t5, 'text_embeddings').data,
    clip: getOutput(clip, 'pooled_embeddings').data,
  };
}

async function convert(name: string, options: Partial<BundleOptions>): Promise<{ dir: string; manifest: Manifest }> {
  const dir = join(temp.dir, name);
  const { manifest } = await convertBundle(TINY_MODEL_DIR, dir, {
    weights: 'fp32',
    segments: 1,
    t5MaxLength: T5_TOKENS,
    ...options,
  });
  return { dir, manifest };
}

describe('MatMulNBits accuracy_level on the tiny checkpoints (onnxruntime-node CPU EP)', () => {
  let fp32: Outputs;
  const int4: Partial<Record<AccuracyLevel, { manifest: Manifest; outputs: Outputs }>> = {};
  beforeAll(async () => {
    const reference = await convert('fp32', {});
    fp32 = await runBundle(reference.dir, reference.manifest);
    for (const level of [0, 4] as const) {
      const b = await convert(`int4-level${level}`, { weights: 'int4', accuracyLevel: level });
      int4[level] = { manifest: b.manifest, outputs: await runBundle(b.dir, b.manifest) };
    }
  }, 240_000);

  it('records the level in the manifest', () => {
    expect(int4[0]!.manifest.accuracyLevel).toBe(0);
    expect(int4[4]!.manifest.accuracyLevel).toBe(4);
  });

  // The tiny random weights make int4's own error large (the DiT's is ~0.24 rel-L2), so level 4 is judged by
  // what it adds: its distance from level 0, against int4's distance from fp32.
  it('adds at most a tenth of int4 error on top of level 0 (rel-L2 per component)', () => {
    for (const component of ['dit', 't5', 'clip'] as const) {
      const level0 = int4[0]!.outputs[component];
      const level4 = int4[4]!.outputs[component];
      const e0 = getRelativeL2(level0, fp32[component]);
      const e4 = getRelativeL2(level4, fp32[component]);
      const added = getRelativeL2(level4, level0);
      console.log(
        `${component}: rel-L2 vs fp32: level 0 ${e0.toExponential(3)}, level 4 ${e4.toExponential(3)}; level 4 vs level 0 ${added.toExponential(3)}`,
      );
      expect(added).toBeGreaterThan(0); // level 4 really took another kernel
      expect(added).toBeLessThanOrEqual(0.1 * e0);
    }
  });
});
