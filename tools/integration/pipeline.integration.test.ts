import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSafetensors } from '../convert/node/nodeFiles';
import { loadWebOrt, nodeOrt } from '../testing/nodeOrt';
import { getRelativeError } from '../testing/numerics';
import { ensureTinyBundle, TINY_GOLDENS_DIR } from '../testing/tinyBundle';
import type { ModelFiles } from '../../workers/api/types';
import { parseManifest, type GraphFiles } from '../../workers/bundle/manifest';
import { sampleLatents } from '../../workers/kontext/edit';
import { getLatentGeometry, getLatentShape, packLatents, unpackLatents } from '../../workers/kontext/pack';
import { getSchedule } from '../../workers/kontext/schedule';
import type { Ort } from '../../workers/runtime/ort';
import { createSessionModels } from '../../workers/runtime/kontextModels';

async function loadGolden() {
  const src = await openSafetensors(join(TINY_GOLDENS_DIR, 'pipeline.safetensors'));
  const f = (name: string) => src.readFloat32(name);
  const scalar = async (name: string) => {
    const [value] = await f(name);
    if (value === undefined) throw new Error(`the golden ${name} is empty`);
    return value;
  };
  const golden = {
    t5Ids: await src.readInt32('t5_input_ids'),
    clipIds: await src.readInt32('clip_input_ids'),
    ref1: await f('reference_image_1'),
    ref2: await f('reference_image_2'),
    mask: await f('mask'),
    noise: await f('noise'),
    guidance: await scalar('guidance'),
    text: await f('text_embeddings'),
    pooled: await f('pooled_embeddings'),
    timesteps: await f('timesteps'),
    referenceTokens: await f('reference_tokens'),
    latents: await f('latents'),
  };
  await src.close();
  return golden;
}

/**
 * The whole sampler against the PyTorch reference pipeline (training/make_goldens.py): the tiny random
 * checkpoint converted by our converter, 2 references + a mask, 4 steps, the same noise.
 */
describe.each([
  ['onnxruntime-node (CPU EP)', async () => nodeOrt],
  ['onnxruntime-web (WASM EP)', loadWebOrt],
] as [string, () => Promise<Ort>][])('Kontext pipeline golden on %s', (_, getOrt) => {
  it('matches the reference text, references, schedule and final latents', async () => {
    const dir = await ensureTinyBundle('fp32', 2);
    const manifest = parseManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
    const load = async (g: GraphFiles): Promise<ModelFiles> => ({
      name: g.graph,
      graph: new Blob([readFileSync(join(dir, g.graph))]),
      externalData: g.data.map((path) => ({ path, data: new Blob([readFileSync(join(dir, path))]) })),
    });
    const models = createSessionModels(await getOrt(), { backend: 'wasm' }, manifest, load);
    const g = await loadGolden();

    const text = await models.encodeText(g.t5Ids, g.clipIds);
    expect(getRelativeError(text.text, g.text)).toBeLessThan(1e-4);
    expect(getRelativeError(text.pooled, g.pooled)).toBeLessThan(1e-4);

    const geometry = getLatentGeometry(manifest.model);
    const target = getLatentShape(64, 64, geometry);
    const ref2Shape = getLatentShape(64, 48, geometry);
    const references = [
      { tokens: packLatents(await models.encodeImage(g.ref1, 64, 64), target), shape: target },
      { tokens: packLatents(await models.encodeImage(g.ref2, 64, 48), ref2Shape), shape: ref2Shape },
    ];
    const refTokens = new Float32Array([...references[0]!.tokens, ...references[1]!.tokens]);
    expect(getRelativeError(refTokens, g.referenceTokens)).toBeLessThan(1e-4);

    const timesteps = getSchedule(4, 16, manifest.sampling);
    expect(getRelativeError(timesteps, g.timesteps)).toBeLessThan(1e-6);

    const maskLatent = new Float32Array(16 * 64);
    for (let c = 0; c < 16; c++) maskLatent.set(g.mask, c * 64); // [1,1,8,8] → every channel
    const tokens = await sampleLatents({
      models,
      text,
      target,
      references,
      timesteps,
      guidance: g.guidance,
      noise: packLatents(g.noise, target),
      mask: packLatents(maskLatent, target),
    });
    const error = getRelativeError(unpackLatents(tokens, target), g.latents);
    console.log(`final latents vs PyTorch: relative error ${error.toExponential(2)}`);
    expect(error).toBeLessThan(1e-3);
    await models.release();
  });
});
