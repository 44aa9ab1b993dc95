/**
 * @file The bundle's tokenizer files: one Hugging Face tokenizer.json + tokenizer_config.json per encoder.
 * T5's is taken as is (validated); CLIP's is built from vocab.json + merges.txt when the folder has no
 * tokenizer.json (the official FLUX.1-Kontext-dev layout has none).
 */
import type { TokenizerFiles } from '../../../workers/bundle/manifest';
import { writeWholeFile, type BundleSink } from '../io/bundleSink';
import { readExactly, readText, type InputFolder } from '../io/inputFolder';
import { buildClipTokenizerJson, type ClipSpecialTokens } from '../tokenizers/clipTokenizer';
import { prepareT5Tokenizer } from '../tokenizers/t5Tokenizer';
import { ConvertError, type ModelFolder } from './modelFolder';

/** Parses a JSON file of the input; `T` is the shape the caller expects (the parse functions it feeds check it). */
async function readJson<T = unknown>(files: InputFolder, path: string): Promise<T> {
  const text = await readText(files, path);
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new ConvertError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** Copies one input file into the bundle byte for byte. */
async function copyFile(files: InputFolder, from: string, sink: BundleSink, to: string): Promise<void> {
  const src = await files.open(from);
  try {
    writeWholeFile(sink, to, await readExactly(src, 0, src.size));
  } finally {
    await src.close();
  }
}

const encode = (json: unknown) => new TextEncoder().encode(JSON.stringify(json));

/** Writes `t5.tokenizer*.json` and `clip.tokenizer*.json` into `sink` and returns their names. */
export async function writeTokenizers(
  files: InputFolder,
  folder: ModelFolder,
  sink: BundleSink,
): Promise<{ t5: TokenizerFiles; clip: TokenizerFiles }> {
  const t5: TokenizerFiles = { json: 't5.tokenizer.json', config: 't5.tokenizer_config.json' };
  const clip: TokenizerFiles = { json: 'clip.tokenizer.json', config: 'clip.tokenizer_config.json' };

  writeWholeFile(sink, t5.json, encode(prepareT5Tokenizer(await readJson(files, folder.t5Tokenizer.json))));
  await copyFile(files, folder.t5Tokenizer.config, sink, t5.config);

  const source = folder.clipTokenizer;
  const clipJson =
    'json' in source
      ? await readJson(files, source.json)
      : buildClipTokenizerJson(
          await readJson<Record<string, number>>(files, source.vocab),
          await readText(files, source.merges),
          await readJson<ClipSpecialTokens>(files, source.config),
        );
  writeWholeFile(sink, clip.json, encode(clipJson));
  await copyFile(files, source.config, sink, clip.config);
  return { t5, clip };
}
