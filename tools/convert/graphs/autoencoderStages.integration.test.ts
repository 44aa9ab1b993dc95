/**
 * The staged AE decoder of the tiny fixture (ch_mult [1, 1, 2, 2], 2 ResNet blocks: FLUX's layout) run tile by tile
 * through the engine's own code (workers/kontext/stagedDecode.ts, workers/runtime/stagedDecoder.ts) on
 * onnxruntime-node, against the whole decoder graph and the PyTorch golden.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphFiles } from '../../../workers/bundle/manifest';
import { chooseStagedTile, runStagedDecoder } from '../../../workers/kontext/stagedDecode';
import type { OrtTensor } from '../../../workers/runtime/ort';
import { createStageRunner } from '../../../workers/runtime/stagedDecoder';
import { nodeOrt } from '../../testing/nodeOrt';
import { getOutput } from '../../testing/outputs';
import { openSafetensors } from '../node/nodeFiles';
import { makeTempDir } from '../testing';
import { convertAutoencoder, type ConvertedAutoencoder } from './autoencoder';
import { getRelativeError, makeTestOptions, openGolden, runConverted, TINY_MODEL_DIR } from './commonTesting';
import { openFolderSink } from '../node/folderSink';

const temp = makeTempDir('ae-stages');
afterAll(() => temp.cleanup());

let ae: ConvertedAutoencoder;
let opened = 0;
const latent = { data: new Float32Array(), golden: new Float32Array() };
const [h, w] = [4, 6]; // the golden's latent: a 32×48 picture

beforeAll(async () => {
  const source = await openSafetensors(join(TINY_MODEL_DIR, 'ae.safetensors'));
  ae = await convertAutoencoder(source, openFolderSink(temp.dir), makeTestOptions());
  await source.close();
  const golden = await openGolden('ae_decoder');
  latent.data = Float32Array.from(await golden.readFloat32('latent'));
  latent.golden = Float32Array.from(await golden.readFloat32('image'));
  await golden.close();
});

/** Decodes the golden latent through the stages in `tile`-pixel tiles. */
async function decodeStaged(tile: number): Promise<Float32Array> {
  const stages = ae.decoderStages.map(({ stage, graph }) => ({
    ...stage,
    graph: { graph: graph.graph, data: graph.data },
  }));
  const openGraph = async (g: GraphFiles) => {
    opened++;
    return nodeOrt.InferenceSession.create(new Uint8Array(readFileSync(join(temp.dir, g.graph))), {
      executionProviders: ['wasm'],
      externalData: g.data.map((path) => ({ path, data: new Uint8Array(readFileSync(join(temp.dir, path))) })),
    });
  };
  const read = async (t: OrtTensor | undefined) => t!.data as Float32Array;
  const runner = createStageRunner(nodeOrt, stages, openGraph, read);
  try {
    return await runStagedDecoder(stages, runner.run, { data: latent.data, channels: 16, height: h, width: w }, tile);
  } finally {
    await runner.release();
  }
}

describe('the staged AE decoder on the tiny fixture (onnxruntime-node)', () => {
  it('writes one graph per stage whose norms take fed statistics (no InstanceNormalization inside)', () => {
    expect(ae.decoderStages).toHaveLength(1 + 2 + 1 + 2 + 4 * 3 * 2 + 3 + 1);
    for (const { graph } of ae.decoderStages)
      expect(readFileSync(join(temp.dir, graph.graph)).includes('InstanceNormalization')).toBe(false);
    // Each stage holds a part of the decoder's weights; together, all of them.
    expect(ae.decoderStages.reduce((n, s) => n + s.graph.parameters, 0)).toBe(ae.decoder.parameters);
  });

  it('tiled equals the whole decoder to float error at several tile sizes, and matches the golden', async () => {
    const whole = getOutput(
      await runConverted('node', temp.dir, ae.decoder, {
        latent: { type: 'float32', data: latent.data, dims: [1, 16, h, w] },
      }),
      'image',
    ).data;
    const unit = (v: number) => Math.min(1, Math.max(0, (v + 1) / 2));
    for (const tile of [1, 2, 3, 6]) {
      opened = 0;
      const staged = await decodeStaged(tile);
      expect(opened).toBe(ae.decoderStages.length); // one session per stage, however many tiles
      let error = 0;
      for (let i = 0; i < whole.length; i++) error = Math.max(error, Math.abs(unit(staged[i]!) - unit(whole[i]!)));
      console.log(
        `tiny AE staged decode, ${tile}-pixel latent tiles: max |staged − whole| on [0,1] = ${error.toExponential(2)}`,
      );
      expect(error).toBeLessThanOrEqual(1e-5);
      expect(getRelativeError(staged, latent.golden)).toBeLessThanOrEqual(1e-4);
    }
    expect(
      chooseStagedTile(
        ae.decoderStages.map((s) => s.stage),
        { zChannels: 16, attentionChunks: 16, height: h, width: w },
        Infinity,
      ),
    ).toBe(6);
  });
});
