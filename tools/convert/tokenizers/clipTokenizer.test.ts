import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { createPromptTokenizer } from '../../../workers/kontext/text';
import { TINY_MODEL_DIR, openGolden } from '../graphs/commonTesting';
import { buildClipTokenizerJson } from './clipTokenizer';
import { ReferenceClipBpe } from './referenceClipBpe';
import { readJsonFile } from '../node/nodeFiles';

type Json = Record<string, unknown>;

type Vocab = Record<string, number>;

// On openai/clip-vit-large-patch14 (vendor data): clipTokenizer.integration.test.ts.

describe('buildClipTokenizerJson on the tiny fixture tokenizer/', () => {
  const dir = join(TINY_MODEL_DIR, 'tokenizer');
  const vocab = readJsonFile<Vocab>(join(dir, 'vocab.json'));
  const merges = readFileSync(join(dir, 'merges.txt'), 'utf8');
  const config = readJsonFile<Json>(join(dir, 'tokenizer_config.json'));
  const json = buildClipTokenizerJson(vocab, merges, config);

  it('gives the golden CLIP ids once the engine pads them to 77', async () => {
    const golden = await openGolden('clip');
    const expected = Array.from(await golden.readInt32('input_ids'));
    await golden.close();
    const ids = createPromptTokenizer(json, config, 77).encode('turn the sky into night and make the cats blue');
    expect(Array.from(ids)).toEqual(expected);
  });

  it('agrees with the reference BPE on prompts within the tiny alphabet', () => {
    const tokenizer = new Tokenizer(json, config);
    const reference = ReferenceClipBpe.fromHfFiles(vocab, merges);
    for (const prompt of ['A red HAT on the green dog!', '  make   the cat, blue.  ', 'the the thee night sky', '']) {
      expect(tokenizer.encode(prompt).ids).toEqual(reference.encode(prompt));
    }
  });
});

describe('buildClipTokenizerJson rejects bad files', () => {
  const vocab = { a: 0, b: 1, ab: 2, '<|startoftext|>': 3, '<|endoftext|>': 4 };
  it('names the bad merges.txt line or the missing special token', () => {
    expect(() => buildClipTokenizerJson(vocab, '#version: 0.2\na b c')).toThrow(
      'merges.txt line 2 is not two space-separated tokens',
    );
    expect(() => buildClipTokenizerJson(vocab, 'a b\nb a')).toThrow(
      'merges.txt line 2 makes "ba", which is not in vocab.json',
    );
    expect(() => buildClipTokenizerJson(vocab, 'a b', { eos_token: { content: '</s>' } })).toThrow(
      'eos_token "</s>" is not in vocab.json',
    );
    expect(() => buildClipTokenizerJson({ ...vocab, c: 2 }, 'a b')).toThrow('id 2 to both "ab" and "c"');
  });
});
