import { expect } from "vitest";

/**
 * At most `limit` of `times` in any `windowMs`. Exact, with no slack, for times a limiter's caller reads
 * after each admission, on the clock the limiter counts by (the system clock: Redis's TIME is the same),
 * when each slot is anchored no earlier than that read (at the response: the callers in these tests
 * report no write): were `limit + 1` reads to fall within one window, the last admitted of them would
 * have seen the other `limit` slots in it.
 */
export function expectAtMostPerWindow(times: readonly number[], limit: number, windowMs: number): void {
  const sorted = [...times].sort((a, b) => a - b);
  for (let i = 0; i + limit < sorted.length; i++)
    expect(sorted[i + limit]! - sorted[i]!, `admissions ${i}–${i + limit}`).toBeGreaterThanOrEqual(windowMs);
}
