import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeOrt } from '../testing/nodeOrt';
import { ensureTinyBundle } from '../testing/tinyBundle';
import type { ModelFiles } from '../../workers/api/types';
import { parseManifest, type GraphFiles } from '../../workers/bundle/manifest';
import type { KontextModels } from '../../workers/kontext/models';
import { createGraphReads } from '../../workers/runtime/graphReads';
import { createSessionModels, EDIT_ROLES } from '../../workers/runtime/kontextModels';
import { getFileBytes } from '../../workers/runtime/memoryPlan';
import { readModel } from '../../workers/runtime/session';

/** The tiny bundle's graphs as Blobs, counting each graph file's reads; `drop` leaves a weights file out. */
async function countingLoader(drop?: string) {
  const dir = await ensureTinyBundle('fp32', 1);
  const manifest = parseManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  const reads: string[] = [];
  const counted = (path: string) => {
    const blob = new Blob([readFileSync(join(dir, path))]);
    return Object.assign(blob, {
      arrayBuffer: () => {
        reads.push(path);
        return Blob.prototype.arrayBuffer.call(blob);
      },
    });
  };
  const load = async (g: GraphFiles): Promise<ModelFiles> => ({
    name: g.graph,
    graph: counted(g.graph),
    externalData: g.data.filter((p) => p !== drop).map((path) => ({ path, data: counted(path) })),
  });
  const encodeText = (models: { encodeText: KontextModels['encodeText'] }) =>
    models.encodeText(
      new Int32Array(manifest.model.t5.maxLength).fill(1),
      new Int32Array(manifest.model.clip.maxLength).fill(1),
    );
  return { manifest, load, reads, encodeText };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('reading graphs ahead of their sessions (tiny bundle, onnxruntime-node)', () => {
  it('reads every graph an edit opens before it is opened, once, and the results are the same', async () => {
    const { manifest, load, reads, encodeText } = await countingLoader();
    const ahead = createSessionModels(nodeOrt, { backend: 'wasm' }, manifest, load);
    ahead.readAhead(EDIT_ROLES);
    await settle();
    const { t5, clip, aeEncoder, dit, aeDecoder } = manifest.components;
    const graphs = [t5, clip, aeEncoder, ...dit, aeDecoder];
    expect(reads.sort()).toEqual(graphs.map((g) => g.graph).sort()); // all read, nothing opened yet
    const viaAhead = await encodeText(ahead);
    expect(reads.length).toBe(graphs.length); // T5 and CLIP took what was read ahead

    const plain = createSessionModels(nodeOrt, { backend: 'wasm' }, manifest, (await countingLoader()).load);
    const direct = await encodeText(plain);
    expect(viaAhead.text).toEqual(direct.text);
    expect(viaAhead.pooled).toEqual(direct.pooled);
    await Promise.all([ahead.release(), plain.release()]);
  });

  it("takes reads started elsewhere (the engine start's reading thread) instead of reading those graphs, and reads the rest through readWhole", async () => {
    const { manifest, load, reads, encodeText } = await countingLoader();
    const elsewhere = await countingLoader();
    const { t5, clip } = manifest.components;
    const early = new Map([[t5.graph, elsewhere.load(t5).then((f) => readModel(f))]]);
    const wholeReads: number[] = [];
    const readWhole = async (blob: Blob) => {
      wholeReads.push(blob.size);
      return new Uint8Array(await blob.arrayBuffer());
    };
    const models = createSessionModels(nodeOrt, { backend: 'wasm' }, manifest, load, {
      reads: createGraphReads(load, getFileBytes(manifest), { early, readWhole }),
    });
    const taken = await encodeText(models);
    expect(reads).toEqual([clip.graph, ...clip.data]); // T5 came from the other reads; CLIP read here
    expect(elsewhere.reads).toEqual([t5.graph]); // (its weights streamed, not counted)
    expect(wholeReads).toEqual(clip.data.map((path) => getFileBytes(manifest).get(path))); // CLIP's weights
    const direct = await encodeText(
      createSessionModels(nodeOrt, { backend: 'wasm' }, manifest, (await countingLoader()).load),
    );
    expect(taken.text).toEqual(direct.text);
    expect(taken.pooled).toEqual(direct.pooled);
    await models.release();
  });

  it('stops at its byte budget (the rest is read when opened) and drops what was not used', async () => {
    const { manifest, load, reads, encodeText } = await countingLoader();
    const models = createSessionModels(nodeOrt, { backend: 'wasm' }, manifest, load, {
      reads: createGraphReads(load, getFileBytes(manifest), { budget: 0 }),
    });
    models.readAhead(['t5', 'clip']); // both have weights: over a budget of 0 bytes
    await settle();
    expect(reads).toEqual([]);
    await encodeText(models);
    expect(reads).toEqual([manifest.components.t5.graph, manifest.components.clip.graph]);

    const dropped = await countingLoader();
    const other = createSessionModels(nodeOrt, { backend: 'wasm' }, manifest, dropped.load);
    other.readAhead(['t5']);
    await settle();
    other.dropReadAhead();
    await encodeText(other);
    expect(dropped.reads.filter((p) => p === manifest.components.t5.graph)).toHaveLength(2); // read again
    await Promise.all([models.release(), other.release()]);
  });

  it('leaves graphs with weights onnxruntime reads itself (large files) to their session', async () => {
    const { manifest, load, reads, encodeText } = await countingLoader();
    const t5Weights = manifest.components.t5.data[0]!;
    // The manifest says T5's weights are 1 GiB: read as a Blob by onnxruntime, not worth looking up early.
    const large = {
      ...manifest,
      files: manifest.files.map((f) => (f.path === t5Weights ? { ...f, bytes: 2 ** 30 } : f)),
    };
    const models = createSessionModels(nodeOrt, { backend: 'wasm' }, large, load);
    models.readAhead(['t5', 'clip']);
    await settle();
    expect(reads).toEqual([manifest.components.clip.graph]);
    await encodeText(models);
    expect(reads).toEqual([manifest.components.clip.graph, manifest.components.t5.graph]);
    await models.release();
  });

  it('leaves a failed read to the session creation that needs it, with its own message', async () => {
    const t5Weights = (await countingLoader()).manifest.components.t5.data[0]!;
    const { manifest, load, encodeText } = await countingLoader(t5Weights);
    const models = createSessionModels(nodeOrt, { backend: 'wasm' }, manifest, load);
    models.readAhead(EDIT_ROLES); // no unhandled rejection while nobody awaits it
    await settle();
    await expect(encodeText(models)).rejects.toMatchObject({
      code: 'missing-external-data',
      message: expect.stringContaining(t5Weights),
    });
    await models.release();
  });
});
