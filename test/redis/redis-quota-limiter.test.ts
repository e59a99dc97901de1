import { Redis } from "ioredis";
import { setImmediate as turn } from "node:timers/promises";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { ApiError, Client, Code, InputError, type Permit, type QuotaLimiter, type QuotaScope } from "../../src/index.js";
import { sentMarginMs } from "../../src/core/internal/pacing.js";
import { localShare } from "../../src/redis/local-share.js";
import { redisQuotaLimiter, type RedisQuotaLimiter } from "../../src/redis/redis-quota-limiter.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { expectAtMostPerWindow } from "../support/windows.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function redisServer(): Promise<RedisServer> {
  const server = await startRedisServer();
  cleanups.push(() => server.stop());
  return server;
}

function limiter(url: string, options: Parameters<typeof redisQuotaLimiter>[0] = {}): RedisQuotaLimiter {
  const created = redisQuotaLimiter({ url, ...options });
  cleanups.push(() => created.close());
  return created;
}

/** A limiter on a connection of the test's own: a command the test sends on it lands after the limiter's. */
async function onConnection(server: RedisServer): Promise<{ redis: Redis; shared: RedisQuotaLimiter }> {
  const redis = new Redis(server.url);
  cleanups.push(() => redis.quit().then(() => undefined));
  const shared = redisQuotaLimiter({ client: redis });
  return { redis, shared };
}

let teams = 0;
function scope(add: { limit: number; windowMs: number }): QuotaScope {
  return { team: `team-${process.pid}-${++teams}`, rates: { create: { limit: 1, windowMs: 100 }, add } };
}

/** The key of `team`'s add lane holding `what` (see QuotaKeys). */
const addKey = (team: QuotaScope, what: "log" | "queue" | "pause") => `xai-batch:{${team.team}}:add:${what}`;

/** Redis's clock, in ms: what the scripts read. */
async function redisNow(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1_000 + Number(micros) / 1_000;
}

/** Takes `count` add permits one after another; resolves to when each was admitted. */
async function admitInTurn(quota: QuotaLimiter, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const permit = await quota.acquire("add");
    times.push(Date.now());
    permit.release();
  }
  return times;
}

