/**
 * @file One conversion in the browser, resumable: picked Files → the bundle store, step by step. A
 * `['convert', id]` record keeps the picked Files (IndexedDB stores File references) and the results of the
 * steps stored so far; after a reload the same call goes on at the first step not stored, and the files of
 * the step that was cut are discarded first. The bundle appears only when complete and hash-checked.
 */
import { EngineError } from '../api/errors';
import type { KeyValueStore } from '../cache/kvStore';
import { bundleKey } from '../cache/layout';
import type { BundleOptions } from '../../tools/convert/bundle/bundleManifest';
import { convertModel, openModel, type StepResults } from '../../tools/convert/bundle/convertModel';
import type { OpenDecoder } from '../../tools/convert/bundle/previewFit';
import { openPickedFiles } from './pickedFiles';
import { openStoreSink } from './storeSink';

/** What the user asked for: the picked folder and the bundle format. */
export interface ConvertRequest {
  name: string;
  files: File[];
  options: Pick<BundleOptions, 'weights' | 'segments'>;
}

/** One step's progress: bytes of its source tensors and, while it runs, the time left at its current rate. */
export interface StepState {
  step: keyof StepResults;
  doneBytes: number;
  totalBytes: number;
  state: 'pending' | 'converting' | 'stored';
  etaSeconds: number | null;
}

interface ConvertRecord extends ConvertRequest {
  id: string;
  done: Partial<StepResults>;
}

const convertKey = (id: string): IDBValidKey => ['convert', id];
const STEPS: (keyof StepResults)[] = ['dit', 't5', 'clip', 'ae', 'extras'];

/** Files a finished step wrote (kept when a conversion resumes). */
function listStepFiles(done: Partial<StepResults>): string[] {
  const graphs = [...(done.dit?.graphs ?? []), ...(done.t5?.graphs ?? []), ...(done.clip?.graphs ?? [])];
  if (done.ae) graphs.push(done.ae.encoder, done.ae.decoder, ...done.ae.decoderStages.map((s) => s.graph));
  return graphs.flatMap((g) => [g.graph, ...g.data]);
}

const sameOptions = (a: ConvertRequest['options'], b: ConvertRequest['options']) =>
  a.weights === b.weights && a.segments === b.segments;

/** Conversions stored in this browser and not finished (to offer Resume after a reload). */
export async function listPendingConversions(kv: KeyValueStore): Promise<ConvertRecord[]> {
  const keys = (await kv.keys()).filter((k) => Array.isArray(k) && k[0] === 'convert');
  return (await kv.getMany<ConvertRecord>(keys)).filter((r): r is ConvertRecord => r !== undefined);
}

/**
 * Converts (or resumes converting) `request` into the store.
 * @returns the new bundle's id.
 * @throws EngineError `bad-input` when that bundle is already installed; ConvertError / reader errors naming
 *   the file for bad input; `cancelled` when `signal` fires (what is stored is kept for a resume).
 */
export async function runConversion(
  kv: KeyValueStore,
  openDecoder: OpenDecoder,
  request: ConvertRequest,
  onProgress: (steps: StepState[]) => void,
  signal?: AbortSignal,
  now: () => number = () => performance.now(),
): Promise<string> {
  const folder = openPickedFiles(request.name, request.files);
  const model = await openModel(folder, request.options);
  try {
    const id = model.id;
    const [installed, pending] = await kv.getMany<unknown>([bundleKey(id), convertKey(id)]);
    if (installed)
      throw new EngineError('bad-input', `A bundle "${id}" is already installed; delete it first to convert again.`);
    const previous = pending as ConvertRecord | undefined;
    const record: ConvertRecord = {
      ...request,
      id,
      done: previous && sameOptions(previous.options, request.options) ? previous.done : {},
    };
    await kv.setMany([[convertKey(id), record]]);
    const sink = openStoreSink(kv, id);
    await sink.discardExcept(listStepFiles(record.done));

    const states = new Map<keyof StepResults, StepState & { startedAt: number }>(
      STEPS.map((step) => [
        step,
        {
          step,
          doneBytes: 0,
          totalBytes: 0,
          etaSeconds: null,
          startedAt: 0,
          state: record.done[step] ? 'stored' : 'pending',
        },
      ]),
    );
    const report = () => onProgress([...states.values()].map(({ startedAt: _, ...s }) => s));
    report();
    const converted = await convertModel(folder, model, sink, {
      ...request.options,
      openDecoder,
      done: record.done,
      signal,
      onStepProgress: ({ step, doneBytes, totalBytes }) => {
        const s = states.get(step)!;
        if (s.state === 'pending') Object.assign(s, { state: 'converting', startedAt: now() });
        const elapsed = (now() - s.startedAt) / 1000;
        Object.assign(s, {
          doneBytes,
          totalBytes,
          etaSeconds: doneBytes > 0 ? (elapsed * (totalBytes - doneBytes)) / doneBytes : null,
        });
        report();
      },
      onStepDone: async (step, result) => {
        record.done = { ...record.done, [step]: result };
        await kv.setMany([[convertKey(id), record]]);
        Object.assign(states.get(step)!, { state: 'stored', etaSeconds: 0 });
        report();
      },
    });
    await sink.publish(JSON.parse(converted.manifestText), converted.manifest.files);
    await kv.delMany([convertKey(id)]);
    return id;
  } catch (e) {
    if (signal?.aborted)
      throw new EngineError('cancelled', 'The conversion was cancelled; it resumes where it stopped.');
    throw e;
  } finally {
    await model.close();
  }
}
