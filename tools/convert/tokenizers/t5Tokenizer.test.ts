import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { createPromptTokenizer } from '../../../workers/kontext/text';
import { TINY_MODEL_DIR, openGolden } from '../graphs/commonTesting';
import { REPO_ROOT } from '../paths';
import { ReferenceUnigram } from './referenceUnigram';
import { prepareT5Tokenizer } from './t5Tokenizer';
import { TOKENIZER_TEST_PROMPTS } from './testPrompts';
import { readJsonFile } from '../node/nodeFiles';

type Json = Record<string, unknown>;

describe('prepareT5Tokenizer on the tiny fixture tokenizer_2/', () => {
  const dir = join(TINY_MODEL_DIR, 'tokenizer_2');
  const original = readJsonFile(join(dir, 'tokenizer.json'));
  const json = prepareT5Tokenizer(original);

  it('returns an equal copy, not the same object', () => {
    expect(json).toEqual(original);
    expect(json).not.toBe(original);
  });

  it('gives the golden T5 ids once the engine pads them to 16', async () => {
    const golden = await openGolden('t5');
    const expected = Array.from(await golden.readInt32('input_ids'));
    await golden.close();
    const ids = createPromptTokenizer(json, readJsonFile<Json>(join(dir, 'tokenizer_config.json')), 16).encode(
      'turn the sky into night and make the cats blue',
    );
    expect(Array.from(ids)).toEqual(expected);
  });

  it('agrees with the reference Unigram on all 30 prompts (unknown characters included)', () => {
    const tokenizer = new Tokenizer(json, {});
    const reference = new ReferenceUnigram(json);
    for (const prompt of TOKENIZER_TEST_PROMPTS)
      expect([prompt, tokenizer.encode(prompt).ids]).toEqual([prompt, reference.encode(prompt)]);
  });
});

describe('prepareT5Tokenizer rejects what the worker cannot run', () => {
  /** The fields of a Unigram tokenizer.json these tests rewrite. */
  type UnigramJson = { model: { vocab: [string, number][] } & Record<string, unknown> } & Record<string, unknown>;
  const base = readJsonFile<UnigramJson>(join(TINY_MODEL_DIR, 'tokenizer_2', 'tokenizer.json'));
  it('names the problem', () => {
    expect(() => prepareT5Tokenizer({ ...base, model: { type: 'WordPiece', vocab: {}, unk_token: '<unk>' } })).toThrow(
      'model type is "WordPiece", expected "Unigram" (SentencePiece) or "WordLevel"',
    );
    expect(() =>
      prepareT5Tokenizer({ ...base, model: { type: 'WordLevel', vocab: { '</s>': 1 }, unk_token: '<unk>' } }),
    ).toThrow('"<pad>" is not in model.vocab');
    expect(() => prepareT5Tokenizer({ ...base, model: { ...base.model, unk_id: 1000 } })).toThrow(
      'model.unk_id 1000 is not an index',
    );
    expect(() =>
      prepareT5Tokenizer({
        ...base,
        model: { ...base.model, vocab: base.model.vocab.filter(([p]) => p !== '</s>') },
      }),
    ).toThrow('"</s>" is not in model.vocab');
    expect(() =>
      prepareT5Tokenizer({ ...base, normalizer: { type: 'Sequence', normalizers: [{ type: 'Nmt' }] } }),
    ).toThrow('normalizer type Nmt is not implemented');
    expect(() => prepareT5Tokenizer({ ...base, post_processor: null })).toThrow(
      'post_processor does not append "</s>"',
    );
  });
});

// On google/t5-v1_1-xxl (vendor data): t5Tokenizer.integration.test.ts.

describe('prepareT5Tokenizer on a WordLevel vocabulary (kontext-micro)', () => {
  it('accepts the domain tokenizer, and the engine pads its ids as it does T5', () => {
    const micro = join(REPO_ROOT, 'training/kontextbench_micro');
    const json = prepareT5Tokenizer(readJsonFile(join(micro, 'tokenizer.json')));
    const config = readJsonFile<Json>(join(micro, 'tokenizer_config.json'));
    const ids = createPromptTokenizer(json, config, 8).encode('remove the star');
    expect(Array.from(ids.slice(3))).toEqual([1, 0, 0, 0, 0]); // three words, </s>, padding
    expect(Array.from(ids.slice(0, 3)).every((id) => id > 2)).toBe(true);
  });
});
