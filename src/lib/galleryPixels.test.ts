import { describe, expect, it } from 'vitest';
import { GALLERY_SIZE, packGalleryPixels, unpackGalleryImage } from './galleryPixels';
import { renderScene, SAMPLES } from './samples';

describe('gallery pixels drawn at build time', () => {
  it('unpack to renderScene’s image of every sample, byte for byte', () => {
    const packed = packGalleryPixels();
    expect(Object.keys(packed).sort()).toEqual(SAMPLES.map((s) => s.id).sort());
    for (const sample of SAMPLES) {
      const drawn = renderScene(sample.scene, GALLERY_SIZE);
      const unpacked = unpackGalleryImage(packed[sample.id]!);
      expect([unpacked.width, unpacked.height]).toEqual([drawn.width, drawn.height]);
      expect(Buffer.from(unpacked.data).equals(Buffer.from(drawn.data)), sample.id).toBe(true);
    }
  });
});
