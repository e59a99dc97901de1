import { fastPath } from "../../src/internal/wire/fast-path.js";

/**
 * Runs `work` with the fast path (src/internal/wire/fast-path.ts) switched `on`, then puts the switch
 * back as it was: once `work` returns or, when it returns a promise, once that settles.
 */
export function withFastPath<T>(on: boolean, work: () => T): T {
  const before = fastPath.on;
  fastPath.on = on;
  let result: T;
  try {
    result = work();
  } catch (error) {
    fastPath.on = before;
    throw error;
  }
  if (result instanceof Promise) return result.finally(() => (fastPath.on = before)) as T;
  fastPath.on = before;
  return result;
}
