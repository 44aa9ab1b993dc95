/**
 * Tiled AE decode and encode (workers/kontext/tiles.ts through the engine's session models) against the whole
 * pass, on kontext-micro's trained autoencoder and onnxruntime-node. A small forced buffer budget makes a
 * 256² picture tile the way a 1024²+ one tiles on a GPU. Run `npm run bundle:micro` first (the test pre-hook does).
 * Issue #12 asks for 1e-3 on [0, 1]; per-tile GroupNorm statistics and mid-block attention make tiles differ far
 * more (measured 0.12 decode, 0.67 encode in latent units, half-size tiles), so the bounds here are regression
 * bounds a misplaced or unblended tile breaks (errors of order 1–2), not that bar. Exact tiles need the norms'
 * whole-picture statistics (a staged decoder), which is not built.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRoundtripImage } from '../convert/fixtures/makeRoundtripImage';
import { REPO_ROOT } from '../convert/paths';
import { chooseTiling, getAePeakBytes, type AeShape } from '../../workers/kontext/tiles';
import type { SessionModels } from '../../workers/runtime/kontextModels';
import { openFolderPipeline } from '../testing/folderEngine';
import { nodeOrt } from '../testing/nodeOrt';

const MICRO = join(REPO_ROOT, 'public/bundles/kontext-micro');
const SIZE = 256;

/** Largest |a − b| after mapping [-1, 1] to [0, 1] and clamping, as the picture is shown. */
function maxAbsOnUnit(a: Float32Array, b: Float32Array): number {
  const unit = (v: number) => Math.min(1, Math.max(0, (v + 1) / 2));
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(unit(a[i]!) - unit(b[i]!)));
  return max;
}

describe('tiled vs whole AE passes on kontext-micro (onnxruntime-node)', () => {
  let whole: SessionModels;
  let tiled: SessionModels;
  let shape: AeShape;
  let budget: number;
  let pixels: Float32Array;
  beforeAll(() => {
    const plain = openFolderPipeline(MICRO, nodeOrt);
    const ae = plain.manifest.model.ae;
    shape = { channels: ae.channels!, attentionChunks: ae.attentionChunks! };
    const latent = SIZE / ae.spatialFactor;
    budget = getAePeakBytes(shape, latent / 2, latent / 2); // forces 2–3 tiles a side
    whole = plain.models;
    tiled = openFolderPipeline(MICRO, nodeOrt, { aeBufferBudget: budget }).models;
    const image = makeRoundtripImage(SIZE);
    pixels = Float32Array.from({ length: 3 * SIZE * SIZE }, (_, i) => {
      const [c, p] = [Math.floor(i / (SIZE * SIZE)), i % (SIZE * SIZE)];
      return (image.rgb[p * 3 + c]! / 255) * 2 - 1;
    });
  });
  afterAll(async () => {
    await whole?.release();
    await tiled?.release();
  });

  it('decodes within 0.2 max abs on [0, 1] of the whole decode (measured 0.124; the 1e-3 bar is not met)', async () => {
    const latent = await whole.encodeImage(pixels, SIZE, SIZE);
    const h = Math.sqrt(latent.length / 16); // 16 latent channels, square
    const tiling = chooseTiling(shape, h, h, budget);
    expect(tiling).not.toBeNull();
    const a = await whole.decode(latent, h, h);
    const b = await tiled.decode(latent, h, h);
    const error = maxAbsOnUnit(b, a);
    console.log(
      `decode ${SIZE}²: tile ${tiling!.tile} overlap ${tiling!.overlap} latent px, max |tiled − whole| on [0,1] = ${error.toExponential(3)}`,
    );
    expect(error).toBeLessThanOrEqual(0.2);
  });

  it('encodes within 1 max abs of the whole encode in latent units (measured 0.67)', async () => {
    const a = await whole.encodeImage(pixels, SIZE, SIZE);
    const b = await tiled.encodeImage(pixels, SIZE, SIZE);
    let error = 0;
    for (let i = 0; i < a.length; i++) error = Math.max(error, Math.abs(a[i]! - b[i]!));
    console.log(`encode ${SIZE}²: max |tiled − whole| = ${error.toExponential(3)}`);
    expect(error).toBeLessThanOrEqual(1);
  });
});
