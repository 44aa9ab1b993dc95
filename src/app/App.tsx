import { useCallback, useRef } from 'react';
import { selectActiveBundle, selectModelLoading, selectModelPreparing } from '../editor/selectors';
import { useCanRedo, useCanUndo } from '../hooks/selectors';
import { useActions, useStudio, useStudioShallow, useStudioStore } from '../hooks/useStudio';
import { DownscaleDialog } from '../ui/DownscaleDialog';
import { HiddenFileInput } from '../ui/HiddenFileInput';
import { PendingImageDialog } from '../ui/PendingImageDialog';
import { ShortcutHelp } from '../ui/ShortcutHelp';
import { Toasts } from '../ui/Toasts';
import { TopBar } from '../ui/TopBar';
import { openFiles } from './commands';
import { EditorView } from './EditorView';
import { useServices } from './services';
import { getShortcutGroups } from './shortcuts';
import { useGlobalInput } from './useGlobalInput';
import { DiagnosticsView, ModelsView, SessionsView } from './Views';

/** The app shell: top bar, the current view, and over them the toasts and dialogs. */
export function App() {
  const store = useStudioStore();
  const { tools } = useServices();
  const a = useActions();
  const s = useStudioShallow((st) => ({
    view: st.view,
    toasts: st.toasts,
    help: st.helpOpen,
    pending: st.pendingImage,
    downscale: st.downscaleOffer,
    name: st.tree ? st.sessionName : null,
    bundles: st.bundles,
    caps: st.capabilities,
    embeddedChecked: st.embeddedChecked,
  }));
  const active = useStudio(selectActiveBundle);
  const loading = useStudio(selectModelLoading);
  const preparing = useStudio(selectModelPreparing);
  const canUndo = useCanUndo(),
    canRedo = useCanRedo();
  const fileInput = useRef<HTMLInputElement>(null);
  const openFileDialog = useCallback(() => fileInput.current?.click(), []);
  useGlobalInput(store, tools, openFileDialog);

  const backend = s.caps ? (s.caps.backend === 'webgpu' ? 'WebGPU' : 'WASM') : null;
  return (
    <div className="app" data-view={s.view}>
      <TopBar
        view={s.view}
        sessionName={s.name}
        canUndo={canUndo}
        canRedo={canRedo}
        modelLabel={active && preparing === null ? `${active.name}${backend ? ` · ${backend}` : ''}` : null}
        modelLoading={loading}
        modelPreparing={preparing}
        embeddedBundle={
          s.bundles === null || !s.embeddedChecked
            ? 'unknown'
            : s.bundles.some((b) => b.embedded)
              ? 'present'
              : 'absent'
        }
        onView={a.setView}
        onRename={a.renameSession}
        onUndo={a.undo}
        onRedo={a.redo}
        onHelp={() => a.setHelpOpen(true)}
        onOpen={openFileDialog}
      />
      <Toasts toasts={s.toasts} onDismiss={a.dismissToast} />
      <HiddenFileInput
        ref={fileInput}
        accept="image/*"
        multiple
        aria-label="Open an image"
        data-testid="open-image"
        onFiles={(files) => void openFiles(store, files)}
      />
      {s.view === 'editor' && <EditorView onOpenFile={openFileDialog} />}
      {s.view === 'sessions' && <SessionsView />}
      {s.view === 'models' && <ModelsView />}
      {s.view === 'diagnostics' && <DiagnosticsView />}
      {s.help && <ShortcutHelp groups={getShortcutGroups()} onClose={() => a.setHelpOpen(false)} />}
      {s.pending && (
        <PendingImageDialog name={s.pending.name} image={s.pending.image} onChoose={a.resolvePendingImage} />
      )}
      {s.downscale && <DownscaleDialog offer={s.downscale} onAnswer={a.answerDownscale} />}
    </div>
  );
}
