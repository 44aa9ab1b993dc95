/** @file Byte counts in words, the same on both sides of the worker (storage, downloads, GPU memory). */

const MB = 1024 * 1024;

/** Bytes as a short human string (MB with one decimal, GB above 1 GB; "unlimited" for Infinity). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'unlimited';
  return bytes >= 1024 * MB ? `${(bytes / (1024 * MB)).toFixed(2)} GB` : `${(bytes / MB).toFixed(1)} MB`;
}