/**
 * Asks until `condition` holds, for state that changes in Redis or in a connection the test cannot
 * watch; each ask is a round trip, with a turn of the event loop between. The bound is against a hang.
 */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 10 s`);
    await turn();
  }
}

describe("redisQuotaLimiter", () => {
  it("two workers with their own connections never admit more than the limit in any window", async () => {
    const server = await redisServer();
    const team = scope({ limit: 5, windowMs: 300 });
    const workers = [limiter(server.url).forScope(team), limiter(server.url).forScope(team)];
    const times: number[][] = [[], []];
    await Promise.all(
      workers.flatMap((quota, w) =>
        Array.from({ length: 4 }, async () => {
          for (let i = 0; i < 4; i++) {
            const permit = await quota.acquire("add");
            times[w]!.push(Date.now());
            await turn(); // held while other work runs, as a call is
            permit.release();
          }
        }),
      ),
    );
    expect(times[0]).toHaveLength(16);
    expect(times[1]).toHaveLength(16);
    expectAtMostPerWindow([...times[0]!, ...times[1]!], 5, 300);
  });

  it("anchors a written call at its response when that comes within the margin, and at the write otherwise", async () => {
    // The limiter tells "within the margin" by its own clock, which the test moves; Redis keeps its own.
    vi.useFakeTimers({ toFake: ["Date"] });
    const { redis, shared } = await onConnection(await redisServer());
    const team = scope({ limit: 2, windowMs: 400 });
    const quota = shared.forScope(team);
    const log = addKey(team, "log");
    /** Takes an add permit; returns it with a reader of its slot's anchor in the log, on the limiter's connection (after its scripts). */
    const admit = async () => {
      const before = new Set(await redis.zrange(log, "0", "-1"));
      const permit = await quota.acquire("add");
      const [id] = (await redis.zrange(log, "0", "-1")).filter((member) => !before.has(member));
      return { permit, anchor: async () => Number(await redis.zscore(log, id!)) };
    };

    const quick = await admit();
    const quickWritten = await redisNow(redis);
    quick.permit.sent!();
    quick.permit.release(); // a small call answered at once: its slot is the response's, not the write's plus the margin
    const quickAnchor = await quick.anchor();
    expect(quickAnchor).toBeGreaterThanOrEqual(quickWritten);
    expect(quickAnchor).toBeLessThanOrEqual(await redisNow(redis));

    const slow = await admit();
    const slowWritten = await redisNow(redis);
    slow.permit.sent!();
    const writtenAnchor = await slow.anchor();
    expect(writtenAnchor - sentMarginMs).toBeGreaterThanOrEqual(slowWritten);
    expect(writtenAnchor - sentMarginMs).toBeLessThanOrEqual(await redisNow(redis));
    vi.setSystemTime(Date.now() + sentMarginMs);
    slow.permit.release(); // answered after the margin: the write plus the margin stays the anchor
    expect(await slow.anchor()).toBe(writtenAnchor);
  });

  it("a pause from the server's RetryInfo, told to one worker, holds the others", async () => {
    const server = await redisServer();
    const team = scope({ limit: 100, windowMs: 1_000 });
    const { redis, shared } = await onConnection(server);
    const [a, b] = [shared.forScope(team), limiter(server.url).forScope(team)];
    (await b.acquire("add")).release(); // b is connected and warm
    a.pause("add", Date.now() + 500);
    // On a's connection, after the pause it sent without waiting (the client's pause() is synchronous).
    const pausedUntil = Number(await redis.get(addKey(team, "pause")));
    expect(await redisNow(redis)).toBeLessThan(pausedUntil); // b asks while the pause holds
    (await b.acquire("add")).release();
    expect(await redisNow(redis)).toBeGreaterThanOrEqual(pausedUntil);
  });

  it("keys its state by a hash of the client's API key, never the key, and lets every key expire", async () => {
    const server = await redisServer();
    const emulator: Emulator = await startEmulator({ limits: { createIntervalMs: 0 } });
    cleanups.push(() => emulator.stop());
    const apiKey = "xai-very-secret-key-42";
    const client = new Client({ apiKey, baseUrl: emulator.url, quotaLimiter: limiter(server.url) });
    cleanups.push(() => client.close());
    await client.batch.create("keyed");
    const inspect = new Redis(server.url);
    cleanups.push(() => inspect.quit().then(() => undefined));
    const keys = await inspect.keys("*");
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatch(/^xai-batch:\{[0-9a-f]{32}\}:/);
      expect(key).not.toContain(apiKey);
      expect(await inspect.pttl(key)).toBeGreaterThan(0);
    }
  });

  it("a waiter that gives up leaves the queue at once, so it does not hold up the next", async () => {
    const { redis, shared } = await onConnection(await redisServer());
    const team = scope({ limit: 1, windowMs: 300 });
    const quota = shared.forScope(team);
    const held = await quota.acquire("add"); // in flight: the next waits for it, however long
    const abort = new AbortController();
    const gaveUp = quota.acquire("add", abort.signal);
    await until(async () => (await redis.zcard(addKey(team, "queue"))) === 1, "the waiter queued");
    abort.abort(new Error("gave up"));
    await expect(gaveUp).rejects.toThrow("gave up");
    // On the limiter's connection, after it left: a waiter left in the queue would hold the next until it went stale (5 s).
    expect(await redis.zcard(addKey(team, "queue"))).toBe(0);
    held.release();
    (await quota.acquire("add")).release();
  });

  it('with whenUnreachable "fail", calls fail with UNAVAILABLE while Redis is down and resume by themselves when it is back', async () => {
    const server = await redisServer();
    const emulator: Emulator = await startEmulator({ limits: { createIntervalMs: 0 } });
    cleanups.push(() => emulator.stop());
    const client = new Client({
      apiKey: "k",
      baseUrl: emulator.url,
      quotaLimiter: limiter(server.url, { whenUnreachable: "fail" }),
      retry: { maxAttempts: 1 },
    });
    cleanups.push(() => client.close());
    await client.batch.create("before");
    await server.kill();
    const error = await client.batch.create("during").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe(Code.Unavailable);
    expect((error as ApiError).message).toMatch(/Redis quota store \(redis:\/\/127\.0\.0\.1:\d+\) is unreachable/);
    await server.restart();
    await until(
      () =>
        client.batch.create("after").then(
          () => true,
          () => false,
        ),
      "a creation after Redis came back",
    );
    expect(emulator.counters().rejections.rate).toBe(0);
  });

  it("while Redis is down, a worker waits one window, then paces to its share of the workers it saw; back on Redis, the team waits for those calls to leave the window", async () => {
    const server = await redisServer();
    const team = scope({ limit: 4, windowMs: 400 });
    const a = limiter(server.url).forScope(team);
    const b = limiter(server.url).forScope(team);
    await admitInTurn(b, 1);
    await admitInTurn(a, 1); // a saw two workers ask: while Redis is down, it takes 4 / 2 per window
    await server.kill();
    const lostAt = Date.now();
    const local = await admitInTurn(a, 5);
    expect(local[0]).toBeGreaterThanOrEqual(lostAt + 400); // nothing for a window: the shared log may have been full
    expectAtMostPerWindow(local, 2, 400);
    await server.restart();
    const inspect = new Redis(server.url);
    cleanups.push(() => inspect.quit().then(() => undefined));
    // Back on Redis: a reports its local calls, so b (which paced nothing) is held until they have left the window.
    let back = false;
    const aGoesOn = (async () => {
      while (!back) (await a.acquire("add")).release();
    })();
    await until(async () => (await inspect.exists(addKey(team, "pause"))) === 1, "a reported its local calls");
    back = true;
    const pausedUntil = Number(await inspect.get(addKey(team, "pause")));
    expect(pausedUntil).toBeGreaterThanOrEqual(local.at(-1)! + 400);
    (await b.acquire("add")).release();
    expect(await redisNow(inspect)).toBeGreaterThanOrEqual(pausedUntil);
    await aGoesOn;
  });

  it("gives clients of one team and limits one view, so they also share one local share while Redis is away", () => {
    const shared = limiter("redis://127.0.0.1:1");
    const team = scope({ limit: 4, windowMs: 400 });
    expect(shared.forScope(team)).toBe(shared.forScope({ ...team }));
    expect(shared.forScope(team)).not.toBe(shared.forScope({ ...team, rates: { ...team.rates, add: { limit: 5, windowMs: 400 } } }));
  });

  it("refuses unclear options with a message naming the fix, and an acquire before it knows its team", async () => {
    expect(() => redisQuotaLimiter({})).toThrow(/exactly one of `url`/);
    expect(() => redisQuotaLimiter({ url: "http://127.0.0.1:6379" })).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(() => redisQuotaLimiter({ url: "redis://127.0.0.1:1", whenUnreachable: "open" as "fail" })).toThrow(/"local" or "fail"/);
    expect(() => redisQuotaLimiter({ url: "redis://127.0.0.1:1", expectedWorkers: 0 })).toThrow(/expectedWorkers/);
    const unscoped = limiter("redis://127.0.0.1:1");
    await expect(unscoped.acquire()).rejects.toBeInstanceOf(InputError);
    expect(() => redisQuotaLimiter({ url: "redis://user:hunter2@127.0.0.1:6379", pollMs: 0 })).toThrow(/pollMs/);
  });

  it("with the client's own ioredis connection, it leaves that connection open on close", async () => {
    const server = await redisServer();
    const client = new Redis(server.url);
    cleanups.push(() => client.quit().then(() => undefined));
    const shared = redisQuotaLimiter({ client });
    const permit: Permit = await shared.forScope(scope({ limit: 2, windowMs: 100 })).acquire("add");
    permit.release();
    await shared.close();
    expect(await client.ping()).toBe("PONG");
  });
});

describe("localShare", () => {
  it.each([
    [{ limit: 100, windowMs: 30_000 }, 1, { limit: 100, windowMs: 30_000 }],
    [{ limit: 100, windowMs: 30_000 }, 8, { limit: 12, windowMs: 30_000 }],
    [{ limit: 100, windowMs: 30_000 }, 100, { limit: 1, windowMs: 30_000 }],
    [{ limit: 1, windowMs: 1_000 }, 8, { limit: 1, windowMs: 8_000 }],
    [{ limit: 3, windowMs: 1_000 }, 8, { limit: 1, windowMs: 2_667 }],
  ])("%o shared by %i workers is %o each", (rate, workers, share) => {
    expect(localShare(rate, workers)).toEqual(share);
    // Together the workers never exceed the rate: per window, share.limit * workers * (windowMs / share.windowMs) ≤ limit.
    expect((share.limit * workers * rate.windowMs) / share.windowMs).toBeLessThanOrEqual(rate.limit);
  });
});
