/**
 * @file Encodes the images the next edit starts from (the current turn's and the references) while the user
 * writes the prompt (EngineApi.prepareImages), so the first edit on a newly opened image costs what later ones do.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { RgbaImage } from '../../workers/api';
import type { StudioDeps } from './ports';
import { preparedKey, selectActiveBundle, selectCurrentTurn } from './selectors';
import type { StudioState } from './state';

interface ImagesToPrepare {
  /** The prepared bundle and backend, and the images by id: what `preparedImages` holds once they are encoded. */
  key: string;
  bundleId: string;
  images: RgbaImage[];
}

/** What to encode now, or null: no image, no model warmed up on this backend, or an edit running. */
function selectImagesToPrepare(s: StudioState): ImagesToPrepare | null {
  const bundle = selectActiveBundle(s);
  const turn = selectCurrentTurn(s);
  if (!bundle || !turn || !s.capabilities || s.job) return null;
  const prepared = preparedKey(bundle.id, s.capabilities.backend);
  if (s.preparedBundle !== prepared) return null;
  const refs = [turn.image, ...s.references];
  const images = refs.map((r) => s.images[r.id]);
  if (!images.every((i): i is RgbaImage => i !== undefined)) return null;
  return { key: `${prepared}:${refs.map((r) => r.id).join(',')}`, bundleId: bundle.id, images };
}

/** Whether the next edit's images are already encoded (the canvas status says so to tests and the bench). */
export function selectImagesPrepared(s: StudioState): boolean {
  const want = selectImagesToPrepare(s);
  return want !== null && s.preparedImages === want.key;
}

/**
 * Asks the engine to encode each new set of images once. A failure is not reported: the edit on those images
 * encodes them again and says what is wrong.
 */
export function followImagesToPrepare(store: StoreApi<StudioState>, engine: StudioDeps['engine']): void {
  let requested: string | null = null;
  store.subscribe((s) => {
    const want = selectImagesToPrepare(s);
    if (!want || want.key === requested) return;
    requested = want.key;
    engine.prepareImages(want.bundleId, want.images).then(
      (done) => {
        if (done && requested === want.key) store.setState({ preparedImages: want.key });
      },
      () => undefined,
    );
  });
}
