/**
 * @file Test reference (Node only): a SentencePiece-Unigram tokenizer over a tokenizer.json's vocab,
 * written independently of @huggingface/tokenizers, following the Rust `tokenizers` crate:
 *   1. Precompiled normalizer: the real `precompiled_charsmap` (a darts-clone double-array trie over UTF-8
 *      bytes plus a blob of replacement strings, as the `spm_precompiled` crate reads it), applied per
 *      grapheme cluster (whole cluster when under 6 bytes and mapped, else per character);
 *   2. the other normalizers of the file (Strip, Replace with a regex or string);
 *   3. Metaspace: spaces → '▁', a '▁' prepended, split before every '▁';
 *   4. Viterbi per word: best total score, unknown characters scored min_score − 10 and fused into one unk;
 *   5. the post-processor's trailing special token (`</s>` for T5).
 */

type Json = Record<string, unknown>;

/** SentencePiece's precompiled normalization map. */
export class PrecompiledCharsmap {
  private readonly trie: Uint32Array;
  private readonly normalized: Uint8Array;
  private readonly segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

  constructor(base64: string) {
    const bytes = Buffer.from(base64, 'base64');
    const trieBytes = bytes.readUInt32LE(0);
    this.trie = new Uint32Array(trieBytes / 4);
    for (let i = 0; i < this.trie.length; i++) this.trie[i] = bytes.readUInt32LE(4 + 4 * i);
    this.normalized = new Uint8Array(bytes.subarray(4 + trieBytes));
  }

  normalize(text: string): string {
    let out = '';
    for (const { segment } of this.segmenter.segment(text)) {
      const whole = Buffer.byteLength(segment) < 6 ? this.transform(segment) : undefined;
      if (whole !== undefined) {
        out += whole;
        continue;
      }
      for (const c of segment) out += this.transform(c) ?? c;
    }
    return out;
  }

  /** The replacement of the first (shortest) trie key that prefixes `chunk`'s bytes, as spm_precompiled does. */
  private transform(chunk: string): string | undefined {
    const key = new TextEncoder().encode(chunk);
    const t = this.trie;
    let pos = offsetOf(t[0]!);
    for (const c of key) {
      if (c === 0) break;
      pos ^= c;
      const unit = t[pos]!;
      if ((unit & 0x800000ff) >>> 0 !== c) return undefined; // label mismatch: no key continues here
      pos ^= offsetOf(unit);
      if ((unit >>> 8) & 1) {
        const start = t[pos]! & 0x7fffffff; // leaf value: byte offset of a NUL-terminated replacement
        const end = this.normalized.indexOf(0, start);
        return new TextDecoder().decode(this.normalized.subarray(start, end < 0 ? undefined : end));
      }
    }
    return undefined;
  }
}

/** darts-clone unit offset: bits 10+ shifted left by 8 when bit 9 is set. */
function offsetOf(unit: number): number {
  return (unit >>> 10) * 2 ** ((unit & (1 << 9)) >>> 6);
}

/** The reference tokenizer for a Unigram tokenizer.json. */
export class ReferenceUnigram {
  private readonly pieces = new Map<string, { id: number; score: number }>();
  private readonly unkId: number;
  private readonly unkScore: number;
  private readonly maxPieceChars: number;
  private readonly steps: ((s: string) => string)[] = [];
  private readonly replacement: string;
  private readonly suffixIds: number[];

  constructor(json: Json) {
    const model = json.model as { vocab: [string, number][]; unk_id: number };
    model.vocab.forEach(([piece, score], id) => {
      if (!this.pieces.has(piece)) this.pieces.set(piece, { id, score });
    });
    this.unkId = model.unk_id;
    this.unkScore = Math.min(...model.vocab.map(([, s]) => s)) - 10;
    this.maxPieceChars = Math.max(...model.vocab.map(([p]) => [...p].length));
    this.addNormalizer(json.normalizer as Json | null);
    const pre = json.pre_tokenizer as Json;
    if (pre?.type !== 'Metaspace')
      throw new Error(`reference Unigram: pre_tokenizer ${String(pre?.type)} is not Metaspace`);
    this.replacement = (pre.replacement as string) ?? '▁';
    const single = ((json.post_processor as Json)?.single ?? []) as Json[];
    this.suffixIds = single.flatMap((item) => {
      const special = item.SpecialToken as { id: string } | undefined;
      return special ? [(this.pieces.get(special.id) as { id: number }).id] : [];
    });
  }

  encode(text: string): number[] {
    let s = text;
    for (const step of this.steps) s = step(s);
    s = s.replaceAll(' ', this.replacement);
    if (s !== '' && !s.startsWith(this.replacement)) s = this.replacement + s;
    const words = s.split(new RegExp(`(?=${this.replacement})`, 'u')).filter((w) => w !== '');
    return [...words.flatMap((w) => this.viterbi(w)), ...this.suffixIds];
  }

  private addNormalizer(n: Json | null): void {
    if (!n) return;
    switch (n.type) {
      case 'Sequence':
        for (const child of n.normalizers as Json[]) this.addNormalizer(child);
        return;
      case 'Precompiled': {
        const map = new PrecompiledCharsmap(n.precompiled_charsmap as string);
        this.steps.push((s) => map.normalize(s));
        return;
      }
      case 'Strip':
        this.steps.push((s) => (n.strip_left ? s.replace(/^\p{White_Space}+/u, '') : s));
        this.steps.push((s) => (n.strip_right ? s.replace(/\p{White_Space}+$/u, '') : s));
        return;
      case 'Replace': {
        const pattern = n.pattern as { Regex?: string; String?: string };
        const content = n.content as string;
        this.steps.push((s) =>
          pattern.Regex !== undefined
            ? s.replace(new RegExp(pattern.Regex, 'gu'), content)
            : s.replaceAll(pattern.String as string, content),
        );
        return;
      }
      default:
        throw new Error(`reference Unigram: normalizer ${String(n.type)} is not implemented`);
    }
  }

  /** Best segmentation of one word (Rust's encode_optimized: best path ending at each character). */
  private viterbi(word: string): number[] {
    const chars = [...word];
    const n = chars.length;
    const best = Array.from({ length: n + 1 }, () => ({ score: -Infinity, start: -1, id: -1 }));
    best[0]!.score = 0;
    for (let start = 0; start < n; start++) {
      if (best[start]!.score === -Infinity) continue;
      let hasSingle = false;
      for (let end = start + 1; end <= Math.min(n, start + this.maxPieceChars); end++) {
        const piece = this.pieces.get(chars.slice(start, end).join(''));
        if (!piece) continue;
        if (end === start + 1) hasSingle = true;
        const score = best[start]!.score + piece.score;
        if (best[end]!.start < 0 || score > best[end]!.score) best[end] = { score, start, id: piece.id };
      }
      if (!hasSingle) {
        const score = best[start]!.score + this.unkScore;
        if (best[start + 1]!.start < 0 || score > best[start + 1]!.score)
          best[start + 1] = { score, start, id: this.unkId };
      }
    }
    const ids: number[] = [];
    for (let end = n; end > 0; end = best[end]!.start) ids.push(best[end]!.id);
    ids.reverse();
    return ids.filter((id, i) => !(id === this.unkId && i > 0 && ids[i - 1] === this.unkId)); // fuse unk runs
  }
}
