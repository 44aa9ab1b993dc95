/**
 * The browser's conversion path run in Node: the tiny checkpoint folder as picked `File`s, converted by the
 * same core into the engine's bundle store (workers/convert/storeSink.ts over the in-memory key-value store),
 * gives the same files, byte for byte (sha256), as the CLI's folder; a conversion stopped after a step is
 * invisible to the store and resumes at the next step.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBundleStore, createMemoryStore } from '../../workers/cache';
import type { ConvertStepState } from '../../workers/api';
import { listPendingConversions, runConversion } from '../../workers/convert/convertJob';
import { createConverter } from '../../workers/convert/converter';
import { openPickedFiles } from '../../workers/convert/pickedFiles';
import { openStoreSink } from '../../workers/convert/storeSink';
import { convertBundle } from '../convert/bundle/convertBundle';
import { estimateBundleBytes } from '../convert/bundle/bundleSize';
import { convertModel, openModel, type StepResults } from '../convert/bundle/convertModel';
import { hashFile } from '../convert/node/nodeFiles';
import { openWasmDecoder } from '../convert/node/wasmDecoder';
import { makeTempDir } from '../convert/testing';
import { TINY_BUNDLE_OVERRIDES, TINY_MODEL_DIR } from '../testing/tinyBundle';

const temp = makeTempDir('convert-store-');
afterAll(() => temp.cleanup());

const options = { weights: 'int4' as const, segments: 2, t5MaxLength: 16, overrides: TINY_BUNDLE_OVERRIDES };

/** The folder's files as a picker hands them over: named by their path inside the folder. */
function pickFolder(dir: string): File[] {
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((e) => (statSync(join(d, e)).isDirectory() ? walk(join(d, e)) : [join(d, e)]));
  return walk(dir).map((p) => new File([readFileSync(p)], relative(dir, p)));
}

const storeOf = (kv: ReturnType<typeof createMemoryStore>) =>
  createBundleStore({ store: kv, fetch: () => Promise.reject(new Error('offline')), subtle: null, storage: null });

