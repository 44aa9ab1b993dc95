import { useEffect, useRef } from 'react';
import type { RgbaImage } from '../../workers/api';
import { ImageThumb } from './ImageThumb';

/** Asked when an image is dropped or pasted while a session is open: edit it, or use it as a reference? */
export function PendingImageDialog({
  name,
  image,
  onChoose,
}: {
  name: string;
  image: RgbaImage;
  onChoose: (c: 'session' | 'reference' | null) => void;
}) {
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <div className="modal-backdrop" onClick={() => onChoose(null)}>
      <div
        className="modal small"
        role="dialog"
        aria-modal="true"
        aria-labelledby="pending-title"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onChoose(null);
          }
        }}
      >
        <h2 id="pending-title">Use “{name}” as…</h2>
        <div className="pending-body">
          <ImageThumb image={image} size={96} label={`${name}, ${image.width}×${image.height}`} />
          <div className="pending-actions">
            <button ref={first} type="button" className="btn primary" onClick={() => onChoose('reference')}>
              A reference for the next edit
            </button>
            <button type="button" className="btn" onClick={() => onChoose('session')}>
              A new session (edit this image)
            </button>
            <button type="button" className="btn ghost" onClick={() => onChoose(null)}>
              Cancel
            </button>
          </div>
        </div>
      </div>
    </div>
  );
}
