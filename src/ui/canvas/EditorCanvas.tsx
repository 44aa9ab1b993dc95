import { useEffect, useLayoutEffect, useRef } from 'react';
import type { MaskImage, RgbaImage } from '../../../workers/api';
import type { ToolEvent } from '../../editor/tools/events';
import type { Size, Viewport } from '../../editor/viewport';
import { drawMaskOverlay, getImageCanvas } from '../../lib/canvasImage';

interface EditorCanvasProps {
  image: RgbaImage | null;
  /** The parent image, drawn left of the split when comparing. */
  before: RgbaImage | null;
  split: number;
  /** The running job's latest preview, drawn over the image. */
  preview: RgbaImage | null;
  mask: MaskImage | null;
  maskRevision: number;
  overlayVisible: boolean;
  viewport: Viewport;
  brushSize: number;
  showBrush: boolean;
  cursor: string;
  getHover: () => { x: number; y: number } | null;
  label: string;
  /** Exposed as data attributes for tests and debugging (e.g. `root.pan.dragging`). */
  toolPath: string;
  onToolEvent: (event: ToolEvent) => boolean;
  onWheelZoom: (factor: number, x: number, y: number) => void;
  onResize: (size: Size) => void;
  /** The pointer left the canvas (hide the brush outline). */
  onLeave: () => void;
}

type Props = EditorCanvasProps;

function draw(canvas: HTMLCanvasElement, overlay: HTMLCanvasElement, p: Props): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const dpr = window.devicePixelRatio || 1;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!p.image) return;
  const { zoom, panX, panY } = p.viewport;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const w = p.image.width * zoom,
    h = p.image.height * zoom;
  ctx.fillStyle = '#2a2e37'; // under transparent pixels
  ctx.fillRect(panX, panY, w, h);
  // Enlarged pixels stay crisp (nearest neighbour): kontext-micro's 64-px edits are meant to be seen pixel for pixel.
  ctx.imageSmoothingEnabled = zoom * dpr < 1;
  ctx.imageSmoothingQuality = 'high';
  const shown = p.preview ?? p.image;
  ctx.drawImage(getImageCanvas(shown), panX, panY, w, h);
  if (p.before && !p.preview) {
    const cut = p.split * p.before.width;
    ctx.drawImage(getImageCanvas(p.before), 0, 0, cut, p.before.height, panX, panY, cut * (w / p.before.width), h);
    const x = Math.round(panX + p.split * w) + 0.5;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x, panY);
    ctx.lineTo(x, panY + h);
    ctx.stroke();
    ctx.font = '600 11px system-ui, sans-serif';
    ctx.fillStyle = 'rgba(0,0,0,.6)';
    ctx.fillRect(x - 58, panY + 8, 50, 18);
    ctx.fillRect(x + 8, panY + 8, 44, 18);
    ctx.fillStyle = '#fff';
    ctx.fillText('BEFORE', x - 52, panY + 21);
    ctx.fillText('AFTER', x + 14, panY + 21);
  }
  if (p.mask && p.overlayVisible && !p.preview && p.mask.width === p.image.width && p.mask.height === p.image.height) {
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(overlay, panX, panY, w, h);
  }
  const hover = p.getHover();
  if (p.showBrush && hover) {
    const r = (p.brushSize * zoom) / 2;
    const cx = panX + hover.x * zoom,
      cy = panY + hover.y * zoom;
    ctx.lineWidth = 1;
    ctx.strokeStyle = 'rgba(0,0,0,.7)';
    ctx.beginPath();
    ctx.arc(cx, cy, r + 1, 0, Math.PI * 2);
    ctx.stroke();
    ctx.strokeStyle = '#fff';
    ctx.beginPath();
    ctx.arc(cx, cy, r, 0, Math.PI * 2);
    ctx.stroke();
  }
}

/** The editing canvas: the current turn (or the live preview), the mask overlay, the before/after split. */
export function EditorCanvas(props: Props) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const overlayRef = useRef<HTMLCanvasElement | null>(null);
  const propsRef = useRef(props);
  const frame = useRef(0);
  propsRef.current = props;

  const redraw = () => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => {
      if (canvasRef.current && overlayRef.current) draw(canvasRef.current, overlayRef.current, propsRef.current);
    });
  };

  useLayoutEffect(() => {
    overlayRef.current ??= document.createElement('canvas');
    const { mask, overlayVisible } = props;
    if (mask && overlayVisible) drawMaskOverlay(mask, overlayRef.current);
  }, [props.mask, props.maskRevision, props.overlayVisible]);

  useEffect(redraw);

  useEffect(() => {
    const wrap = wrapRef.current!,
      canvas = canvasRef.current!;
    const observer = new ResizeObserver(() => {
      const dpr = window.devicePixelRatio || 1;
      const { width, height } = wrap.getBoundingClientRect();
      canvas.width = Math.max(1, Math.round(width * dpr));
      canvas.height = Math.max(1, Math.round(height * dpr));
      propsRef.current.onResize({ width: Math.round(width), height: Math.round(height) });
      redraw();
    });
    observer.observe(wrap);
    const wheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = canvas.getBoundingClientRect();
      const delta = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
      propsRef.current.onWheelZoom(
        Math.exp(-delta * (e.ctrlKey ? 0.01 : 0.0015)),
        e.clientX - r.left,
        e.clientY - r.top,
      );
    };
    canvas.addEventListener('wheel', wheel, { passive: false });
    return () => {
      observer.disconnect();
      canvas.removeEventListener('wheel', wheel);
      cancelAnimationFrame(frame.current);
    };
  }, []);

  const pointer = (type: 'pointerdown' | 'pointermove' | 'pointerup') => (e: React.PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    if (type === 'pointerdown') {
      e.currentTarget.focus();
      e.currentTarget.setPointerCapture(e.pointerId);
    }
    if (
      props.onToolEvent({
        type,
        x: e.clientX - r.left,
        y: e.clientY - r.top,
        button: type === 'pointermove' ? 0 : e.button,
      })
    )
      e.preventDefault();
    redraw();
  };

  return (
    <div ref={wrapRef} className="canvas-wrap">
      <canvas
        ref={canvasRef}
        className="editor-canvas"
        data-testid="editor-canvas"
        role="img"
        aria-label={props.label}
        tabIndex={0}
        style={{ cursor: props.cursor }}
        data-zoom={props.viewport.zoom.toFixed(4)}
        data-pan-x={Math.round(props.viewport.panX)}
        data-pan-y={Math.round(props.viewport.panY)}
        data-tool-path={props.toolPath}
        onPointerDown={pointer('pointerdown')}
        onPointerMove={pointer('pointermove')}
        onPointerUp={pointer('pointerup')}
        onPointerCancel={() => {
          props.onToolEvent({ type: 'cancel' });
          redraw();
        }}
        onPointerLeave={() => {
          props.onLeave();
          redraw();
        }}
        onContextMenu={(e) => e.preventDefault()}
      />
    </div>
  );
}
