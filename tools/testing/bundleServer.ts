/**
 * @file A bundle folder server for browser tests and the bench: serves `<prefix><bundle>/<file>` from disk with Range
 * support, counts requests per file, and can cut a response mid-file (socket destroyed after N bytes), serve
 * a corrupted file, answer 404, or send slowly.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, normalize } from 'node:path';

interface Fault {
  /** Destroys the connection (300 ms) after sending this many body bytes of the response. */
  cutAfter?: number;
  /** Flips one byte in the middle of the file. */
  corrupt?: boolean;
  status?: number;
  /** Waits this long before each 16 KiB piece. */
  delayMs?: number;
}

interface BundleRequest {
  bundle: string;
  path: string;
  start: number;
}

export interface BundleServer {
  /** Serves a request under the prefix; false when the URL is not ours. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  requests: BundleRequest[];
  /** Requests for one file of one bundle. */
  listRequests(bundle: string, path: string): BundleRequest[];
  /** Faults by `<bundle>/<path>`. */
  faults: Map<string, Fault>;
  /** Body bytes sent so far per `<bundle>/<path>` (all responses together). */
  sent: Map<string, number>;
  reset(): void;
}

const PIECE = 16 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates the server for bundle folders under `root`, at URL `prefix` (e.g. '/e2e-bundles/'). */
export function createBundleServer(root: string, prefix: string): BundleServer {
  const requests: BundleRequest[] = [];
  const faults = new Map<string, Fault>();
  const sent = new Map<string, number>();

  async function serve(key: string, bundle: string, path: string, req: IncomingMessage, res: ServerResponse) {
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    requests.push({ bundle, path, start });
    const fault = { ...faults.get(key) };
    let body: Buffer;
    try {
      body = readFileSync(normalize(join(root, bundle, path)));
    } catch {
      body = Buffer.alloc(0);
      fault.status ??= 404;
    }
    res.setHeader('Cache-Control', 'no-store');
    if (fault.status) {
      res.writeHead(fault.status, { 'Content-Type': 'text/plain' }).end(`status ${fault.status}`);
      return;
    }
    if (fault.corrupt) body[body.length >> 1]! ^= 0xff;
    const part = body.subarray(start);
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/octet-stream',
      'Content-Length': part.length,
      'Accept-Ranges': 'bytes',
    };
    if (range) headers['Content-Range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    res.writeHead(range ? 206 : 200, headers);
    for (let p = 0; p < part.length; p += PIECE) {
      if (fault.delayMs) await sleep(fault.delayMs);
      if (res.destroyed) return;
      const end = Math.min(part.length, p + PIECE, fault.cutAfter ?? Infinity);
      if (end > p) {
        await new Promise<void>((resolve) => res.write(part.subarray(p, end), () => resolve()));
        sent.set(key, (sent.get(key) ?? 0) + end - p);
      }
      if (fault.cutAfter !== undefined && end >= fault.cutAfter) {
        // The link stalls, then drops: the pause lets the page read what was sent (Chromium discards body
        // bytes it has not handed to the reader yet when the connection errors).
        await sleep(300);
        res.socket?.destroy();
        return;
      }
    }
    res.end();
  }

  return {
    handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://x');
      if (!url.pathname.startsWith(prefix)) return false;
      const [bundle, ...rest] = url.pathname.slice(prefix.length).split('/').map(decodeURIComponent);
      const path = rest.join('/');
      if (!bundle || !path || path.split('/').includes('..')) {
        res.writeHead(400).end();
        return true;
      }
      serve(`${bundle}/${path}`, bundle, path, req, res).catch(() => res.destroy());
      return true;
    },
    requests,
    listRequests: (bundle, path) => requests.filter((r) => r.bundle === bundle && r.path === path),
    faults,
    sent,
    reset() {
      requests.length = 0;
      faults.clear();
      sent.clear();
    },
  };
}
