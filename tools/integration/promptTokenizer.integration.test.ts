/**
 * The worker's prompt tokenizer (workers/kontext/text.ts) on the real T5-XXL tokenizer from ../shared/vendor-data;
 * its unit tests (beside it) use the committed micro tokenizer only. Skips without the vendor data, fails under CI=true.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPromptTokenizer } from '../../workers/kontext/text';
import { VENDOR_DATA_DIR } from '../convert/paths';
import { hasVendorData } from '../testing/vendorData';

const vendorT5 = join(VENDOR_DATA_DIR, 't5-v1_1-xxl-tokenizer');
const files = ['tokenizer.json', 'tokenizer_config.json'].map((f) => join(vendorT5, f));
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

describe.skipIf(!hasVendorData('the real T5 prompt tokenizer test', files))('createPromptTokenizer on T5-XXL', () => {
  it('pads the real T5 tokenizer with id 0 after </s> (id 1)', () => {
    const t5 = createPromptTokenizer(
      readJson(join(vendorT5, 'tokenizer.json')),
      readJson(join(vendorT5, 'tokenizer_config.json')),
      512,
    );
    const ids = t5.encode('Make the car red.');
    expect(ids.length).toBe(512);
    const end = ids.indexOf(1);
    expect(end).toBeGreaterThan(3);
    expect(ids.slice(end + 1).every((id) => id === 0)).toBe(true);
  });
});
