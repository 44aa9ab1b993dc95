/**
 * @file Live GPU bytes, counted where they are made: a wrapper around one device's createBuffer (and each buffer's
 * destroy) sees every buffer onnxruntime's WebGPU EP and our kernels allocate, so the engine can report what a
 * phase really holds, not what the planner expects.
 */

export interface GpuByteCounter {
  /** Bytes in buffers created and not yet destroyed. */
  readonly live: number;
  /** The most `live` has been since the last takePeak(). */
  readonly peak: number;
  /** Returns the peak so far and starts a new one from the bytes live now. */
  takePeak(): number;
}

const counters = new WeakMap<GPUDevice, GpuByteCounter>();

/** The counter of `device`, installing the wrapper the first time (one per device, whoever asks). */
export function countGpuBytes(device: GPUDevice): GpuByteCounter {
  const existing = counters.get(device);
  if (existing) return existing;
  let live = 0;
  let peak = 0;
  const create = device.createBuffer.bind(device);
  device.createBuffer = (descriptor: GPUBufferDescriptor) => {
    const buffer = create(descriptor);
    const size = buffer.size;
    live += size;
    peak = Math.max(peak, live);
    const destroy = buffer.destroy.bind(buffer);
    let destroyed = false;
    buffer.destroy = () => {
      if (!destroyed) live -= size;
      destroyed = true;
      destroy();
    };
    return buffer;
  };
  const counter: GpuByteCounter = {
    get live() {
      return live;
    },
    get peak() {
      return peak;
    },
    takePeak() {
      const p = peak;
      peak = live;
      return p;
    },
  };
  counters.set(device, counter);
  return counter;
}
