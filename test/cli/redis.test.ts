import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { useCli } from "./helpers.js";

const cli = useCli();
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

it("--redis (or XAI_BATCH_REDIS_URL) shares the team's quota between command-line processes", { timeout: 30_000 }, async () => {
  // The emulator refereeing: one create per 900 ms for the team, just inside the client's one per second.
  const emu = await cli.emulator({ limits: { createIntervalMs: 900 } });
  const [flag, env] = await Promise.all([
    cli.run(["create", "by-flag", ...cli.at(emu), "--redis", redis.url]),
    cli.run(["create", "by-env", ...cli.at(emu)], { XAI_BATCH_REDIS_URL: redis.url }),
  ]);
  expect([flag.code, env.code]).toEqual([0, 0]);
  // Paced alone, the two would have collided (one rejected, then retried); through Redis the second waited
  // its turn, which the emulator, refusing a create sooner than 900 ms after the last, confirms.
  expect(emu.counters().rejections.rate).toBe(0);
  expect(emu.counters().batchesCreated).toBe(2);
  const inspect = new Redis(redis.url);
  const keys = await inspect.keys("xai-batch:*:create:log");
  await inspect.quit();
  expect(keys).toHaveLength(1);
});

it("refuses a --redis value that is not a redis:// URL, without echoing a password", async () => {
  const done = await cli.run(["status", "b", "--redis", "http://user:hunter2@127.0.0.1:6379"]);
  expect(done.code).toBe(2);
  expect(done.stderr).toContain("--redis expects a URL such as redis://127.0.0.1:6379");
  expect(done.stderr).not.toContain("hunter2");
});
