import { useEffect, useRef } from 'react';
import type { DownscaleOffer } from '../editor/state';

/** Asked when an image is larger than the editor takes: downscale it (aspect ratio kept), or leave it. */
export function DownscaleDialog({ offer, onAnswer }: { offer: DownscaleOffer; onAnswer: (accept: boolean) => void }) {
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  const { width, height, target } = offer;
  return (
    <div className="modal-backdrop" onClick={() => onAnswer(false)}>
      <div
        className="modal small"
        role="dialog"
        aria-modal="true"
        aria-labelledby="downscale-title"
        aria-describedby="downscale-text"
        data-testid="downscale-dialog"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onAnswer(false);
          }
        }}
      >
        <h2 id="downscale-title">“{offer.name}” is too large</h2>
        <p id="downscale-text" className="dialog-text">
          This image is {width}×{height}; the largest side this editor takes is {offer.maxSide}. Downscale to{' '}
          {target.width}×{target.height}?
        </p>
        <p className="hint">The aspect ratio is kept. The file itself is not changed.</p>
        <div className="dialog-actions">
          <button type="button" className="btn ghost" onClick={() => onAnswer(false)}>
            Cancel
          </button>
          <button ref={first} type="button" className="btn primary" onClick={() => onAnswer(true)}>
            Downscale
          </button>
        </div>
      </div>
    </div>
  );
}
