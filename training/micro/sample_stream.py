"""Procedural training samples made on every spare CPU core while the GPU trains (one prepared GPU run).

Chunks are make_data.make_chunk(seed, start, count) for start = first, first+count, ...: the same content for the
same seed, whatever the number of workers; they arrive in order.
"""
import collections
import multiprocessing
import queue
import threading

from training.micro.make_data import make_chunk


class SampleStream:
    def __init__(self, seed: int, workers: int, chunk: int = 256, first: int = 0):
        self.seed, self.chunk, self.next_start = seed, chunk, first
        # spawn, not fork: the parent holds a CUDA context that a forked child must not touch
        self.pool = multiprocessing.get_context("spawn").Pool(workers)
        self.ready: queue.Queue = queue.Queue()
        self.in_flight = 2 * workers
        self.stopped = False
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.thread.start()

    def _pump(self) -> None:
        pending = collections.deque()
        while not self.stopped:
            while len(pending) < self.in_flight:
                pending.append(self.pool.apply_async(make_chunk, (self.seed, self.next_start, self.chunk)))
                self.next_start += self.chunk
            try:
                self.ready.put(pending.popleft().get())
            except Exception as error:  # a broken generator must stop the run, not hang it
                self.ready.put(error)
                return

    def take(self, block: bool = False) -> list[dict]:
        """The chunks made since the last call (waits for one when block)."""
        out = []
        if block:
            out.append(self.ready.get())
        while True:
            try:
                out.append(self.ready.get_nowait())
            except queue.Empty:
                break
        for item in out:
            if isinstance(item, Exception):
                raise RuntimeError("sample generation failed") from item
        return out

    def close(self) -> None:
        self.stopped = True
        self.pool.terminate()
