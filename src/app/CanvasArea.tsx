import { useEffect, useState } from 'react';
import { useCurrentImage, useParentImage } from '../hooks/selectors';
import { useActions, useStudioShallow } from '../hooks/useStudio';
import { unpackGalleryImage } from '../lib/galleryPixels';
import { SAMPLES, MICRO_LIMITS } from '../lib/samples';
import { EditorCanvas } from '../ui/canvas/EditorCanvas';
import { CompareSlider, PreviewBadge, ZoomControls } from '../ui/canvas/CanvasChrome';
import { RestoringSession } from '../ui/RestoringSession';
import { SampleGallery, type GallerySample } from '../ui/SampleGallery';
import { DrawerToggle } from '../ui/SidePanel';
import { selectImagesPrepared } from '../editor/prepareImages';
import { useServices } from './services';

let gallerySamples: GallerySample[] | null = null;

/** The gallery's images (drawn at build time), unpacked the first time the gallery shows. */
function getGallerySamples(): GallerySample[] {
  return (gallerySamples ??= SAMPLES.map((x) => ({ ...x, image: unpackGalleryImage(__GALLERY_PIXELS__[x.id]!) })));
}

const CURSORS: Record<string, string> = {
  'pan.ready': 'grab',
  'pan.dragging': 'grabbing',
  'brush.idle': 'none',
  'brush.painting': 'none',
  'compare.idle': 'ew-resize',
  'compare.dragging': 'ew-resize',
};

/** The canvas with its floating controls, or the first-run gallery when nothing is open. */
export function CanvasArea({ onOpenFile }: { onOpenFile: () => void }) {
  const a = useActions();
  const { tools } = useServices();
  const image = useCurrentImage();
  const parent = useParentImage();
  const s = useStudioShallow((st) => ({
    job: st.job,
    mask: st.mask,
    maskRevision: st.maskRevision,
    overlayVisible: st.overlayVisible,
    viewport: st.viewport,
    brush: st.brush,
    tool: st.tool,
    compare: st.compare,
    compareSplit: st.compareSplit,
    bundles: st.bundles,
    restore: st.restore,
    drawer: st.drawer,
    imageEncoded: selectImagesPrepared(st),
  }));
  const [path, setPath] = useState(tools.path);

  useEffect(() => tools.subscribe(setPath), [tools]);

  if (!image && s.restore.phase !== 'idle')
    return <RestoringSession name={s.restore.phase === 'restoring' ? s.restore.name : null} />;
  if (!image) {
    const samples = getGallerySamples();
    const embedded = s.bundles?.find((b) => b.embedded);
    return (
      <SampleGallery
        samples={samples}
        limits={MICRO_LIMITS}
        onOpenFile={onOpenFile}
        modelNote={
          s.bundles && !embedded
            ? 'The built-in kontext-micro model is not part of this build yet: you can open images, paint masks and build sessions, but Generate needs a model (see Models).'
            : embedded?.unsupportedReason
              ? `This machine cannot run ${embedded.name}: ${embedded.unsupportedReason}`
              : null
        }
        onOpenSample={(id, suggestion) => {
          const sample = samples.find((x) => x.id === id)!;
          a.openImage(`${sample.title}.png`, sample.image);
          if (suggestion) a.setPrompt({ text: suggestion });
        }}
      />
    );
  }

  const job = s.job;
  const mode = path.split('.').slice(1).join('.');
  // The brush outline only where a press would paint: not while panning, and not while comparing (the line moves).
  const maskTool = s.tool !== 'hand' && !path.startsWith('root.pan') && !path.startsWith('root.compare');
  const toggle = (side: 'left' | 'right') => a.setDrawer(s.drawer === side ? null : side);
  return (
    <div className="canvas-area">
      <div className="canvas-stage">
        <EditorCanvas
          image={image}
          before={s.compare ? parent : null}
          split={s.compareSplit}
          preview={job?.preview ?? null}
          mask={s.mask}
          maskRevision={s.maskRevision}
          overlayVisible={s.overlayVisible}
          viewport={s.viewport}
          brushSize={s.brush.size}
          showBrush={maskTool && !job}
          cursor={job ? 'progress' : (CURSORS[mode] ?? 'default')}
          getHover={() => tools.brush.hover}
          toolPath={path}
          label={`Image ${image.width}×${image.height}${s.compare ? ', comparing with the previous turn' : ''}`}
          onToolEvent={(e) => tools.dispatch(e)}
          onWheelZoom={(f, x, y) => a.zoomAtPoint(f, x, y)}
          onResize={(size) => a.setViewSize(size)}
          onLeave={() => {
            tools.brush.hover = null;
          }}
        />
        {job?.preview && job.progress && <PreviewBadge step={job.progress.step} steps={job.progress.steps} />}
        {s.compare && parent && (
          <CompareSlider split={s.compareSplit} onSplit={a.setCompareSplit} onClose={a.toggleCompare} />
        )}
      </div>
      {/* Below the image, not over it: the zoom and the status never cover a corner of the picture or each other. */}
      <div className="canvas-footer">
        <DrawerToggle
          side="left"
          label="Mask & references"
          controls="left-panel"
          open={s.drawer === 'left'}
          onToggle={() => toggle('left')}
        />
        <div
          className="canvas-status"
          aria-live="polite"
          data-testid="canvas-status"
          // encoded ahead of the edit (editor/prepareImages.ts): what the bench waits for, as a user writes a prompt
          data-image-encoded={s.imageEncoded}
        >
          {image.width}×{image.height} · {s.tool === 'hand' ? 'Pan' : s.tool === 'eraser' ? 'Eraser' : 'Brush'}{' '}
          {s.brush.size}px · Space+drag to pan
        </div>
        <ZoomControls
          zoom={s.viewport.zoom}
          onZoomIn={() => a.zoomStep(1)}
          onZoomOut={() => a.zoomStep(-1)}
          onFit={a.zoomFit}
          onActual={a.zoomActual}
        />
        <DrawerToggle
          side="right"
          label="History"
          controls="right-panel"
          open={s.drawer === 'right'}
          onToggle={() => toggle('right')}
        />
      </div>
    </div>
  );
}
