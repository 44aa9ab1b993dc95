/**
 * @file Everything about an EditJob that can be refused without a model, checked in one place before anything
 * loads or runs: a job that cannot finish must fail in milliseconds with what is wrong, not after the encoders
 * (a bad seed used to fail there) or after the whole denoise (a masked job at the model's native size did).
 */
import { EngineError } from '../api/errors';
import type { EditJob } from '../api/jobs';
import { describeLimitViolation, JOB_LIMITS } from '../api/limits';

const SIZES: readonly EditJob['size'][] = ['input', 'native'];

function badInput(message: string): never {
  throw new EngineError('bad-input', message);
}

/** Both sides within JOB_LIMITS.imageSide and `channels` bytes per pixel in a typed array. */
function checkPlane(name: string, image: unknown, channels: number, code: 'bad-image' | 'bad-input'): void {
  const { width, height, data } = (image ?? {}) as { width?: unknown; height?: unknown; data?: unknown };
  for (const [side, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    const problem = describeLimitViolation(`${name}'s ${side}`, value, JOB_LIMITS.imageSide);
    if (problem) throw new EngineError(code, problem);
  }
  const expected = channels * (width as number) * (height as number);
  const length = ArrayBuffer.isView(data) ? data.byteLength : null;
  if (length !== expected) {
    throw new EngineError(
      code,
      `${name} is ${String(width)}×${String(height)}, so it needs ${expected} bytes, got ${length ?? String(data)}`,
    );
  }
}

/**
 * Refuses a job the pipeline could not finish, naming the field.
 * @throws EngineError `bad-image` for the input or a reference image, `bad-input` for anything else.
 */
export function checkEditJob(job: EditJob): void {
  if (typeof job.bundleId !== 'string' || job.bundleId === '') badInput('the job names no bundle (bundleId)');
  if (typeof job.prompt !== 'string') badInput(`the instruction must be text, got ${typeof job.prompt}`);
  for (const key of ['steps', 'guidance', 'average', 'seed', 'previewEvery'] as const) {
    const problem = describeLimitViolation(key, job[key], JOB_LIMITS[key]);
    if (problem) badInput(problem);
  }
  if (job.firstBlockCache !== undefined) {
    const problem = describeLimitViolation('firstBlockCache', job.firstBlockCache, JOB_LIMITS.firstBlockCache);
    if (problem) badInput(problem);
  }
  if (!SIZES.includes(job.size)) badInput(`size must be "input" or "native", got ${JSON.stringify(job.size)}`);
  if (typeof job.keepUnchanged !== 'boolean')
    badInput(`keepUnchanged must be true or false, got ${String(job.keepUnchanged)}`);

  checkPlane('the image', job.image, 4, 'bad-image');
  if (!Array.isArray(job.references)) badInput('references must be a list of images');
  job.references.forEach((r, i) => checkPlane(`reference image ${i + 2}`, r, 4, 'bad-image'));

  if (job.mask == null) return;
  checkPlane('the mask', job.mask, 1, 'bad-input');
  const { image, mask } = job;
  if (mask.width !== image.width || mask.height !== image.height)
    badInput(`the mask is ${mask.width}×${mask.height} but the image is ${image.width}×${image.height}`);
  // The kept pixels are the input's, so they only line up at the input's size.
  if (job.size !== 'input') badInput('a masked edit keeps the input size (choose "keep input size")');
}
