import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dequantizeInt4, quantizeInt4 } from '../quantize/int4';
import { getRelativeError, type Feed } from '../quantize/runOrt';
import { openSafetensors, writeSafetensors, type TensorSource, type WritableTensor } from '../node/nodeFiles';
import { forwardTensorSource } from '../safetensors';
import { makeTempDir } from '../testing';
import { hasLength } from '../tuple';
import { convertDit, type DitConvertOptions } from './dit';
import { DitCheckpointError } from './ditConfig';
import { DIT_INPUT_NAMES } from './ditSegments';
import { readDitGoldens, runDitSegments, TINY_DIT_CHECKPOINT } from './ditTesting';
import { openFolderSink } from '../node/folderSink';

const temp = makeTempDir('dit-test');
let source: TensorSource;
let goldens: { feeds: Record<string, Feed>; velocity: Float32Array };

beforeAll(async () => {
  source = await openSafetensors(TINY_DIT_CHECKPOINT);
  goldens = await readDitGoldens();
});
afterAll(async () => {
  await source.close();
  temp.cleanup();
});

const base: DitConvertOptions = { weights: 'fp32', blockSize: 32, maxShardBytes: 512 * 1024 * 1024, segments: 1 };

/** Converts `src` into a fresh folder and returns the folder with the result. */
async function convert(src: TensorSource, name: string, options: Partial<DitConvertOptions> = {}) {
  const dir = join(temp.dir, name);
  return { dir, result: await convertDit(src, openFolderSink(dir), { ...base, ...options }) };
}

/** Every tensor of the tiny checkpoint as raw bytes, for writing modified copies. */
async function readAllTensors(src: TensorSource): Promise<Record<string, WritableTensor>> {
  const out: Record<string, WritableTensor> = {};
  for (const t of src.listTensors())
    out[t.name] = { shape: t.shape, data: (await src.readBytes(t.name)).slice(), dtype: t.dtype };
  return out;
}

describe('convertDit on the tiny checkpoint (fp32 weights)', () => {
  it('matches the PyTorch goldens (rel err ≤ 1e-4) on onnxruntime-node and -web, with bounded shards', async () => {
    const maxShardBytes = 256 * 1024;
    const seen: [string, number][] = [];
    const { dir, result } = await convert(source, 'fp32', {
      maxShardBytes,
      onTensor: (n, bytes) => seen.push([n, bytes]),
    });
    expect(result.config.axesDim).toEqual([8, 12, 12]);
    expect(result.graphs.length).toBe(1);
    const graph = result.graphs[0]!;
    expect(graph.graph).toBe('dit.onnx');
    expect(graph.data.length).toBeGreaterThan(1); // the small limit forces several shards
    for (const f of graph.data) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(maxShardBytes);
    expect(statSync(join(dir, graph.graph)).size).toBeLessThan(200 * 1024); // weights live outside the .onnx
    expect(readdirSync(dir).sort()).toEqual([graph.graph, ...graph.data].sort());
    // Every tensor read exactly once, reported with its source size.
    const tensors = source.listTensors();
    expect(seen.map(([n]) => n).sort()).toEqual(tensors.map((t) => t.name).sort());
    expect(seen.reduce((s, [, b]) => s + b, 0)).toBe(tensors.reduce((s, t) => s + t.byteLength, 0));
    expect(graph.parameters).toBe(tensors.reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0));

    for (const runtime of ['node', 'web'] as const) {
      const velocity = await runDitSegments(runtime, dir, result.graphs, goldens.feeds);
      const err = getRelativeError(velocity, goldens.velocity);
      console.log(`DiT fp32 on ${runtime}: rel err vs goldens = ${err.toExponential(2)}`);
      expect(err).toBeLessThanOrEqual(1e-4);
    }
  });

  it('declares the graph-contract I/O with symbolic sequence lengths', async () => {
    const { dir, result } = await convert(source, 'io');
    const session = await ort.InferenceSession.create(join(dir, result.graphs[0]!.graph));
    try {
      expect(session.inputNames).toEqual([...DIT_INPUT_NAMES]);
      expect(session.outputNames).toEqual(['velocity']);
      // A different token count than the goldens' runs too: sequence lengths are not baked in.
      const feeds = { ...goldens.feeds };
      const take = (name: string, rows: number, width: number, batched: boolean): Feed => {
        const f = feeds[name];
        if (!f) throw new Error(`the DiT goldens have no input '${name}'`);
        return {
          data: (f.data as Float32Array).slice(0, rows * width),
          dims: batched ? [1, rows, width] : [rows, width],
        };
      };
      feeds.hidden_states = take('hidden_states', 20, 64, true);
      feeds.img_ids = take('img_ids', 20, 3, false);
      feeds.encoder_hidden_states = take('encoder_hidden_states', 5, 32, true);
      feeds.txt_ids = take('txt_ids', 5, 3, false);
      const velocity = await runDitSegments('node', dir, result.graphs, feeds);
      expect(velocity.length).toBe(20 * 64);
    } finally {
      await session.release();
    }
  });
});

