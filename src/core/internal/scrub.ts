// Secrets never reach an error, a log line or a snapshot: every text the client passes on goes through here.

const redacted = "[redacted]";

/**
 * Below this length a "secret" is a test placeholder, not a key (xAI keys run to dozens of characters),
 * and replacing it everywhere would garble messages instead of protecting anything.
 */
const minSecretLength = 8;

/** Replaces every occurrence of a secret in text. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= minSecretLength) out = out.split(secret).join(redacted);
  return out;
}

/** A copy of a decoded message (plain objects, arrays, scalars) with every string, key or value, scrubbed. */
export function scrubDeep<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === "string") return scrub(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => scrubDeep(item, secrets)) as T;
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[scrub(key, secrets)] = scrubDeep(item, secrets);
  return copy as T;
}

export function scrubHeaders(headers: Headers, secrets: readonly string[]): Headers {
  const out = new Headers();
  headers.forEach((value, key) => {
    out.set(key, key === "authorization" ? redacted : scrub(value, secrets));
  });
  return out;
}
