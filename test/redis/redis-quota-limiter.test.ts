import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { ApiError, Client, Code, InputError, type Permit, type QuotaLimiter, type QuotaScope } from "../../src/index.js";
import { sentMarginMs } from "../../src/core/internal/pacing.js";
import { localShare } from "../../src/redis/local-share.js";
import { redisQuotaLimiter, type RedisQuotaLimiter } from "../../src/redis/redis-quota-limiter.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
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

let teams = 0;
function scope(add: { limit: number; windowMs: number }): QuotaScope {
  return { team: `team-${process.pid}-${++teams}`, rates: { create: { limit: 1, windowMs: 100 }, add } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Takes `count` add permits one after another, each held `holdMs`; resolves to when each was admitted. */
async function admitInTurn(quota: QuotaLimiter, count: number, holdMs = 0): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const permit = await quota.acquire("add");
    times.push(Date.now());
    if (holdMs > 0) await sleep(holdMs);
    permit.release();
  }
  return times;
}

/** At most `limit` admissions in any `windowMs`, allowing `slackMs` for timer granularity. */
function expectWithin(times: number[], limit: number, windowMs: number, slackMs = 2): void {
  const sorted = [...times].sort((a, b) => a - b);
  for (let i = 0; i + limit < sorted.length; i++) expect(sorted[i + limit]! - sorted[i]!).toBeGreaterThanOrEqual(windowMs - slackMs);
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(50);
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
            await sleep(5);
            permit.release();
          }
        }),
      ),
    );
    expect(times[0]).toHaveLength(16);
    expect(times[1]).toHaveLength(16);
    expectWithin([...times[0]!, ...times[1]!], 5, 300);
  });

  it("anchors a written call at its response when that comes within the margin, and at the write otherwise", async () => {
    const server = await redisServer();
    const windowMs = 400;
    const quota = limiter(server.url).forScope(scope({ limit: 1, windowMs }));
    const quick = await quota.acquire("add");
    quick.sent!();
    await sleep(20);
    quick.release(); // a small call answered at once: its slot is the response's, not the write's plus the margin
    const answeredAt = Date.now();
    const slow = await quota.acquire("add");
    const secondAt = Date.now();
    expect(secondAt - answeredAt).toBeGreaterThanOrEqual(windowMs - 2);
    expect(secondAt - answeredAt).toBeLessThan(windowMs + sentMarginMs - 100);
    slow.sent!();
    const writtenAt = Date.now();
    await sleep(sentMarginMs + 50);
    slow.release(); // answered after the margin: the write plus the margin stays the anchor
    await quota.acquire("add");
    expect(Date.now() - writtenAt).toBeLessThan(windowMs + sentMarginMs + 100);
  });

  it("a pause from the server's RetryInfo, told to one worker, holds the others", async () => {
    const server = await redisServer();
    const team = scope({ limit: 100, windowMs: 1_000 });
    const [a, b] = [limiter(server.url).forScope(team), limiter(server.url).forScope(team)];
    (await b.acquire("add")).release(); // b is connected and warm
    const started = Date.now();
    a.pause("add", started + 300);
    await sleep(20); // the pause is sent without waiting, as the client's pause() is synchronous
    (await b.acquire("add")).release();
    expect(Date.now() - started).toBeGreaterThanOrEqual(295);
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
    const server = await redisServer();
    const quota = limiter(server.url).forScope(scope({ limit: 1, windowMs: 300 }));
    (await quota.acquire("add")).release();
    const releasedAt = Date.now();
    const abort = new AbortController();
    const gaveUp = quota.acquire("add", abort.signal);
    setTimeout(() => abort.abort(new Error("gave up")), 50);
    await expect(gaveUp).rejects.toThrow("gave up");
    (await quota.acquire("add")).release();
    // Its slot frees one window after the release; a waiter left ahead in the queue would hold it until
    // it went stale (5 s).
    expect(Date.now() - releasedAt).toBeLessThan(2_000);
  });

  it('with whenUnreachable "fail", calls fail with UNAVAILABLE while Redis is down and resume by themselves when it is back', async () => {
    const server = await redisServer();
    const emulator: Emulator = await startEmulator({ limits: { createIntervalMs: 0 } });
    cleanups.push(() => emulator.stop());
    const client = new Client({ apiKey: "k", baseUrl: emulator.url, quotaLimiter: limiter(server.url, { whenUnreachable: "fail" }), retry: { maxAttempts: 1 } });
    cleanups.push(() => client.close());
    await client.batch.create("before");
    await server.kill();
    const error = await client.batch.create("during").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe(Code.Unavailable);
    expect((error as ApiError).message).toMatch(/Redis quota store \(redis:\/\/127\.0\.0\.1:\d+\) is unreachable/);
    await server.restart();
    await until(() => client.batch.create("after").then(() => true, () => false), 5_000);
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
    expect(local[0]! - lostAt).toBeGreaterThanOrEqual(400);
    expectWithin(local, 2, 400);
    expect(local[4]! - local[0]!).toBeGreaterThanOrEqual(800);
    await server.restart();
    const inspect = new Redis(server.url);
    cleanups.push(() => inspect.quit().then(() => undefined));
    // Back on Redis: a reports its local calls, so b (which paced nothing) is held until they have left the window.
    const pauseKey = `xai-batch:{${team.team}}:add:pause`;
    let back = false;
    const aGoesOn = (async () => {
      while (!back) (await a.acquire("add")).release();
    })();
    await until(async () => (await inspect.exists(pauseKey)) === 1, 5_000);
    back = true;
    const [pausedUntil, [seconds, micros]] = await Promise.all([inspect.get(pauseKey), inspect.time()]);
    const heldMs = Number(pausedUntil) - (Number(seconds) * 1_000 + Number(micros) / 1_000);
    const bAsked = Date.now();
    const [bAdmitted] = await admitInTurn(b, 1);
    expect(heldMs).toBeGreaterThan(200);
    expect(bAdmitted! - bAsked).toBeGreaterThanOrEqual(heldMs - 10);
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
