import { useRef, useState } from 'react';
import type { RgbaImage } from '../../workers/api';
import { Icon } from './Icon';
import { HiddenFileInput } from './HiddenFileInput';
import { ImageThumb } from './ImageThumb';

interface ReferenceItem {
  id: string;
  image: RgbaImage;
}

export interface ReferencePanelProps {
  references: ReferenceItem[];
  disabled: boolean;
  onFiles: (files: File[]) => void;
  onRemove: (id: string) => void;
  onMove: (id: string, delta: -1 | 1) => void;
}

/**
 * Extra reference images, in the order the model sees them: the input image is reference 1, these are 2, 3, …
 * Add by the button, by dropping files here, or by pasting while the panel has focus.
 */
export function ReferencePanel(p: ReferencePanelProps) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [dragId, setDragId] = useState<string | null>(null);

  const dropOn = (targetIndex: number) => {
    if (!dragId) return;
    const from = p.references.findIndex((r) => r.id === dragId);
    for (let i = from; i !== targetIndex; i += Math.sign(targetIndex - from))
      p.onMove(dragId, targetIndex > from ? 1 : -1);
    setDragId(null);
  };

  return (
    <section
      className={`panel refs${over ? ' drop-over' : ''}`}
      aria-labelledby="refs-title"
      tabIndex={0}
      data-testid="reference-panel"
      onPaste={(e) => {
        const files = Array.from(e.clipboardData.files);
        if (!files.length || p.disabled) return;
        e.preventDefault();
        e.stopPropagation();
        p.onFiles(files);
      }}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) {
          e.preventDefault();
          setOver(true);
        }
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        setOver(false);
        const files = Array.from(e.dataTransfer.files);
        if (!files.length) return;
        e.preventDefault();
        e.stopPropagation();
        if (!p.disabled) p.onFiles(files);
      }}
    >
      <header className="panel-head">
        <h2 id="refs-title">References</h2>
        <button
          type="button"
          className="btn icon"
          onClick={() => input.current?.click()}
          disabled={p.disabled}
          aria-label="Add reference images"
          title="Add reference images"
        >
          <Icon name="plus" />
        </button>
        <HiddenFileInput
          ref={input}
          accept="image/*"
          multiple
          aria-label="Reference image files"
          data-testid="reference-files"
          onFiles={p.onFiles}
        />
      </header>
      {p.references.length === 0 ? (
        <p className="hint">
          Drop, paste or add images the edit should draw from (“apply the style of the reference”). The image you edit
          is reference 1; these become 2, 3, …
        </p>
      ) : (
        <ol className="ref-list" aria-label="Reference images, in order">
          {p.references.map((r, i) => (
            <li
              key={r.id}
              className={`ref-item${dragId === r.id ? ' dragging' : ''}`}
              data-testid="reference-item"
              draggable={!p.disabled}
              onDragStart={(e) => {
                setDragId(r.id);
                e.dataTransfer.effectAllowed = 'move';
              }}
              onDragOver={(e) => {
                if (dragId) e.preventDefault();
              }}
              onDrop={(e) => {
                if (dragId) {
                  e.preventDefault();
                  e.stopPropagation();
                  dropOn(i);
                }
              }}
              onDragEnd={() => setDragId(null)}
            >
              <span className="ref-index" aria-hidden="true">
                {i + 2}
              </span>
              <ImageThumb image={r.image} size={52} label={`Reference ${i + 2}, ${r.image.width}×${r.image.height}`} />
              <span className="ref-size">
                {r.image.width}×{r.image.height}
              </span>
              <span className="ref-actions">
                <button
                  type="button"
                  className="btn icon small"
                  aria-label={`Move reference ${i + 2} up`}
                  disabled={p.disabled || i === 0}
                  onClick={() => p.onMove(r.id, -1)}
                >
                  <Icon name="up" size={14} />
                </button>
                <button
                  type="button"
                  className="btn icon small"
                  aria-label={`Move reference ${i + 2} down`}
                  disabled={p.disabled || i === p.references.length - 1}
                  onClick={() => p.onMove(r.id, 1)}
                >
                  <Icon name="down" size={14} />
                </button>
                <button
                  type="button"
                  className="btn icon small danger"
                  aria-label={`Remove reference ${i + 2}`}
                  disabled={p.disabled}
                  onClick={() => p.onRemove(r.id)}
                >
                  <Icon name="x" size={14} />
                </button>
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
