/**
 * @file One Node HTTP server for browser tests and the bench: bundle folders, a blank test page, and Vite (the repo's
 * vite.config.ts, in middleware mode) transforming our TypeScript, so the page can import the real
 * workers/cache modules. All on one origin, as the app fetches its embedded bundle; never port 4173.
 */
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer as createViteServer } from 'vite';
import type { BundleServer } from './bundleServer';

export const TEST_PAGE = '/__cache-test.html';

// The folder input lets the spec pick a bundle folder the way a user does (webkitRelativePath set).
const PAGE = `<!doctype html><meta charset="utf-8"><title>cache test</title>
<input type="file" id="folder" webkitdirectory multiple>`;

export interface TestServer {
  origin: string;
  close(): Promise<void>;
}

/** Starts the server on a free port. */
export async function startTestServer(repoRoot: string, bundles: BundleServer): Promise<TestServer> {
  const vite = await createViteServer({
    configFile: join(repoRoot, 'vite.config.ts'),
    root: repoRoot,
    appType: 'custom',
    logLevel: 'warn',
    server: { middlewareMode: true, hmr: false, ws: false },
    // Pre-bundle idb-keyval up front: discovering it on first import would reload the page mid-test.
    optimizeDeps: { include: ['idb-keyval'], noDiscovery: true, entries: [] },
    cacheDir: join(repoRoot, '.cache', 'e2e', 'vite-test-server'),
  });
  const server = createHttpServer((req, res) => {
    if (req.url === TEST_PAGE) {
      // Same isolation headers as the app (vite.config.ts), so the page is a realistic host.
      res
        .writeHead(200, {
          'Content-Type': 'text/html',
          'Cross-Origin-Opener-Policy': 'same-origin',
          'Cross-Origin-Embedder-Policy': 'require-corp',
        })
        .end(PAGE);
      return;
    }
    if (bundles.handle(req, res)) return;
    vite.middlewares(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await vite.close();
    },
  };
}
