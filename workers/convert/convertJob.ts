/**
 * @file One conversion in the browser, resumable: picked Files → the bundle store, step by step. A
 * `['convert', id]` record keeps which folder was picked (paths and sizes, not the Files: IndexedDB would copy
 * them) and the results of the steps stored so far; converting the same folder again goes on at the first step
 * not stored, and the files of the step that was cut are discarded first. The bundle appears only when complete
 * and hash-checked.
 */
import type { ConvertRequest, ConvertStep, ConvertStepState, PendingConversion } from '../api/convert';
import { CONVERT_STEPS } from '../api/convert';
import { EngineError } from '../api/errors';
import type { KeyValueStore } from '../cache/kvStore';
import { checkStorageRoom } from '../cache/storageRoom';
import { bundleKey } from '../cache/layout';
import { ConvertError } from '../../tools/convert/bundle/modelFolder';
import { estimateBundleBytes } from '../../tools/convert/bundle/bundleSize';
import { convertModel, openModel, type StepResults } from '../../tools/convert/bundle/convertModel';
import { openPickedFiles } from './pickedFiles';
import type { ConverterDeps } from './converter';
import { openStoreSink } from './storeSink';

interface ConvertRecord extends Omit<PendingConversion, 'stored'> {
  done: Partial<StepResults>;
}

const convertKey = (id: string): IDBValidKey => ['convert', id];

/** Files a finished step wrote (kept when a conversion resumes). */
function listStepFiles(done: Partial<StepResults>): string[] {
  const graphs = [...(done.dit?.graphs ?? []), ...(done.t5?.graphs ?? []), ...(done.clip?.graphs ?? [])];
  if (done.ae) graphs.push(done.ae.encoder, done.ae.decoder, ...done.ae.decoderStages.map((s) => s.graph));
  return graphs.flatMap((g) => [g.graph, ...g.data]);
}

/** The picked files as the record keeps them, sorted by path. */
const describeFiles = (files: readonly File[]) =>
  files.map((f) => ({ path: f.name, bytes: f.size })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

/** Same format and the same files (paths and sizes): the stored steps are this conversion's. */
const isSameConversion = (a: Omit<ConvertRecord, 'done'>, b: Omit<ConvertRecord, 'done'>) =>
  a.format.weights === b.format.weights &&
  a.format.segments === b.format.segments &&
  JSON.stringify(a.files) === JSON.stringify(b.files);

/** Conversions stored in this browser and not finished (to offer Resume after a reload). */
export async function listPendingConversions(kv: KeyValueStore): Promise<PendingConversion[]> {
  const keys = (await kv.keys()).filter((k) => Array.isArray(k) && k[0] === 'convert');
  return (await kv.getMany<ConvertRecord>(keys))
    .filter((r): r is ConvertRecord => r !== undefined)
    .map(({ done, ...r }) => ({ ...r, stored: CONVERT_STEPS.filter((s) => done[s]) }));
}

/** Forgets pending conversion `id` and deletes the files it stored. */
export async function discardConversion(kv: KeyValueStore, id: string): Promise<void> {
  await openStoreSink(kv, id).discardExcept([]);
  await kv.delMany([convertKey(id)]);
}

/** What the converter threw, as an EngineError the UI can show as it is. */
function toConvertError(e: unknown, signal?: AbortSignal): EngineError {
  if (e instanceof EngineError) return e;
  const name = typeof e === 'object' && e !== null ? (e as { name?: unknown }).name : undefined;
  if (signal?.aborted || name === 'AbortError')
    return new EngineError('cancelled', 'The conversion was cancelled; converting the same folder again resumes it.');
  if (name === 'QuotaExceededError')
    return new EngineError('quota', "The browser's storage is full. Free some space, then convert again: it resumes.");
  const message = e instanceof Error ? e.message : String(e);
  return new EngineError(e instanceof ConvertError ? 'bad-input' : 'runtime', message);
}

/**
 * Converts (or resumes converting) `request` into the store.
 * @returns the new bundle's id.
 * @throws EngineError `bad-input` when that bundle is already installed or the folder is not usable (the
 *   converter's message names the file), `cancelled` when `signal` fires (what is stored is kept for a resume),
 *   `quota` before anything is written when the bundle cannot fit (or when the store fills up all the same), or
 *   `runtime` with the reader's message.
 */
export async function runConversion(
  { kv, openDecoder, storage }: ConverterDeps,
  request: ConvertRequest,
  onProgress: (steps: ConvertStepState[]) => void,
  signal?: AbortSignal,
  now: () => number = () => performance.now(),
): Promise<string> {
  const folder = openPickedFiles(request.name, request.files);
  let model;
  try {
    model = await openModel(folder, request.format);
  } catch (e) {
    throw toConvertError(e);
  }
  try {
    const id = model.id;
    const [installed, pending] = await kv.getMany<unknown>([bundleKey(id), convertKey(id)]);
    if (installed)
      throw new EngineError('bad-input', `A bundle "${id}" is already installed; delete it first to convert again.`);
    const previous = pending as ConvertRecord | undefined;
    const record: ConvertRecord = {
      id,
      name: request.name,
      format: request.format,
      files: describeFiles(request.files),
      done: {},
    };
    if (previous && isSameConversion(previous, record)) record.done = previous.done;
    await checkStorageRoom(
      storage,
      estimateBundleBytes(model, request.format.weights, record.done),
      'Converting this folder',
    );
    await kv.setMany([[convertKey(id), record]]);
    const sink = openStoreSink(kv, id);
    await sink.discardExcept(listStepFiles(record.done));

    const states = new Map<ConvertStep, ConvertStepState & { startedAt: number }>(
      CONVERT_STEPS.map((step) => [
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
      ...request.format,
      openDecoder,
      done: record.done,
      signal,
      onPlan: (totals) => {
        for (const [step, bytes] of Object.entries(totals)) states.get(step as ConvertStep)!.totalBytes = bytes;
        report();
      },
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
    throw toConvertError(e, signal);
  } finally {
    await model.close();
  }
}
