/**
 * @file Fixed-length tuples for tensor shapes and node outputs, so `const [out, inp, kh, kw] = shape`
 * has no possibly-undefined element once the length is checked. Pure TypeScript.
 */

/** N items of type T as a tuple (N a number literal; a plain `number` gives T[]). */
export type Tuple<T, N extends number> = number extends N ? T[] : BuildTuple<T, N, []>;

type BuildTuple<T, N extends number, Acc extends T[]> = Acc['length'] extends N ? Acc : BuildTuple<T, N, [...Acc, T]>;

/** Whether `items` has exactly `n` elements (a shape of rank n, a node with n outputs). */
export function hasLength<T, N extends number>(items: readonly T[], n: N): items is Tuple<T, N> {
  return items.length === n;
}
