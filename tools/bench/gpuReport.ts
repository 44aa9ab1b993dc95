/**
 * @file What `npm run bench:gpu` keeps and prints: one results object, grown part by part (the caller writes it to
 * JSON after every record, so a run cut short still leaves what it measured), and the final table, one column per
 * bundle plus PyTorch and the ratios. Pure: no Node API.
 */
import { formatBytes } from '../../workers/api/bytes';
import type { GpuBenchMode, GpuBenchOptions } from './gpuPlan';

/** One part's result as recorded: a measurement, or why it was skipped, or its error. */
export type PartResult = Record<string, unknown>;

export interface GpuBenchResults {
  started: string;
  options: GpuBenchOptions;
  /** Where the bundles ran and why; the adapter Chromium saw (with its limits), or why it saw none. */
  runtime: { chosen: 'chromium' | 'node' | null; why: string; adapter: unknown };
  generateMs: number;
  bundles: Partial<Record<GpuBenchMode, { dir?: string; reason?: string; convertMs: number }>>;
  /** Per bundle, every part under its key (gpuMeasure.ts's keys: text, dit <size>, ae decode <size>, …). */
  runs: Partial<Record<GpuBenchMode, Record<string, PartResult | string>>>;
  torch: Record<string, PartResult | string>;
  /** Node only: nvidia-smi's peak for this process per bundle (null: no nvidia-smi). */
  nodeGpuPeak: Partial<Record<GpuBenchMode, number | null>>;
  finished?: string;
}

const ms = (v: unknown) =>
  typeof v === 'number' ? (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(0)} ms`) : '';

/** onnxruntime's error without its wrapping ("… Status Message: file.cc:123 Function "), at most 90 characters. */
function shortenError(message: string): string {
  const core = message.replace(/^.*Status Message: /, '').replace(/^\S+\.cc:\d+ \S+ /, '');
  return core.length > 90 ? `${core.slice(0, 89)}…` : core;
}

/** A cell for one part: its warm time (cold in brackets), or what stopped it. */
export function describePart(part: PartResult | string | undefined): string {
  if (part === undefined) return '–';
  if (typeof part === 'string') return part;
  if (typeof part.skipped === 'string') return `skipped (${part.skipped})`;
  if (typeof part.error === 'string') return `error: ${shortenError(part.error)}`;
  if (typeof part.warmMs === 'number')
    return typeof part.coldMs === 'number' ? `${ms(part.warmMs)} (first ${ms(part.coldMs)})` : ms(part.warmMs);
  if (typeof part.maxError === 'number')
    return `${part.passed ? 'pass' : 'FAIL'}, max error ${part.maxError.toExponential(1)} (${ms(part.ms)})`;
  if (typeof part.createMs === 'number')
    return `${ms((part.readMs as number) + part.createMs)} (${String(part.created)} sessions)`;
  if (typeof part.ms === 'number') return ms(part.ms);
  return JSON.stringify(part);
}

/** The largest `peakGpuBytes` any part of a run recorded (the browser's live-buffer count), or null. */
export function getPeakGpuBytes(run: Record<string, PartResult | string> | undefined): number | null {
  const peaks = Object.values(run ?? {})
    .map((p) => (typeof p === 'object' ? p.peakGpuBytes : null))
    .filter((p): p is number => typeof p === 'number');
  return peaks.length > 0 ? Math.max(...peaks) : null;
}

/** PyTorch's warm time over a bundle's: how many times faster PyTorch is on that part. */
function ratio(run: PartResult | string | undefined, torch: PartResult | string | undefined): string {
  const a = typeof run === 'object' ? run.warmMs : undefined;
  const b = typeof torch === 'object' ? torch.warmMs : undefined;
  return typeof a === 'number' && typeof b === 'number' && b > 0 ? `${(a / b).toFixed(1)}×` : '';
}

/** The table: a row per part, a column per bundle, PyTorch, and each bundle's time over PyTorch's. */
export function formatGpuTable(r: GpuBenchResults): string {
  const modes = r.options.modes;
  const big = Math.max(...r.options.sizes);
  const keys: [string, string][] = [
    ['store', 'store in IndexedDB'],
    ['sessions', 'create all sessions'],
    ['text', 'text encoders (T5 + CLIP; torch: T5)'],
    ...r.options.sizes.map((s): [string, string] => [`dit ${s}`, `one DiT step ${s}² + ${s}² input`]),
    [`ae decode ${big}`, `AE decode ${big}²`],
  ];
  const header = ['', ...modes, 'PyTorch bf16', ...modes.map((m) => `${m} / torch`)];
  const rows = keys.map(([key, label]) => [
    label,
    ...modes.map((m) => describePart(r.runs[m]?.[key])),
    describePart(r.torch[key]),
    ...modes.map((m) => ratio(r.runs[m]?.[key], r.torch[key])),
  ]);
  const peak = (m: GpuBenchMode) => {
    const bytes = r.runtime.chosen === 'node' ? (r.nodeGpuPeak[m] ?? null) : getPeakGpuBytes(r.runs[m]);
    return bytes === null ? 'n/a' : formatBytes(bytes);
  };
  const torchPeak = typeof r.torch.peak === 'object' ? r.torch.peak.cudaMaxAllocatedBytes : undefined;
  rows.push([
    r.runtime.chosen === 'node' ? 'peak GPU bytes (nvidia-smi)' : 'peak live GPU bytes (buffers)',
    ...modes.map(peak),
    typeof torchPeak === 'number' ? formatBytes(torchPeak) : '',
    ...modes.map(() => ''),
  ]);
  // Whole-bundle outcomes: skipped (no shader-f16), failed, or stopped at the deadline.
  const notes = (m: GpuBenchMode) =>
    ['skipped', 'error', 'stopped']
      .map((k) => r.runs[m]?.[k])
      .filter((v): v is string => typeof v === 'string')
      .join('; ');
  if (modes.some((m) => notes(m) !== '')) rows.push(['bundle notes', ...modes.map(notes), '', ...modes.map(() => '')]);
  const check = (m: GpuBenchMode) => Object.entries(r.runs[m] ?? {}).find(([k]) => k.startsWith('attention check'));
  rows.push([
    `attention check`,
    ...modes.map((m) => {
      const c = check(m);
      return c ? `${c[0].slice('attention check '.length)} tokens: ${describePart(c[1])}` : '–';
    }),
    '',
    ...modes.map(() => ''),
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => (row[i] ?? '').length)));
  return [header, ...rows].map((row) => row.map((c, i) => (c ?? '').padEnd(widths[i]!)).join('  ')).join('\n');
}

/** The limits the engine's planning reads, and the features onnxruntime uses. */
const SHOWN_LIMITS = ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupStorageSize'];

/** The adapter Chromium saw, in two lines: who, and the limits and features that matter here. */
export function formatAdapter(adapter: unknown): string {
  const a = (adapter ?? {}) as {
    reason?: string;
    vendor?: string;
    architecture?: string;
    description?: string;
    isFallbackAdapter?: boolean;
    features?: string[];
    limits?: Record<string, number>;
  };
  if (a.reason) return `Chromium's adapter: none (${a.reason})`;
  const who = [a.vendor, a.architecture, a.description].filter(Boolean).join(' / ');
  const limits = SHOWN_LIMITS.map((n) => `${n} ${a.limits?.[n] !== undefined ? formatBytes(a.limits[n]) : '?'}`);
  return (
    `Chromium's adapter: ${who}${a.isFallbackAdapter ? ' (software)' : ''}\n` +
    `  ${limits.join(', ')}; features: ${(a.features ?? []).join(', ') || 'none'}`
  );
}
