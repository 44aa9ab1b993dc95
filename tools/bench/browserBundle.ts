/**
 * @file A bundle served over HTTP, opened in the browser for the bench: manifest, prompt tokenizers and a graph
 * loader (Blobs, as the engine gets them from its store).
 */
import type { ModelFiles } from '../../workers/api/types';
import { parseManifest, type GraphFiles, type Manifest } from '../../workers/bundle/manifest';
import { createPromptTokenizer } from '../../workers/kontext/text';

export async function openBundle(url: string) {
  const manifest: Manifest = parseManifest(await (await fetch(`${url}manifest.json`)).json());
  const blob = async (path: string) => (await fetch(url + path)).blob();
  const json = async (path: string) => JSON.parse(await (await blob(path)).text()) as Record<string, unknown>;
  const load = async (f: GraphFiles): Promise<ModelFiles> => ({
    name: f.graph,
    graph: await blob(f.graph),
    externalData: await Promise.all(f.data.map(async (path) => ({ path, data: await blob(path) }))),
  });
  const { t5Tokenizer: t5, clipTokenizer: clip } = manifest.components;
  const tokenizers = {
    t5: createPromptTokenizer(await json(t5.json), await json(t5.config), manifest.model.t5.maxLength),
    clip: createPromptTokenizer(await json(clip.json), await json(clip.config), manifest.model.clip.maxLength),
  };
  return { manifest, tokenizers, load };
}
