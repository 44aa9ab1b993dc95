/**
 * prepareT5Tokenizer on the real google/t5-v1_1-xxl tokenizer from ../shared/vendor-data, against the reference
 * Unigram with its Precompiled charsmap; the tiny-fixture and micro tests are in t5Tokenizer.test.ts.
 */
import { join } from 'node:path';
import { PrecompiledNormalizer, Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { createPromptTokenizer } from '../../../workers/kontext/text';
import { hasVendorData } from '../../testing/vendorData';
import { readJsonFile } from '../node/nodeFiles';
import { VENDOR_DATA_DIR } from '../paths';
import { PrecompiledCharsmap, ReferenceUnigram } from './referenceUnigram';
import { prepareT5Tokenizer } from './t5Tokenizer';
import { TOKENIZER_TEST_PROMPTS } from './testPrompts';

type Json = Record<string, unknown>;

const t5Dir = join(VENDOR_DATA_DIR, 't5-v1_1-xxl-tokenizer');
const t5File = join(t5Dir, 'tokenizer.json');
const hasT5 = hasVendorData('the real T5 tokenizer comparison', [t5File, join(t5Dir, 'tokenizer_config.json')]);

describe.skipIf(!hasT5)('prepareT5Tokenizer on google/t5-v1_1-xxl (vendor data)', () => {
  let loaded: { json: Record<string, unknown>; tokenizer: Tokenizer; reference: ReferenceUnigram } | undefined;
  const load = () => {
    if (loaded) return loaded;
    const json = prepareT5Tokenizer(readJsonFile(t5File));
    return (loaded = { json, tokenizer: new Tokenizer(json, {}), reference: new ReferenceUnigram(json) });
  };

  it('gives the same ids as the reference Unigram (real Precompiled charsmap) for all 30 prompts', () => {
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
      `T5: ${TOKENIZER_TEST_PROMPTS.length - mismatches.length}/${TOKENIZER_TEST_PROMPTS.length} prompts identical; ids per prompt ${lengths.join(' ')}`,
    );
    expect(mismatches).toEqual([]);
    expect(lengths[29]).toBeGreaterThan(512);
  });

  it('the charsmap really normalizes: fullwidth, half-width kana, ligatures, ellipsis, tabs', () => {
    const { json } = load();
    const precompiled = (
      json.normalizer as { normalizers: { type: string; precompiled_charsmap: string }[] }
    ).normalizers.find((n) => n.type === 'Precompiled');
    const charsmap = new PrecompiledCharsmap(precompiled?.precompiled_charsmap as string);
    expect(charsmap.normalize('Ｆｕｌｌ １２３ ｶﾀｶﾅ ﬁ … a\tb')).toBe('Full 123 カタカナ fi ... a b');
    expect(charsmap.normalize('“plain” café')).toBe('“plain” café');
  });

  it("documents where @huggingface/tokenizers' NFKC stand-in for Precompiled differs: only code points newer than the charsmap", () => {
    const { json } = load();
    const config = (
      json.normalizer as { normalizers: { type: string; precompiled_charsmap: string }[] }
    ).normalizers.find((n) => n.type === 'Precompiled');
    const charsmap = new PrecompiledCharsmap(config?.precompiled_charsmap as string);
    const library = new PrecompiledNormalizer(config as never);
    const differing: string[] = [];
    for (let cp = 1; cp < 0x10000; cp++) {
      if (cp >= 0xd800 && cp < 0xe000) continue;
      const c = String.fromCodePoint(cp);
      if (charsmap.normalize(c) !== library.normalize(c)) differing.push(`U+${cp.toString(16).toUpperCase()}`);
    }
    console.log(
      `T5 Precompiled vs @huggingface/tokenizers NFKC, BMP code points that differ: ${differing.join(' ') || 'none'}`,
    );
    // In Node 20 (ICU, Unicode 15): U+32FF and a few Latin letters added in Unicode ≥ 12, all far from prompt text.
    expect(differing.every((u) => parseInt(u.slice(2), 16) >= 0x3200)).toBe(true);
  });

  it('pads with <pad> (0) after </s> (1) and truncates to 512 keeping </s> in the engine', () => {
    const { json, reference } = load();
    const config = readJsonFile<Json>(join(t5Dir, 'tokenizer_config.json'));
    const engine = createPromptTokenizer(json, config, 512);
    const long = reference.encode(TOKENIZER_TEST_PROMPTS[29]!);
    expect(Array.from(engine.encode(TOKENIZER_TEST_PROMPTS[29]!))).toEqual([...long.slice(0, 511), 1]);
    const short = reference.encode(TOKENIZER_TEST_PROMPTS[1]!);
    expect(Array.from(engine.encode(TOKENIZER_TEST_PROMPTS[1]!))).toEqual([
      ...short,
      ...Array<number>(512 - short.length).fill(0),
    ]);
  });
});
