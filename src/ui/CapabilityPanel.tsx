import type { BackendChoice, BundleInfo, Capabilities, EditMemory } from '../../workers/api';
import { MemoryPlanView, VramBudgetField } from './MemoryPlanView';

const MiB = 1024 * 1024;

/** The adapter in use; a refused software adapter is named as refused, never shown as if it ran the models. */
function adapterText(caps: Capabilities): string {
  if (caps.gpu) {
    const { vendor, architecture, isFallbackAdapter } = caps.gpu;
    return `${vendor || 'unknown vendor'} / ${architecture || 'unknown'}${isFallbackAdapter ? ' (software fallback)' : ''}`;
  }
  if (caps.refusedAdapter) return `none usable: software adapter (${caps.refusedAdapter}) refused, WASM used`;
  return 'none';
}

/** What this machine can run, the backend switch, and which bundles it cannot run (before any download). */
export function CapabilityPanel(props: {
  capabilities: Capabilities | null;
  choice: BackendChoice;
  busy: boolean;
  bundles?: BundleInfo[] | null;
  onChoose: (choice: BackendChoice) => void;
  vramBudgetGiB?: number | null;
  lastEditMemory?: EditMemory | null;
  onSetVramBudget?: (gib: number | null) => void;
}) {
  const { capabilities: caps, choice, busy, onChoose } = props;
  const unsupported = (props.bundles ?? []).filter((b) => b.unsupportedReason);
  return (
    <section className="panel" aria-labelledby="caps-title">
      <header className="panel-head">
        <h2 id="caps-title">Engine</h2>
      </header>
      <label className="field">
        <span>Backend</span>
        <select
          value={choice}
          disabled={busy}
          onChange={(e) => onChoose(e.target.value as BackendChoice)}
          aria-label="Backend"
        >
          <option value="auto">Auto (WebGPU if available)</option>
          <option value="webgpu">WebGPU</option>
          <option value="wasm">WASM (CPU)</option>
        </select>
      </label>
      {props.onSetVramBudget && <VramBudgetField value={props.vramBudgetGiB ?? null} onSet={props.onSetVramBudget} />}
      {caps ? (
        <dl className="kv caps" data-testid="capabilities" data-backend={caps.backend}>
          <dt>Running on</dt>
          <dd data-testid="backend">{caps.backend === 'webgpu' ? 'WebGPU' : 'WASM (CPU)'}</dd>
          {caps.fallback && (
            <>
              <dt>Fallback</dt>
              <dd data-testid="fallback-reason">{caps.fallbackReason}</dd>
            </>
          )}
          <dt>Adapter</dt>
          <dd data-testid="adapter">{adapterText(caps)}</dd>
          {caps.gpu && (
            <>
              <dt>shader-f16</dt>
              <dd data-testid="shader-f16">{caps.gpu.shaderF16 ? 'yes' : 'no (fp32 models only)'}</dd>
              <dt>Largest buffer</dt>
              <dd>{Math.round(caps.gpu.limits.maxBufferSize / MiB)} MiB</dd>
              <dt>Storage binding</dt>
              <dd>{Math.round(caps.gpu.limits.maxStorageBufferBindingSize / MiB)} MiB</dd>
            </>
          )}
          <dt>onnxruntime-web</dt>
          <dd>
            {caps.ortVersion} ({caps.ortBuild}), {caps.wasmThreads} CPU thread{caps.wasmThreads === 1 ? '' : 's'}
          </dd>
          <dt>Isolated</dt>
          <dd>{caps.crossOriginIsolated ? 'yes (threads available)' : 'no (single thread)'}</dd>
        </dl>
      ) : (
        <p className="hint">Starting the engine…</p>
      )}
      {props.lastEditMemory && <MemoryPlanView memory={props.lastEditMemory} />}
      {unsupported.length > 0 && (
        <div className="warn" role="note" data-testid="unsupported-bundles">
          {unsupported.map((b) => (
            <p key={b.id}>
              This machine cannot run <b>{b.name}</b>: {b.unsupportedReason}
            </p>
          ))}
        </div>
      )}
    </section>
  );
}
