/**
 * @file The Engine panel's memory part: the VRAM budget the engine plans its sessions for, and what the last edit
 * held per phase (workers/runtime/memoryPlan.ts decides; the engine counts).
 */
import { Fragment, useEffect, useState } from 'react';
import {
  describeLimitViolation,
  formatBytes,
  VRAM_BUDGET_GIB,
  type EditMemory,
  type JobPhase,
} from '../../workers/api';

const PLAN_TEXT: Record<EditMemory['plan'], string> = {
  'all-resident': 'everything stays loaded',
  'dit-ae-resident': 'DiT and autoencoder stay loaded; text encoders load for new prompts',
  'per-phase': 'one phase at a time (the DiT reloads every edit)',
};
const PHASES: [JobPhase, string][] = [
  ['encoding-text', 'Text'],
  ['encoding-images', 'Images'],
  ['denoising', 'Denoise'],
  ['decoding', 'Decode'],
];

/** The budget in GiB; empty means none. A wrong value is named under the field and never sent. */
export function VramBudgetField(props: { value: number | null; onSet: (gib: number | null) => void }) {
  const [text, setText] = useState(props.value === null ? '' : String(props.value));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setText(props.value === null ? '' : String(props.value)), [props.value]);
  const commit = () => {
    const gib = text.trim() === '' ? null : Number(text);
    const wrong = gib === null ? null : describeLimitViolation('The VRAM budget (GiB)', gib, VRAM_BUDGET_GIB);
    setError(wrong && `${wrong}.`);
    if (!wrong && gib !== props.value) props.onSet(gib);
  };
  return (
    <label className="field">
      <span>VRAM budget (GiB)</span>
      <input
        type="text"
        inputMode="decimal"
        placeholder="none"
        value={text}
        aria-label="VRAM budget (GiB)"
        aria-invalid={error !== null}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
      {error && (
        <span className="warn-text" role="alert" data-testid="vram-budget-error">
          {error}
        </span>
      )}
    </label>
  );
}

/** The last edit's plan, the sessions it opened and the bytes each phase held. */
export function MemoryPlanView({ memory }: { memory: EditMemory }) {
  return (
    <dl className="kv caps" data-testid="memory-plan" data-plan={memory.plan}>
      <dt>Memory plan</dt>
      <dd>
        {PLAN_TEXT[memory.plan]} (budget {memory.budgetBytes === null ? 'none' : formatBytes(memory.budgetBytes)}
        {memory.storageBufferCacheMode && `, buffer cache ${memory.storageBufferCacheMode}`})
      </dd>
      <dt>Last edit opened</dt>
      <dd data-testid="sessions-created">
        {memory.sessionsCreated} session{memory.sessionsCreated === 1 ? '' : 's'}
      </dd>
      {PHASES.map(([phase, label]) => {
        const m = memory.phases[phase];
        return m ? (
          <Fragment key={phase}>
            <dt>{label}</dt>
            <dd data-testid={`memory-${phase}`}>
              weights {formatBytes(m.sessionBytes)}
              {m.gpuBytes !== null && ` · GPU ${formatBytes(m.gpuBytes)}`}, {m.sessionsCreated} opened
            </dd>
          </Fragment>
        ) : null;
      })}
    </dl>
  );
}
