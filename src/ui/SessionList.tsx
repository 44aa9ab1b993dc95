import { useEffect, useState } from 'react';
import type { SessionMeta } from '../editor/ports';
import { FileButton } from './FileButton';
import { Icon } from './Icon';

export interface SessionListProps {
  sessions: SessionMeta[];
  currentId: string | null;
  onOpen: (id: string) => void;
  onRename: (id: string, name: string) => void;
  onDelete: (id: string) => void;
  onExport: (id: string) => void;
  onImport: (file: File) => void;
  onNew: () => void;
}

function Thumb({ blob }: { blob: Blob | null }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!blob) return;
    const u = URL.createObjectURL(blob);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [blob]);
  return url ? (
    <img className="session-thumb" src={url} alt="" aria-hidden="true" />
  ) : (
    <span className="session-thumb empty" aria-hidden="true">
      <Icon name="image" />
    </span>
  );
}

function Row({ s, current, p }: { s: SessionMeta; current: boolean; p: SessionListProps }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(s.name);
  useEffect(() => setName(s.name), [s.name]);
  const commit = () => {
    setEditing(false);
    if (name.trim() && name !== s.name) p.onRename(s.id, name);
    else setName(s.name);
  };
  return (
    <li className={`session${current ? ' current' : ''}`} data-testid="session" data-session-id={s.id}>
      <button
        type="button"
        className="session-open"
        onClick={() => p.onOpen(s.id)}
        aria-label={`Open session ${s.name}`}
      >
        <Thumb blob={s.thumbnail} />
      </button>
      <div className="session-text">
        {editing ? (
          <input
            autoFocus
            value={name}
            aria-label="Session name"
            onChange={(e) => setName(e.target.value)}
            onBlur={commit}
            onKeyDown={(e) => {
              if (e.key === 'Enter') commit();
              if (e.key === 'Escape') {
                setName(s.name);
                setEditing(false);
              }
            }}
          />
        ) : (
          <strong className="session-name">{s.name}</strong>
        )}
        <span className="hint">
          {s.turns - 1} edit{s.turns === 2 ? '' : 's'} · {new Date(s.updatedAt).toLocaleString()}
        </span>
      </div>
      <div className="session-actions">
        <button type="button" className="btn ghost small" onClick={() => p.onOpen(s.id)}>
          {current ? 'Current' : 'Open'}
        </button>
        <button
          type="button"
          className="btn icon small"
          onClick={() => setEditing(true)}
          aria-label={`Rename ${s.name}`}
          title="Rename"
        >
          ✎
        </button>
        <button
          type="button"
          className="btn icon small"
          onClick={() => p.onExport(s.id)}
          aria-label={`Export ${s.name} as a file`}
          title="Export session file"
        >
          <Icon name="download" size={14} />
        </button>
        <button
          type="button"
          className="btn icon small danger"
          aria-label={`Delete ${s.name}`}
          title="Delete"
          onClick={() => {
            if (window.confirm(`Delete “${s.name}” and all its turns? This cannot be undone.`)) p.onDelete(s.id);
          }}
        >
          <Icon name="trash" size={14} />
        </button>
      </div>
    </li>
  );
}

/** Saved sessions: open, rename, delete, export one as a file, import a file. */
export function SessionList(p: SessionListProps) {
  return (
    <section className="panel sessions" aria-labelledby="sessions-title">
      <header className="panel-head">
        <h2 id="sessions-title">Sessions</h2>
        <span className="panel-meta">saved in this browser as you work</span>
        <button type="button" className="btn ghost" onClick={p.onNew}>
          <Icon name="plus" /> New
        </button>
        {/* A hidden input behind a label could not be reached with the keyboard. */}
        <FileButton
          variant="ghost"
          accept=".kontext,application/x-kontext-session"
          aria-label="Import a session file"
          data-testid="import-session"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) p.onImport(f);
            e.target.value = '';
          }}
        >
          Import…
        </FileButton>
      </header>
      {p.sessions.length === 0 ? (
        <p className="hint">No saved sessions yet. Open an image to start one.</p>
      ) : (
        <ul className="session-list">
          {p.sessions.map((s) => (
            <Row key={s.id} s={s} current={s.id === p.currentId} p={p} />
          ))}
        </ul>
      )}
    </section>
  );
}