describe('conversion into the bundle store (the browser path)', () => {
  it('stores the same files as the CLI, byte for byte, and only then lists the bundle', async () => {
    const out = join(temp.dir, 'cli');
    await convertBundle(TINY_MODEL_DIR, out, options);

    const kv = createMemoryStore();
    const folder = openPickedFiles('model', pickFolder(TINY_MODEL_DIR));
    const model = await openModel(folder, options);
    const sink = openStoreSink(kv, model.id, 64 * 1024); // small chunks: files span several
    const stopped = new Error('reload');
    const stored: Partial<StepResults> = {};
    // First run: "the tab reloads" once the T5 step is stored.
    await expect(
      convertModel(folder, model, sink, {
        ...options,
        openDecoder: openWasmDecoder,
        onStepDone: async (step, result) => {
          Object.assign(stored, { [step]: result });
          if (step === 't5') throw stopped;
        },
      }),
    ).rejects.toBe(stopped);
    expect(await storeOf(kv).listBundles()).toEqual([]); // nothing half-written is listed

    // Second run resumes at CLIP: DiT and T5 are not converted again.
    const resumed = openStoreSink(kv, model.id, 64 * 1024);
    const keep = [...stored.dit!.graphs, ...stored.t5!.graphs].flatMap((g) => [g.graph, ...g.data]);
    await resumed.discardExcept(keep);
    const steps: string[] = [];
    // Progress and file creations in order: a step's progress reaches its total only with its last tensor read.
    const events: string[] = [];
    const create = resumed.create.bind(resumed);
    resumed.create = (path) => (events.push(`create ${path}`), create(path));
    const converted = await convertModel(folder, model, resumed, {
      ...options,
      openDecoder: openWasmDecoder,
      done: stored,
      onStepProgress: (p) => {
        if (!steps.includes(p.step)) steps.push(p.step);
        events.push(`${p.step} ${p.doneBytes === p.totalBytes ? 'done' : 'reading'}`);
      },
    });
    await model.close();
    expect(steps).toEqual(['clip', 'ae']);
    const aeEvents = events.slice(events.indexOf('ae reading'), events.lastIndexOf('ae done') + 1);
    expect(aeEvents.filter((e) => e.startsWith('create ae_decoder.stage')).length).toBeGreaterThan(4);
    // the staged decoder's reads are counted: after the AE first reports done, at most its last graph file is created
    const afterDone = events.slice(events.indexOf('ae done'));
    expect(afterDone.filter((e) => e.startsWith('create ae_')).length, afterDone.join('\n')).toBeLessThanOrEqual(2);
    await resumed.publish(JSON.parse(converted.manifestText), converted.manifest.files);

    expect(converted.manifestText).toBe(readFileSync(join(out, 'manifest.json'), 'utf8'));
    for (const f of converted.manifest.files) expect(await hashFile(join(out, f.path)), f.path).toBe(f.sha256);
    const store = storeOf(kv);
    const [info] = await store.listBundles();
    expect(info).toMatchObject({ id: model.id, complete: true });
    const dit = converted.manifest.components.dit[0]!.data[0]!;
    const blob = await store.getFile(model.id, dit);
    expect(Buffer.from(await blob.arrayBuffer()).equals(readFileSync(join(out, dit)))).toBe(true);
  });

  it('names the missing tokenizer files of a picked folder', async () => {
    const files = pickFolder(TINY_MODEL_DIR).filter((f) => !f.name.startsWith('tokenizer_2/'));
    await expect(openModel(openPickedFiles('model', files), options)).rejects.toThrow(
      /model\/tokenizer_2\/tokenizer\.json/,
    );
  });

  it('runConversion: cancel keeps the stored steps, a rerun resumes and publishes, a third run is refused', async () => {
    const kv = createMemoryStore();
    const request = {
      name: 'model',
      files: pickFolder(TINY_MODEL_DIR),
      format: { weights: 'int4' as const, segments: 1 },
    };
    const cancel = new AbortController();
    const first: ConvertStepState[][] = [];
    await expect(
      runConversion(
        { kv, openDecoder: openWasmDecoder, storage: null },
        request,
        (steps) => {
          first.push(steps);
          if (steps.find((s) => s.step === 'dit')?.state === 'stored') cancel.abort();
        },
        cancel.signal,
      ),
    ).rejects.toMatchObject({ code: 'cancelled' });
    expect(first.flat().some((s) => s.state === 'converting' && s.etaSeconds !== null && s.totalBytes > 0)).toBe(true);
    expect(await storeOf(kv).listBundles()).toEqual([]);
    expect((await listPendingConversions(kv)).map((r) => r.stored)).toEqual([['dit']]);

    const second: ConvertStepState[][] = [];
    const id = await runConversion({ kv, openDecoder: openWasmDecoder, storage: null }, request, (steps) =>
      second.push(steps),
    );
    expect(second[0]!.map((s) => s.state)).toEqual(['stored', 'pending', 'pending', 'pending', 'pending']);
    expect(second.at(-1)!.every((s) => s.state === 'stored')).toBe(true);
    expect(await listPendingConversions(kv)).toEqual([]);
    const [info] = await storeOf(kv).listBundles();
    expect(info).toMatchObject({ id, complete: true });
    await expect(
      runConversion({ kv, openDecoder: openWasmDecoder, storage: null }, request, () => undefined),
    ).rejects.toThrow(/already installed/);
  });

  it('runConversion refuses a bundle that cannot fit before writing anything; the estimate is a lower bound', async () => {
    const request = {
      name: 'model',
      files: pickFolder(TINY_MODEL_DIR),
      format: { weights: 'int4' as const, segments: 1 },
    };
    const model = await openModel(openPickedFiles(request.name, request.files), request.format);
    const needed = estimateBundleBytes(model, 'int4');
    await model.close();
    const storage = (free: number) => ({ estimate: async () => ({ usage: 1e6, quota: 1e6 + free }) });

    const kv = createMemoryStore();
    const refused = runConversion(
      { kv, openDecoder: openWasmDecoder, storage: storage(needed - 1) },
      request,
      () => undefined,
    );
    await expect(refused).rejects.toMatchObject({ code: 'quota' });
    await expect(refused).rejects.toThrow(/needs .* more storage.*private/);
    expect(await kv.keys()).toEqual([]); // nothing written, nothing to resume

    const id = await runConversion(
      { kv, openDecoder: openWasmDecoder, storage: storage(needed) },
      request,
      () => undefined,
    );
    const [info] = await storeOf(kv).listBundles();
    expect(info).toMatchObject({ id, complete: true });
    expect(needed).toBeLessThanOrEqual(info!.totalBytes);
    expect(needed).toBeGreaterThan(info!.totalBytes / 2);
  });
});

describe('the conversion worker API (createConverter, as the worker exposes it)', () => {
  it('cancels, lists the pending conversion, refuses a second at once, and discards what it stored', async () => {
    const kv = createMemoryStore();
    const converter = createConverter({ kv, openDecoder: openWasmDecoder, storage: null });
    const request = {
      name: 'model',
      files: pickFolder(TINY_MODEL_DIR),
      format: { weights: 'fp32' as const, segments: 1 },
    };
    let second: Promise<string> | undefined;
    await expect(
      converter.convert(request, (steps) => {
        second ??= converter.convert(request, () => undefined);
        if (steps.find((s) => s.step === 'dit')?.state === 'stored') void converter.cancel();
      }),
    ).rejects.toMatchObject({ code: 'cancelled' });
    await expect(second).rejects.toMatchObject({ code: 'busy' });
    const [pending] = await converter.listPending();
    expect(pending).toMatchObject({ name: 'model', format: request.format, stored: ['dit'] });
    expect(pending!.files.map((f) => f.path)).toContain('tokenizer_2/tokenizer.json');
    expect((await kv.keys()).some((k) => Array.isArray(k) && k[0] === 'chunk')).toBe(true);

    await converter.discardPending(pending!.id);
    expect(await converter.listPending()).toEqual([]);
    expect(await kv.keys()).toEqual([]);
  });
});
