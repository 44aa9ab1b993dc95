/**
 * @file The Node front end of the converter (the CLI and the tests): a model folder on disk → a bundle
 * folder. The core (convertModel.ts) writes every file into a temporary folder beside the output; manifest.json
 * goes last and the folder is renamed into place — so a failure never leaves a half-written bundle.
 */
import { existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Manifest } from '../../../workers/bundle/manifest';
import { openFolderSink } from '../node/folderSink';
import { openNodeFolder } from '../node/nodeFiles';
import { openWasmDecoder } from '../node/wasmDecoder';
import { summarize, type BundleOptions, type ComponentSummary } from './bundleManifest';
import { convertModel, openModel } from './convertModel';
import { ConvertError } from './modelFolder';

export type { BundleOptions, ComponentSummary } from './bundleManifest';

export interface BundleResult {
  outDir: string;
  manifest: Manifest;
  summary: ComponentSummary[];
}

/**
 * Converts `modelDir` (any layout modelFolder.ts finds) into a bundle at `outDir`.
 * @throws ConvertError (or the component's error) naming the file and tensor; nothing is left behind.
 */
export async function convertBundle(modelDir: string, outDir: string, options: BundleOptions): Promise<BundleResult> {
  const out = resolve(outDir);
  if (existsSync(out) && readdirSync(out).length > 0)
    throw new ConvertError(`${outDir}: the output folder is not empty`);
  const files = openNodeFolder(modelDir);
  const model = await openModel(files, options);
  const tmp = join(dirname(out), `.${basename(out)}.partial-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    const converted = await convertModel(files, model, openFolderSink(tmp), {
      ...options,
      openDecoder: openWasmDecoder,
    });
    writeFileSync(join(tmp, 'manifest.json'), converted.manifestText);
    if (existsSync(out)) rmSync(out, { recursive: true }); // empty, checked above
    renameSync(tmp, out);
    return { outDir: out, manifest: converted.manifest, summary: summarize(converted.manifest, converted.results) };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  } finally {
    await model.close();
  }
}
