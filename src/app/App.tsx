import { useEffect } from 'react';
import { useStudio } from '../hooks/useStudio';
import { decodeImageFile } from '../lib/image';
import { toModelFiles } from '../lib/modelFiles';
import { CapabilityPanel } from '../ui/CapabilityPanel';
import { ErrorBoundary } from '../ui/ErrorBoundary';
import { NoticeBar } from '../ui/NoticeBar';
import { RoundTripPanel } from '../ui/RoundTripPanel';
import { useFileDrop } from './useFileDrop';

/** The app shell: engine status, the autoencoder check, and one notice bar for every message. */
export function App() {
  const s = useStudio((state) => state);

  useEffect(() => {
    void s.chooseBackend('auto');
  }, []); // start the engine once

  async function openImage(file: File) {
    try {
      s.setImage(file.name, await decodeImageFile(file));
    } catch (e) {
      s.report({ kind: 'error', text: (e as Error).message });
    }
  }

  useFileDrop(openImage);

  return (
    <div className="app">
      <header className="app-header">
        <h1>Kontext Studio</h1>
        <span className="tagline">In-context image editing, entirely on your machine.</span>
      </header>
      <NoticeBar notice={s.notice} onDismiss={() => s.report(null)} />
      <main className="app-main">
        <ErrorBoundary name="Engine panel">
          <CapabilityPanel capabilities={s.capabilities} choice={s.backendChoice} busy={s.busy} onChoose={(c) => void s.chooseBackend(c)} />
        </ErrorBoundary>
        <ErrorBoundary name="Autoencoder check">
          <RoundTripPanel
            image={s.image}
            encoderName={s.encoder?.name ?? null}
            decoderName={s.decoder?.name ?? null}
            result={s.roundTrip}
            busy={s.busy}
            onModelFiles={(role, files) => {
              try {
                s.setModel(role, toModelFiles(files));
              } catch (e) {
                s.report({ kind: 'error', text: (e as Error).message });
              }
            }}
            onImageFile={(f) => void openImage(f)}
            onRun={() => void s.runRoundTrip()}
          />
        </ErrorBoundary>
      </main>
    </div>
  );
}
