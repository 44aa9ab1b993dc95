/** @file Named outputs of a graph run, checked: a missing one fails naming the outputs the run has. */

/**
 * The `name` output of a run, e.g. `getOutput(await session.run(feeds), 'latent')`.
 * @throws Error listing the run's outputs when `name` is not one of them.
 */
export function getOutput<T>(outputs: Readonly<Record<string, T>>, name: string): T {
  const value = outputs[name];
  if (value === undefined)
    throw new Error(`no output '${name}' (outputs: ${Object.keys(outputs).join(', ') || 'none'})`);
  return value;
}
