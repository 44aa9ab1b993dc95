import type { RgbaImage } from '../../workers/api';
import type { TreeRow } from '../editor/history/tree';
import type { TurnNode } from '../editor/history/types';
import { Icon } from './Icon';
import { ImageThumb } from './ImageThumb';
import { formatDuration } from './PromptBar';

export interface HistoryPanelProps {
  rows: TreeRow[];
  nodes: Record<string, TurnNode>;
  currentId: string;
  images: Record<string, RgbaImage>;
  locked: boolean;
  onSelect: (id: string) => void;
}

/** The turn tree as a list: depth-first, branches indented in lanes; click a turn to view it and continue from it. */
export function HistoryPanel(p: HistoryPanelProps) {
  return (
    <section className="panel history" aria-labelledby="history-title">
      <header className="panel-head">
        <h2 id="history-title">History</h2>
        <span className="panel-meta">
          {p.rows.length - 1} edit{p.rows.length === 2 ? '' : 's'}
        </span>
      </header>
      <ol className="turn-list" aria-label="Turns" data-testid="history-tree">
        {p.rows.map((row) => {
          const n = p.nodes[row.id]!;
          const current = row.id === p.currentId;
          const branchStart = row.parentLane !== null && row.lane !== row.parentLane;
          return (
            <li
              key={row.id}
              style={{ paddingLeft: row.lane * 14 }}
              className={`${row.onCurrentPath ? 'on-path' : ''}${row.lane ? ' in-branch' : ''}`}
            >
              <button
                type="button"
                className={`turn${current ? ' current' : ''}`}
                aria-current={current ? 'step' : undefined}
                disabled={p.locked && !current}
                data-testid="turn"
                data-turn-id={row.id}
                data-depth={row.depth}
                onClick={() => p.onSelect(row.id)}
                aria-label={`${row.depth === 0 ? 'Original image' : `Turn ${row.depth}: ${n.instruction}`}${current ? ' (shown)' : ''}`}
              >
                <ImageThumb image={p.images[n.image.id] ?? null} size={40} label="" />
                <span className="turn-text">
                  <span className="turn-title">
                    {branchStart && <Icon name="branch" size={12} />}{' '}
                    {row.depth === 0 ? 'Original' : `Turn ${row.depth}`}
                    {n.mask && <span className="tag">mask</span>}
                    {n.references.length > 0 && <span className="tag">+{n.references.length} ref</span>}
                  </span>
                  <span className="turn-instruction">{row.depth === 0 ? n.source : n.instruction}</span>
                </span>
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

export interface TurnDetailsProps {
  turn: TurnNode;
  depth: number;
  mask: { width: number; height: number } | null;
  /** Share of pixels that differ from the previous turn (null: root, or another size). */
  changedShare: number | null;
  canCompare: boolean;
  compare: boolean;
  locked: boolean;
  onCompare: () => void;
  onReuse: () => void;
  onDeleteBranch: () => void;
  onExportPng: () => void;
}

/** 0.183 → "18 %"; tiny non-zero shares are not shown as 0. */
function formatShare(share: number): string {
  if (share > 0 && share < 0.01) return '< 1 %';
  return `${Math.round(100 * share)} %`;
}

/** What keep-unchanged did: kept the rest, or nothing when the edit was global (it then returns the model's output). */
function describeKept(share: number): string {
  return formatShare(share) === '100 %' ? ', a global edit: nothing kept' : ', the rest kept exactly';
}

/** What made the shown turn, and what can be done with it. */
export function TurnDetails(p: TurnDetailsProps) {
  const { turn } = p;
  return (
    <section className="panel details" aria-labelledby="details-title" data-testid="turn-details">
      <header className="panel-head">
        <h2 id="details-title">{p.depth === 0 ? 'Original' : `Turn ${p.depth}`}</h2>
        <span className="panel-meta">
          {turn.image.width}×{turn.image.height}
        </span>
      </header>
      {turn.params ? (
        <dl className="kv">
          <dt>Instruction</dt>
          <dd className="instruction">{turn.instruction}</dd>
          <dt>Seed</dt>
          <dd className="mono">{turn.params.seed}</dd>
          <dt>Steps · guidance</dt>
          <dd>
            {turn.params.steps} · {turn.params.guidance}
            {(turn.params.average ?? 1) > 1 ? ` · average of ${turn.params.average} runs` : ''}
          </dd>
          <dt>Model</dt>
          <dd>
            {turn.model ? `${turn.model.bundleName} (${turn.model.backend === 'webgpu' ? 'WebGPU' : 'WASM'})` : '—'}
          </dd>
          <dt>Time</dt>
          <dd>{turn.timing ? formatDuration(turn.timing.totalMs) : '—'}</dd>
          <dt>Inputs</dt>
          <dd>
            {turn.mask ? 'masked' : 'whole image'}
            {turn.references.length
              ? `, ${turn.references.length} reference${turn.references.length > 1 ? 's' : ''}`
              : ''}
          </dd>
          {p.changedShare !== null && (
            <>
              <dt>Changed</dt>
              <dd
                data-testid="changed-share"
                title="Pixels that differ from the previous turn; with “keep unchanged pixels” the rest are byte-identical to it"
              >
                {formatShare(p.changedShare)} of pixels{turn.params.keepUnchanged ? describeKept(p.changedShare) : ''}
              </dd>
            </>
          )}
        </dl>
      ) : (
        <p className="hint">
          Opened from <b>{turn.source}</b>. Every edit you make from here becomes a turn; editing from an earlier turn
          starts a branch.
        </p>
      )}
      <div className="button-row">
        <button
          type="button"
          className="btn ghost"
          onClick={p.onCompare}
          disabled={!p.canCompare}
          aria-pressed={p.compare}
          title="Compare with the previous turn (C)"
        >
          <Icon name="compare" /> Compare
        </button>
        {turn.params && (
          <button
            type="button"
            className="btn ghost"
            onClick={p.onReuse}
            title="Put this turn's instruction, steps, guidance and seed in the prompt"
          >
            <Icon name="reuse" /> Reuse
          </button>
        )}
        <button
          type="button"
          className="btn ghost"
          onClick={p.onExportPng}
          title="Export PNG with the edit chain (Ctrl+Shift+E)"
          data-testid="export-png"
        >
          <Icon name="download" /> PNG
        </button>
        {turn.parentId && (
          <button
            type="button"
            className="btn ghost danger"
            onClick={p.onDeleteBranch}
            disabled={p.locked}
            title="Delete this turn and everything after it"
          >
            <Icon name="trash" />
          </button>
        )}
      </div>
    </section>
  );
}
