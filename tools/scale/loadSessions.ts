/**
 * @file `npx tsx tools/scale/loadSessions.ts <bundle>`: creates (and releases) an onnxruntime-node session for
 * every graph of a bundle, one at a time, and prints the time each took — the scale check that the
 * converter's full-size output is loadable. Not part of CI.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseManifest } from '../../workers/bundle/manifest';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: npx tsx tools/scale/loadSessions.ts <bundle-folder>');
  const manifest = parseManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  const c = manifest.components;
  const graphs = [
    ...c.dit,
    c.t5,
    c.clip,
    c.aeEncoder,
    c.aeDecoder,
    ...(c.aeDecoderStages ?? []).map((s) => s.graph),
    ...(c.previewDecoder ? [c.previewDecoder] : []),
  ];
  for (const g of graphs) {
    const started = Date.now();
    // A file path lets onnxruntime read the external data itself, beside the graph.
    const session = await ort.InferenceSession.create(join(dir, g.graph), { executionProviders: ['cpu'] });
    const inputs = session.inputNames.join(', ');
    await session.release();
    const rss = (process.memoryUsage().rss / 1024 ** 3).toFixed(2);
    console.log(
      `${g.graph.padEnd(22)} loaded in ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s  (inputs: ${inputs}; RSS now ${rss} GiB)`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
