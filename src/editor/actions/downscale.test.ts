import { describe, expect, it } from 'vitest';
import { createTestDeps } from '../../testing/fakes';
import { createStudioStore } from '../store';

const offer = (name: string) => ({
  name,
  width: 16000,
  height: 12000,
  target: { width: 8192, height: 6144 },
  maxSide: 8192,
});

describe('downscale offer', () => {
  it('shows the offer until answered and hands the answer to whoever asked', async () => {
    const s = createStudioStore(createTestDeps().deps).getState;
    const asked = s().offerDownscale(offer('huge.png'));
    expect(s().downscaleOffer).toEqual(offer('huge.png'));
    s().answerDownscale(true);
    expect(await asked).toBe(true);
    expect(s().downscaleOffer).toBeNull();

    const cancelled = s().offerDownscale(offer('huge.png'));
    s().answerDownscale(false);
    expect(await cancelled).toBe(false);
  });

  it('a new offer answers the one still open with no', async () => {
    const s = createStudioStore(createTestDeps().deps).getState;
    const first = s().offerDownscale(offer('a.png'));
    const second = s().offerDownscale(offer('b.png'));
    expect(await first).toBe(false);
    expect(s().downscaleOffer?.name).toBe('b.png');
    s().answerDownscale(true);
    expect(await second).toBe(true);
  });
});
