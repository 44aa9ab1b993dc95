/**
 * @file Refusing work that cannot fit in the site's storage before any of it is written: a download or a
 * conversion that would stop at a full store halfway, minutes (for FLUX, an hour) in.
 */
import { EngineError } from '../api/errors';
import { formatBytes } from '../api/bytes';

/** The part of navigator.storage the bundle store and the converter use (persist() exists on the main thread only). */
export interface StorageLike {
  estimate(): Promise<{ usage?: number; quota?: number }>;
  persisted?(): Promise<boolean>;
  persist?(): Promise<boolean>;
}

/**
 * Checks that `needed` more bytes fit in the site's quota; a null storage (no Storage API) or an unknown quota
 * passes.
 * @param what - what needs the room, starting the message ("This bundle", "Converting this folder").
 * @throws EngineError `quota` saying how much is needed, how much is free, and what to do.
 */
export async function checkStorageRoom(storage: StorageLike | null, needed: number, what: string): Promise<void> {
  if (needed <= 0 || !storage) return;
  const { usage = 0, quota } = await storage.estimate();
  if (quota === undefined) return;
  const free = Math.max(0, quota - usage);
  if (needed <= free) return;
  throw new EngineError(
    'quota',
    `${what} needs ${formatBytes(needed)} more storage, but the browser lets this site store only ` +
      `${formatBytes(free)} more (${formatBytes(usage)} of ${formatBytes(quota)} used). Free disk space or delete ` +
      'another bundle. A private (incognito) window keeps a small store in memory only: use a normal window.',
  );
}
