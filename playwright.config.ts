import { defineConfig } from '@playwright/test';
import { CHROMIUM_LAUNCH_OPTIONS } from './tools/testing/chromium';

const port = Number(process.env.E2E_PORT ?? 4173);

/**
 * Specs whose time goes into inference on SwiftShader (CPU WebGPU) or the WASM EP: golden checks, the round trip,
 * real edits, the offline edit. They run one at a time ('engine', workers: 1) so no two compete for the two cores;
 * beside them one UI spec at a time shares the machine. Add a spec here when it runs the engine. This chain sets the
 * suite's wall time, so it stays no longer than the UI specs' (fresh-clone CI: 694 s engine vs 584 s UI with
 * hostedBundles here; its single WASM edit now runs on the UI side, as does editorOffline's since session 9's cuts
 * took ~85 CPU-s off the chain's editorEngine and ~65 off the UI side's editor and editorBadFiles specs).
 */
const ENGINE_SPECS = /\/(pipeline|roundTrip|editorEngine|aeBuffers|memoryPlan)\.spec\.ts$/;

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/globalSetup.ts',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  // Files, not tests, are spread over the workers: a file's tests share its beforeAll fixtures (cache.spec's servers).
  fullyParallel: false,
  workers: 2,
  projects: [
    // First, so the longest specs start at once; the second worker takes UI specs meanwhile.
    { name: 'engine', testMatch: ENGINE_SPECS, workers: 1 },
    { name: 'ui', testIgnore: ENGINE_SPECS },
  ],
  // One retry under CI only: on a loaded two-core machine a spec has, rarely, waited out its timeout with no error
  // (badInput's not-ONNX round trip, 1 run in 3 this session); a real failure fails both tries and is reported.
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://localhost:${port}`,
    browserName: 'chromium',
    headless: true,
    screenshot: 'only-on-failure',
    // The service worker precaches the app on a first visit (~1.7 CPU-s a page here); specs about offline use
    // (editorOffline.spec.ts) allow it. The app registers it itself and runs the same without one.
    serviceWorkers: 'block',
    // Debian's chromium (CHROMIUM_PATH overrides it); on a machine without a GPU --enable-unsafe-webgpu gives a
    // SwiftShader (CPU) WebGPU adapter.
    // V8's baseline WebAssembly compiler only: optimising onnxruntime's hot functions cost each page ~5 CPU-s (a
    // fresh boot 15.5 → 10.3 CPU-s with the model ready), which a spec's few tiny edits never earn back. Same
    // results (WebAssembly's semantics do not depend on the tier); `npm run bench` keeps V8's defaults.
    launchOptions: { ...CHROMIUM_LAUNCH_OPTIONS, args: [...CHROMIUM_LAUNCH_OPTIONS.args, '--js-flags=--liftoff-only'] },
  },
  webServer: {
    command: `npx vite preview --port ${port} --strictPort`,
    url: `http://localhost:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
