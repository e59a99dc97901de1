import type { Timestamp } from "@bufbuild/protobuf/wkt";

/** One USD is 1e10 ticks, the unit the API states costs in. */
export const ticksPerUsd = 10_000_000_000;

/**
 * Attaches the wire message as a non-enumerable `raw`: it stays one property access away, while
 * `JSON.stringify`, spreads and `console.log` see only the plain data (the message holds bigints).
 */
export function withRaw<T extends object, R>(view: T, raw: R): T & { readonly raw: R } {
  return Object.defineProperty(view, "raw", { value: raw, enumerable: false }) as T & { readonly raw: R };
}

/** A wire timestamp as a Date; an unset one (or the zero time) as undefined. */
export function toDate(t: Timestamp | undefined): Date | undefined {
  if (t === undefined || (t.seconds === 0n && t.nanos === 0)) return undefined;
  return new Date(Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6));
}
