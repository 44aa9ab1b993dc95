import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
// '.js': the extension Vite's config loader wants spelled out (it resolves to the .ts file).
import { packGalleryPixels } from './src/lib/galleryPixels.js';

const ortPackage = JSON.parse(readFileSync('node_modules/onnxruntime-web/package.json', 'utf8')) as { version: string };
const ortVersion = ortPackage.version;

/**
 * The embedded bundle's sampler defaults, read from its manifest at build time, so the prompt bar shows the
 * model's steps/guidance/average from the first frame instead of generic ones that jump once the bundle is
 * installed. null in a build that ships no bundle.
 */
function readEmbeddedSampling(): { steps: number; guidance: number; average: number } | null {
  const path = 'public/bundles/kontext-micro/manifest.json';
  if (!existsSync(path)) return null;
  const { sampling } = JSON.parse(readFileSync(path, 'utf8')) as {
    sampling?: { default_steps?: number; default_guidance?: number; default_average?: number };
  };
  if (sampling?.default_steps == null || sampling.default_guidance == null) return null;
  return { steps: sampling.default_steps, guidance: sampling.default_guidance, average: sampling.default_average ?? 1 };
}

/**
 * Cross-origin isolation (SharedArrayBuffer → wasm threads) and a strict CSP: code from our own origin only, no
 * inline script. 'wasm-unsafe-eval' lets WebAssembly compile; blob: workers are onnxruntime's thread pool.
 * The dev server's injected scripts/styles carry a per-start nonce (Vite's html.cspNonce).
 * connect-src (fetch only: data, never code) also allows any https origin, for model bundles hosted elsewhere
 * (Hugging Face redirects to its CDN), and http on this computer (localhost, 127.0.0.1): a bundle folder served by a
 * local file server, and the e2e's second origins. Plain http to other hosts stays blocked (an https page could
 * not fetch it anyway: mixed content). README.md § Serving says why.
 */
function securityHeaders(nonce?: string): Record<string, string> {
  const n = nonce ? ` 'nonce-${nonce}'` : '';
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval'${n}`,
    "worker-src 'self' blob:",
    `style-src 'self'${n}`,
    "img-src 'self' blob: data:",
    "connect-src 'self' blob: data: https: http://localhost:* http://127.0.0.1:*",
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

/**
 * Offline: Workbox precaches the app shell, onnxruntime's .wasm files (≈17 and 27 MB) and the embedded model
 * bundle under public/bundles/ when it exists. Cached responses keep their headers, so pages served from the
 * cache stay cross-origin isolated. The page registers the service worker itself (src/main.tsx).
 */
const pwa = VitePWA({
  registerType: 'autoUpdate',
  injectRegister: false,
  includeAssets: ['icon.svg'],
  manifest: {
    name: 'Kontext Studio',
    short_name: 'Kontext',
    description: 'In-context image editing with FLUX.1 Kontext, entirely in your browser.',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    background_color: '#0e1014',
    theme_color: '#161920',
    icons: [
      { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
    ],
  },
  workbox: {
    // The precache holds what the browser will run, once: the JSPI onnxruntime build (the worker picks it
    // wherever 'Suspending' exists) and not the Asyncify one, which a browser without JSPI caches on first use
    // (runtimeCaching below). Bundle files are left out too: the engine keeps them in IndexedDB already (the
    // precache stored the 36 MB embedded bundle a second time; 79.5 MB in all before).
    globPatterns: ['**/*.{html,js,css,svg,png,webmanifest}', 'assets/*.jspi-*.wasm'],
    globIgnores: ['bundles/**'],
    runtimeCaching: [
      {
        urlPattern: ({ url }) => url.pathname.endsWith('.wasm'),
        handler: 'CacheFirst', // file names carry a content hash
        options: { cacheName: 'ort-wasm', expiration: { maxEntries: 4 } },
      },
    ],
    maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
    navigateFallback: 'index.html',
    cleanupOutdatedCaches: true,
  },
  devOptions: { enabled: false },
});

export default defineConfig(({ command }) => {
  const devNonce = command === 'serve' ? randomBytes(16).toString('base64') : undefined;
  return {
    plugins: [react(), pwa],
    define: {
      __ORT_VERSION__: JSON.stringify(ortVersion),
      __EMBEDDED_SAMPLING__: JSON.stringify(readEmbeddedSampling()),
      __GALLERY_PIXELS__: JSON.stringify(packGalleryPixels()),
    },
    html: devNonce ? { cspNonce: devNonce } : undefined,
    // Pre-bundling moves onnxruntime-web away from its .wasm files and breaks their URLs in dev.
    optimizeDeps: { exclude: ['onnxruntime-web'] },
    worker: { format: 'es' },
    build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
    server: { headers: securityHeaders(devNonce) },
    preview: { headers: securityHeaders() },
  };
});
