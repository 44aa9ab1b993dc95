import { useState, type CSSProperties } from 'react';
import { JOB_LIMITS, type JobPhase, type JobProgress, type SamplingDefaults } from '../../workers/api';
import type { PromptSettings } from '../editor/state';
import { Icon } from './Icon';

export interface PromptBarProps {
  prompt: PromptSettings;
  history: string[];
  running: {
    progress: JobProgress | null;
    cancelling: boolean;
    elapsedMs: number;
    variation: { index: number; total: number };
  } | null;
  /** Why Generate is off right now (shown as the button's hint), or null. */
  blocker: string | null;
  /** Generate was pressed while the model loads: the share loaded (0–1) while the edit waits for it, else null. */
  waiting: number | null;
  hasMask: boolean;
  suggestions: string[];
  /** When the image is not what the active model was made for: the model's name and its domain in words. */
  domainNote: { model: string; domain: string } | null;
  /** Opens the Models view, where the full FLUX.1 Kontext is added. */
  onAddModel: () => void;
  /** The active model's own steps, guidance and average when the user's differ (offered back), else null. */
  modelDefaults: SamplingDefaults | null;
  /** How many variations one Generate may make: [min, max]. */
  variationRange: readonly [number, number];
  onChange: (prompt: Partial<PromptSettings>) => void;
  onUseModelDefaults: () => void;
  onGenerate: () => void;
  onCancel: () => void;
  onNewSeed: () => void;
}

const PHASES: Record<JobPhase, string> = {
  queued: 'Queued',
  loading: 'Loading model',
  'encoding-text': 'Reading the instruction',
  'encoding-images': 'Encoding images',
  denoising: 'Denoising',
  decoding: 'Decoding',
  done: 'Done',
};

