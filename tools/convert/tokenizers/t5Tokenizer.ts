/**
 * @file Checks a T5 tokenizer.json before it goes into a bundle, and returns a copy: SentencePiece Unigram, as
 * transformers' T5 converter writes it, or WordLevel, as kontext-micro's own word vocabulary is. The worker
 * runs it with @huggingface/tokenizers, so every component must be one that library implements (0.2.0 runs
 * WordLevel through its "Legacy" word → id model, with the unk token from tokenizer_config.json).
 * Pure TypeScript apart from loading the library.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import type { TokenizerJson } from './clipTokenizer';

/** Component types @huggingface/tokenizers 0.2.0 implements (its README and create_* factories). */
const SUPPORTED: Readonly<Record<string, ReadonlySet<string>>> = {
  normalizer: new Set([
    'BertNormalizer',
    'Precompiled',
    'Sequence',
    'Replace',
    'NFC',
    'NFD',
    'NFKC',
    'NFKD',
    'Strip',
    'StripAccents',
    'Lowercase',
    'Prepend',
  ]),
  pre_tokenizer: new Set([
    'BertPreTokenizer',
    'Sequence',
    'Whitespace',
    'WhitespaceSplit',
    'Metaspace',
    'ByteLevel',
    'Split',
    'Punctuation',
    'Digits',
    'Replace',
    'FixedLength',
  ]),
  post_processor: new Set(['TemplateProcessing', 'ByteLevel', 'BertProcessing', 'RobertaProcessing', 'Sequence']),
  decoder: new Set([
    'ByteLevel',
    'WordPiece',
    'Metaspace',
    'BPEDecoder',
    'CTC',
    'Sequence',
    'Replace',
    'Fuse',
    'Strip',
    'ByteFallback',
  ]),
};

/** Names the tokens the engine pads and terminates with (T5: `<pad>` = 0, `</s>` = 1). */
export interface T5SpecialTokens {
  pad: string;
  eos: string;
}

/**
 * Validates a T5 tokenizer.json (already parsed) and returns a deep copy for the bundle.
 * @throws Error naming the first problem: not a Unigram model, malformed vocab, unk_id out of range,
 *   a missing pad/eos piece, a post-processor that does not append eos, or a component the worker's library lacks.
 */
/** One Unigram vocabulary entry: [piece, log-probability score]. */
function isPieceScore(entry: unknown): entry is [string, number] {
  return (
    Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'number' && Number.isFinite(entry[1])
  );
}

export function prepareT5Tokenizer(
  tokenizerJson: unknown,
  special: T5SpecialTokens = { pad: '<pad>', eos: '</s>' },
): TokenizerJson {
  const fail = (why: string): never => {
    throw new Error(`T5 tokenizer.json: ${why}`);
  };
  if (!isObject(tokenizerJson)) return fail('not a JSON object');
  const model = tokenizerJson.model;
  if (!isObject(model)) return fail('no model object');
  if (model.type === 'WordLevel') {
    const words = model.vocab;
    if (!isObject(words)) return fail('a WordLevel model.vocab must map words to ids');
    for (const token of [special.pad, special.eos]) if (!(token in words)) fail(`"${token}" is not in model.vocab`);
    if (typeof model.unk_token !== 'string' || !(model.unk_token in words))
      fail('a WordLevel model needs an unk_token in its vocab');
    return finishChecks(tokenizerJson, special, fail);
  }
  if (model.type !== 'Unigram')
    fail(`model type is ${JSON.stringify(model.type)}, expected "Unigram" (SentencePiece) or "WordLevel"`);
  const vocab = model.vocab;
  if (!Array.isArray(vocab) || vocab.length === 0)
    return fail('model.vocab must be a non-empty list of [piece, score]');
  const pieces = new Map<string, number>();
  (vocab as unknown[]).forEach((entry, i) => {
    if (!isPieceScore(entry)) return fail(`model.vocab[${i}] is not [piece, score]`);
    if (!pieces.has(entry[0])) pieces.set(entry[0], i);
  });
  const unk = model.unk_id;
  if (!Number.isInteger(unk) || (unk as number) < 0 || (unk as number) >= vocab.length)
    fail(`model.unk_id ${JSON.stringify(unk)} is not an index into model.vocab`);
  for (const token of [special.pad, special.eos]) if (!pieces.has(token)) fail(`"${token}" is not in model.vocab`);
  return finishChecks(tokenizerJson, special, fail);
}

/** The checks every model type shares: supported components, a post-processor that appends EOS, loadable. */
function finishChecks(
  tokenizerJson: Record<string, unknown>,
  special: T5SpecialTokens,
  fail: (why: string) => never,
): TokenizerJson {
  for (const [key, types] of Object.entries(SUPPORTED)) checkComponent(tokenizerJson[key], key, types, fail);
  if (!JSON.stringify(tokenizerJson.post_processor ?? null).includes(JSON.stringify(special.eos))) {
    fail(`post_processor does not append "${special.eos}" (the encoder expects every prompt to end with it)`);
  }
  const copy = JSON.parse(JSON.stringify(tokenizerJson)) as TokenizerJson;
  try {
    new Tokenizer(copy, {}); // the library the worker runs must accept it
  } catch (e) {
    fail(`@huggingface/tokenizers cannot load it: ${(e as Error).message}`);
  }
  return copy;
}

function checkComponent(value: unknown, key: string, types: ReadonlySet<string>, fail: (why: string) => never): void {
  if (value === null || value === undefined) return;
  if (!isObject(value) || typeof value.type !== 'string') return fail(`${key} has no type`);
  if (!types.has(value.type)) fail(`${key} type ${value.type} is not implemented by @huggingface/tokenizers 0.2.0`);
  for (const list of ['normalizers', 'pretokenizers', 'processors', 'decoders']) {
    const children = value[list];
    if (Array.isArray(children)) children.forEach((child) => checkComponent(child, key, types, fail));
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
