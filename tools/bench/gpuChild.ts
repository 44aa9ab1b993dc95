/**
 * @file A child process of `npm run bench:gpu` whose results arrive as stdout lines `bench:gpu <json>` (the Node
 * runtime's measurements, PyTorch's): each is recorded as it comes, and the child is killed at its deadline.
 * Children, not calls in this process, because a GPU kernel running in native code blocks its thread for as long
 * as it runs: only another process can keep the budget.
 */
import { spawn } from 'node:child_process';
import { RESULT_PREFIX } from './gpuPlan';

/**
 * Runs `command args` until it exits or `deadline` (then SIGKILL); `record` gets every result line, and 'error'
 * with the last lines of stderr when it fails. `onStart` gets the pid (e.g. to sample its GPU memory).
 */
export function runRecordingChild(
  command: string,
  args: readonly string[],
  options: {
    deadline: number;
    record: (key: string, value: unknown) => void;
    env?: NodeJS.ProcessEnv;
    onStart?: (pid: number) => void;
  },
): Promise<void> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  if (child.pid !== undefined) options.onStart?.(child.pid);
  let pending = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => {
    pending += b.toString();
    for (let n = pending.indexOf('\n'); n >= 0; n = pending.indexOf('\n')) {
      const line = pending.slice(0, n);
      pending = pending.slice(n + 1);
      if (!line.startsWith(RESULT_PREFIX)) continue;
      const { key, value } = JSON.parse(line.slice(RESULT_PREFIX.length)) as { key: string; value: unknown };
      options.record(key, value);
    }
  });
  // onnxruntime's placement warnings are noise here; errors keep their last lines.
  child.stderr.on('data', (b: Buffer) => {
    const kept = b
      .toString()
      .split('\n')
      .filter((l) => l && !l.includes('W:onnxruntime'));
    stderr = [...stderr.split('\n'), ...kept].slice(-5).join('\n');
  });
  return new Promise((resolve) => {
    let killed = false;
    const timer = setTimeout(
      () => {
        killed = true;
        child.kill('SIGKILL');
      },
      Math.max(0, options.deadline - Date.now()),
    );
    child.on('error', (e) => options.record('error', e.message));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (killed) options.record('stopped', 'killed at its deadline (results above are complete)');
      else if (code !== 0) options.record('error', `exit ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
      resolve();
    });
  });
}
