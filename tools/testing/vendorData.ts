/**
 * @file The one decision about third-party test data (the real TAEF1 weights and T5/CLIP tokenizers, read from
 * `../shared/vendor-data` and never committed): without it a test skips and says why, except under `CI=true`,
 * where a missing file fails the run instead, so CI can never pass while silently skipping what it claims to test.
 * Used by the vitest files and by e2e/globalSetup.ts. Node only.
 */
import { existsSync } from 'node:fs';
import { VENDOR_DATA_DIR } from '../convert/paths';

/** True when CI=true: missing vendor data is an error, not a skip. */
const VENDOR_DATA_REQUIRED = process.env.CI === 'true';

/**
 * Returns true when every one of `files` exists. Otherwise, under CI=true it throws an error naming what is
 * missing and `what` needed it; elsewhere it warns that `what` is skipped and returns false.
 */
export function hasVendorData(what: string, files: readonly string[]): boolean {
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length === 0) return true;
  const reason = `missing ${missing.join(', ')} (vendor data folder ${VENDOR_DATA_DIR}; KONTEXT_VENDOR_DATA_DIR overrides it)`;
  if (VENDOR_DATA_REQUIRED)
    throw new Error(`${what} cannot run: ${reason}. CI=true, so this fails instead of skipping.`);
  console.warn(`skipping ${what}: ${reason}`);
  return false;
}
