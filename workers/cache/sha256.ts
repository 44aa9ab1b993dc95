/**
 * @file SHA-256 in plain TypeScript, fed chunk by chunk, with a state that can be saved and restored.
 * crypto.subtle has no streaming digest, and a bundle file (up to 512 MB) must be hashed as it streams in and
 * across a reload, so the download keeps this hasher's state next to the chunks it has stored.
 */

/** A hasher's state between updates; structured-clonable (it is stored in IndexedDB with the chunks). */
export interface Sha256State {
  /** The eight 32-bit chaining words, as unsigned numbers. */
  h: number[];
  /** Bytes hashed so far. */
  length: number;
  /** Bytes of an unfinished 64-byte block (empty when `length` is a multiple of 64). */
  pending: number[];
}

export interface Sha256 {
  update(data: Uint8Array): void;
  /** Finishes the hash; the hasher must not be updated afterwards. */
  digestHex(): string;
  saveState(): Sha256State;
}

// prettier-ignore
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/** Runs the compression function over every whole 64-byte block of bytes[start, end). */
function compressBlocks(H: Int32Array, W: Int32Array, bytes: Uint8Array, start: number, end: number): void {
  for (let p = start; p + 64 <= end; p += 64) compressBlock(H, W, bytes, p);
}

/** One 64-byte block; a small function V8 optimises as a whole (a loop over megabytes only got on-stack replacement). */
function compressBlock(H: Int32Array, W: Int32Array, bytes: Uint8Array, p: number): void {
  for (let i = 0; i < 16; i++) {
    const j = p + i * 4;
    W[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15]!,
      y = W[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = H[0]!,
    b = H[1]!,
    c = H[2]!,
    d = H[3]!,
    e = H[4]!,
    f = H[5]!,
    g = H[6]!,
    h = H[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = (H[0]! + a) | 0;
  H[1] = (H[1]! + b) | 0;
  H[2] = (H[2]! + c) | 0;
  H[3] = (H[3]! + d) | 0;
  H[4] = (H[4]! + e) | 0;
  H[5] = (H[5]! + f) | 0;
  H[6] = (H[6]! + g) | 0;
  H[7] = (H[7]! + h) | 0;
}

/** Starts a SHA-256 hasher, fresh or from a state saved by {@link Sha256.saveState}. */
export function createSha256(state?: Sha256State): Sha256 {
  const H = new Int32Array(state ? state.h : H0);
  const W = new Int32Array(64);
  const block = new Uint8Array(64);
  let blockLen = state ? state.pending.length : 0;
  let length = state ? state.length : 0;
  if (state) block.set(state.pending);
  if (H.length !== 8 || blockLen >= 64 || length % 64 !== blockLen) throw new Error('sha256: corrupt saved state');

  function update(data: Uint8Array): void {
    let p = 0;
    length += data.length;
    if (blockLen > 0) {
      const take = Math.min(64 - blockLen, data.length);
      block.set(data.subarray(0, take), blockLen);
      blockLen += take;
      p = take;
      if (blockLen < 64) return;
      compressBlocks(H, W, block, 0, 64);
      blockLen = 0;
    }
    const whole = p + Math.floor((data.length - p) / 64) * 64;
    compressBlocks(H, W, data, p, whole);
    block.set(data.subarray(whole), 0);
    blockLen = data.length - whole;
  }

  function digestHex(): string {
    const bits = length * 8;
    const tail = new Uint8Array(blockLen < 56 ? 64 : 128);
    tail.set(block.subarray(0, blockLen));
    tail[blockLen] = 0x80;
    const view = new DataView(tail.buffer);
    view.setUint32(tail.length - 8, Math.floor(bits / 0x100000000));
    view.setUint32(tail.length - 4, bits >>> 0);
    compressBlocks(H, W, tail, 0, tail.length);
    return Array.from(H, (w) => (w >>> 0).toString(16).padStart(8, '0')).join('');
  }

  return {
    update,
    digestHex,
    saveState: () => ({ h: Array.from(H, (w) => w >>> 0), length, pending: Array.from(block.subarray(0, blockLen)) }),
  };
}
