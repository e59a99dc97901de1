import type { Rate } from "../core/quota.js";

/**
 * One worker's share of a team's rate while the shared store is unreachable: at most `limit / workers`
 * calls per window, so `workers` workers pacing alone still stay within the limit together. A limit
 * smaller than the number of workers (xAI's one create per second) is shared by stretching the window:
 * one call per `workers / limit` windows.
 */
export function localShare(rate: Rate, workers: number): Rate {
  if (workers <= 1) return rate;
  if (rate.limit >= workers) return { limit: Math.floor(rate.limit / workers), windowMs: rate.windowMs };
  return { limit: 1, windowMs: Math.ceil((rate.windowMs * workers) / rate.limit) };
}
