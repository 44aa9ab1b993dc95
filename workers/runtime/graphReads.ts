/**
 * @file Reading a bundle's graphs ahead of their sessions: IndexedDB reads of a cached bundle's weights (the
 * micro DiT's 30 MB ≈ 0.3 s here) overlap the runtime's start and the earlier sessions' creation instead of
 * preceding each session. Reads run one after another in the order asked (needed first); weights that
 * onnxruntime reads as Blobs (large files) cost nothing here, whole-read ones count against a byte budget.
 */
import type { ModelFiles } from '../api/types';
import type { GraphFiles } from '../bundle/manifest';
import { readsWhole } from './externalData';
import { readModel, type ReadModel } from './session';

/** Where graphs come from: the bundle's files as Blobs, resolved by path. */
export type GraphLoader = (graph: GraphFiles) => Promise<ModelFiles>;

/** The most weights bytes read ahead into memory at once. */
const READ_AHEAD_BYTES = 256 * 2 ** 20;

export interface GraphReads {
  /** Starts reading `graphs` in this order, skipping those already started, until the budget is spent. */
  start(graphs: readonly GraphFiles[]): void;
  /** A graph's read, read ahead or else now; what was read ahead is handed over once. */
  read(graph: GraphFiles): Promise<ReadModel>;
  /** Drops what was read ahead and not taken. */
  clear(): void;
}

/** Reads ahead through `load` within `budget` bytes of whole-read weights. */
export function createGraphReads(load: GraphLoader, budget = READ_AHEAD_BYTES): GraphReads {
  /** By graph path (manifests parsed twice hold equal, not identical, entries); null: over the budget. */
  const ahead = new Map<string, Promise<ReadModel | null>>();
  let left = budget;
  let previous: Promise<unknown> = Promise.resolve();
  return {
    start(graphs) {
      for (const graph of graphs) {
        if (ahead.has(graph.graph)) continue;
        const files = load(graph); // looked up at once; read after the graphs before it
        const read = Promise.all([files, previous]).then(([f]) => {
          const bytes = f.externalData.reduce((n, d) => n + (readsWhole(d.data.size) ? d.data.size : 0), 0);
          if (bytes > left) {
            left = 0;
            return null;
          }
          left -= bytes;
          return readModel(f);
        });
        previous = read.catch(() => undefined); // a failure is the session creation's to report, when it reads
        ahead.set(graph.graph, read);
      }
    },
    async read(graph) {
      const early = ahead.get(graph.graph);
      ahead.delete(graph.graph);
      return (await early) ?? readModel(await load(graph));
    },
    clear() {
      ahead.clear();
      left = budget;
    },
  };
}
