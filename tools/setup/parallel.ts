/**
 * @file Runs npm scripts side by side, as many at a time as the machine has cores, and reports each one's time.
 * `npm test`'s static checks and Python tests are each single-threaded, so on two cores this halves their wall
 * time. Output is held until a script ends, so logs never interleave; the exit status fails if any script failed.
 * Usage: tsx tools/setup/parallel.ts <script> [<script> ...]
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

interface Outcome {
  script: string;
  ok: boolean;
  seconds: number;
}

/** Runs `npm run --silent <script>`, buffering stdout and stderr; prints them only when the script fails. */
function runScript(script: string): Promise<Outcome> {
  const start = performance.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    const finish = (ok: boolean, why = '') => {
      const seconds = (performance.now() - start) / 1000;
      const mark = ok ? 'ok  ' : 'FAIL';
      if (!ok) process.stdout.write(`\n--- ${script} ---\n${Buffer.concat(output).toString()}${why}\n`);
      process.stdout.write(`${mark} ${script} (${seconds.toFixed(1)} s)\n`);
      resolve({ script, ok, seconds });
    };
    child.on('error', (error) => finish(false, error.message));
    child.on('close', (code) => finish(code === 0));
  });
}

/** Runs `scripts` on a pool of `width` slots, in the given order (put the longest first). */
async function runAll(scripts: string[], width: number): Promise<Outcome[]> {
  const queue = [...scripts];
  const outcomes: Outcome[] = [];
  const slot = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) outcomes.push(await runScript(next));
  };
  await Promise.all(Array.from({ length: Math.min(width, scripts.length) }, slot));
  return outcomes;
}

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  console.error('usage: tsx tools/setup/parallel.ts <npm script> [<npm script> ...]');
  process.exit(2);
}
const started = performance.now();
const outcomes = await runAll(scripts, availableParallelism());
const failed = outcomes.filter((o) => !o.ok).map((o) => o.script);
const wall = ((performance.now() - started) / 1000).toFixed(1);
console.log(failed.length ? `failed: ${failed.join(', ')} (${wall} s)` : `all ${outcomes.length} passed (${wall} s)`);
process.exit(failed.length ? 1 : 0);
