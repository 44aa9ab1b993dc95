import { useEffect } from 'react';
import { selectActiveBundle } from '../editor/selectors';
import { useActions, useStudio, useStudioShallow, useStudioStore } from '../hooks/useStudio';
import { filesFromDirectoryInput, hasDirectoryPicker, pickDirectoryFiles } from '../lib/files';
import { toModelFiles } from '../lib/modelFiles';
import { CapabilityPanel } from '../ui/CapabilityPanel';
import { ConvertPanel } from '../ui/ConvertPanel';
import { ErrorBoundary } from '../ui/ErrorBoundary';
import { ModelManager } from '../ui/ModelManager';
import { RoundTripPanel } from '../ui/RoundTripPanel';
import { SessionList } from '../ui/SessionList';
import { decodeFiles, exportSession, importSession } from './commands';
import { useServices } from './services';

function Engine() {
  const a = useActions();
  const s = useStudioShallow((st) => ({
    caps: st.capabilities,
    choice: st.backendChoice,
    busy: st.engineStarting || st.diagnostics.busy,
    bundles: st.bundles,
    budget: st.vramBudgetGiB,
    memory: st.lastEditMemory,
  }));
  return (
    <ErrorBoundary name="Engine panel">
      <CapabilityPanel
        capabilities={s.caps}
        choice={s.choice}
        busy={s.busy}
        bundles={s.bundles}
        onChoose={(c) => void a.chooseBackend(c)}
        vramBudgetGiB={s.budget}
        lastEditMemory={s.memory}
        onSetVramBudget={(gib) => void a.setVramBudget(gib)}
      />
    </ErrorBoundary>
  );
}

/** Models: the engine's capabilities, the bundles, downloads and storage. */
export function ModelsView() {
  const a = useActions();
  const s = useStudioShallow((st) => ({
    bundles: st.bundles,
    downloads: st.downloads,
    storage: st.storage,
    conversion: st.conversion,
  }));
  const active = useStudio(selectActiveBundle);
  // Conversions stopped before they finished (cancelled, or the tab closed): offered for a resume.
  useEffect(() => void a.refreshConversions(), [a]);
  const readFolderFailed = (e: unknown) =>
    a.report({ severity: 'error', text: `The folder could not be read: ${(e as Error).message}` });
  return (
    <div className="page two-col">
      <Engine />
      <ErrorBoundary name="Model manager">
        <ModelManager
          bundles={s.bundles}
          activeId={active?.id ?? null}
          downloads={s.downloads}
          storage={s.storage}
          hasDirectoryPicker={hasDirectoryPicker()}
          onUse={a.selectBundle}
          onResume={(id) => void a.resumeBundle(id)}
          onDelete={(id) => void a.deleteBundle(id)}
          onRetryDownload={(key) => void a.retryDownload(key)}
          onRemoveDownload={(key) => void a.removeDownload(key)}
          onAddUrl={(u) => void a.addBundleFromUrl(u)}
          onPickFolder={() =>
            void pickDirectoryFiles()
              .then((picked) => picked && a.addBundleFromFiles(picked.name, picked.files))
              .catch(readFolderFailed)
          }
          onFolderFiles={(files) => {
            const picked = filesFromDirectoryInput(files);
            void a.addBundleFromFiles(picked.name, picked.files);
          }}
          onPersist={() => void a.requestPersistence()}
        >
          <ConvertPanel
            conversion={s.conversion}
            hasDirectoryPicker={hasDirectoryPicker()}
            onFormat={a.setConvertFormat}
            onPickFolder={(format) =>
              void pickDirectoryFiles()
                .then((picked) => picked && a.convertFolder(picked.name, picked.files, format))
                .catch(readFolderFailed)
            }
            onConvert={(name, files, format) => void a.convertFolder(name, files, format)}
            onCancel={() => void a.cancelConversion()}
            onDiscard={(id) => void a.discardConversion(id)}
            onDismiss={a.dismissConversion}
          />
        </ModelManager>
      </ErrorBoundary>
    </div>
  );
}

/** Diagnostics: the engine panel and the autoencoder round trip. */
export function DiagnosticsView() {
  const store = useStudioStore();
  const a = useActions();
  const d = useStudio((st) => st.diagnostics);
  return (
    <div className="page two-col">
      <Engine />
      <ErrorBoundary name="Autoencoder check">
        <RoundTripPanel
          image={d.image}
          encoderName={d.encoder?.name ?? null}
          decoderName={d.decoder?.name ?? null}
          result={d.result}
          busy={d.busy}
          onModelFiles={(role, files) => {
            try {
              a.setModel(role, toModelFiles(files));
            } catch (e) {
              a.report({ severity: 'error', text: (e as Error).message });
            }
          }}
          onImageFile={(f) =>
            void decodeFiles(store, [f]).then(([img]) => img && a.setDiagnosticsImage(img.name, img.image))
          }
          onRun={() => void a.runRoundTrip()}
        />
      </ErrorBoundary>
    </div>
  );
}

/** Sessions: everything saved in this browser. */
export function SessionsView() {
  const store = useStudioStore();
  const { sessions } = useServices();
  const a = useActions();
  const s = useStudioShallow((st) => ({ list: st.sessions, current: st.sessionId }));
  return (
    <div className="page">
      <ErrorBoundary name="Sessions">
        <SessionList
          sessions={s.list}
          currentId={s.current}
          onOpen={(id) => void a.openSession(id)}
          onRename={(id, name) => {
            if (id === store.getState().sessionId) a.renameSession(name);
            else void sessions.rename(id, name.trim()).then(() => a.refreshSessions());
          }}
          onDelete={(id) => void a.deleteSession(id)}
          onExport={(id) => void exportSession(store, sessions, id)}
          onImport={(f) => void importSession(store, f)}
          onNew={() => {
            a.closeSession();
            a.setView('editor');
          }}
        />
      </ErrorBoundary>
    </div>
  );
}
