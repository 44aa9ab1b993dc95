/** @file Byte counts in words, the same on both sides of the worker (storage, downloads, GPU memory). */

const MB = 1024 * 1024;

/** Bytes as a short human string (KB below 1 MB, MB with one decimal, GB above 1 GB; "unlimited" for Infinity). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'unlimited';
  if (bytes >= 1024 * MB) return `${(bytes / (1024 * MB)).toFixed(2)} GB`;
  return bytes >= MB ? `${(bytes / MB).toFixed(1)} MB` : `${Math.max(0, Math.round(bytes / 1024))} KB`;
}
