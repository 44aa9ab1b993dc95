/**
 * @file The Euler update as a WebGPU compute pass on the device onnxruntime runs on, in place on the DiT's
 * input buffer: x ← x + dt·v over the target tokens (references untouched), optionally blended with the
 * kept area (docs/kontext-spec.md §7), and x0 = x − tNext·v written for previews. Nothing is read back.
 */

const WORKGROUP = 256;

const SHADER = /* wgsl */ `
struct Params { count: u32, dt: f32, tNext: f32, masked: u32 }
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read> v: array<f32>;
@group(0) @binding(2) var<storage, read> keepMask: array<f32>;
@group(0) @binding(3) var<storage, read> image: array<f32>;
@group(0) @binding(4) var<storage, read> noise: array<f32>;
@group(0) @binding(5) var<storage, read_write> x0: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = id.x + id.y * groups.x * ${WORKGROUP}u;
  if (i >= p.count) { return; }
  var next = x[i] + p.dt * v[i];
  if (p.masked == 1u) {
    let kept = p.tNext * noise[i] + (1.0 - p.tNext) * image[i];
    next = keepMask[i] * next + (1.0 - keepMask[i]) * kept;
  }
  x[i] = next;
  x0[i] = next - p.tNext * v[i];
}`;

/** What one update needs besides the buffers fixed at creation. */
interface EulerStep {
  /** The DiT's velocity output (at least `count` floats; only the target part is read). */
  velocity: GPUBuffer;
  dt: number;
  tNext: number;
}

export interface EulerKernel {
  /** Encodes and submits one update. */
  run(step: EulerStep): void;
  destroy(): void;
}

/**
 * Prepares the update of the first `count` floats of `x` (the target tokens at the front of the DiT input).
 * `mask` (1 = repaint), `image` and `noise` are uploaded once; x0 goes to `x0`.
 */
export function createEulerKernel(
  device: GPUDevice,
  x: GPUBuffer,
  x0: GPUBuffer,
  count: number,
  blend: { mask: Float32Array; image: Float32Array; noise: Float32Array } | null,
): EulerKernel {
  const module = device.createShaderModule({ code: SHADER });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const owned: GPUBuffer[] = [];
  const upload = (data: Float32Array) => {
    const buffer = device.createBuffer({
      size: Math.max(16, data.byteLength),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
    device.queue.writeBuffer(buffer, 0, data as Float32Array<ArrayBuffer>);
    owned.push(buffer);
    return buffer;
  };
  const mask = upload(blend?.mask ?? new Float32Array(4));
  const image = upload(blend?.image ?? new Float32Array(4));
  const noise = upload(blend?.noise ?? new Float32Array(4));
  const params = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  owned.push(params);
  const groups = Math.ceil(count / WORKGROUP);
  const gx = Math.min(groups, device.limits.maxComputeWorkgroupsPerDimension);
  const gy = Math.ceil(groups / gx);

  return {
    run({ velocity, dt, tNext }) {
      const data = new ArrayBuffer(16);
      new Uint32Array(data, 0, 1)[0] = count;
      new Float32Array(data, 4, 2).set([dt, tNext]);
      new Uint32Array(data, 12, 1)[0] = blend ? 1 : 0;
      device.queue.writeBuffer(params, 0, data);
      const bindGroup = device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [x, velocity, mask, image, noise, x0, params].map((buffer, binding) => ({
          binding,
          resource: { buffer },
        })),
      });
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(gx, gy);
      pass.end();
      device.queue.submit([encoder.finish()]);
    },
    destroy() {
      for (const b of owned) b.destroy();
    },
  };
}

/** Copies `count` floats of a GPU buffer to the CPU (one readback). */
export async function readBuffer(device: GPUDevice, buffer: GPUBuffer, count: number): Promise<Float32Array> {
  const staging = device.createBuffer({ size: count * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, count * 4);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  return out;
}
