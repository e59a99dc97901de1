import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SlidingWindow, type WindowSlot } from "../../src/core/internal/sliding-window.js";
import { QuotaScripts, quotaKeys, type AcquireArgs } from "../../src/redis/quota-scripts.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";

// The scripts run on a real redis-server with the time passed in, so the window logic can be held
// against the in-memory limiter's SlidingWindow, the reference model of "response-anchored" accounting.

const windowMs = 1_000;
const marginMs = 5;
const sentMarginMs = 250;
let server: RedisServer;
let redis: Redis;
let scripts: QuotaScripts;
let keys = quotaKeys("test", "team0", "add");
let team = 0;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
  scripts = new QuotaScripts(redis);
});
afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});
beforeEach(() => {
  keys = quotaKeys("test", `team${++team}`, "add");
});

function args(limit: number, id: string, overrides: Partial<AcquireArgs> = {}): AcquireArgs {
  return { limit, windowMs, marginMs, leaseMs: 1e9, id, staleMs: 1e9, workerId: "w1", ttlMs: 60_000, ...overrides };
}

/** A small deterministic generator, so a failing sequence can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe("the acquire and release scripts", () => {
  it("agree with SlidingWindow on every admission and wait, over random sequences", async () => {
    for (const seed of [1, 2, 3]) {
      keys = quotaKeys("test", `model${seed}`, "add");
      const next = random(seed);
      const limit = 1 + Math.floor(next() * 6);
      const model = new SlidingWindow(limit, windowMs, marginMs, sentMarginMs);
      const inFlight: { id: string; slot: WindowSlot; sentAt?: number }[] = [];
      const admissions: number[] = [];
      let now = 1_000_000;
      for (let step = 0; step < 300; step++) {
        now += Math.floor(next() * 120);
        if (inFlight.length > 0 && next() < 0.45) {
          const index = Math.floor(next() * inFlight.length);
          const call = inFlight[index]!;
          // Its request reported written (anchored there plus the margin, still to be answered) or its response.
          if (call.sentAt === undefined && next() < 0.5) {
            call.sentAt = now;
            call.slot.sent(now);
            await scripts.sent(keys, call.id, sentMarginMs, 60_000, now);
            continue;
          }
          inFlight.splice(index, 1);
          call.slot.complete(now);
          // As the limiter does: a response within the margin of the write moves the anchor earlier; a later one cannot.
          if (call.sentAt === undefined || now - call.sentAt < sentMarginMs) await scripts.release(keys, call.id, 60_000, now);
          continue;
        }
        const id = `s${seed}-${step}`;
        const expected = model.nextAdmissionMs(now);
        const reply = await scripts.acquire(keys, args(limit, id), now);
        expect(reply.admitted, `seed ${seed} step ${step}`).toBe(expected <= now);
        if (reply.admitted) {
          inFlight.push({ id, slot: model.admit(now) });
          admissions.push(now);
        } else {
          await scripts.leave(keys, id); // one waiter at a time, as the model has no queue
          // A slot anchored ahead of now (written, plus the margin) reads as in flight too: the waiter polls until then.
          expect(reply.blockedInFlight).toBe(expected === Infinity || expected - windowMs - marginMs > now);
          if (expected !== Infinity) expect(reply.waitMs).toBe(Math.max(1, Math.ceil(expected - now)));
        }
      }
      // A slot ends no earlier than it was admitted, so no window of windowMs holds more than `limit` admissions.
      for (let i = 0; i + limit < admissions.length; i++) expect(admissions[i + limit]! - admissions[i]!).toBeGreaterThanOrEqual(windowMs);
      expect(admissions.length).toBeGreaterThan(limit);
    }
  });

  it("admits waiters in the order they first asked, whoever asks first when a slot frees", async () => {
    const t = 1_000_000;
    for (const id of ["x", "y"]) expect((await scripts.acquire(keys, args(2, id), t)).admitted).toBe(true);
    await scripts.release(keys, "x", 60_000, t + 10);
    await scripts.release(keys, "y", 60_000, t + 20);
    expect((await scripts.acquire(keys, args(2, "a"), t + 30)).admitted).toBe(false);
    expect((await scripts.acquire(keys, args(2, "b"), t + 40)).admitted).toBe(false);
    // x's slot has left the window, y's not yet: one free slot, and it is a's although b asks first.
    const free = t + 10 + windowMs + marginMs;
    const b = await scripts.acquire(keys, args(2, "b"), free);
    expect(b).toMatchObject({ admitted: false, waitMs: 10, blockedInFlight: false });
    expect((await scripts.acquire(keys, args(2, "a"), free)).admitted).toBe(true);
    expect((await scripts.acquire(keys, args(2, "b"), free + 10)).admitted).toBe(true);
  });

  it("drops a waiter that stopped asking, so it cannot hold the queue", async () => {
    const t = 1_000_000;
    expect((await scripts.acquire(keys, args(1, "x", { staleMs: 500 }), t)).admitted).toBe(true);
    await scripts.release(keys, "x", 60_000, t);
    expect((await scripts.acquire(keys, args(1, "crashed", { staleMs: 500 }), t + 1)).admitted).toBe(false);
    const later = t + windowMs + marginMs + 600;
    expect((await scripts.acquire(keys, args(1, "alive", { staleMs: 500 }), later)).admitted).toBe(true);
  });

  it("holds every caller until a pause ends", async () => {
    const t = 1_000_000;
    await scripts.pause(keys, 500, 60_000, t);
    await scripts.pause(keys, 100, 60_000, t); // a shorter pause does not shorten it
    expect(await scripts.acquire(keys, args(5, "a"), t + 100)).toMatchObject({ admitted: false, waitMs: 400 });
    expect((await scripts.acquire(keys, args(5, "a"), t + 500)).admitted).toBe(true);
  });

  it("frees a crashed worker's slot a lease after its last renewal, plus the window", async () => {
    const t = 1_000_000;
    const lease = { leaseMs: 2_000 };
    expect((await scripts.acquire(keys, args(1, "crash", lease), t)).admitted).toBe(true);
    await scripts.renew(keys, ["crash"], 2_000, 60_000, t + 1_000);
    const free = t + 1_000 + 2_000 + windowMs + marginMs;
    expect(await scripts.acquire(keys, args(1, "next", lease), free - 1)).toMatchObject({
      admitted: false,
      blockedInFlight: false,
      waitMs: 1,
    });
    expect((await scripts.acquire(keys, args(1, "next", lease), free)).admitted).toBe(true);
  });

  it("anchors a written call at the earlier of its write plus the margin and its response", async () => {
    const t = 1_000_000;
    for (const id of ["quick", "slow"]) expect((await scripts.acquire(keys, args(2, id), t)).admitted).toBe(true);
    await scripts.sent(keys, "quick", sentMarginMs, 60_000, t);
    await scripts.release(keys, "quick", 60_000, t + 40); // answered within the margin: the response is earlier
    await scripts.sent(keys, "slow", sentMarginMs, 60_000, t);
    await scripts.release(keys, "slow", 60_000, t + sentMarginMs + 40); // answered later: the write stays the anchor
    const quickFree = t + 40 + windowMs + marginMs;
    expect(await scripts.acquire(keys, args(2, "next"), quickFree - 1)).toMatchObject({ admitted: false, waitMs: 1 });
    expect((await scripts.acquire(keys, args(2, "next"), quickFree)).admitted).toBe(true);
    const slowFree = t + sentMarginMs + windowMs + marginMs;
    expect(await scripts.acquire(keys, args(2, "later"), slowFree - 1)).toMatchObject({ admitted: false, waitMs: 1 });
    expect((await scripts.acquire(keys, args(2, "later"), slowFree)).admitted).toBe(true);
  });

  it("counts a call released after Redis lost its slot (a restart), since the server did count it", async () => {
    const t = 1_000_000;
    await scripts.release(keys, "from-before-the-restart", 60_000, t);
    expect(await scripts.acquire(keys, args(1, "a"), t + 1)).toMatchObject({ admitted: false, waitMs: windowMs + marginMs - 1 });
  });

  it("counts the workers asking, and sets every key to expire", async () => {
    const t = 1_000_000;
    await scripts.acquire(keys, args(10, "a", { workerId: "w1" }), t);
    const reply = await scripts.acquire(keys, args(10, "b", { workerId: "w2" }), t);
    expect(reply.liveWorkers).toBe(2);
    for (const key of [keys.log, keys.ticket, keys.workers]) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
  });
});
