import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..');
export const BOX_DIR = join(REPO_ROOT, '.cache', 'e2e', 'box');
export const FIXTURES = join(REPO_ROOT, 'e2e', 'fixtures');

/** Paths of the box autoencoder's files (graph first), as built by globalSetup. */
export const box = {
  encoder: ['box_encoder.onnx', 'box_encoder.onnx.data'].map((f) => join(BOX_DIR, f)),
  decoder: ['box_decoder.onnx', 'box_decoder.onnx.data'].map((f) => join(BOX_DIR, f)),
};

/** The TAEF1 preview graphs globalSetup built from ../shared/vendor-data, or null when that is absent. */
export function taef1Files(): { dir: string; encoder: string[]; decoder: string[] } | null {
  const dir = process.env.KONTEXT_TAEF1_DIR;
  if (!dir) return null;
  return {
    dir,
    encoder: ['preview_encoder.onnx', 'preview_encoder.onnx.data'].map((f) => join(dir, f)),
    decoder: ['preview_decoder.onnx', 'preview_decoder.onnx.data'].map((f) => join(dir, f)),
  };
}
