import { Icon } from '../Icon';

export interface ZoomControlsProps {
  zoom: number;
  onZoomIn: () => void;
  onZoomOut: () => void;
  onFit: () => void;
  onActual: () => void;
}

/** Zoom buttons floating over the canvas; the percentage resets to 100 %. */
export function ZoomControls(p: ZoomControlsProps) {
  return (
    <div className="zoom-controls" role="toolbar" aria-label="Zoom">
      <button type="button" className="btn icon" onClick={p.onZoomOut} aria-label="Zoom out (−)" title="Zoom out (−)">
        <Icon name="minus" />
      </button>
      <button
        type="button"
        className="zoom-value"
        onClick={p.onActual}
        aria-label="Zoom to 100% (1)"
        title="100% (1)"
        data-testid="zoom-value"
      >
        {Math.round(p.zoom * 100)}%
      </button>
      <button type="button" className="btn icon" onClick={p.onZoomIn} aria-label="Zoom in (+)" title="Zoom in (+)">
        <Icon name="plus" />
      </button>
      <button type="button" className="btn icon" onClick={p.onFit} aria-label="Fit to view (0)" title="Fit (0)">
        <Icon name="fit" />
      </button>
    </div>
  );
}

/** The before/after split for comparing a turn with its parent. */
export function CompareSlider({
  split,
  onSplit,
  onClose,
}: {
  split: number;
  onSplit: (v: number) => void;
  onClose: () => void;
}) {
  return (
    <div className="compare-bar" data-testid="compare-slider">
      <span>Before</span>
      <input
        type="range"
        min={0}
        max={1000}
        value={Math.round(split * 1000)}
        aria-label="Before/after split"
        onChange={(e) => onSplit(Number(e.target.value) / 1000)}
      />
      <span>After</span>
      <button type="button" className="btn icon small" onClick={onClose} aria-label="Stop comparing (C)">
        <Icon name="x" size={14} />
      </button>
    </div>
  );
}

/** The label over a live preview. */
export function PreviewBadge({ step, steps }: { step: number; steps: number }) {
  return (
    <div className="preview-badge" data-testid="preview-badge">
      Preview · step {step}/{steps}
    </div>
  );
}
