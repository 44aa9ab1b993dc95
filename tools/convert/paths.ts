/**
 * @file Filesystem locations the converter tools and their tests share (Node only).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file lives in tools/convert/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Read-only vendor data beside the repository (`../shared/vendor-data`); may be absent.
 * KONTEXT_VENDOR_DATA_DIR overrides it (e.g. to check that tests skip cleanly without it).
 */
export const VENDOR_DATA_DIR = resolve(REPO_ROOT, process.env.KONTEXT_VENDOR_DATA_DIR ?? '../shared/vendor-data');

/** The committed TAEF1 round-trip test image. */
export const ROUNDTRIP_FIXTURE = resolve(REPO_ROOT, 'e2e', 'fixtures', 'roundtrip-128.png');

/** The worker's generated attention-check graph (`npm run model-tools -- attention-graph` rewrites it). */
export const ATTENTION_GRAPH_MODULE = resolve(REPO_ROOT, 'workers', 'runtime', 'attentionGraph.ts');