describe('convertDit weight formats', () => {
  it('fp16 weights: onnxruntime-node within 1e-3 of the goldens', async () => {
    const { dir, result } = await convert(source, 'fp16', { weights: 'fp16' });
    const velocity = await runDitSegments('node', dir, result.graphs, goldens.feeds);
    const err = getRelativeError(velocity, goldens.velocity);
    // bf16 checkpoint values are exact in fp16 unless tiny (< 2^-14), so this is near the fp32 error.
    console.log(`DiT fp16 on node: rel err vs goldens = ${err.toExponential(2)} (bound 1e-3)`);
    expect(err).toBeLessThanOrEqual(1e-3);
  });

  it('int4 block 32: equals the fp32 graph of the dequantized checkpoint, and its measured error is bounded', async () => {
    const wholeReads: string[] = [];
    const watched: TensorSource = {
      ...forwardTensorSource(source, {}),
      readFloat32: (name) => (wholeReads.push(name), source.readFloat32(name)),
    };
    const { dir, result } = await convert(watched, 'int4', { weights: 'int4' });
    // Linear weights stream a slab of rows at a time into the int4 codes: none is read whole (biases, norms are)
    expect(wholeReads.length).toBeGreaterThan(0);
    expect(wholeReads.filter((n) => n.endsWith('.weight') && source.getTensorInfo(n).shape.length === 2)).toEqual([]);
    const fp32Bytes = (await convert(source, 'fp32-size')).result.graphs[0]!.bytes;
    expect(result.graphs[0]!.bytes).toBeLessThan(0.25 * fp32Bytes); // 4-bit codes + one fp32 scale per 32

    // The same network with every Linear weight replaced by deq(quant(W)), run at fp32.
    const tensors = await readAllTensors(source);
    for (const [name, t] of Object.entries(tensors)) {
      if (!name.endsWith('.weight') || !hasLength(t.shape, 2)) continue;
      const [n, k] = t.shape;
      tensors[name] = { shape: t.shape, data: dequantizeInt4(quantizeInt4(await source.readFloat32(name), n, k, 32)) };
    }
    const deqFile = join(temp.dir, 'dequantized.safetensors');
    await writeSafetensors(deqFile, tensors, { ...source.metadata });
    const deqSource = await openSafetensors(deqFile);
    let reference: Float32Array;
    try {
      const deq = await convert(deqSource, 'int4-dequantized');
      reference = await runDitSegments('node', deq.dir, deq.result.graphs, goldens.feeds);
    } finally {
      await deqSource.close();
    }
    for (const runtime of ['node', 'web'] as const) {
      const velocity = await runDitSegments(runtime, dir, result.graphs, goldens.feeds);
      const exact = getRelativeError(velocity, reference);
      const err = getRelativeError(velocity, goldens.velocity);
      console.log(
        `DiT int4/32 on ${runtime}: rel err vs dequantized fp32 graph = ${exact.toExponential(2)}, vs goldens = ${err.toFixed(3)} (bound 0.3)`,
      );
      expect(exact).toBeLessThanOrEqual(1e-4);
      // Measured 0.228 at this tiny random width (hidden 64, Gaussian weights: ~10% weight noise per Linear).
      expect(err).toBeLessThanOrEqual(0.3);
    }
  });
});

describe('convertDit segments', () => {
  it('K = 2 and K = 3 chained give the K = 1 velocity (≤ 1e-5), with the documented segment I/O', async () => {
    const single = await convert(source, 'k1');
    const expected = await runDitSegments('node', single.dir, single.result.graphs, goldens.feeds);
    for (const count of [2, 3]) {
      const { dir, result } = await convert(source, `k${count}`, { segments: count });
      expect(result.graphs.map((g) => g.graph)).toEqual(Array.from({ length: count }, (_, i) => `dit.${i}.onnx`));
      expect(result.graphs.reduce((s, g) => s + g.parameters, 0)).toBe(single.result.graphs[0]!.parameters);
      const names = await Promise.all(
        result.graphs.map(async (g) => {
          const s = await ort.InferenceSession.create(join(dir, g.graph));
          const io = { inputs: [...s.inputNames].sort(), outputs: [...s.outputNames].sort() };
          await s.release();
          return io;
        }),
      );
      const stream = ['img_hidden', 'rope_cos', 'rope_sin', 'txt_hidden', 'vec'];
      expect(names[0]).toEqual({
        inputs: [...DIT_INPUT_NAMES].sort(),
        outputs: ['img_hidden_out', 'rope_cos', 'rope_sin', 'txt_hidden_out', 'vec'],
      });
      for (const io of names.slice(1, -1))
        expect(io).toEqual({ inputs: stream, outputs: ['img_hidden_out', 'txt_hidden_out'] });
      expect(names[count - 1]).toEqual({ inputs: stream, outputs: ['velocity'] });
      const velocity = await runDitSegments('node', dir, result.graphs, goldens.feeds);
      const err = getRelativeError(velocity, expected);
      console.log(`DiT K=${count} vs K=1: rel err = ${err.toExponential(2)}`);
      expect(err).toBeLessThanOrEqual(1e-5);
    }
  });
});

