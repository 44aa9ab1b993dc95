/**
 * @file Test helpers (used by the cache's unit tests and e2e fixtures, never by the app): a small valid
 * manifest over arbitrary files, seeded random bytes, and an in-memory fetch that can cut, corrupt or 404.
 */
import { MANIFEST_VERSION, type FileEntry, type Manifest } from '../bundle/manifest';
import { getDefaultPrecision } from '../bundle/precision';

/** A valid manifest whose every component points into `files` (the first file is "the graph"). */
export function makeTestManifest(id: string, files: FileEntry[]): Manifest {
  const [graph, ...data] = files.map((f) => f.path);
  if (graph === undefined) throw new Error('a test manifest needs at least one file (its graph)');
  const g = { graph, data };
  return {
    formatVersion: MANIFEST_VERSION,
    id,
    name: `Test bundle ${id}`,
    weights: 'fp32',
    precision: getDefaultPrecision('fp32'),
    memoryTight: false,
    ditFirstBlockCache: false,
    ditBatch: false,
    previewRgb: null,
    domain: null,
    loras: [],
    model: {
      dit: {
        hiddenSize: 64,
        numHeads: 2,
        depth: 1,
        depthSingleBlocks: 1,
        axesDim: [8, 12, 12],
        theta: 10000,
        inChannels: 64,
        contextInDim: 32,
        vecInDim: 16,
        mlpRatio: 4,
        guidanceEmbed: true,
      },
      t5: { dModel: 32, numLayers: 1, numHeads: 2, vocabSize: 100, maxLength: 16 },
      clip: { hiddenSize: 16, numLayers: 1, numHeads: 2, vocabSize: 100, maxLength: 16 },
      ae: { zChannels: 16, spatialFactor: 8, scaleFactor: 0.3611, shiftFactor: 0.1159 },
      patchSize: 2,
    },
    sampling: {
      defaultSteps: 4,
      defaultGuidance: 2.5,
      defaultAverage: 1,
      baseShift: 0.5,
      maxShift: 1.15,
      baseSeqLen: 256,
      maxSeqLen: 4096,
      resolutions: [[64, 64]],
    },
    components: {
      dit: [g],
      t5: g,
      clip: g,
      aeEncoder: g,
      aeDecoder: g,
      aeDecoderStages: null,
      previewDecoder: null,
      t5Tokenizer: { json: graph, config: graph },
      clipTokenizer: { json: graph, config: graph },
    },
    files,
  };
}

/** `n` pseudo-random bytes from a seed (xorshift32), the same on every platform. */
export function makeRandomBytes(n: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let x = seed | 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** What the fake server does to one path. */
interface Fault {
  /** Fails the body with a network error after this many bytes (of this response). */
  cutAfter?: number;
  status?: number;
  /** Flips one byte in the middle. */
  corrupt?: boolean;
  /** Answers a Range request with the whole file (200). */
  ignoreRange?: boolean;
  /** Waits this long before each piece of the body (a slow link). */
  delayMs?: number;
}

export interface FakeServer {
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
  /** Every request: its path (relative to the folder) and the Range start (0 without one). */
  requests: { path: string; start: number }[];
  countRequests(path: string): number;
  faults: Map<string, Fault>;
}

/** An in-memory HTTP folder at `base` serving `files`, with Range support, faults and a request log. */
export function createFakeServer(
  base: string,
  files: Map<string, Uint8Array<ArrayBuffer>>,
  piece = 16 * 1024,
): FakeServer {
  const requests: { path: string; start: number }[] = [];
  const faults = new Map<string, Fault>();
  async function fetch(input: string, init: RequestInit = {}): Promise<Response> {
    init.signal?.throwIfAborted();
    if (!input.startsWith(base)) return new Response('no such host', { status: 404 });
    const path = input.slice(base.length).split('/').map(decodeURIComponent).join('/');
    const range = /^bytes=(\d+)-$/.exec(new Headers(init.headers).get('Range') ?? '');
    const fault = faults.get(path) ?? {};
    const start = range && !fault.ignoreRange ? Number(range[1]) : 0;
    requests.push({ path, start: range ? Number(range[1]) : 0 });
    let body = files.get(path);
    if (fault.status || !body)
      return new Response('not found', { status: fault.status ?? 404, statusText: 'Not Found' });
    if (fault.corrupt) {
      body = body.slice();
      body[body.length >> 1]! ^= 0xff;
    }
    const bytes = body.subarray(start);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
        if (init.signal?.aborted) return controller.error(init.signal.reason);
        if (fault.cutAfter !== undefined && sent >= fault.cutAfter)
          return controller.error(new TypeError('network error'));
        if (sent >= bytes.length) return controller.close();
        const limit = fault.cutAfter !== undefined ? Math.min(bytes.length, fault.cutAfter) : bytes.length;
        const next = bytes.slice(sent, Math.min(limit, sent + piece));
        sent += next.length;
        controller.enqueue(next);
      },
    });
    const headers: Record<string, string> = { 'Content-Length': String(bytes.length) };
    if (start > 0) headers['Content-Range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    return new Response(stream, { status: start > 0 ? 206 : 200, headers });
  }
  return { fetch, requests, faults, countRequests: (p) => requests.filter((r) => r.path === p).length };
}
