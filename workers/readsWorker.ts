/**
 * @file The engine's side of its reading thread (reads.worker.ts): weight files read whole there, and the graphs
 * of the bundle opened last read there from the engine's start, while the engine's own thread is busy starting
 * onnxruntime (~0.7 s here: receiving and compiling its `.wasm`) and cannot serve IndexedDB's replies.
 */
import { readWhole as readHere, type WholeReader } from './runtime/externalData';
import type { ReadModel } from './runtime/session';
import { recordSpan } from './runtime/timeline';

export type ReadsRequest = { id: number; kind: 'whole'; blob: Blob } | { id: number; kind: 'ahead' };

/** The reading thread's answers: bytes; the bundle it reads ahead, then each graph as read (span in epoch ms). */
export type ReadsReply =
  | { id: number; bytes: Uint8Array }
  | { id: number; bundleId: string | null; graphs: string[] }
  | { id: number; graph: string; model: ReadModel; span: { start: number; end: number } }
  | { id: number; graph: string; error: string }
  | { id: number; error: string };

/** A bundle's graphs read before its sessions could be created: by graph path. */
export interface EarlyReads {
  id: string;
  models: ReadonlyMap<string, Promise<ReadModel>>;
}

export interface ReadsThread {
  readWhole: WholeReader;
  /** Starts reading the bundle opened last (readBundleAhead); resolves once it is known which (null: none). */
  readAhead(): Promise<EarlyReads | null>;
}

/** Reads on the worker `start` creates at the first request; it stays for later ones. */
export function createReadsThread(start: () => Worker): ReadsThread {
  let worker: Worker | null = null;
  let next = 0;
  /** Each request's reply handler, by id; a handler returns true when the request is done. */
  const waiting = new Map<number, { reply: (r: ReadsReply) => boolean; fail: (error: Error) => void }>();

  function ask(request: ReadsRequest, reply: (r: ReadsReply) => boolean, fail: (error: Error) => void): void {
    if (!worker) {
      try {
        worker = start();
      } catch (e) {
        return fail(new Error(`the reading thread could not start: ${(e as Error).message}`)); // no nested workers
      }
      worker.onmessage = ({ data }: MessageEvent<ReadsReply>) => {
        const handler = waiting.get(data.id);
        if (handler?.reply(data)) waiting.delete(data.id);
      };
      worker.onerror = (e) => {
        const error = new Error(`the reading thread stopped: ${e.message || 'it could not start'}`);
        for (const handler of waiting.values()) handler.fail(error);
        waiting.clear();
        worker?.terminate();
        worker = null; // the next request starts a new one
      };
    }
    waiting.set(request.id, { reply, fail });
    worker.postMessage(request);
  }

  return {
    readWhole: (blob) =>
      new Promise((resolve, reject) =>
        ask(
          { id: next++, kind: 'whole', blob },
          (r) => ('bytes' in r ? resolve(r.bytes) : reject(new Error('error' in r ? r.error : 'no bytes')), true),
          () => void readHere(blob).then(resolve, reject), // no reading thread: the same read on this one
        ),
      ),
    readAhead: () =>
      new Promise((resolve) => {
        const models = new Map<string, { promise: Promise<ReadModel>; settle: (r: ReadsReply) => void }>();
        let left = 0;
        const fail = (error: Error) => {
          resolve(null);
          for (const m of models.values()) m.settle({ id: -1, error: error.message });
        };
        ask(
          { id: next++, kind: 'ahead' },
          (r) => {
            if ('bundleId' in r) {
              for (const graph of r.graphs) models.set(graph, deferModel());
              left = r.graphs.length;
              const early = new Map([...models].map(([graph, m]) => [graph, m.promise] as const));
              resolve(r.bundleId === null ? null : { id: r.bundleId, models: early });
              return left === 0;
            }
            if (!('graph' in r)) {
              fail(new Error('error' in r ? r.error : 'an unexpected reply'));
              return true;
            }
            if ('span' in r) recordSpan(`read ${r.graph}`, r.span.start, r.span.end);
            models.get(r.graph)?.settle(r);
            return --left === 0;
          },
          fail,
        );
      }),
  };
}

/** A model read's promise, settled by the reply that carries it. */
function deferModel(): { promise: Promise<ReadModel>; settle: (r: ReadsReply) => void } {
  let settle!: (r: ReadsReply) => void;
  const promise = new Promise<ReadModel>((resolve, reject) => {
    settle = (r) => ('model' in r ? resolve(r.model) : reject(new Error('error' in r ? r.error : 'not read')));
  });
  promise.catch(() => undefined); // reported by the session creation that takes it
  return { promise, settle };
}
