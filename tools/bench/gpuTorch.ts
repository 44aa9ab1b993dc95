/**
 * @file PyTorch bf16 on the bench's shapes (training/bench_gpu.py), where PYTHON has torch and CUDA:
 * started with the same configs the bundles were made from, killed at the deadline, its results recorded as they
 * come (gpuChild.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DitConfig } from '../../workers/bundle/manifest';
import { REPO_ROOT } from '../convert/paths';
import { runRecordingChild } from './gpuChild';

/** Debian's python3 here (the one with torch); BENCH_PYTHON elsewhere, e.g. `python3` on a GPU machine's image. */
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';

export interface TorchRun {
  dit: DitConfig;
  /** T5's HF config.json, as the model folder has it. */
  t5: Record<string, unknown>;
  sizes: readonly number[];
  t5Length: number;
  device: 'cuda' | 'cpu';
  deadline: number;
}

/** Runs the script; every result goes to `record`. Resolves when it exits or is killed at the deadline. */
export async function runTorchBench(run: TorchRun, record: (key: string, value: unknown) => void): Promise<void> {
  if (!existsSync(PYTHON)) return record('skipped', `no ${PYTHON} here`);
  const budget = (run.deadline - Date.now()) / 1000;
  if (budget < 20) return record('skipped', `${budget.toFixed(0)} s left`);
  const args = { dit: run.dit, t5: run.t5, sizes: run.sizes, t5_length: run.t5Length, device: run.device };
  // The script paces itself to 5 s before the deadline; the kill is the backstop.
  const script = [join(REPO_ROOT, 'training/bench_gpu.py'), JSON.stringify({ ...args, budget_s: budget - 5 })];
  await runRecordingChild(PYTHON, script, {
    deadline: run.deadline,
    record,
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
  });
}
