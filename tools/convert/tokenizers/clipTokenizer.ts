/**
 * @file Builds a Hugging Face tokenizer.json for CLIP's byte-level BPE from the slow-tokenizer files
 * (vocab.json + merges.txt), with the structure transformers' CLIPConverter gives
 * openai/clip-vit-large-patch14: NFC → collapse whitespace → lowercase; split on CLIP's pattern
 * (matches kept, the rest removed), then byte-level characters; BPE with `</w>` word ends and
 * <|endoftext|> as unk; <|startoftext|> … <|endoftext|> added around the ids. @huggingface/tokenizers
 * loads it in the worker. Pure TypeScript.
 */

/** A tokenizer.json object. */
export type TokenizerJson = Record<string, unknown>;

/** CLIP's pre-tokenizer pattern (transformers CLIPConverter; openai's minus the two special tokens, which are added tokens here). */
const CLIP_SPLIT_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

/** An added token as tokenizer_config.json / special_tokens_map.json write it: a string or an AddedToken object. */
type SpecialTokenValue =
  string | { content: string; lstrip?: boolean; rstrip?: boolean; normalized?: boolean; single_word?: boolean };

/** The special tokens of a CLIP tokenizer; openai's names are the defaults. */
export interface ClipSpecialTokens {
  bos_token?: SpecialTokenValue;
  eos_token?: SpecialTokenValue;
  unk_token?: SpecialTokenValue;
}

const DEFAULTS = { bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', unk_token: '<|endoftext|>' } as const;

/**
 * Returns the tokenizer.json for a CLIP BPE vocabulary.
 * @param vocab - parsed vocab.json (token → id).
 * @param mergesTxt - merges.txt text; a leading `#version` line and blank lines are skipped.
 * @param specialTokens - tokenizer_config.json or special_tokens_map.json (bos/eos/unk), openai's names by default.
 * @throws Error when a merge line is malformed, a merge yields an unknown token, ids repeat, or a special token is not in the vocabulary.
 */
export function buildClipTokenizerJson(
  vocab: Readonly<Record<string, number>>,
  mergesTxt: string,
  specialTokens: ClipSpecialTokens = {},
): TokenizerJson {
  checkVocab(vocab);
  const merges = parseMerges(mergesTxt, vocab);
  const token = (key: keyof ClipSpecialTokens) => readSpecialToken(specialTokens[key] ?? DEFAULTS[key], key, vocab);
  const bos = token('bos_token');
  const eos = token('eos_token');
  const unk = token('unk_token');
  const added = [...new Map([bos, eos, unk].map((t) => [t.id, t])).values()].sort((a, b) => a.id - b.id);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added.map((t) => ({
      id: t.id,
      content: t.content,
      single_word: t.single_word,
      lstrip: t.lstrip,
      rstrip: t.rstrip,
      normalized: t.normalized,
      special: true,
    })),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'NFC' },
        { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' },
        { type: 'Lowercase' },
      ],
    },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: CLIP_SPLIT_PATTERN }, behavior: 'Removed', invert: true },
        // The split pieces hold no spaces, so GPT-2's regex inside ByteLevel would change nothing: skip it.
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: {
      type: 'RobertaProcessing',
      sep: [eos.content, eos.id],
      cls: [bos.content, bos.id],
      trim_offsets: false,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: unk.content,
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: { ...vocab },
      merges,
    },
  };
}

interface ResolvedToken {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
}

function readSpecialToken(
  value: SpecialTokenValue,
  key: string,
  vocab: Readonly<Record<string, number>>,
): ResolvedToken {
  const o = typeof value === 'string' ? { content: value } : value;
  if (typeof o?.content !== 'string')
    throw new Error(`CLIP tokenizer: ${key} must be a string or an object with a content string`);
  const id = Object.hasOwn(vocab, o.content) ? vocab[o.content] : undefined;
  if (id === undefined) throw new Error(`CLIP tokenizer: ${key} "${o.content}" is not in vocab.json`);
  // transformers writes CLIP's specials with normalized true (lower-casing leaves them unchanged).
  return {
    id,
    content: o.content,
    single_word: o.single_word ?? false,
    lstrip: o.lstrip ?? false,
    rstrip: o.rstrip ?? false,
    normalized: o.normalized ?? true,
  };
}

function checkVocab(vocab: Readonly<Record<string, number>>): void {
  const seen = new Map<number, string>();
  for (const [token, id] of Object.entries(vocab)) {
    if (!Number.isInteger(id) || id < 0)
      throw new Error(`CLIP tokenizer: vocab.json id of "${token}" is not a non-negative integer`);
    const other = seen.get(id);
    if (other !== undefined)
      throw new Error(`CLIP tokenizer: vocab.json gives id ${id} to both "${other}" and "${token}"`);
    seen.set(id, token);
  }
}

/** merges.txt → ["a b", …] in rank order, each merge checked to produce a vocabulary token. */
function parseMerges(text: string, vocab: Readonly<Record<string, number>>): string[] {
  const merges: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line === '' || (i === 0 && line.startsWith('#version'))) return;
    const parts = line.split(' ');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '')
      throw new Error(
        `CLIP tokenizer: merges.txt line ${i + 1} is not two space-separated tokens: ${JSON.stringify(line)}`,
      );
    if (!Object.hasOwn(vocab, parts[0]! + parts[1]!))
      throw new Error(
        `CLIP tokenizer: merges.txt line ${i + 1} makes "${parts[0]! + parts[1]!}", which is not in vocab.json`,
      );
    merges.push(line);
  });
  if (merges.length === 0) throw new Error('CLIP tokenizer: merges.txt holds no merges');
  return merges;
}
