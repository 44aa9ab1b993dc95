/**
 * @file Test reference (Node only): OpenAI CLIP's original `simple_tokenizer.py` algorithm, written
 * independently of Hugging Face tokenizers, to check the tokenizer.json we build.
 *
 * Steps as openai/CLIP does them: clean the text, collapse whitespace (Python's `\s`), strip, lower-case;
 * find tokens with openai's pattern (which includes the two special tokens); map each token's UTF-8 bytes
 * to printable characters (bytes_to_unicode); then BPE: repeatedly merge every occurrence of the
 * lowest-ranked adjacent pair, the last character carrying `</w>`.
 *
 * Cleaning: openai runs ftfy.fix_text and html.unescape (twice). ftfy is not available here; its default
 * output is NFC-normalized, so NFC is applied instead. Text that ftfy would repair (mojibake, HTML
 * entities, odd quotes/control characters) could tokenize differently — the test prompts contain none.
 */
import { gunzipSync } from 'node:zlib';

/** openai's pattern: specials, contractions, letter runs, single digits, other non-space runs (regex module, IGNORECASE). */
const OPENAI_PATTERN = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;

/** Python 3 `re` `\s` for str patterns (Unicode whitespace plus \x1c–\x1f and \x85; not \ufeff as in JS). */
// eslint-disable-next-line no-control-regex -- \x1c–\x1f are whitespace to Python, so the reference must match them
const PYTHON_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/gu;

/** GPT-2/CLIP byte → printable character, in openai's insertion order (printable bytes first). */
function getBytesToUnicode(): Map<number, string> {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const map = new Map(printable.map((b) => [b, String.fromCharCode(b)]));
  let extra = 0;
  for (let b = 0; b < 256; b++) if (!map.has(b)) map.set(b, String.fromCharCode(256 + extra++));
  return map;
}

/** The reference tokenizer: `encode(text)` returns BOS, the ids, EOS (no padding or truncation). */
export class ReferenceClipBpe {
  private readonly ranks: Map<string, number>;
  private readonly byteChars = getBytesToUnicode();
  private readonly cache = new Map<string, string[]>();
  readonly bos: number;
  readonly eos: number;

  constructor(
    readonly encoder: ReadonlyMap<string, number>,
    merges: readonly [string, string][],
  ) {
    this.ranks = new Map(merges.map(([a, b], i) => [`${a} ${b}`, i]));
    this.bos = this.getId('<|startoftext|>');
    this.eos = this.getId('<|endoftext|>');
    for (const special of ['<|startoftext|>', '<|endoftext|>']) this.cache.set(special, [special]);
  }

  /** Builds the vocabulary exactly as simple_tokenizer.py does from bpe_simple_vocab_16e6.txt.gz. */
  static fromOpenAiVocab(gz: Uint8Array): ReferenceClipBpe {
    const lines = gunzipSync(gz).toString('utf8').split('\n');
    const merges = lines.slice(1, 49152 - 256 - 2 + 1).map((l) => l.split(' ') as [string, string]);
    const base = [...getBytesToUnicode().values()];
    const vocab = [
      ...base,
      ...base.map((c) => `${c}</w>`),
      ...merges.map(([a, b]) => a + b),
      '<|startoftext|>',
      '<|endoftext|>',
    ];
    return new ReferenceClipBpe(new Map(vocab.map((t, i) => [t, i])), merges);
  }

  /** Uses Hugging Face's vocab.json and merges.txt (for vocabularies without openai's file, e.g. the tiny fixture). */
  static fromHfFiles(vocab: Readonly<Record<string, number>>, mergesTxt: string): ReferenceClipBpe {
    const merges = mergesTxt
      .split('\n')
      .filter((l, i) => l !== '' && !(i === 0 && l.startsWith('#version')))
      .map((l) => l.split(' ') as [string, string]);
    return new ReferenceClipBpe(new Map(Object.entries(vocab)), merges);
  }

  encode(text: string): number[] {
    const cleaned = text.normalize('NFC').trim().replace(PYTHON_WHITESPACE, ' ').trim().toLowerCase();
    const ids = [this.bos];
    for (const token of cleaned.match(OPENAI_PATTERN) ?? []) {
      const chars = [...new TextEncoder().encode(token)].map((b) => this.byteChars.get(b) as string).join('');
      for (const piece of this.bpe(chars)) ids.push(this.getId(piece)); // specials are printable ASCII: cache hits
    }
    ids.push(this.eos);
    return ids;
  }

  private getId(piece: string): number {
    const id = this.encoder.get(piece);
    if (id === undefined) throw new Error(`reference CLIP BPE: "${piece}" is not in the vocabulary`); // openai raises KeyError too
    return id;
  }

  private bpe(token: string): string[] {
    const cached = this.cache.get(token);
    if (cached) return cached;
    let word = [...token];
    word[word.length - 1] += '</w>';
    while (word.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < word.length; i++) {
        const rank = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (rank !== undefined && rank < bestRank) [best, bestRank] = [i, rank];
      }
      if (best < 0) break;
      const [first, second] = [word[best]!, word[best + 1]!];
      const merged: string[] = [];
      for (let i = 0; i < word.length;) {
        if (i + 1 < word.length && word[i] === first && word[i + 1] === second) {
          merged.push(first + second);
          i += 2;
        } else merged.push(word[i++]!);
      }
      word = merged;
    }
    this.cache.set(token, word);
    return word;
  }
}
