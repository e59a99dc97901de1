import { InputError } from "../errors.js";

/**
 * Refuses option keys the callee does not know, so a typo such as `limt` fails loudly instead of being
 * silently ignored.
 */
export function checkKnownKeys(what: string, value: object | undefined, known: readonly string[]): void {
  if (value === undefined) return;
  if (value === null || typeof value !== "object") {
    throw new InputError(`Expected ${what} to be an object, got ${describeValue(value)}.`);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new InputError(`Unknown option \`${key}\` in ${what}. Expected one of: ${known.map((k) => `\`${k}\``).join(", ")}.`);
    }
  }
}

/** Checks an optional integer option against an inclusive range. */
export function checkInteger(name: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new InputError(`Expected \`${name}\` to be an integer from ${min} to ${max}, got ${describeValue(value)}.`);
  }
}

/** Checks an id or name that the server needs to be a non-empty string. */
export function checkNonEmptyString(name: string, value: unknown): asserts value is string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new InputError(`Expected \`${name}\` to be a non-empty string, got ${describeValue(value)}.`);
  }
}

/** Renders a value for an error message without dumping large objects. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  return String(value);
}
