/**
 * buildClipTokenizerJson on the real openai/clip-vit-large-patch14 files from ../shared/vendor-data, against openai's
 * own simple_tokenizer (ReferenceClipBpe); the tiny-fixture tests are in clipTokenizer.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { createPromptTokenizer } from '../../../workers/kontext/text';
import { hasVendorData } from '../../testing/vendorData';
import { readJsonFile } from '../node/nodeFiles';
import { VENDOR_DATA_DIR } from '../paths';
import { buildClipTokenizerJson } from './clipTokenizer';
import { ReferenceClipBpe } from './referenceClipBpe';
import { TOKENIZER_TEST_PROMPTS } from './testPrompts';

type Json = Record<string, unknown>;

type Vocab = Record<string, number>;

const clipDir = join(VENDOR_DATA_DIR, 'clip-vit-large-patch14-tokenizer');
const hasClip = hasVendorData(
  'the real CLIP tokenizer comparison',
  ['vocab.json', 'merges.txt', 'bpe_simple_vocab_16e6.txt.gz', 'tokenizer_config.json'].map((f) => join(clipDir, f)),
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
