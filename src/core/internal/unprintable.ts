import { inspect } from "node:util";

/**
 * Makes an internal object that holds secrets (the call context: the authorization header, the key to
 * scrub) print and serialise as just its name, so a resource that keeps it in a field can be logged,
 * inspected or JSON.stringify'd without showing the key. The hooks are non-enumerable: a spread copy
 * made for one call does not carry them, and nothing else about the object changes.
 */
export function unprintable<T extends object>(value: T, name: string): T {
  const shown = `${name} [redacted]`;
  Object.defineProperty(value, inspect.custom, { value: () => shown });
  Object.defineProperty(value, "toJSON", { value: () => shown });
  return value;
}
