import { describe, expect, it } from 'vitest';
import { createReadsThread, type ReadsReply, type ReadsRequest } from './readsWorker';

/** A stand-in for the reading thread's Worker: answers each request with `answer`, or fails to start. */
function fakeWorker(answer: ((request: ReadsRequest) => ReadsReply[]) | 'fails to start') {
  const worker = {
    onmessage: null as ((e: MessageEvent<ReadsReply>) => void) | null,
    onerror: null as ((e: ErrorEvent) => void) | null,
    terminated: false,
    postMessage(request: ReadsRequest) {
      setTimeout(() => {
        if (answer === 'fails to start') return worker.onerror?.({ message: '' } as ErrorEvent);
        for (const data of answer(request)) worker.onmessage?.({ data } as MessageEvent<ReadsReply>);
      });
    },
    terminate() {
      worker.terminated = true;
    },
  };
  return worker;
}

const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);

describe('createReadsThread', () => {
  it('hands over what the reading thread read, and the bundle it reads ahead with each graph as it arrives', async () => {
    const model = { name: 'g.onnx', graph: new Uint8Array([1]), externalData: [] };
    const worker = fakeWorker((r): ReadsReply[] =>
      r.kind === 'whole'
        ? [{ id: r.id, bytes }]
        : [
            { id: r.id, bundleId: 'micro', graphs: ['g.onnx', 'h.onnx'] },
            { id: r.id, graph: 'g.onnx', model, span: { start: 1, end: 2 } }, // before this thread began: cut,
            { id: r.id, graph: 'h.onnx', error: 'h.onnx needs its weights file' },
          ],
    );
    const reads = createReadsThread(() => worker as unknown as Worker);
    expect(await reads.readWhole(new Blob([new Uint8Array(3)]))).toBe(bytes);
    const early = await reads.readAhead();
    expect(early?.id).toBe('micro');
    expect(await early?.models.get('g.onnx')).toBe(model);
    await expect(early?.models.get('h.onnx')).rejects.toThrow('h.onnx needs its weights file');
  });

  it('reads on this thread when the reading thread cannot start, and reads nothing ahead', async () => {
    const worker = fakeWorker('fails to start');
    const reads = createReadsThread(() => worker as unknown as Worker);
    expect(Buffer.from(await reads.readWhole(new Blob([bytes]))).equals(Buffer.from(bytes))).toBe(true);
    expect(worker.terminated).toBe(true);
    expect(await reads.readAhead()).toBeNull();

    const noWorkers = createReadsThread(() => {
      throw new ReferenceError('Worker is not defined'); // a browser without workers in workers
    });
    expect(Buffer.from(await noWorkers.readWhole(new Blob([bytes]))).equals(Buffer.from(bytes))).toBe(true);
    expect(await noWorkers.readAhead()).toBeNull();
  });
});
