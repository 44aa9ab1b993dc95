import { useRef, useState, type ReactNode } from 'react';
import { formatBytes, type BundleInfo, type BundleLora, type FileProgress, type StorageInfo } from '../../workers/api';
import { Icon } from './Icon';
import { HiddenFileInput } from './HiddenFileInput';

interface DownloadState {
  label: string;
  files: FileProgress[];
  error: string | null;
  running: boolean;
  /** The stored bundle this download fills, once known. */
  bundleId?: string;
}

export interface ModelManagerProps {
  bundles: BundleInfo[] | null;
  activeId: string | null;
  downloads: Record<string, DownloadState>;
  storage: StorageInfo | null;
  hasDirectoryPicker: boolean;
  onUse: (id: string) => void;
  onResume: (id: string) => void;
  onDelete: (id: string) => void;
  /** Tries a failed download again in place (`key` of `downloads`). */
  onRetryDownload: (key: string) => void;
  /** Forgets a failed download (and what it stored). */
  onRemoveDownload: (key: string) => void;
  onAddUrl: (url: string) => void;
  /** Asks for a folder with showDirectoryPicker (the caller handles it). */
  onPickFolder: () => void;
  /** Files from the `<input webkitdirectory>` fallback, with their relative paths. */
  onFolderFiles: (files: File[]) => void;
  onPersist: () => void;
  /** Shown after "Add a bundle": converting a model folder in the browser. */
  children?: ReactNode;
}

const STATE_LABEL: Record<FileProgress['state'], string> = {
  pending: 'waiting',
  downloading: 'downloading',
  verifying: 'verifying',
  verified: 'verified ✓',
  failed: 'failed',
};

