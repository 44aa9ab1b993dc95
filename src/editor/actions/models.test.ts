import { describe, expect, it } from 'vitest';
import { EngineError, type BundleInfo } from '../../../workers/api';
import { createFakeEngine, createTestDeps } from '../../testing/fakes';
import { createStudioStore } from '../store';
import { normaliseBundleUrl } from './models';

const incomplete: BundleInfo = {
  id: 'kontext-dev-int4',
  name: 'FLUX.1 Kontext [dev] int4',
  weights: 'int4',
  fp16Activations: [],
  totalBytes: 9e9,
  complete: false,
  embedded: false,
  unsupportedReason: null,
  defaults: { steps: 28, guidance: 2.5, average: 1 },
  domain: null,
  files: [{ path: 'dit.onnx', bytes: 100, loaded: 40, state: 'failed' }],
  loras: [],
};

async function setup() {
  const engine = createFakeEngine();
  const store = createStudioStore(createTestDeps(engine).deps);
  await store.getState().boot();
  return { engine, store, s: () => store.getState() };
}

describe('model actions', () => {
  it('normalises bundle URLs to their folder', () => {
    expect(normaliseBundleUrl('https://x.org/b/manifest.json', 'https://a/')).toBe('https://x.org/b/');
    expect(normaliseBundleUrl('https://x.org/b#top', 'https://a/')).toBe('https://x.org/b/');
    expect(() => normaliseBundleUrl('ftp://x.org/b', 'https://a/')).toThrow(/not a web address/);
    // plain http reaches this computer only (the CSP's connect-src)
    expect(() => normaliseBundleUrl('http://x.org/b', 'https://a/')).toThrow(/plain http: use its https:\/\/ address/);
    expect(normaliseBundleUrl('http://localhost:8080/b', 'https://a/')).toBe('http://localhost:8080/b/');
    expect(normaliseBundleUrl('http://127.0.0.1:8080/b', 'https://a/')).toBe('http://127.0.0.1:8080/b/');
    // Hugging Face pages, as copied from the address bar, become the URLs that serve the files
    const hf = 'https://huggingface.co/someone/kontext-int4';
    expect(normaliseBundleUrl(hf, 'https://a/')).toBe(`${hf}/resolve/main/`);
    expect(normaliseBundleUrl(`${hf}/tree/main/bundle`, 'https://a/')).toBe(`${hf}/resolve/main/bundle/`);
    expect(normaliseBundleUrl(`${hf}/blob/v2/bundle/manifest.json`, 'https://a/')).toBe(`${hf}/resolve/v2/bundle/`);
    expect(normaliseBundleUrl(`${hf}/resolve/main/`, 'https://a/')).toBe(`${hf}/resolve/main/`);
    expect(normaliseBundleUrl('https://huggingface.co/datasets/someone/b/tree/main', 'https://a/')).toBe(
      'https://huggingface.co/datasets/someone/b/resolve/main/',
    );
    expect(normaliseBundleUrl('https://example.org/someone/b/tree/main', 'https://a/')).toBe(
      'https://example.org/someone/b/tree/main/',
    );
  });

  it('a failed download keeps its files and error; the URL is remembered and Resume retries it', async () => {
    const { engine, s } = await setup();
    const calls: string[] = [];
    engine.addBundle = async (source, onProgress) => {
      calls.push(source.kind === 'url' ? source.url : 'files');
      onProgress(incomplete.files);
      engine.bundles = [...engine.bundles.filter((b) => b.id !== incomplete.id), incomplete];
      throw new EngineError('hash-mismatch', 'dit.onnx: sha256 differs');
    };
    await s().addBundleFromUrl('https://models.example/kontext-dev-int4/manifest.json');
    const key = 'https://models.example/kontext-dev-int4/';
    expect(s().downloads[key]).toMatchObject({ running: false, files: incomplete.files });
    expect(s().downloads[key]!.error).toMatch(/damaged.*sha256 differs/);
    expect(s().notice!.severity).toBe('error');
    expect(s().bundleUrls[incomplete.id]).toBe(key);
    await s().resumeBundle(incomplete.id);
    expect(calls).toEqual([key, key]);
  });

  it('a download that failed before storing anything is retried or removed in place; a stored one goes with its bundle', async () => {
    const { engine, s } = await setup();
    const sources: string[] = [];
    let fail = true;
    engine.addBundle = async (source) => {
      sources.push(source.kind);
      if (fail) throw new EngineError('cors', 'https://cdn.example/b/manifest.json could not be read');
      engine.bundles = [...engine.bundles, incomplete];
      throw new EngineError('network', 'Downloading "dit.onnx" failed (network error).');
    };
    const key = 'https://cdn.example/b/';
    await s().addBundleFromUrl(key);
    expect(s().downloads[key]).toMatchObject({ running: false, error: expect.stringMatching(/CORS/) });
    expect(s().downloads[key]!.bundleId).toBeUndefined();
    expect(s().notice).toMatchObject({ severity: 'error', text: expect.stringContaining(key) });
    await s().removeDownload(key);
    expect(s().downloads[key]).toBeUndefined();
    expect(s().notice).toBeNull(); // its toast goes with it

    // Picked files cannot be typed again: Retry reuses them.
    const files = [new File(['{}'], 'manifest.json')];
    await s().addBundleFromFiles('folder', files);
    fail = false;
    await s().retryDownload('files:folder');
    expect(sources).toEqual(['url', 'files', 'files']);
    // now the bundle is stored (incomplete): the failed download belongs to it, and deleting the bundle clears both
    expect(s().downloads['files:folder']).toMatchObject({
      bundleId: incomplete.id,
      error: expect.stringMatching(/broke off/),
    });
    const deleted: string[] = [];
    engine.deleteBundle = async (id) => {
      deleted.push(id);
      engine.bundles = engine.bundles.filter((b) => b.id !== id);
    };
    await s().removeDownload('files:folder');
    expect(deleted).toEqual([incomplete.id]);
    expect(s().downloads).toEqual({});
    expect(s().bundles!.some((b) => b.id === incomplete.id)).toBe(false);
  });

  it('first run installs the shipped bundle and selects it; later boots pick up what a new app version ships; a build without one stays quiet', async () => {
    const engine = createFakeEngine();
    const shipped: BundleInfo = {
      ...incomplete,
      id: 'kontext-micro',
      name: 'kontext-micro',
      complete: true,
      embedded: true,
      files: [],
    };
    engine.bundles = [];
    const sources: string[] = [];
    /** The app ships `info`: adding the embedded source stores it. */
    const ship = (info: BundleInfo) => {
      engine.addBundle = async (source) => {
        sources.push(source.kind);
        engine.bundles = [info];
        return info;
      };
    };
    ship(shipped);
    const store = createStudioStore(createTestDeps(engine).deps);
    await store.getState().boot();
    expect(sources).toEqual(['embedded']);
    expect(store.getState().selectedBundleId).toBe('kontext-micro');
    // Already stored: every boot still asks the engine, which fetches only files whose sha256 changed; new
    // sampler settings in the shipped manifest reach the prompt.
    ship({ ...shipped, defaults: { steps: 2, guidance: 2.5, average: 4 } });
    const again = createStudioStore(createTestDeps(engine).deps);
    await again.getState().boot();
    expect(sources).toEqual(['embedded', 'embedded']);
    expect(again.getState().prompt).toMatchObject({ steps: 2, average: 4, sampling: 'model' });
    // Offline with a complete copy stored: no error, the stored copy stays selected.
    engine.addBundle = async () => {
      throw new EngineError(
        'offline',
        'The device is offline; https://app/bundles/kontext-micro/manifest.json was not fetched.',
      );
    };
    const offline = createStudioStore(createTestDeps(engine).deps);
    await offline.getState().boot();
    expect(offline.getState().notice).toBeNull();
    expect(offline.getState().selectedBundleId).toBe('kontext-micro');

    const bare = createFakeEngine();
    bare.bundles = [];
    bare.addBundle = async () => {
      throw new EngineError('not-found', 'There is no manifest.json at https://app/bundles/kontext-micro/ (HTTP 404).');
    };
    const quiet = createStudioStore(createTestDeps(bare).deps);
    await quiet.getState().boot();
    expect(quiet.getState().notice).toBeNull();
    expect(quiet.getState().selectedBundleId).toBeNull();
  });

  it('a folder without manifest.json never reaches the engine', async () => {
    const { engine, s } = await setup();
    let called = false;
    engine.addBundle = async () => {
      called = true;
      return incomplete;
    };
    await s().addBundleFromFiles('holiday', [new File(['x'], 'notes.txt')]);
    expect(called).toBe(false);
    expect(s().notice!.text).toMatch(/“holiday” has no manifest.json/);
  });

  it('a successful add is selected when nothing was chosen yet; delete forgets it', async () => {
    const { engine, s } = await setup();
    engine.bundles = [];
    await s().refreshBundles();
    await s().addBundleFromFiles('kontext-micro', [new File(['{}'], 'manifest.json')]);
    expect(s().selectedBundleId).toBe('kontext-micro');
    expect(s().storage).toEqual({ usage: 1, quota: 100, persisted: false });
    await s().deleteBundle('kontext-micro');
    expect(s().selectedBundleId).toBeNull();
  });
});
