/**
 * @file Peak GPU memory of this process as the driver sees it, for `npm run bench:gpu` in Node, where
 * onnxruntime-node owns its WebGPU device and no createBuffer can be wrapped (the browser counts live bytes itself,
 * workers/runtime/gpuBytes.ts): `nvidia-smi`'s per-process used memory, polled. Null where there is no nvidia-smi
 * (SwiftShader here): then nothing is claimed.
 */
import { execFile } from 'node:child_process';

const POLL_MS = 250;

function readUsedBytes(pid: number): Promise<number | null> {
  return new Promise((resolve) => {
    execFile(
      'nvidia-smi',
      ['--query-compute-apps=pid,used_memory', '--format=csv,noheader,nounits'],
      { timeout: 5000 },
      (error, stdout) => {
        if (error) return resolve(null);
        const row = stdout
          .split('\n')
          .map((line) => line.split(',').map((v) => Number(v.trim())))
          .find(([p]) => p === pid);
        resolve(row ? row[1]! * 1024 * 1024 : 0); // MiB
      },
    );
  });
}

/** Starts polling; stop() returns the peak bytes seen, or null when nvidia-smi never answered. */
export function sampleGpuMemory(pid = process.pid): { stop(): Promise<number | null> } {
  let peak: number | null = null;
  let running = true;
  const loop = (async () => {
    while (running) {
      const used = await readUsedBytes(pid);
      if (used === null && peak === null) return; // no nvidia-smi: stop asking
      if (used !== null) peak = Math.max(peak ?? 0, used);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}