function FileList({ files }: { files: FileProgress[] }) {
  return (
    <ul className="file-list" aria-label="Files">
      {files.map((f) => (
        <li key={f.path} className={`file file-${f.state}`} data-testid="bundle-file" data-state={f.state}>
          <span className="file-path mono">{f.path}</span>
          <span
            className="file-bar"
            role="progressbar"
            aria-label={`${f.path}: ${STATE_LABEL[f.state]}`}
            aria-valuemin={0}
            aria-valuemax={f.bytes || 1}
            aria-valuenow={f.loaded}
          >
            <span style={{ width: `${f.bytes ? (100 * f.loaded) / f.bytes : f.state === 'verified' ? 100 : 0}%` }} />
          </span>
          <span className="file-state">
            {STATE_LABEL[f.state]} · {formatBytes(f.loaded)} / {formatBytes(f.bytes)}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** The LoRAs the converter merged into a bundle's DiT, in merge order, with their strengths. */
function LoraList({ loras }: { loras: BundleLora[] }) {
  return (
    <p className="hint bundle-loras" data-testid="bundle-loras">
      LoRA{loras.length > 1 ? 's' : ''} merged:{' '}
      {loras.map((l, i) => (
        <span key={i} className="bundle-lora" data-testid="bundle-lora" title={`sha-256 ${l.sha256}`}>
          {l.name} <span className="lora-strength">× {l.strength}</span>
        </span>
      ))}
    </p>
  );
}

/** The download (key and state) that fills bundle `b`, if any. */
function findDownload(p: ModelManagerProps, b: BundleInfo): [string, DownloadState] | undefined {
  return Object.entries(p.downloads).find(([, d]) => d.bundleId === b.id || d.label === b.name);
}

function BundleCard({ b, active, p }: { b: BundleInfo; active: boolean; p: ModelManagerProps }) {
  const [downloadKey, download] = findDownload(p, b) ?? [];
  const verified = b.files.filter((f) => f.state === 'verified').length;
  const status = b.unsupportedReason
    ? 'Cannot run here'
    : b.complete
      ? active
        ? 'In use'
        : 'Ready'
      : download?.running
        ? 'Downloading'
        : 'Incomplete';
  return (
    <li
      className={`bundle${active ? ' active' : ''}${b.unsupportedReason ? ' unsupported' : ''}`}
      data-testid="bundle"
      data-bundle-id={b.id}
    >
      <div className="bundle-head">
        <Icon name="layers" size={18} />
        <strong>{b.name}</strong>
        {b.embedded && <span className="tag">built in</span>}
        <span className="tag">{b.weights}</span>
        <span className="bundle-size">{formatBytes(b.totalBytes)}</span>
        <span className={`status status-${status.replace(/\s/g, '-').toLowerCase()}`}>{status}</span>
      </div>
      {b.unsupportedReason && (
        <p className="warn" role="note">
          This machine cannot run {b.name}: {b.unsupportedReason}. Nothing was downloaded.
        </p>
      )}
      {b.loras.length > 0 && <LoraList loras={b.loras} />}
      <p className="hint">
        {verified}/{b.files.length} files verified (sha-256).
      </p>
      {(download?.files.length || !b.complete) && (
        <FileList files={download?.files.length ? download.files : b.files} />
      )}
      {download?.error && (
        <p className="warn" data-testid="download-error">
          {download.error}
        </p>
      )}
      <div className="button-row">
        {b.complete && !b.unsupportedReason && !active && (
          <button type="button" className="btn" onClick={() => p.onUse(b.id)}>
            Use for edits
          </button>
        )}
        {!b.complete && !b.unsupportedReason && (
          <button
            type="button"
            className="btn"
            disabled={download?.running}
            onClick={() => (downloadKey && download?.error ? p.onRetryDownload(downloadKey) : p.onResume(b.id))}
          >
            <Icon name="download" />{' '}
            {download?.error ? 'Retry' : b.files.some((f) => f.loaded > 0) ? 'Resume' : 'Download'}
          </button>
        )}
        {!b.embedded && (
          <button
            type="button"
            className="btn ghost danger"
            onClick={() => p.onDelete(b.id)}
            disabled={download?.running}
          >
            <Icon name="trash" /> Delete
          </button>
        )}
      </div>
    </li>
  );
}

/** Bundles (embedded + added by URL or folder), downloads with per-file progress, storage and persistence. */
export function ModelManager(p: ModelManagerProps) {
  const [url, setUrl] = useState('');
  const folderInput = useRef<HTMLInputElement>(null);
  const orphanDownloads = Object.entries(p.downloads).filter(([, d]) => d.running || d.error);
  const storage = p.storage;
  return (
    <section className="panel" aria-labelledby="models-title">
      <header className="panel-head">
        <h2 id="models-title">Models</h2>
      </header>
      {p.bundles === null ? (
        <p className="hint">Asking the engine for its models…</p>
      ) : p.bundles.length === 0 ? (
        <p className="hint" data-testid="no-bundles">
          No model bundles yet. The built-in kontext-micro is not part of this build yet; you can add a bundle below.
        </p>
      ) : (
        <ul className="bundle-list">
          {p.bundles.map((b) => (
            <BundleCard key={b.id} b={b} active={b.id === p.activeId} p={p} />
          ))}
        </ul>
      )}
      {orphanDownloads
        .filter(([key]) => !p.bundles?.some((b) => findDownload(p, b)?.[0] === key))
        .map(([key, d]) => (
          <div
            key={key}
            className="bundle pending"
            data-testid="download"
            data-state={d.running ? 'running' : 'failed'}
          >
            <div className="bundle-head">
              <Icon name="download" size={18} />
              <strong className="mono">{d.label}</strong>
              <span className="status">{d.running ? 'Downloading' : 'Failed'}</span>
            </div>
            {d.files.length > 0 && <FileList files={d.files} />}
            {d.error && (
              <p className="warn" data-testid="download-error">
                {d.error}
              </p>
            )}
            {!d.running && (
              <div className="button-row">
                <button type="button" className="btn" onClick={() => p.onRetryDownload(key)}>
                  <Icon name="download" /> Retry
                </button>
                <button type="button" className="btn ghost danger" onClick={() => p.onRemoveDownload(key)}>
                  <Icon name="trash" /> Remove
                </button>
              </div>
            )}
          </div>
        ))}
      <h3>Add a bundle</h3>
      <form
        className="add-url"
        onSubmit={(e) => {
          e.preventDefault();
          if (url.trim()) p.onAddUrl(url);
        }}
      >
        <Icon name="link" />
        <input
          type="url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="https://…/kontext-dev-int4/ (folder with manifest.json)"
          aria-label="Bundle URL"
        />
        <button type="submit" className="btn" disabled={!url.trim()}>
          Add
        </button>
      </form>
      <div className="button-row">
        <button
          type="button"
          className="btn ghost"
          onClick={() => (p.hasDirectoryPicker ? p.onPickFolder() : folderInput.current?.click())}
        >
          <Icon name="folder" /> Add from a folder…
        </button>
        <HiddenFileInput
          ref={folderInput}
          directory
          multiple
          aria-label="Bundle folder"
          data-testid="bundle-folder"
          onFiles={p.onFolderFiles}
        />
      </div>
      <p className="hint">
        Downloads resume where they stopped and every file is checked against the bundle's sha-256 list before use.
      </p>
      {p.children}
      <h3>Storage</h3>
      {storage ? (
        <div className="storage" data-testid="storage">
          <div
            className="meter"
            role="meter"
            aria-label="Storage used"
            aria-valuemin={0}
            aria-valuemax={storage.quota}
            aria-valuenow={storage.usage}
          >
            <span style={{ width: `${Math.min(100, (100 * storage.usage) / Math.max(1, storage.quota))}%` }} />
          </div>
          <p>
            {formatBytes(storage.usage)} used of {formatBytes(storage.quota)} ·{' '}
            {storage.persisted
              ? 'persistent: the browser will not evict it'
              : 'not persistent: the browser may evict it when space runs low'}
          </p>
          {!storage.persisted && (
            <button type="button" className="btn ghost" onClick={p.onPersist}>
              Keep my data
            </button>
          )}
        </div>
      ) : (
        <p className="hint">Storage use is not known yet.</p>
      )}
    </section>
  );
}
