import { describe, expect, it } from 'vitest';
import { EngineError } from '../api/errors';
import { blendLatents } from './mask';
import { makeGaussian } from './noise';
import { denoise, type DenoiseStep, type VelocityFn } from './sample';
import { getSchedule } from './schedule';

// 6 target tokens of 8 features; the data point x0 the analytic field flows to.
const L = 6,
  F = 8;
const x0 = makeGaussian(1, L * F).map((v) => 0.5 * v + 0.25);
const noise = makeGaussian(2, L * F);

/** The exact rectified-flow velocity towards x0: on z_t = t·ε + (1−t)·x0, v = ε − x0 = (z − x0)/t. */
const towardsX0: VelocityFn = async (x, t) => x.map((v, i) => (v - x0[i]!) / t);

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('denoise', () => {
  it('lands on x0 from pure noise at t = 1 with the exact velocity field', async () => {
    for (const steps of [1, 4, 28]) {
      const out = await denoise({
        velocity: towardsX0,
        x: noise,
        timesteps: getSchedule(steps, L),
        guidance: 2.5,
        targetLength: L,
      });
      expect(maxDiff(out, x0)).toBeLessThan(1e-5);
    }
  });

  it('integrates a constant velocity as x + (t_end − t_start)·v', async () => {
    const v = Float32Array.from({ length: L * F }, (_, i) => i / 10);
    const out = await denoise({
      velocity: async () => v,
      x: noise,
      timesteps: [1, 0.7, 0.2],
      guidance: 1,
      targetLength: L,
    });
    const expected = noise.map((n, i) => n - 0.8 * v[i]!);
    expect(maxDiff(out, expected)).toBeLessThan(1e-6);
  });

  it('passes t and guidance, keeps only the target slice of a longer output, and leaves x alone', async () => {
    const calls: [number, number, number][] = [];
    const withRefs: VelocityFn = async (x, t, g) => {
      calls.push([t, g, x.length]);
      const v = await towardsX0(x, t, g);
      const full = new Float32Array(x.length + 3 * F).fill(NaN); // 3 reference tokens whose outputs must be dropped
      full.set(v);
      return full;
    };
    const timesteps = getSchedule(5, L);
    const input = noise.slice();
    const out = await denoise({ velocity: withRefs, x: input, timesteps, guidance: 3.5, targetLength: L });
    expect(maxDiff(out, x0)).toBeLessThan(1e-5);
    expect(calls).toEqual(timesteps.slice(0, 5).map((t) => [t, 3.5, L * F]));
    expect(input).toEqual(noise);
  });

  it('reports every step with t, tNext, x and v', async () => {
    const seen: DenoiseStep[] = [];
    const timesteps = getSchedule(4, L);
    await denoise({
      velocity: towardsX0,
      x: noise,
      timesteps,
      guidance: 2.5,
      targetLength: L,
      onStep: (s) => void seen.push(s),
    });
    expect(seen.map((s) => [s.step, s.steps, s.t, s.tNext])).toEqual(
      [0, 1, 2, 3].map((k) => [k, 4, timesteps[k], timesteps[k + 1]]),
    );
    // on the exact path x(t) = t·ε + (1 − t)·x0 and v = ε − x0 at every step
    for (const s of seen) {
      expect(
        maxDiff(
          s.x,
          noise.map((e, i) => s.tNext * e + (1 - s.tNext) * x0[i]!),
        ),
      ).toBeLessThan(1e-5);
      expect(
        maxDiff(
          s.v,
          noise.map((e, i) => e - x0[i]!),
        ),
      ).toBeLessThan(1e-4);
    }
  });

  it('with a mask, repaints where m = 1 and ends on the clean image latents where m = 0', async () => {
    const image = makeGaussian(3, L * F);
    const mask = new Float32Array(L * F).map((_, i) => (Math.floor(i / F) % 2 ? 1 : 0)); // odd tokens repainted
    const timesteps = getSchedule(6, L);
    const seen: Float32Array[] = [];
    const out = await denoise({
      velocity: towardsX0,
      x: noise,
      timesteps,
      guidance: 2.5,
      targetLength: L,
      mask: { mask, imageLatents: image, noise },
      onStep: (s) => void seen.push(s.x),
    });
    for (let i = 0; i < L * F; i++) expect(out[i]).toBeCloseTo(mask[i] ? x0[i]! : image[i]!, 5);
    // after step k the kept area is the image latents noised to tNext with the initial noise
    seen.forEach((x, k) => {
      const tNext = timesteps[k + 1]!;
      for (let i = 0; i < L * F; i++)
        if (!mask[i]) expect(x[i]).toBeCloseTo(tNext * noise[i]! + (1 - tNext) * image[i]!, 5);
    });
    expect(blendLatents(out, image, noise, mask, 0)).toEqual(out);
  });

  it('stops within one step when aborted during a model call', async () => {
    const controller = new AbortController();
    let calls = 0;
    const velocity: VelocityFn = async (x, t, g) => {
      calls++;
      if (calls === 3) controller.abort();
      return towardsX0(x, t, g);
    };
    const run = denoise({
      velocity,
      x: noise,
      timesteps: getSchedule(10, L),
      guidance: 2.5,
      targetLength: L,
      signal: controller.signal,
    });
    await expect(run).rejects.toBeInstanceOf(EngineError);
    await expect(run).rejects.toMatchObject({ code: 'cancelled', name: 'EngineError:cancelled' });
    expect(calls).toBe(3);
  });

  it('stops before the next call when aborted from the step callback, and never starts when already aborted', async () => {
    const controller = new AbortController();
    let calls = 0;
    const velocity: VelocityFn = async (x, t, g) => (calls++, towardsX0(x, t, g));
    const run = denoise({
      velocity,
      x: noise,
      timesteps: getSchedule(10, L),
      guidance: 2.5,
      targetLength: L,
      signal: controller.signal,
      onStep: ({ step }) => {
        if (step === 1) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(calls).toBe(2);

    calls = 0;
    const aborted = AbortSignal.abort();
    await expect(
      denoise({ velocity, x: noise, timesteps: [1, 0], guidance: 1, targetLength: L, signal: aborted }),
    ).rejects.toMatchObject({ code: 'cancelled' });
    expect(calls).toBe(0);
  });

  it('rejects x that is not whole tokens and a velocity shorter than the target', async () => {
    await expect(
      denoise({ velocity: towardsX0, x: new Float32Array(7), timesteps: [1, 0], guidance: 1, targetLength: 2 }),
    ).rejects.toThrow();
    const short: VelocityFn = async () => new Float32Array(F);
    await expect(
      denoise({ velocity: short, x: noise, timesteps: [1, 0], guidance: 1, targetLength: L }),
    ).rejects.toThrow();
  });
});
