/**
 * @file The bundle's tokenizer files: one Hugging Face tokenizer.json + tokenizer_config.json per encoder.
 * T5's is taken as is (validated); CLIP's is built from vocab.json + merges.txt when the folder has no
 * tokenizer.json (the official FLUX.1-Kontext-dev layout has none).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TokenizerFiles } from '../../../workers/bundle/manifest';
import { buildClipTokenizerJson, type ClipSpecialTokens } from '../tokenizers/clipTokenizer';
import { prepareT5Tokenizer } from '../tokenizers/t5Tokenizer';
import { ConvertError, type ModelFolder } from './modelFolder';

/** Reads a JSON file; `T` is the shape the caller expects (the parse functions it feeds check it). */
export function readJsonFile<T = unknown>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new ConvertError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** Writes `t5.tokenizer*.json` and `clip.tokenizer*.json` into `outDir` and returns their names. */
export function writeTokenizers(folder: ModelFolder, outDir: string): { t5: TokenizerFiles; clip: TokenizerFiles } {
  const t5: TokenizerFiles = { json: 't5.tokenizer.json', config: 't5.tokenizer_config.json' };
  const clip: TokenizerFiles = { json: 'clip.tokenizer.json', config: 'clip.tokenizer_config.json' };

  writeFileSync(join(outDir, t5.json), JSON.stringify(prepareT5Tokenizer(readJsonFile(folder.t5Tokenizer.json))));
  copyFileSync(folder.t5Tokenizer.config, join(outDir, t5.config));

  const source = folder.clipTokenizer;
  const clipJson =
    'json' in source
      ? readJsonFile(source.json)
      : buildClipTokenizerJson(
          readJsonFile<Record<string, number>>(source.vocab),
          readFileSync(source.merges, 'utf8'),
          readJsonFile<ClipSpecialTokens>(source.config),
        );
  writeFileSync(join(outDir, clip.json), JSON.stringify(clipJson));
  copyFileSync(source.config, join(outDir, clip.config));
  return { t5, clip };
}
