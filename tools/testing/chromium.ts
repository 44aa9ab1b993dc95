/**
 * @file How every headless Chromium here is started (Playwright's e2e config, `npm run bench`, `npm run bench:cache`):
 * Debian's chromium package unless CHROMIUM_PATH says otherwise (Playwright never downloads a browser), with
 * --enable-unsafe-webgpu, which on a machine without a GPU gives a SwiftShader (CPU) WebGPU adapter.
 */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  // Chromium 156 opens two WebUI omnibox popups (their own renderer, ~3 CPU-s) with every new window, headless
  // too, where nobody sees an omnibox: each spec's page paid for them.
  '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup',
];

/** Options for chromium.launch / launchPersistentContext. */
export const CHROMIUM_LAUNCH_OPTIONS = { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS };

/**
 * Extra flags for `npm run bench:gpu`, so a headless Chromium on a Linux GPU server uses the real GPU through Vulkan
 * (its blocklist and default GL path leave it on SwiftShader there). Where it still sees only SwiftShader, the
 * bench says so and runs on onnxruntime-node's WebGPU EP instead.
 */
export const CHROMIUM_REAL_GPU_ARGS = ['--ignore-gpu-blocklist', '--enable-features=Vulkan', '--use-angle=vulkan'];
