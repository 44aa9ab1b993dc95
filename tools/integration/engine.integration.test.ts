import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeBoxAutoencoder } from '../testing/boxAutoencoder';
import { nodeOrt } from '../testing/nodeOrt';
import { EngineError } from '../../workers/api/errors';
import type { ModelFiles, RgbaImage } from '../../workers/api/types';
import { createBundleStore, createMemoryStore } from '../../workers/cache';
import { createEngine } from '../../workers/engine';
import { hashImage } from '../../workers/runtime/hashImage';

function loadModel(dir: string, files: string[]): ModelFiles {
  const [graph, ...data] = files;
  if (graph === undefined) throw new Error('a model needs its graph file');
  return {
    name: graph,
    graph: new Blob([readFileSync(join(dir, graph))]),
    externalData: data.map((path) => ({ path, data: new Blob([readFileSync(join(dir, path))]) })),
  };
}

/** A smooth 32×24 test image: 8×8 blocks of constant colour survive the box autoencoder exactly. */
function blockImage(width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(4 * width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 4 * (y * width + x);
      const bx = x >> 3;
      const by = y >> 3;
      data.set([40 + 50 * bx, 30 + 60 * by, 200 - 30 * bx, 255], i);
    }
  }
  return { width, height, data };
}

function makeEngine() {
  return createEngine({
    loadOrt: async () => nodeOrt,
    gpu: undefined,
    ortBuild: 'jspi',
    ortVersion: 'node',
    crossOriginIsolated: false,
    hardwareConcurrency: 2,
    bundles: createBundleStore({ store: createMemoryStore(), fetch, subtle: crypto.subtle, storage: null }),
    hashImage,
  });
}

describe('engine on onnxruntime-node (CPU)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'box-ae-'));
  const box = writeBoxAutoencoder(dir);

  it('falls back to the CPU backend when there is no WebGPU, and says why', async () => {
    const caps = await makeEngine().init('auto');
    expect(caps.backend).toBe('wasm');
    expect(caps.fallback).toBe(true);
    expect(caps.fallbackReason).toMatch(/WebGPU/);
    await expect(makeEngine().init('webgpu')).rejects.toMatchObject({ code: 'no-webgpu' });
  });

  it('round-trips an image through a real autoencoder graph', async () => {
    const engine = makeEngine();
    await engine.init('wasm');
    const image = blockImage(32, 24);
    const result = await engine.roundTrip(loadModel(dir, box.encoder), loadModel(dir, box.decoder), image);
    expect(result.latentShape).toEqual([1, 3, 3, 4]);
    expect(result.image.width).toBe(32);
    expect(result.psnr).toBeGreaterThan(45); // blocks are constant: only float rounding remains
  });

  it('rejects bad models with specific errors and stays usable', async () => {
    const engine = makeEngine();
    await engine.init('wasm');
    const encoder = loadModel(dir, box.encoder);
    const decoder = loadModel(dir, box.decoder);
    const notOnnx: ModelFiles = { name: 'notes.onnx', graph: new Blob(['just some text\n']), externalData: [] };
    await expect(engine.roundTrip(notOnnx, decoder, blockImage(16, 16))).rejects.toMatchObject({
      code: 'bad-model',
      message: expect.stringMatching(/notes\.onnx is not an ONNX model/),
    });
    await expect(engine.roundTrip({ ...encoder, externalData: [] }, decoder, blockImage(16, 16))).rejects.toMatchObject(
      {
        code: 'missing-external-data',
        message: expect.stringContaining('box_encoder.onnx.data'),
      },
    );
    await expect(engine.roundTrip(encoder, decoder, blockImage(12, 16))).rejects.toBeInstanceOf(EngineError);
    const ok = await engine.roundTrip(encoder, decoder, blockImage(16, 16));
    expect(ok.psnr).toBeGreaterThan(45);
  });
});
