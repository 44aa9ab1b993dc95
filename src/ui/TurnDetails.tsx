import type { TurnNode } from '../editor/history/types';
import { Icon } from './Icon';
import { turnTitle } from './HistoryPanel';
import { formatDuration } from './PromptBar';

export interface TurnDetailsProps {
  turn: TurnNode;
  depth: number;
  /** The branch's name, '' on the main line. */
  branch: string;
  mask: { width: number; height: number } | null;
  /** Share of pixels that differ from the previous turn (null: root, or another size). */
  changedShare: number | null;
  /** The edit changed (almost) nothing: say so, and what to try instead. */
  unchanged: boolean;
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
        <h2 id="details-title">
          {turnTitle(p.depth)}
          {p.branch && ` · branch ${p.branch}`}
        </h2>
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
                className={p.unchanged ? 'warn-text' : undefined}
                title="Pixels that differ from the previous turn; with “keep unchanged pixels” the rest are byte-identical to it"
              >
                {formatShare(p.changedShare)} of pixels
                {p.unchanged ? ': no visible change' : turn.params.keepUnchanged ? describeKept(p.changedShare) : ''}
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
      {turn.params && p.unchanged && (
        <p className="hint warn-text" data-testid="no-change-hint">
          {p.changedShare === 0
            ? 'The model left the image exactly as it was.'
            : 'The model changed almost nothing (under 0.5 % of the pixels).'}{' '}
          Try rephrasing the instruction, {turn.mask ? 'a bigger mask' : 'a mask over what should change'}, more steps,
          or a bigger model.
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
