/**
 * `value`'s own properties but those set to undefined: spread over defaults, an option given as undefined
 * keeps its default instead of replacing it.
 */
export function withoutUndefined<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
