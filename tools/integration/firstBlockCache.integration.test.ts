import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSafetensors } from '../convert/node/nodeFiles';
import { nodeOrtObservingRuns } from '../testing/nodeOrt';
import { getRelativeError } from '../testing/numerics';
import { ensureTinyBundle, TINY_GOLDENS_DIR } from '../testing/tinyBundle';
import type { ModelFiles } from '../../workers/api/types';
import { parseManifest, type GraphFiles } from '../../workers/bundle/manifest';
import { sampleLatents } from '../../workers/kontext/edit';
import { FirstBlockCache } from '../../workers/kontext/firstBlockCache';
import { getLatentGeometry, getLatentShape, packLatents } from '../../workers/kontext/pack';
import { getSchedule } from '../../workers/kontext/schedule';
import { createSessionModels } from '../../workers/runtime/kontextModels';

const STEPS = 28;

/** onnxruntime-node whose sessions count their runs by kind: the DiT's middle segments, and every session. */
function countingOrt() {
  const runs = { middle: 0, all: 0 };
  const ort = nodeOrtObservingRuns((session) => {
    runs.all++;
    if (session.inputNames.includes('img_hidden') && session.outputNames.includes('img_hidden_out')) runs.middle++;
  });
  return { ort, runs };
}

/** The tiny bundle's models and a 28-step edit of the golden reference image with its golden prompt. */
async function openTiny(firstBlockCache: boolean) {
  const dir = await ensureTinyBundle('fp32', 1, { firstBlockCache });
  const manifest = parseManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  const load = async (g: GraphFiles): Promise<ModelFiles> => ({
    name: g.graph,
    graph: new Blob([readFileSync(join(dir, g.graph))]),
    externalData: g.data.map((path) => ({ path, data: new Blob([readFileSync(join(dir, path))]) })),
  });
  const { ort, runs } = countingOrt();
  const models = createSessionModels(ort, { backend: 'wasm' }, manifest, load);
  const src = await openSafetensors(join(TINY_GOLDENS_DIR, 'pipeline.safetensors'));
  const text = await models.encodeText(await src.readInt32('t5_input_ids'), await src.readInt32('clip_input_ids'));
  const target = getLatentShape(64, 64, getLatentGeometry(manifest.model));
  const references = [
    {
      tokens: packLatents(await models.encodeImage(await src.readFloat32('reference_image_1'), 64, 64), target),
      shape: target,
    },
  ];
  const noise = packLatents(await src.readFloat32('noise'), target);
  await src.close();
  const edit = (cache?: FirstBlockCache) =>
    sampleLatents({
      models,
      text,
      target,
      references,
      noise,
      timesteps: getSchedule(STEPS, 16, manifest.sampling),
      guidance: 2.5,
      cache,
    });
  return { manifest, models, runs, edit };
}

describe('first-block cache on the tiny bundle (onnxruntime-node)', () => {
  it('lays the DiT out as first block, rest, final layer and computes the same velocity as one graph', async () => {
    const plain = await openTiny(false);
    const laidOut = await openTiny(true);
    expect(laidOut.manifest.ditFirstBlockCache).toBe(true);
    expect(laidOut.manifest.components.dit).toHaveLength(3);
    const reference = await plain.edit();
    expect(getRelativeError(await laidOut.edit(), reference)).toBeLessThan(1e-5);
    // Threshold 0 goes through the cached runner but never reuses: every step runs every block.
    const never = new FirstBlockCache(0);
    expect(getRelativeError(await laidOut.edit(never), reference)).toBeLessThan(1e-5);
    expect(never.stats).toEqual({ computed: STEPS, skipped: 0 });
    await plain.models.release();
    await laidOut.models.release();
  });

  it('skips the middle segments on cached steps and stays close to the uncached run', async () => {
    const tiny = await openTiny(true);
    const uncached = await tiny.edit();
    tiny.runs.middle = 0;
    // The random tiny model's first block moves a lot from step to step (relative L1 0.3–0.6): kontext-micro and
    // FLUX skip at 0.05–0.12, this model only near 0.45 (5 of 28 steps here).
    const cache = new FirstBlockCache(0.45);
    const cached = await tiny.edit(cache);
    const error = getRelativeError(cached, uncached);
    console.log(
      `tiny, ${STEPS} steps, threshold 0.45: ${JSON.stringify(cache.stats)}, relative error ${error.toExponential(2)}`,
    );
    expect(cache.stats.computed + cache.stats.skipped).toBe(STEPS);
    expect(cache.stats.skipped).toBeGreaterThan(0);
    expect(tiny.runs.middle).toBe(cache.stats.computed); // the middle segment ran only on computed steps
    expect(error).toBeGreaterThan(0); // something was reused…
    expect(error).toBeLessThan(0.05); // …and it stayed close
    await tiny.models.release();
  });
});
