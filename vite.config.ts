import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const ortVersion: string = JSON.parse(readFileSync('node_modules/onnxruntime-web/package.json', 'utf8')).version;

/**
 * Cross-origin isolation (SharedArrayBuffer → wasm threads) and a strict CSP: our own origin only, no
 * inline script. 'wasm-unsafe-eval' lets WebAssembly compile; blob: workers are onnxruntime's thread pool.
 * The dev server's injected scripts/styles carry a per-start nonce (Vite's html.cspNonce).
 */
function securityHeaders(nonce?: string): Record<string, string> {
  const n = nonce ? ` 'nonce-${nonce}'` : '';
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval'${n}`,
    "worker-src 'self' blob:",
    `style-src 'self'${n}`,
    "img-src 'self' blob: data:",
    "connect-src 'self' blob: data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': csp,
  };
}

export default defineConfig(({ command }) => {
  const devNonce = command === 'serve' ? randomBytes(16).toString('base64') : undefined;
  return {
    plugins: [react()],
    define: { __ORT_VERSION__: JSON.stringify(ortVersion) },
    html: devNonce ? { cspNonce: devNonce } : undefined,
    // Pre-bundling moves onnxruntime-web away from its .wasm files and breaks their URLs in dev.
    optimizeDeps: { exclude: ['onnxruntime-web'] },
    worker: { format: 'es' },
    build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
    server: { headers: securityHeaders(devNonce) },
    preview: { headers: securityHeaders() },
  };
});