describe('convertDit refuses bad checkpoints, naming the file and tensor', () => {
  async function writeModified(name: string, edit: (t: Record<string, WritableTensor>) => void): Promise<TensorSource> {
    const tensors = await readAllTensors(source);
    edit(tensors);
    const file = join(temp.dir, `${name}.safetensors`);
    await writeSafetensors(file, tensors, { ...source.metadata });
    return openSafetensors(file);
  }

  const cases: [string, (t: Record<string, WritableTensor>) => void, RegExp][] = [
    [
      'missing',
      (t) => delete t['double_blocks.1.txt_mlp.2.bias'],
      /missing tensor 'double_blocks\.1\.txt_mlp\.2\.bias'/,
    ],
    ['missing-config', (t) => delete t['img_in.weight'], /missing tensor 'img_in\.weight'/],
    [
      'misshapen',
      (t) => (t['single_blocks.1.linear2.weight'] = { shape: [64, 300], data: new Float32Array(64 * 300) }),
      /tensor 'single_blocks\.1\.linear2\.weight' has shape \[64,300\], the DiT config needs \[64,320\]/,
    ],
    [
      'unexpected',
      (t) => (t['lora.down.weight'] = { shape: [4], data: new Float32Array(4) }),
      /unexpected tensors .*lora\.down\.weight/,
    ],
  ];
  for (const [name, edit, message] of cases) {
    it(`${name} tensor`, async () => {
      const src = await writeModified(name, edit);
      try {
        const attempt = convert(src, `bad-${name}`);
        await expect(attempt).rejects.toThrow(DitCheckpointError);
        await expect(attempt).rejects.toThrow(new RegExp(`${name}\\.safetensors: `));
        await expect(attempt).rejects.toThrow(message);
      } finally {
        await src.close();
      }
    });
  }
});

describe('convertDit batch axis (manifest dit_batch)', () => {
  it('a batch of 3 runs in one call gives each run’s own velocity (≤ 1e-5), on node and web, K = 1 and 2', async () => {
    const tokens = goldens.feeds.hidden_states!;
    const text = goldens.feeds.encoder_hidden_states!;
    const [, length, channels] = tokens.dims as [number, number, number];
    // Three different runs: the goldens' tokens, and two other noise-like inputs (a deterministic spread).
    const items = [0, 1, 2].map((b) =>
      (tokens.data as Float32Array).map((v, i) => (b === 0 ? v : Math.sin(0.37 * i * b + b) * (1 + 0.5 * b))),
    );
    const batched: Record<string, Feed> = {
      ...goldens.feeds,
      hidden_states: { data: concat(items), dims: [3, length, channels] },
      encoder_hidden_states: {
        data: concat([0, 1, 2].map(() => text.data as Float32Array)),
        dims: [3, ...text.dims.slice(1)],
      },
    };
    for (const segments of [1, 2]) {
      const { dir, result } = await convert(source, `batch-k${segments}`, { segments });
      for (const runtime of segments === 1 ? (['node', 'web'] as const) : (['node'] as const)) {
        const velocity = await runDitSegments(runtime, dir, result.graphs, batched);
        expect(velocity.length).toBe(3 * length * channels);
        const size = length * channels;
        expect(getRelativeError(velocity.subarray(0, size), goldens.velocity)).toBeLessThanOrEqual(1e-4);
        for (const [b, item] of items.entries()) {
          const alone = await runDitSegments(runtime, dir, result.graphs, {
            ...goldens.feeds,
            hidden_states: { data: item, dims: [1, length, channels] },
          });
          const err = getRelativeError(velocity.subarray(b * size, (b + 1) * size), alone);
          console.log(`DiT K=${segments} on ${runtime}, batch item ${b} vs alone: rel err = ${err.toExponential(2)}`);
          expect(err).toBeLessThanOrEqual(1e-5);
        }
      }
    }
  });
});

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
