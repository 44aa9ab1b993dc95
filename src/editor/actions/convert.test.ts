import { describe, expect, it } from 'vitest';
import {
  EngineError,
  type ConvertApi,
  type ConvertRequest,
  type ConvertStepState,
  type PendingConversion,
} from '../../../workers/api';
import { createFakeEngine, createTestDeps } from '../../testing/fakes';
import { createStudioStore } from '../store';

const step = (state: ConvertStepState['state'], doneBytes: number): ConvertStepState => ({
  step: 'dit',
  doneBytes,
  totalBytes: 100,
  state,
  etaSeconds: state === 'converting' ? 5 : null,
});

/** A worker stand-in: reports two progress states, then does what `outcome` says. */
function fakeConverter(outcome: () => Promise<string>) {
  const pending: PendingConversion[] = [];
  const requests: ConvertRequest[] = [];
  const api: ConvertApi = {
    async convert(request, onProgress) {
      requests.push(request);
      onProgress([step('pending', 0)]);
      onProgress([step('converting', 40)]);
      return outcome();
    },
    cancel: async () => undefined,
    listPending: async () => pending,
    discardPending: async (id) =>
      void pending.splice(
        pending.findIndex((p) => p.id === id),
        1,
      ),
  };
  return { api, pending, requests };
}

async function setup(converter: ConvertApi) {
  const engine = createFakeEngine();
  const store = createStudioStore({ ...createTestDeps(engine).deps, converter });
  await store.getState().boot();
  return { engine, store, s: () => store.getState() };
}

describe('conversion actions', () => {
  it('shows each step while it runs, sends the chosen format, and refreshes the bundles when done', async () => {
    let finish!: (id: string) => void;
    const c = fakeConverter(() => new Promise((r) => (finish = r)));
    const { s } = await setup(c.api);
    s().setConvertFormat({ weights: 'fp16' });
    const run = s().convertFolder('FLUX.1-Kontext-dev', [new File(['x'], 'ae.safetensors')]);
    await Promise.resolve();
    expect(s().conversion.current).toMatchObject({ name: 'FLUX.1-Kontext-dev', running: true });
    expect(s().conversion.current!.steps).toEqual([step('converting', 40)]);
    expect(c.requests[0]!.format).toEqual({ weights: 'fp16', segments: 4 });
    finish('flux1-kontext-dev-fp16');
    await run;
    expect(s().conversion.current).toBeNull();
    expect(s().notice?.text).toMatch(/flux1-kontext-dev-fp16 is ready/);
  });

  it('keeps a stopped conversion with its reason, offers the pending one, and discards it', async () => {
    const c = fakeConverter(async () => {
      c.pending.push({ id: 'b', name: 'F', format: { weights: 'int4', segments: 4 }, stored: ['dit'], files: [] });
      throw new EngineError('cancelled', 'The conversion was cancelled');
    });
    const { s } = await setup(c.api);
    await s().convertFolder('F', [new File(['x'], 'ae.safetensors')]);
    expect(s().conversion.current).toMatchObject({ running: false, error: expect.stringMatching(/resume/) });
    expect(s().conversion.pending.map((p) => p.stored)).toEqual([['dit']]);
    await s().discardConversion('b');
    expect(s().conversion.pending).toEqual([]);
    s().dismissConversion();
    expect(s().conversion.current).toBeNull();
  });

  it('shows the converter own words for a bad folder (e.g. the tokenizer files it misses)', async () => {
    const missing = 'F/tokenizer_2/tokenizer.json is missing: copy tokenizer_2/ from the official repository';
    const c = fakeConverter(async () => {
      throw new EngineError('bad-input', missing);
    });
    const { s } = await setup(c.api);
    await s().convertFolder('F', [new File(['x'], 'ae.safetensors')]);
    expect(s().conversion.current?.error).toBe(missing);
    expect(s().notice).toMatchObject({ severity: 'error', text: `F: ${missing}` });
  });
});
