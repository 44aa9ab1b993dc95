import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPromptTokenizer } from './text';

// On the real T5-XXL and CLIP tokenizers (vendor data): tools/convert/tokenizers/*.integration.test.ts.

const ROOT = resolve(import.meta.dirname, '../..');
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const micro = join(ROOT, 'training/kontextbench_micro');

describe('createPromptTokenizer', () => {
  const tokenizer = createPromptTokenizer(
    readJson(join(micro, 'tokenizer.json')),
    readJson(join(micro, 'tokenizer_config.json')),
    12,
  );
  const eos = 1;
  const pad = 0;

  it('appends EOS and pads to the fixed length', () => {
    const ids = tokenizer.encode('make the red circle blue');
    expect(ids.length).toBe(12);
    const end = ids.indexOf(eos);
    expect(end).toBe(5);
    expect(Array.from(ids.slice(end + 1))).toEqual(new Array(6).fill(pad));
    expect(Array.from(ids.slice(0, end)).every((id) => id > 2)).toBe(true); // no <unk>, no specials
  });

  it('truncates long prompts and keeps the closing EOS', () => {
    const ids = tokenizer.encode('make the red circle blue and the star green and the square yellow please');
    expect(ids.length).toBe(12);
    expect(ids[11]).toBe(eos);
    expect(Array.from(ids.slice(0, 11))).not.toContain(pad);
  });

  it('refuses a config whose EOS the vocabulary lacks', () => {
    expect(() => createPromptTokenizer(readJson(join(micro, 'tokenizer.json')), { eos_token: '<nope>' }, 8)).toThrow(
      /eos_token "<nope>"/,
    );
  });
});
