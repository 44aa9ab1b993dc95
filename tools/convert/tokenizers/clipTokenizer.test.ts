import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { createPromptTokenizer } from '../../../workers/kontext/text';
import { TINY_MODEL_DIR, openGolden } from '../graphs/commonTesting';
import { VENDOR_DATA_DIR } from '../paths';
import { buildClipTokenizerJson } from './clipTokenizer';
import { ReferenceClipBpe } from './referenceClipBpe';
import { TOKENIZER_TEST_PROMPTS } from './testPrompts';
import { readJsonFile } from '../bundle/tokenizers';

type Json = Record<string, unknown>;

type Vocab = Record<string, number>;

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

const clipDir = join(VENDOR_DATA_DIR, 'clip-vit-large-patch14-tokenizer');
const hasClip = ['vocab.json', 'merges.txt', 'bpe_simple_vocab_16e6.txt.gz'].every((f) => existsSync(join(clipDir, f)));
if (!hasClip)
  console.warn(
    `skipping the real CLIP tokenizer comparison: vocab.json, merges.txt or bpe_simple_vocab_16e6.txt.gz missing in ${clipDir}`,
  );

describe.skipIf(!hasClip)('buildClipTokenizerJson on openai/clip-vit-large-patch14 (vendor data)', () => {
  // Lazy and built once: describe bodies run even when skipped, and loading takes ~1 s.
  let loaded: ReturnType<typeof build> | undefined;
  const load = () => (loaded ??= build());
  const build = () => {
    const vocab = readJsonFile<Vocab>(join(clipDir, 'vocab.json'));
    const config = readJsonFile<Json>(join(clipDir, 'tokenizer_config.json'));
    const json = buildClipTokenizerJson(vocab, readFileSync(join(clipDir, 'merges.txt'), 'utf8'), config);
    return {
      vocab,
      json,
      tokenizer: new Tokenizer(json, config),
      reference: ReferenceClipBpe.fromOpenAiVocab(readFileSync(join(clipDir, 'bpe_simple_vocab_16e6.txt.gz'))),
    };
  };

  it('uses the vocabulary openai builds from bpe_simple_vocab_16e6.txt.gz', () => {
    const { vocab, reference } = load();
    expect(Object.keys(vocab).length).toBe(reference.encoder.size);
    expect([...reference.encoder].filter(([token, id]) => vocab[token] !== id)).toEqual([]);
  });

  it('gives the same ids as openai simple_tokenizer for all 30 prompts (@huggingface/tokenizers)', () => {
    const { tokenizer, reference } = load();
    const lengths: number[] = [];
    const mismatches = TOKENIZER_TEST_PROMPTS.flatMap((prompt, i) => {
      const ours = tokenizer.encode(prompt).ids;
      lengths.push(ours.length);
      return JSON.stringify(ours) === JSON.stringify(reference.encode(prompt))
        ? []
        : [`#${i + 1} ${JSON.stringify(prompt.slice(0, 40))}`];
    });
    console.log(
      `CLIP: ${TOKENIZER_TEST_PROMPTS.length - mismatches.length}/${TOKENIZER_TEST_PROMPTS.length} prompts identical; ids per prompt ${lengths.join(' ')}`,
    );
    expect(mismatches).toEqual([]);
    expect(lengths[28]).toBeGreaterThan(77);
    expect(lengths[29]).toBeGreaterThan(512);
  });

  it('truncates to 77 with the closing EOS and pads with <|endoftext|> in the engine', () => {
    const { json, reference } = load();
    const config = readJsonFile<Json>(join(clipDir, 'tokenizer_config.json'));
    const engine = createPromptTokenizer(json, config, 77);
    const long = reference.encode(TOKENIZER_TEST_PROMPTS[28]!);
    expect(Array.from(engine.encode(TOKENIZER_TEST_PROMPTS[28]!))).toEqual([...long.slice(0, 76), reference.eos]);
    const short = reference.encode(TOKENIZER_TEST_PROMPTS[0]!);
    expect(Array.from(engine.encode(TOKENIZER_TEST_PROMPTS[0]!))).toEqual([
      ...short,
      ...Array<number>(77 - short.length).fill(reference.eos),
    ]);
  });
});
