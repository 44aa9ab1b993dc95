import { useEffect, useState } from 'react';
import type { View } from '../editor/state';
import { Icon } from './Icon';

export interface TopBarProps {
  view: View;
  sessionName: string | null;
  canUndo: boolean;
  canRedo: boolean;
  /** e.g. "kontext-micro · WebGPU"; null when no model is ready. */
  modelLabel: string | null;
  /** While the model is on its way and none is ready: the share of its bytes verified (0–1), else null. */
  modelLoading: number | null;
  /** The model's name while the engine creates and warms up its sessions, else null. */
  modelPreparing: string | null;
  /** 'present' | 'absent' once the bundle list arrived ('unknown' before): e2e tests read it. */
  embeddedBundle: 'present' | 'absent' | 'unknown';
  onView: (view: View) => void;
  onRename: (name: string) => void;
  onUndo: () => void;
  onRedo: () => void;
  onHelp: () => void;
  /** Opens an image as a new session (the file dialog). */
  onOpen: () => void;
}

const VIEWS: { id: View; label: string }[] = [
  { id: 'editor', label: 'Editor' },
  { id: 'sessions', label: 'Sessions' },
  { id: 'models', label: 'Models' },
  { id: 'diagnostics', label: 'Diagnostics' },
];

/** Brand, session name, Open, undo/redo, views, model status and help. */
export function TopBar(p: TopBarProps) {
  const [name, setName] = useState(p.sessionName ?? '');
  // Loading is not missing: the built-in model is being checked or stored (amber 'No model ready' said otherwise).
  const label =
    p.modelLabel ??
    (p.modelPreparing !== null
      ? `Preparing ${p.modelPreparing}…`
      : p.modelLoading !== null
        ? `Loading model… ${Math.round(p.modelLoading * 100)} %`
        : 'No model ready');
  useEffect(() => setName(p.sessionName ?? ''), [p.sessionName]);
  return (
    <header className="top-bar">
      <div className="brand">
        <img src="/icon.svg" alt="" width={22} height={22} />
        <h1>Kontext Studio</h1>
      </div>
      {p.sessionName !== null && (
        <input
          className="session-title"
          value={name}
          aria-label="Session name"
          data-testid="session-name"
          onChange={(e) => setName(e.target.value)}
          onBlur={() => p.onRename(name)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') e.currentTarget.blur();
            if (e.key === 'Escape') {
              setName(p.sessionName ?? '');
              e.currentTarget.blur();
            }
          }}
        />
      )}
      <button
        type="button"
        className="btn ghost open-button"
        onClick={p.onOpen}
        title="Open an image as a new session (Ctrl+O)"
        data-testid="open-button"
      >
        <Icon name="image" />
        <span className="collapsible-label">Open</span>
      </button>
      <div className="history-buttons">
        <button
          type="button"
          className="btn icon"
          onClick={p.onUndo}
          disabled={!p.canUndo}
          aria-label="Undo (Ctrl+Z)"
          title="Undo: back to the previous turn (Ctrl+Z)"
        >
          <Icon name="undo" />
        </button>
        <button
          type="button"
          className="btn icon"
          onClick={p.onRedo}
          disabled={!p.canRedo}
          aria-label="Redo (Ctrl+Shift+Z)"
          title="Redo (Ctrl+Shift+Z)"
        >
          <Icon name="redo" />
        </button>
      </div>
      <nav className="views" role="tablist" aria-label="Views">
        {VIEWS.map((v) => (
          <button
            key={v.id}
            type="button"
            role="tab"
            aria-selected={p.view === v.id}
            className={p.view === v.id ? 'on' : ''}
            onClick={() => p.onView(v.id)}
          >
            {v.label}
          </button>
        ))}
      </nav>
      <button
        type="button"
        className={`model-pill${p.modelLabel ? '' : p.modelLoading !== null ? ' loading' : ' none'}`}
        onClick={() => p.onView('models')}
        data-testid="model-status"
        data-embedded-bundle={p.embeddedBundle}
        title={`${label} · Models and engine`}
      >
        <Icon name="chip" />
        <span className="model-label">{label}</span>
        {!p.modelLabel && p.modelLoading !== null && (
          <progress className="model-progress" max={1} value={p.modelLoading} aria-hidden="true" />
        )}
      </button>
      <button
        type="button"
        className="btn icon"
        onClick={p.onHelp}
        aria-label="Keyboard shortcuts (?)"
        title="Keyboard shortcuts (?)"
      >
        <Icon name="help" />
      </button>
    </header>
  );
}
