/**
 * @file Commands that need the browser (files, downloads) or several parts of the app; shortcuts, buttons
 * and drops all come through here.
 */
import type { RgbaImage } from '../../workers/api';
import type { SessionPort } from '../editor/ports';
import { selectCurrentImage, selectCurrentTurn, selectEditChain, selectSnapshot } from '../editor/selectors';
import type { StudioStore } from '../editor/store';
import type { CanvasTools } from '../editor/tools/CanvasTools';
import { getDepth } from '../editor/history/tree';
import { downloadBlob } from '../lib/canvasImage';
import { decodeImageFile, ImageTooLargeError, MAX_IMAGE_SIDE } from '../lib/image';
import { exportPngWithChain } from '../persistence/exportPng';
import { exportSessionFile, importSessionFile, SESSION_FILE_EXTENSION } from '../persistence/sessionFile';
import type { ShortcutAction } from './shortcuts';

const safeName = (name: string) => name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'kontext';

/** Decodes image files, reporting each bad one; returns the good ones in order. */
export async function decodeFiles(store: StudioStore, files: File[]) {
  const out = [];
  for (const file of files) {
    try {
      out.push({ name: file.name, image: await decodeImageFile(file) });
    } catch (e) {
      if (e instanceof ImageTooLargeError) {
        const image = await offerDownscale(store, file, e);
        if (image) out.push({ name: file.name, image });
      } else store.getState().report({ severity: 'error', text: (e as Error).message });
    }
  }
  return out;
}

/** Asks whether to downscale an image over the size limit; decodes it at the smaller size if the user agrees. */
async function offerDownscale(store: StudioStore, file: File, e: ImageTooLargeError): Promise<RgbaImage | null> {
  const { width, height, target } = e;
  const name = file.name;
  if (!(await store.getState().offerDownscale({ name, width, height, target, maxSide: MAX_IMAGE_SIDE }))) return null;
  const size = `${target.width}×${target.height}`;
  // The browser decodes the full-size image to scale it: seconds for the largest, so say that something happens.
  store.getState().report({ severity: 'info', text: `Downscaling “${name}” to ${size}…` });
  try {
    const image = await decodeImageFile(file, target);
    store.getState().report({ severity: 'info', text: `“${name}” was downscaled from ${width}×${height} to ${size}.` });
    return image;
  } catch (err) {
    store.getState().report({ severity: 'error', text: (err as Error).message });
    return null;
  }
}

/** Dropped or pasted files outside the References panel: open, ask, or add as references. */
export async function receiveFiles(store: StudioStore, files: File[]): Promise<void> {
  const s = store.getState();
  const decoded = await decodeFiles(store, files);
  const [first, ...rest] = decoded;
  if (!first) return;
  if (s.view === 'diagnostics') return s.setDiagnosticsImage(first.name, first.image);
  if (s.view !== 'editor') s.setView('editor');
  if (!store.getState().tree) {
    s.openImage(first.name, first.image);
    rest.forEach((r) => s.addReference(r.name, r.image));
  } else if (decoded.length === 1) {
    s.offerImage(first.name, first.image);
  } else {
    decoded.forEach((r) => s.addReference(r.name, r.image));
    s.report({ severity: 'info', text: `Added ${decoded.length} references.` });
  }
}

/** Files picked with Open: the first becomes a new session (the current one stays saved), the rest its references. */
export async function openFiles(store: StudioStore, files: File[]): Promise<void> {
  const [first, ...rest] = await decodeFiles(store, files);
  if (!first) return;
  store.getState().openImage(first.name, first.image);
  rest.forEach((r) => store.getState().addReference(r.name, r.image));
}

export async function addReferenceFiles(store: StudioStore, files: File[]): Promise<void> {
  for (const r of await decodeFiles(store, files)) store.getState().addReference(r.name, r.image);
}

/** Downloads the shown image as PNG with its edit chain in tEXt chunks. */
export async function exportCurrentPng(store: StudioStore): Promise<void> {
  const s = store.getState();
  const image = selectCurrentImage(s),
    turn = selectCurrentTurn(s);
  if (!image || !turn || !s.tree) return;
  const root = s.tree.nodes[s.tree.rootId]!;
  const png = await exportPngWithChain(image, selectEditChain(s), root.source);
  downloadBlob(
    new Blob([png as BlobPart], { type: 'image/png' }),
    `${safeName(s.sessionName)}-turn-${getDepth(s.tree, turn.id)}.png`,
  );
}

export async function exportSession(store: StudioStore, sessions: SessionPort, id: string): Promise<void> {
  const s = store.getState();
  try {
    const snapshot = id === s.sessionId ? selectSnapshot(s) : await sessions.load(id);
    if (!snapshot) return;
    downloadBlob(await exportSessionFile(snapshot, Date.now()), `${safeName(snapshot.name)}${SESSION_FILE_EXTENSION}`);
  } catch (e) {
    s.report({ severity: 'error', text: `The session could not be exported: ${(e as Error).message}` });
  }
}

export async function importSession(store: StudioStore, file: File): Promise<void> {
  try {
    const snapshot = await importSessionFile(file, crypto.randomUUID(), Date.now());
    await store.getState().addImportedSession(snapshot);
  } catch (e) {
    store.getState().report({
      severity: 'error',
      text: `“${file.name}” could not be imported: ${(e as Error).message}. Nothing was changed.`,
    });
  }
}

/** Runs a keyboard shortcut's action. */
export function runShortcut(
  action: ShortcutAction,
  store: StudioStore,
  tools: CanvasTools,
  openFileDialog: () => void,
): void {
  const s = store.getState();
  const editing = s.view === 'editor';
  switch (action) {
    case 'generate':
      if (editing) void s.generate();
      return;
    case 'cancel':
      if (s.helpOpen) return s.setHelpOpen(false);
      if (s.downscaleOffer) return s.answerDownscale(false);
      if (s.pendingImage) return s.resolvePendingImage(null);
      if (editing && s.drawer) return s.setDrawer(null);
      if (tools.dispatch({ type: 'keydown', key: 'Escape' })) return;
      if (s.job || s.waitingForModel) return void s.cancel();
      if (s.compare) return s.toggleCompare();
      return;
    // The mask's own steps come first: Ctrl+Z right after a stroke takes the stroke back, not the turn.
    case 'undo':
      return void (editing && s.undoMask() ? null : s.undo());
    case 'redo':
      return void (editing && s.redoMask() ? null : s.redo());
    case 'help':
      return s.setHelpOpen(!s.helpOpen);
    case 'open':
      return openFileDialog();
    case 'exportPng':
      return void exportCurrentPng(store);
    default:
      break;
  }
  if (!editing) return;
  switch (action) {
    case 'brushSmaller':
      return s.stepBrushSize(-1);
    case 'brushBigger':
      return s.stepBrushSize(1);
    case 'featherLess':
      return s.setBrush({ feather: s.brush.feather - 0.1 });
    case 'featherMore':
      return s.setBrush({ feather: s.brush.feather + 0.1 });
    case 'brush':
      return s.setTool('brush');
    case 'eraser':
      return s.setTool('eraser');
    case 'hand':
      return s.setTool('hand');
    case 'invertMask':
      return s.invertMask();
    case 'clearMask':
      return s.clearMask();
    case 'toggleOverlay':
      return s.toggleOverlay();
    case 'zoomIn':
      return s.zoomStep(1);
    case 'zoomOut':
      return s.zoomStep(-1);
    case 'zoomFit':
      return s.zoomFit();
    case 'zoomActual':
      return s.zoomActual();
    case 'compare':
      return s.toggleCompare();
  }
}
