import type { BackendChoice, Capabilities } from '../../workers/api';

const MiB = 1024 * 1024;

/** What this machine can run, and the backend switch. */
export function CapabilityPanel(props: {
  capabilities: Capabilities | null;
  choice: BackendChoice;
  busy: boolean;
  onChoose: (choice: BackendChoice) => void;
}) {
  const { capabilities: caps, choice, busy, onChoose } = props;
  return (
    <section className="panel" aria-labelledby="caps-title">
      <h2 id="caps-title">Engine</h2>
      <label>
        Backend{' '}
        <select value={choice} disabled={busy} onChange={(e) => onChoose(e.target.value as BackendChoice)} aria-label="Backend">
          <option value="auto">Auto (WebGPU if available)</option>
          <option value="webgpu">WebGPU</option>
          <option value="wasm">WASM (CPU)</option>
        </select>
      </label>
      {caps ? (
        <dl className="caps" data-testid="capabilities" data-backend={caps.backend}>
          <dt>Running on</dt>
          <dd data-testid="backend">{caps.backend === 'webgpu' ? 'WebGPU' : 'WASM (CPU)'}</dd>
          {caps.fallback && (
            <>
              <dt>Fallback</dt>
              <dd>{caps.fallbackReason}</dd>
            </>
          )}
          <dt>Adapter</dt>
          <dd data-testid="adapter">
            {caps.gpu ? `${caps.gpu.vendor || 'unknown vendor'} / ${caps.gpu.architecture || 'unknown'}${caps.gpu.isFallbackAdapter ? ' (software fallback)' : ''}` : 'none'}
          </dd>
          {caps.gpu && (
            <>
              <dt>shader-f16</dt>
              <dd data-testid="shader-f16">{caps.gpu.shaderF16 ? 'yes' : 'no (fp32 models only)'}</dd>
              <dt>Largest buffer</dt>
              <dd>{Math.round(caps.gpu.limits.maxBufferSize / MiB)} MiB</dd>
            </>
          )}
          <dt>onnxruntime-web</dt>
          <dd>
            {caps.ortVersion} ({caps.ortBuild}), {caps.wasmThreads} CPU thread{caps.wasmThreads === 1 ? '' : 's'}
          </dd>
        </dl>
      ) : (
        <p>Starting the engine…</p>
      )}
    </section>
  );
}
