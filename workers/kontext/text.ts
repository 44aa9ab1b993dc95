/**
 * @file Prompt → fixed-length token ids for the two text encoders, from a bundle's tokenizer.json and
 * tokenizer_config.json (Hugging Face formats, run by @huggingface/tokenizers — pure JS, so this module
 * works in the worker and in Node). Both encoders get the same prompt (docs/kontext-spec.md §6).
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { EngineError } from '../api/errors';

/** Turns a prompt into exactly `length` ids: truncated (keeping the closing EOS) and padded. */
export interface PromptTokenizer {
  readonly length: number;
  encode(prompt: string): Int32Array;
}

type Json = Record<string, unknown>;

/** A special token may be a plain string or an AddedToken object ({content: "..."}). */
function specialToken(config: Json, key: string): string | undefined {
  const v = config[key];
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Json).content === 'string') return (v as Json).content as string;
  return undefined;
}

/**
 * Builds a tokenizer that pads to `length`. T5 pads with its pad token (id 0); CLIP-L pads with
 * <|endoftext|> (its pad_token). Over-long prompts are cut to length − 1 ids plus the EOS, as the
 * reference pipelines do with truncation=True.
 * @throws EngineError `bad-model` when the config names no EOS or pad token the vocabulary knows.
 */
export function createPromptTokenizer(tokenizerJson: Json, tokenizerConfig: Json, length: number): PromptTokenizer {
  const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
  const idOf = (key: string): number => {
    const token = specialToken(tokenizerConfig, key);
    const id = token === undefined ? undefined : tokenizer.token_to_id(token);
    if (id === undefined)
      throw new EngineError(
        'bad-model',
        `tokenizer_config.json: ${key} ${token === undefined ? 'is missing' : `"${token}" is not in the vocabulary`}`,
      );
    return id;
  };
  const eos = idOf('eos_token');
  const pad = specialToken(tokenizerConfig, 'pad_token') === undefined ? eos : idOf('pad_token');
  return {
    length,
    encode(prompt: string): Int32Array {
      let ids = tokenizer.encode(prompt).ids.map(Number);
      if (ids.length > length) ids = [...ids.slice(0, length - 1), eos];
      const out = new Int32Array(length).fill(pad);
      out.set(ids);
      return out;
    },
  };
}
