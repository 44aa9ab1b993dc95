/**
 * @file Writes a contact sheet PNG: rows of equally sized tiles (for the bench: input | reference | output | target).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PNG } from 'pngjs';
import type { RgbaImage } from '../../workers/api/types';

export function writeContactSheet(path: string, rows: RgbaImage[][]): void {
  const tile = rows[0]![0]!.width;
  const columns = Math.max(...rows.map((r) => r.length));
  const gap = 2;
  const width = columns * tile + (columns + 1) * gap;
  const height = rows.length * (tile + gap) + gap;
  const png = new PNG({ width, height });
  png.data.fill(40);
  rows.forEach((row, r) =>
    row.forEach((img, c) => {
      for (let y = 0; y < img.height; y++) {
        for (let x = 0; x < img.width; x++) {
          const o = 4 * ((gap + r * (tile + gap) + y) * width + gap + c * (tile + gap) + x);
          png.data.set(img.data.subarray(4 * (y * img.width + x), 4 * (y * img.width + x) + 4), o);
        }
      }
    }),
  );
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, PNG.sync.write(png));
}
