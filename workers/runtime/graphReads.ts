/**
 * @file Reading a bundle's graphs ahead of their sessions: IndexedDB reads of a cached bundle's weights (the
 * micro DiT's 30 MB ≈ 0.3 s here) overlap the runtime's start and the earlier sessions' creation instead of
 * preceding each session. Reads run one after another in the order asked (needed first). Only graphs whose
 * weights are read whole (weightsForOrt) are read ahead, within a byte budget, decided from the manifest's sizes
 * before anything is looked up: onnxruntime reads larger files itself while it creates the session, and looking
 * their chunks up early (a byte of each, for every graph at once) would only touch gigabytes sooner.
 */
import type { ModelFiles } from '../api/types';
import type { GraphFiles } from '../bundle/manifest';
import { readsWhole, type WholeReader } from './externalData';
import { readModel, type ReadModel } from './session';

/** Where graphs come from: the bundle's files as Blobs, resolved by path. */
export type GraphLoader = (graph: GraphFiles) => Promise<ModelFiles>;

/** The most weights bytes read ahead into memory until the reads are cleared (after the warm-up). */
const READ_AHEAD_BYTES = 256 * 2 ** 20;

export interface GraphReads {
  /**
   * Starts reading `graphs` in this order, skipping those already started, until the budget is spent; returns
   * those it started.
   */
  start(graphs: readonly GraphFiles[]): GraphFiles[];
  /** A graph's read, read ahead or else now; what was read ahead is handed over once. */
  read(graph: GraphFiles): Promise<ReadModel>;
  /** Drops what was read ahead and not taken. */
  clear(): void;
}

/**
 * Reads ahead through `load`, with each file's size from `bytes` (the manifest's), within `budget` bytes; weights
 * read whole are read by `readWhole` when given (another thread's), else on this one. `early` holds reads started
 * elsewhere (by graph path), handed over like its own.
 */
export function createGraphReads(
  load: GraphLoader,
  bytes: ReadonlyMap<string, number>,
  {
    budget = READ_AHEAD_BYTES,
    readWhole,
    early,
  }: { budget?: number; readWhole?: WholeReader; early?: ReadonlyMap<string, Promise<ReadModel>> } = {},
): GraphReads {
  /** By graph path (manifests parsed twice hold equal, not identical, entries). */
  const ahead = new Map<string, Promise<ReadModel>>(early);
  let left = budget;
  let previous: Promise<unknown> = Promise.resolve();
  return {
    start(graphs) {
      const started: GraphFiles[] = [];
      for (const graph of graphs) {
        if (ahead.has(graph.graph)) continue;
        const sizes = graph.data.map((path) => bytes.get(path) ?? Infinity);
        if (!sizes.every((size) => readsWhole(size))) continue;
        const total = sizes.reduce((n, size) => n + size, 0);
        if (total > left) {
          left = 0; // the budget goes to the graphs needed first
          continue;
        }
        left -= total;
        const files = load(graph); // looked up at once; read after the graphs before it
        const read = Promise.all([files, previous]).then(([f]) => readModel(f, readWhole));
        previous = read.catch(() => undefined); // a failure is the session creation's to report, when it reads
        ahead.set(graph.graph, read);
        started.push(graph);
      }
      return started;
    },
    read(graph) {
      const early = ahead.get(graph.graph);
      ahead.delete(graph.graph);
      return early ?? load(graph).then((f) => readModel(f, readWhole));
    },
    clear() {
      ahead.clear();
      left = budget;
    },
  };
}
