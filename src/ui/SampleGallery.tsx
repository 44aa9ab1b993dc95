import type { RgbaImage } from '../../workers/api';
import { Icon } from './Icon';
import { ImageThumb } from './ImageThumb';

export interface GallerySample {
  id: string;
  title: string;
  image: RgbaImage;
  suggestions: string[];
}

export interface SampleGalleryProps {
  samples: GallerySample[];
  limits: string;
  modelNote: string | null;
  onOpenSample: (id: string, suggestion: string | null) => void;
  onOpenFile: () => void;
}

/** The empty canvas: open an image, or try a sample from the default model's world in one click. */
export function SampleGallery(p: SampleGalleryProps) {
  return (
    <div className="gallery" data-testid="sample-gallery">
      <div className="gallery-intro">
        <h2>Edit an image by describing the change</h2>
        <p>Drop an image anywhere, paste one (Ctrl+V), or</p>
        <button type="button" className="btn primary" onClick={p.onOpenFile}>
          <Icon name="image" /> Open an image…
        </button>
        <p className="hint">Everything runs on this machine. Nothing is uploaded.</p>
      </div>
      <h3>Or try a sample</h3>
      <ul className="sample-grid">
        {p.samples.map((s) => (
          <li key={s.id} className="sample" data-testid="sample">
            <button
              type="button"
              className="sample-image"
              onClick={() => p.onOpenSample(s.id, null)}
              aria-label={`Open sample: ${s.title}`}
            >
              <ImageThumb image={s.image} size={128} label="" />
            </button>
            <span className="sample-title">{s.title}</span>
            <ul className="chips" aria-label={`Instructions to try on ${s.title}`}>
              {s.suggestions.map((text) => (
                <li key={text}>
                  <button type="button" className="chip" onClick={() => p.onOpenSample(s.id, text)}>
                    {text}
                  </button>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      <p className="limits" role="note">
        <Icon name="chip" /> {p.limits}
      </p>
      {p.modelNote && (
        <p className="limits warn-text" role="note">
          {p.modelNote}
        </p>
      )}
    </div>
  );
}
