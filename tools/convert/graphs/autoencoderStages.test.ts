import { describe, expect, it } from 'vitest';
import { chooseStagedTile, getStagePeakBytes } from '../../../workers/kontext/stagedDecode';
import { FLUX_AE } from './autoencoderConfig';
import { planDecoderStages } from './autoencoderStages';

const MiB = 1024 ** 2;

describe('planDecoderStages on the real FLUX autoencoder', () => {
  const stages = planDecoderStages(FLUX_AE);

  it('cuts the decoder at each of its 30 GroupNorms: 34 stages, the attention whole, the image last', () => {
    // conv_in; mid: 2 ResNet blocks (2 stages each) and the attention; 4 levels × 3 blocks × 2; 3 upsamples; out.
    expect(stages).toHaveLength(1 + 2 + 1 + 2 + 4 * 3 * 2 + 3 + 1);
    expect(stages.filter((s) => s.normName).length).toBe(30);
    expect(stages.filter((s) => s.whole).map((s) => s.output)).toEqual(['decoder.mid.attn_1']);
    expect(stages.at(-1)).toMatchObject({ output: 'decoder.conv_out', input: 'decoder.up.0.block.2', channels: 3 });
    expect(stages.filter((s) => s.upscale === 2)).toHaveLength(3);
  });

  it('decodes 1024² with no buffer over 256 MiB (the attention over all 16,384 latent pixels: 64 MiB)', () => {
    const picture = { zChannels: 16, attentionChunks: 16, height: 128, width: 128 };
    const tile = chooseStagedTile(stages, picture, 256 * MiB)!;
    console.log(
      `FLUX staged decode 1024²: tile ${tile} latent px, largest buffer ${getStagePeakBytes(stages, picture, tile, tile) / MiB} MiB`,
    );
    expect(tile).toBeLessThan(128);
    expect(getStagePeakBytes(stages, picture, tile, tile)).toBeLessThanOrEqual(256 * MiB);
    expect(getStagePeakBytes(stages, picture, tile + 1, tile + 1)).toBeGreaterThan(256 * MiB);
    expect(getStagePeakBytes(stages, picture, 1, 1)).toBe(64 * MiB); // the whole attention's chunk scores
    expect(chooseStagedTile(stages, picture, 32 * MiB)).toBeNull(); // the attention alone is over
  });
});
