import type { ActiveTool } from '../editor/tools/CanvasTools';
import { Icon, type IconName } from './Icon';

export interface MaskPanelProps {
  tool: ActiveTool;
  size: number;
  feather: number;
  overlayVisible: boolean;
  /** Share of the image the next edit repaints (0…1); 0 = no mask, the whole image may change. */
  coverage: number;
  disabled: boolean;
  onTool: (tool: ActiveTool) => void;
  onSize: (size: number) => void;
  onFeather: (feather: number) => void;
  onInvert: () => void;
  onClear: () => void;
  onToggleOverlay: () => void;
}

const TOOLS: { id: ActiveTool; label: string; key: string; icon: IconName }[] = [
  { id: 'brush', label: 'Mask brush', key: 'B', icon: 'brush' },
  { id: 'eraser', label: 'Mask eraser', key: 'E', icon: 'eraser' },
  { id: 'hand', label: 'Pan', key: 'H', icon: 'hand' },
];

/** Mask tools: brush, eraser, pan; size and feather; invert, clear, show/hide. */
export function MaskPanel(p: MaskPanelProps) {
  return (
    <section className="panel" aria-labelledby="mask-title">
      <header className="panel-head">
        <h2 id="mask-title">Mask</h2>
        <span className="panel-meta" data-testid="mask-coverage">
          {p.coverage > 0 ? `${(p.coverage * 100).toFixed(p.coverage < 0.1 ? 1 : 0)}% repainted` : 'whole image'}
        </span>
      </header>
      <div className="segmented" role="radiogroup" aria-label="Canvas tool">
        {TOOLS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="radio"
            aria-checked={p.tool === t.id}
            className={p.tool === t.id ? 'on' : ''}
            disabled={p.disabled}
            onClick={() => p.onTool(t.id)}
            title={`${t.label} (${t.key})`}
            aria-label={`${t.label} (${t.key})`}
          >
            <Icon name={t.icon} /> <span>{t.id === 'hand' ? 'Pan' : t.id === 'brush' ? 'Brush' : 'Eraser'}</span>
          </button>
        ))}
      </div>
      <label className="slider-row">
        <span>Size</span>
        <input
          type="range"
          min={1}
          max={256}
          value={Math.min(256, p.size)}
          aria-label="Brush size (image pixels)"
          disabled={p.disabled}
          onChange={(e) => p.onSize(Number(e.target.value))}
        />
        <output className="num" data-testid="brush-size">
          {p.size}px
        </output>
      </label>
      <label className="slider-row">
        <span>Feather</span>
        <input
          type="range"
          min={0}
          max={100}
          value={Math.round(p.feather * 100)}
          aria-label="Brush feather (percent of the radius)"
          disabled={p.disabled}
          onChange={(e) => p.onFeather(Number(e.target.value) / 100)}
        />
        <output className="num">{Math.round(p.feather * 100)}%</output>
      </label>
      <div className="button-row">
        <button
          type="button"
          className="btn ghost"
          onClick={p.onInvert}
          disabled={p.disabled}
          title="Invert mask (Shift+I)"
        >
          <Icon name="invert" /> Invert
        </button>
        <button
          type="button"
          className="btn ghost"
          onClick={p.onClear}
          disabled={p.disabled || p.coverage === 0}
          title="Clear mask (Delete)"
        >
          <Icon name="trash" /> Clear
        </button>
        <button
          type="button"
          className="btn ghost"
          onClick={p.onToggleOverlay}
          disabled={p.disabled}
          aria-pressed={p.overlayVisible}
          title="Show or hide the mask overlay (M)"
          aria-label={p.overlayVisible ? 'Hide mask overlay' : 'Show mask overlay'}
        >
          <Icon name={p.overlayVisible ? 'eye' : 'eyeOff'} /> {p.overlayVisible ? 'Shown' : 'Hidden'}
        </button>
      </div>
      <p className="hint">
        Paint where the edit may change the image; everything outside stays pixel-identical. Feather softens the rim
        inside the mask. Size is in image pixels.
      </p>
    </section>
  );
}
