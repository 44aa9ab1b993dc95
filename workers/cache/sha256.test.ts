import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSha256 } from './sha256';
import { makeRandomBytes } from './testBundle';

const nodeSha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const SIZES = [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4096, 65536 + 13, (1 << 20) + 7];

describe('createSha256', () => {
  it('matches the known answers', () => {
    const abc = createSha256();
    abc.update(new TextEncoder().encode('abc'));
    expect(abc.digestHex()).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(createSha256().digestHex()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it.each(SIZES)('matches node:crypto for %i bytes in one update', (n) => {
    const bytes = makeRandomBytes(n, n + 1);
    const h = createSha256();
    h.update(bytes);
    expect(h.digestHex()).toBe(nodeSha(bytes));
  });

  it.each(SIZES)('matches node:crypto for %i bytes fed in uneven pieces across block boundaries', (n) => {
    const bytes = makeRandomBytes(n, 7 * n + 3);
    const h = createSha256();
    const cuts = [1, 63, 64, 65, 17, 128, 5000];
    for (let p = 0, i = 0; p < n; i++) {
      const end = Math.min(n, p + cuts[i % cuts.length]!);
      h.update(bytes.subarray(p, end));
      p = end;
    }
    expect(h.digestHex()).toBe(nodeSha(bytes));
  });

  it('continues from a saved state (through JSON, as IndexedDB would keep it) at and between block boundaries', () => {
    const bytes = makeRandomBytes(300_000, 42);
    for (const split of [0, 1, 64, 100, 65536, 131072 + 31, 299_999, 300_000]) {
      const first = createSha256();
      first.update(bytes.subarray(0, split));
      const saved = JSON.parse(JSON.stringify(first.saveState()));
      expect(saved.pending.length).toBe(split % 64);
      const second = createSha256(saved);
      second.update(bytes.subarray(split));
      expect(second.digestHex()).toBe(nodeSha(bytes));
    }
  });

  it('refuses a corrupt state instead of hashing wrongly', () => {
    expect(() => createSha256({ h: [1, 2, 3], length: 0, pending: [] })).toThrow(/corrupt/);
    expect(() => createSha256({ h: new Array(8).fill(0), length: 65, pending: [] })).toThrow(/corrupt/);
  });
});
