/// <reference lib="webworker" />
/**
 * @file The engine's reading thread (readsWorker.ts): weight files read whole, and at the engine's start the graphs
 * of the bundle opened last, read while the engine's own thread is busy starting onnxruntime. One read at a time,
 * in the order asked (needed first); bytes are handed over without a copy.
 */
import { readBundleAhead } from './bundleReads';
import { readWhole } from './runtime/externalData';
import type { ReadModel } from './runtime/session';
import type { ReadsReply, ReadsRequest } from './readsWorker';
import { openLastBundleStore, openWorkerBundleStore } from './workerStores';

let previous: Promise<unknown> = Promise.resolve();
const reply = (message: ReadsReply, transfer: Transferable[] = []) => self.postMessage(message, transfer);
const buffersOf = (model: ReadModel) => [
  model.graph.buffer,
  ...model.externalData.flatMap((f) => (f.data instanceof Uint8Array ? [f.data.buffer] : [])),
];

async function handle(request: ReadsRequest): Promise<void> {
  if (request.kind === 'whole') {
    const bytes = await readWhole(request.blob);
    return reply({ id: request.id, bytes }, [bytes.buffer]);
  }
  const early = await readBundleAhead({ bundles: openWorkerBundleStore(), lastBundle: openLastBundleStore() });
  reply({ id: request.id, bundleId: early?.id ?? null, graphs: early?.graphs.map((g) => g.graph) ?? [] });
  for (const graph of early?.graphs ?? []) {
    const start = performance.timeOrigin + performance.now(); // epoch ms: the engine's clock starts elsewhere
    try {
      const model = await early!.reads.read(graph);
      reply(
        { id: request.id, graph: graph.graph, model, span: { start, end: performance.timeOrigin + performance.now() } },
        buffersOf(model),
      );
    } catch (e) {
      reply({ id: request.id, graph: graph.graph, error: (e as Error).message });
    }
  }
}

self.onmessage = ({ data }: MessageEvent<ReadsRequest>) => {
  previous = previous.then(() => handle(data).catch((e: Error) => reply({ id: data.id, error: e.message })));
};
