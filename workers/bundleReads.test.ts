import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { manifestToJson } from './bundle/manifestJson';
import { readBundleAhead, type LastBundleStore } from './bundleReads';
import { createBundleStore, createMemoryStore } from './cache';
import { createFakeServer, makeRandomBytes, makeTestManifest } from './cache/testBundle';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * A bundle store holding `ids` (complete, or the last one cut short when `partial`), served from fake URLs; the
 * one named `embedded` added as the built-in bundle.
 */
async function storeWith(ids: string[], { partial = false, embedded = '' } = {}) {
  const kv = createMemoryStore();
  const bundles = createBundleStore({
    store: kv,
    fetch: async () => new Response(null, { status: 404 }),
    subtle: crypto.subtle,
    storage: { estimate: async () => ({ usage: 0, quota: 1e12 }) },
    progressIntervalMs: 0,
  });
  for (const [i, id] of ids.entries()) {
    const files = new Map([
      ['graph.onnx', makeRandomBytes(100, i + 1)],
      ['graph.onnx.data', makeRandomBytes(1000, i + 2)],
    ]);
    const manifest = makeTestManifest(
      id,
      [...files].map(([path, b]) => ({ path, bytes: b.length, sha256: sha(b) })),
    );
    files.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifestToJson(manifest))));
    const base = `https://models.example/${id}/`;
    const server = createFakeServer(base, files);
    const cut = partial && i === ids.length - 1;
    const store = createBundleStore({
      store: kv,
      fetch: cut
        ? (url, init) =>
            String(url).endsWith('.data') ? Promise.reject(new Error('offline')) : server.fetch(url, init)
        : server.fetch,
      subtle: crypto.subtle,
      storage: { estimate: async () => ({ usage: 0, quota: 1e12 }) },
      progressIntervalMs: 0,
      embeddedUrl: id === embedded ? base : undefined,
    });
    const source = id === embedded ? ({ kind: 'embedded' } as const) : ({ kind: 'url', url: base } as const);
    await store.addBundle(source, () => undefined).catch(() => undefined);
  }
  return bundles;
}

const last = (id: string | null): LastBundleStore => ({ get: async () => id, set: async () => undefined });

describe('readBundleAhead', () => {
  it('starts reading the bundle opened last, the graphs an edit opens', async () => {
    const bundles = await storeWith(['a', 'b']);
    const early = await readBundleAhead({ bundles, lastBundle: last('b') });
    expect(early?.id).toBe('b');
    expect(early?.graphs.map((g) => g.graph)).toEqual(['graph.onnx']); // every role's graph is this one here
    early?.reads.clear();
  });

  it('falls back to the built-in bundle when the one opened last is gone (as the page does)', async () => {
    const bundles = await storeWith(['a', 'micro'], { embedded: 'micro' });
    expect((await readBundleAhead({ bundles, lastBundle: last('gone') }))?.id).toBe('micro');
    expect((await readBundleAhead({ bundles, lastBundle: last(null) }))?.id).toBe('micro');
    expect((await readBundleAhead({ bundles, lastBundle: last('a') }))?.id).toBe('a');
  });

  it('reads nothing when the bundle opened last is gone and none is built in, or when it is not complete', async () => {
    expect(await readBundleAhead({ bundles: await storeWith(['a']), lastBundle: last('gone') })).toBeNull();
    expect(
      await readBundleAhead({ bundles: await storeWith(['a'], { partial: true }), lastBundle: last('a') }),
    ).toBeNull();
    expect(await readBundleAhead({ bundles: await storeWith([]), lastBundle: last(null) })).toBeNull();
  });
});
