import { useEffect } from 'react';
import type { StudioStore } from '../editor/store';
import type { CanvasTools } from '../editor/tools/CanvasTools';
import { receiveFiles, runShortcut } from './commands';
import { getShortcutAction } from './shortcuts';

/**
 * Space pans when the pointer is over the canvas, or focus is on the canvas or nowhere in particular;
 * elsewhere (a focused button) it keeps its usual meaning.
 */
const spaceCanPan = (target: EventTarget | null) =>
  !(target instanceof HTMLElement) ||
  target === document.body ||
  target.tagName === 'CANVAS' ||
  !!document.querySelector('.editor-canvas:hover');

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)) &&
  !(target instanceof HTMLInputElement && ['range', 'checkbox', 'radio', 'button', 'file'].includes(target.type));

/**
 * Page-wide input: keyboard shortcuts, Space for panning, and files dropped or pasted anywhere (panels that
 * take files themselves stop the event first).
 */
export function useGlobalInput(store: StudioStore, tools: CanvasTools, openFileDialog: () => void): void {
  useEffect(() => {
    const keydown = (e: KeyboardEvent) => {
      const typing = isTyping(e.target);
      if (
        e.key === ' ' &&
        !typing &&
        spaceCanPan(e.target) &&
        store.getState().view === 'editor' &&
        !store.getState().helpOpen
      ) {
        e.preventDefault(); // no page scroll, no button press
        if (!e.repeat) tools.dispatch({ type: 'keydown', key: ' ' });
        return;
      }
      const action = getShortcutAction(e, typing);
      if (!action) return;
      const s = store.getState();
      if ((s.helpOpen || s.pendingImage || s.downscaleOffer) && action !== 'help' && action !== 'cancel') return;
      e.preventDefault();
      runShortcut(action, store, tools, openFileDialog);
    };
    const keyup = (e: KeyboardEvent) => {
      if (e.key === ' ') {
        if (spaceCanPan(e.target)) e.preventDefault();
        tools.dispatch({ type: 'keyup', key: ' ' });
      }
    };
    const blur = () => tools.dispatch({ type: 'keyup', key: ' ' });
    const dragover = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      const files = Array.from(e.dataTransfer?.files ?? []);
      if (!files.length) return;
      e.preventDefault();
      void receiveFiles(store, files);
    };
    const paste = (e: ClipboardEvent) => {
      const files = Array.from(e.clipboardData?.files ?? []);
      if (!files.length) return;
      e.preventDefault();
      void receiveFiles(store, files);
    };
    window.addEventListener('keydown', keydown);
    window.addEventListener('keyup', keyup);
    window.addEventListener('blur', blur);
    window.addEventListener('dragover', dragover);
    window.addEventListener('drop', drop);
    window.addEventListener('paste', paste);
    return () => {
      window.removeEventListener('keydown', keydown);
      window.removeEventListener('keyup', keyup);
      window.removeEventListener('blur', blur);
      window.removeEventListener('dragover', dragover);
      window.removeEventListener('drop', drop);
      window.removeEventListener('paste', paste);
    };
  }, [store, tools, openFileDialog]);
}
