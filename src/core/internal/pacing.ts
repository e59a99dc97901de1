import type { Limits } from "../limits.js";
import type { QuotaKind, Rate } from "../quota.js";

// How a team's limits become the rolling windows every quota limiter (in memory or shared) keeps to.

/**
 * How long after a call's last request byte left this process the server may still count it: the
 * one-way delay plus the server's time from receiving a call to counting it (the emulator decodes it
 * first), less what the next call itself needs to arrive. The slot is anchored at the response if that
 * comes first. A server that counts later still costs one rejection, retried after its hint; from then
 * on the limiter anchors at responses only.
 */
export const sentMarginMs = 250;

/** The rolling-window rates that keep a client within `limits`, for this limiter or a shared one. */
export function ratesFor(limits: Readonly<Pick<Limits, "createPerSecond" | "addCallsPerWindow" | "addWindowMs">>): Record<QuotaKind, Rate> {
  return {
    // "N per second" as one per 1/N s: a burst of N in the same instant would exceed a per-second
    // limit counted over any sliding second, and xAI's 1/s is exactly this.
    create: { limit: 1, windowMs: Math.ceil(1_000 / limits.createPerSecond) },
    add: { limit: limits.addCallsPerWindow, windowMs: limits.addWindowMs },
  };
}
