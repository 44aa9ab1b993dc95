import { useRef, useState } from 'react';
import { formatBytes, type ConvertFormat, type ConvertStep, type ConvertStepState } from '../../workers/api';
import type { ConversionState } from '../editor/state';
import { filesFromDirectoryInput, filesFromDrop } from '../lib/files';
import { Icon } from './Icon';
import { HiddenFileInput } from './HiddenFileInput';
import { formatDuration } from './PromptBar';

export interface ConvertPanelProps {
  conversion: ConversionState;
  hasDirectoryPicker: boolean;
  onFormat: (format: Partial<ConvertFormat>) => void;
  /** Asks for a folder with showDirectoryPicker and converts it (in `format` when resuming). */
  onPickFolder: (format?: ConvertFormat) => void;
  /** Converts picked or dropped files, named by their path inside `name`. */
  onConvert: (name: string, files: File[], format?: ConvertFormat) => void;
  onCancel: () => void;
  onDiscard: (id: string) => void;
  onDismiss: () => void;
}

const STEP_LABEL: Record<ConvertStep, string> = {
  dit: 'Transformer (DiT)',
  t5: 'T5 text encoder',
  clip: 'CLIP text encoder',
  ae: 'Autoencoder',
  extras: 'Tokenizers and preview',
};

function StepRow({ s }: { s: ConvertStepState }) {
  const done = s.state === 'stored' ? s.totalBytes : s.doneBytes;
  const eta =
    s.state === 'converting' && s.etaSeconds !== null ? ` · about ${formatDuration(s.etaSeconds * 1000)} left` : '';
  return (
    <li className={`file file-${s.state}`} data-testid="convert-step" data-step={s.step} data-state={s.state}>
      <span className="file-path">{STEP_LABEL[s.step]}</span>
      <span
        className="file-bar"
        role="progressbar"
        aria-label={`${STEP_LABEL[s.step]}: ${s.state}`}
        aria-valuemin={0}
        aria-valuemax={s.totalBytes || 1}
        aria-valuenow={done}
      >
        <span style={{ width: `${s.totalBytes ? (100 * done) / s.totalBytes : s.state === 'stored' ? 100 : 0}%` }} />
      </span>
      <span className="file-state">
        {s.state === 'stored' ? 'stored ✓' : s.state} · {formatBytes(done)} / {formatBytes(s.totalBytes)}
        {eta}
      </span>
    </li>
  );
}

/**
 * Converts a FLUX.1 Kontext [dev] model folder (official layout, ComfyUI files, diffusers, GGUF) into a bundle
 * inside the browser: pick or drop a folder or files, watch each step, cancel, resume a stopped one.
 */
export function ConvertPanel(p: ConvertPanelProps) {
  const folderInput = useRef<HTMLInputElement>(null);
  const filesInput = useRef<HTMLInputElement>(null);
  // The format of the pending conversion being resumed through the <input> fallback, while its dialog is open.
  const resumeFormat = useRef<ConvertFormat | undefined>(undefined);
  const [dragging, setDragging] = useState(false);
  const { format, current, pending } = p.conversion;
  const running = current?.running ?? false;
  const pickFolder = (resume?: ConvertFormat) => {
    if (p.hasDirectoryPicker) return p.onPickFolder(resume);
    resumeFormat.current = resume;
    folderInput.current?.click();
  };
  return (
    <div
      className={`convert${dragging ? ' dragging' : ''}`}
      data-testid="convert-panel"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(!running);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        if (!running) void filesFromDrop(e.dataTransfer).then((d) => d.files.length && p.onConvert(d.name, d.files));
      }}
    >
      <h3>Convert a model folder</h3>
      <p className="hint">
        The FLUX.1 Kontext [dev] folder from Hugging Face (or the ComfyUI, diffusers or GGUF files, with the official{' '}
        <span className="mono">tokenizer/</span> and <span className="mono">tokenizer_2/</span>): pick it, drop it here,
        or pick the files. It is converted here, in this browser, straight into its storage.
      </p>
      <div className="button-row">
        <label>
          Weights{' '}
          <select
            aria-label="Weights"
            value={format.weights}
            disabled={running}
            onChange={(e) => p.onFormat({ weights: e.target.value as ConvertFormat['weights'] })}
          >
            <option value="int4">int4 (smallest)</option>
            <option value="fp16">fp16</option>
            <option value="fp32">fp32</option>
          </select>
        </label>
        <label>
          DiT segments{' '}
          <input
            type="number"
            aria-label="DiT segments"
            min={1}
            max={16}
            value={format.segments}
            disabled={running}
            onChange={(e) => p.onFormat({ segments: Math.max(1, Math.round(Number(e.target.value) || 1)) })}
          />
        </label>
      </div>
      <div className="button-row">
        <button type="button" className="btn" disabled={running} onClick={() => pickFolder()}>
          <Icon name="folder" /> Convert a folder…
        </button>
        <button type="button" className="btn ghost" disabled={running} onClick={() => filesInput.current?.click()}>
          Pick files…
        </button>
        <HiddenFileInput
          ref={folderInput}
          directory
          multiple
          aria-label="Model folder to convert"
          data-testid="convert-folder"
          onFiles={(files) => {
            const picked = filesFromDirectoryInput(files);
            p.onConvert(picked.name, picked.files, resumeFormat.current);
            resumeFormat.current = undefined;
          }}
        />
        <HiddenFileInput
          ref={filesInput}
          multiple
          aria-label="Model files to convert"
          data-testid="convert-files"
          onFiles={(files) => p.onConvert('picked files', files)}
        />
      </div>
      <p className="hint drop-hint">…or drop the folder (or its files) anywhere on this panel.</p>
      {current && (
        <div className="bundle pending" data-testid="conversion" data-state={running ? 'running' : 'stopped'}>
          <div className="bundle-head">
            <Icon name="layers" size={18} />
            <strong className="mono">{current.name}</strong>
            <span className="status">{running ? 'Converting' : 'Stopped'}</span>
          </div>
          {current.steps.length > 0 && (
            <ul className="file-list" aria-label="Conversion steps">
              {current.steps.map((s) => (
                <StepRow key={s.step} s={s} />
              ))}
            </ul>
          )}
          {current.error && (
            <p className="warn" data-testid="convert-error">
              {current.error}
            </p>
          )}
          <div className="button-row">
            {running ? (
              <button type="button" className="btn ghost danger" data-testid="convert-cancel" onClick={p.onCancel}>
                Cancel
              </button>
            ) : (
              <button type="button" className="btn ghost" onClick={p.onDismiss}>
                Close
              </button>
            )}
          </div>
        </div>
      )}
      {pending
        .filter(() => !running)
        .map((c) => (
          <div key={c.id} className="bundle pending" data-testid="pending-conversion" data-id={c.id}>
            <div className="bundle-head">
              <Icon name="layers" size={18} />
              <strong>{c.id}</strong>
              <span className="tag">{c.format.weights}</span>
              <span className="status">Stopped</span>
            </div>
            <p className="hint">
              From the folder “{c.name}”. Stored:{' '}
              {c.stored.length ? c.stored.map((s) => STEP_LABEL[s]).join(', ') : 'nothing yet'}. Pick the same folder
              again to resume at the next step; nothing of it can be used until it is complete.
            </p>
            <div className="button-row">
              <button type="button" className="btn" onClick={() => pickFolder(c.format)}>
                <Icon name="folder" /> Resume…
              </button>
              <button type="button" className="btn ghost danger" onClick={() => p.onDiscard(c.id)}>
                <Icon name="trash" /> Discard
              </button>
            </div>
          </div>
        ))}
    </div>
  );
}
