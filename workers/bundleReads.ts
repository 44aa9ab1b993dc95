/**
 * @file Reading a stored bundle's graphs for its sessions: the loader (each graph's files as Blobs) and the head
 * start the engine takes when it starts, reading the weights of the bundle opened last while onnxruntime starts.
 */
import type { ModelFiles } from './api/types';
import type { GraphFiles } from './bundle/manifest';
import type { BundleStore } from './cache';
import { createGraphReads, type GraphLoader, type GraphReads } from './runtime/graphReads';
import { getEditGraphs } from './runtime/kontextModels';
import { getFileBytes } from './runtime/memoryPlan';

/** Stored bundle `id`'s graphs, each as its files' Blobs. */
export function createGraphLoader(bundles: Pick<BundleStore, 'getFile'>, id: string): GraphLoader {
  return async (graph: GraphFiles): Promise<ModelFiles> => ({
    name: graph.graph,
    graph: await bundles.getFile(id, graph.graph),
    externalData: await Promise.all(graph.data.map(async (path) => ({ path, data: await bundles.getFile(id, path) }))),
  });
}

/** Where the id of the bundle opened last is kept. */
export interface LastBundleStore {
  get(): Promise<string | null>;
  set(id: string): Promise<void>;
}

/**
 * Starts reading the graphs of the bundle opened last (else the built-in one, as the page falls back) in the order
 * an edit opens them, as far as graphReads reads ahead; null when no such bundle is stored complete.
 */
export async function readBundleAhead(deps: {
  bundles: Pick<BundleStore, 'getFile' | 'getManifest' | 'listBundles'>;
  lastBundle: LastBundleStore;
}): Promise<{ id: string; reads: GraphReads; graphs: GraphFiles[] } | null> {
  const last = await deps.lastBundle.get();
  const stored = (await deps.bundles.listBundles()).filter((b) => b.complete);
  const info = stored.find((b) => b.id === last) ?? stored.find((b) => b.embedded);
  if (!info) return null;
  const manifest = await deps.bundles.getManifest(info.id);
  const reads = createGraphReads(createGraphLoader(deps.bundles, info.id), getFileBytes(manifest));
  return { id: info.id, reads, graphs: reads.start(getEditGraphs(manifest)) };
}