export const formatDuration = (ms: number) =>
  ms < 1000
    ? `${Math.round(ms)} ms`
    : ms < 60_000
      ? `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
      : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;

function Progress({ running }: { running: NonNullable<PromptBarProps['running']> }) {
  const p = running.progress;
  const fraction = p?.fraction ?? 0;
  const { index, total } = running.variation;
  const text = running.cancelling
    ? 'Cancelling…'
    : !p
      ? 'Starting…'
      : `${total > 1 ? `Variation ${index}/${total} · ` : ''}${PHASES[p.phase]}${p.phase === 'denoising' ? ` · step ${p.step}/${p.steps}` : ''}${p.etaMs !== null ? ` · about ${formatDuration(p.etaMs)} left` : ''}`;
  return (
    <div className="progress" data-testid="job-progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label="Edit progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(fraction * 100)}
        aria-valuetext={text}
      >
        <div className="progress-fill" style={{ width: `${fraction * 100}%` }} />
      </div>
      <span className="progress-text">{text}</span>
      <span className="progress-elapsed">{formatDuration(running.elapsedMs)}</span>
    </div>
  );
}

/** The instruction and its parameters, Generate / Cancel, and the job's progress. */
export function PromptBar(p: PromptBarProps) {
  const [back, setBack] = useState(-1); // position in the prompt history while browsing it with ↑/↓
  const { prompt } = p;
  const busy = !!p.running;

  const browse = (direction: 1 | -1) => {
    const next = Math.max(-1, Math.min(p.history.length - 1, back + direction));
    if (next === back) return;
    setBack(next);
    p.onChange({ text: next < 0 ? '' : p.history[next] });
  };

  return (
    <section className="prompt-bar" aria-label="Prompt">
      <div className="prompt-row">
        <Icon name="sparkle" size={18} />
        <input
          className="prompt-input"
          type="text"
          value={prompt.text}
          placeholder="Describe the edit: “make the background yellow”"
          aria-label="Instruction"
          disabled={busy}
          data-testid="prompt-input"
          autoComplete="off"
          spellCheck
          onChange={(e) => {
            setBack(-1);
            p.onChange({ text: e.target.value });
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowUp' && p.history.length) {
              e.preventDefault();
              browse(1);
            } else if (e.key === 'ArrowDown' && back >= 0) {
              e.preventDefault();
              browse(-1);
            } else if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) {
              e.preventDefault();
              p.onGenerate();
            }
          }}
        />
        {p.waiting !== null && !busy ? (
          <button
            type="button"
            className="btn wide waiting"
            onClick={p.onCancel}
            data-testid="waiting"
            title="The edit starts as soon as the model is ready; click (or Esc) to cancel it"
            style={{ '--loaded': `${Math.round(p.waiting * 100)}%` } as CSSProperties}
          >
            Waiting for the model…{p.waiting < 1 ? ` ${Math.round(p.waiting * 100)} %` : ''}
          </button>
        ) : busy ? (
          <button
            type="button"
            className="btn danger wide"
            onClick={p.onCancel}
            disabled={p.running!.cancelling}
            data-testid="cancel"
            title="Cancel (Esc)"
          >
            <Icon name="stop" /> Cancel
          </button>
        ) : (
          <button
            type="button"
            className="btn primary wide"
            onClick={p.onGenerate}
            data-testid="generate"
            aria-disabled={!!p.blocker}
            title={p.blocker ?? 'Generate (Ctrl+Enter)'}
            aria-describedby="generate-hint"
          >
            <Icon name="play" /> Generate
          </button>
        )}
      </div>
      {p.domainNote && (
        <p className="domain-note" role="note" data-testid="domain-note">
          <Icon name="info" size={14} /> <b>{p.domainNote.model}</b> is made for {p.domainNote.domain}; this image is
          not one, so edits will likely fail.{' '}
          <button type="button" className="link-button" onClick={p.onAddModel} data-testid="add-full-model">
            Add FLUX.1 Kontext
          </button>{' '}
          for photos.
        </p>
      )}
      {p.running ? (
        <Progress running={p.running} />
      ) : (
        <div className="param-row">
          <label className="param">
            <span>Steps</span>
            <input
              type="number"
              min={JOB_LIMITS.steps.min}
              max={JOB_LIMITS.steps.max}
              value={prompt.steps}
              aria-label="Steps"
              onChange={(e) => p.onChange({ steps: Number(e.target.value) })}
            />
          </label>
          <label className="param">
            <span>Guidance</span>
            <input
              type="number"
              min={JOB_LIMITS.guidance.min}
              max={JOB_LIMITS.guidance.max}
              step={0.5}
              value={prompt.guidance}
              aria-label="Guidance"
              onChange={(e) => p.onChange({ guidance: Number(e.target.value) })}
            />
          </label>
          <label
            className="param"
            title="Denoising runs from different noise, averaged into one result: removes a small model's randomness (its mean edit is more often right), costs that many times the steps. 1 = one plain sample, what large models want"
          >
            <span>Average</span>
            <input
              type="number"
              min={JOB_LIMITS.average.min}
              max={JOB_LIMITS.average.max}
              value={prompt.average}
              aria-label="Average of runs"
              onChange={(e) => p.onChange({ average: Number(e.target.value) })}
            />
          </label>
          <label
            className="param"
            title="Several results from one Generate, side by side in the history; a locked seed counts up"
          >
            <span>Variations</span>
            <input
              type="number"
              min={p.variationRange[0]}
              max={p.variationRange[1]}
              value={prompt.count}
              aria-label="Variations"
              onChange={(e) => p.onChange({ count: Number(e.target.value) })}
            />
          </label>
          {p.modelDefaults && (
            <button
              type="button"
              className="btn ghost small"
              data-testid="model-defaults"
              onClick={p.onUseModelDefaults}
              title={`Use the model's own settings: ${p.modelDefaults.steps} steps, guidance ${p.modelDefaults.guidance}, average of ${p.modelDefaults.average}`}
            >
              Model default ({p.modelDefaults.steps} steps
              {p.modelDefaults.average > 1 ? ` × ${p.modelDefaults.average}` : ''})
            </button>
          )}
          <div className="param seed" role="group" aria-label="Seed">
            <span>Seed</span>
            <button
              type="button"
              className={`btn ghost small${prompt.seedMode === 'locked' ? ' on' : ''}`}
              aria-pressed={prompt.seedMode === 'locked'}
              aria-label={
                prompt.seedMode === 'locked'
                  ? 'Seed locked (click for a new random seed each time)'
                  : 'Seed random each time (click to lock)'
              }
              title={
                prompt.seedMode === 'locked'
                  ? 'Locked: every Generate uses this seed'
                  : 'Random: every Generate draws a new seed'
              }
              onClick={() => p.onChange({ seedMode: prompt.seedMode === 'locked' ? 'random' : 'locked' })}
            >
              <Icon name={prompt.seedMode === 'locked' ? 'lock' : 'dice'} size={14} />{' '}
              {prompt.seedMode === 'locked' ? 'Locked' : 'Random'}
            </button>
            <input
              type="number"
              min={JOB_LIMITS.seed.min}
              max={JOB_LIMITS.seed.max}
              value={prompt.seedMode === 'random' && !prompt.seed ? '' : prompt.seed}
              placeholder="random"
              aria-label="Seed value"
              className="seed-input"
              onChange={(e) => p.onChange({ seed: Number(e.target.value), seedMode: 'locked' })}
            />
            <button
              type="button"
              className="btn icon small"
              aria-label="New random seed"
              title="New random seed"
              onClick={p.onNewSeed}
            >
              <Icon name="dice" size={14} />
            </button>
          </div>
          <label className="param">
            <span>Size</span>
            <select
              value={p.hasMask ? 'input' : prompt.size}
              aria-label="Output size"
              disabled={p.hasMask}
              onChange={(e) => p.onChange({ size: e.target.value as PromptSettings['size'] })}
              title={p.hasMask ? 'A masked edit always keeps the input size' : undefined}
            >
              <option value="input">Keep input size</option>
              <option value="native">Model native</option>
            </select>
          </label>
          <label
            className="param"
            title="Pixels the model left (nearly) as they were are copied back from the input, so untouched areas stay exact turn after turn. Edits that change over a quarter of the picture come back as the model made them."
          >
            <input
              type="checkbox"
              checked={prompt.keepUnchanged}
              aria-label="Keep unchanged pixels"
              data-testid="keep-unchanged"
              onChange={(e) => p.onChange({ keepUnchanged: e.target.checked })}
            />
            <span>Keep unchanged pixels</span>
          </label>
          <span id="generate-hint" className="param-hint" data-testid="generate-hint">
            {p.blocker ?? 'Ctrl+Enter to generate · ↑ for earlier instructions'}
          </span>
          {!prompt.text && p.suggestions.length > 0 && (
            <ul className="chips try" aria-label="Instructions to try">
              <li className="try-label">Try</li>
              {p.suggestions.slice(0, 5).map((s) => (
                <li key={s}>
                  <button type="button" className="chip" onClick={() => p.onChange({ text: s })}>
                    {s}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
