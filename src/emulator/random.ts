import { createHash } from "node:crypto";

/**
 * A seeded generator of uniform numbers in [0, 1) (mulberry32): the same seed gives the same sequence,
 * so a run with injected faults can be replayed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * A uniform number in [0, 1) fixed by its inputs. Unlike a sequence it does not depend on the order in
 * which things are drawn, so an outcome survives interleaving and restarts.
 */
export function hashedUnit(...parts: readonly (string | number)[]): number {
  const digest = createHash("sha256").update(JSON.stringify(parts)).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}
