import { afterEach, describe, expect, it } from "vitest";
import { resolveClientOptions } from "../src/internal/client-settings.js";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { Client, InputError, type Logger } from "../src/index.js";

// The logLevel and logger options, and XAI_BATCH_LOG: what a service sees in its logs, and what it never does.

const apiKey = "xai-logging-test-key-0123456789";

interface Line {
  readonly level: string;
  readonly message: string;
  readonly fields: Record<string, unknown> | undefined;
}

function recorder(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => lines.push({ level, message, fields });
  return { logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }, lines };
}

let emu: Emulator | undefined;
let client: Client | undefined;
afterEach(async () => {
  client?.close();
  await emu?.stop();
});

describe("logging", () => {
  it("logs each retry at info with the method, attempt, delay and request id; every attempt at debug", async () => {
    emu = await startEmulator({ limits: { createIntervalMs: 0 }, faults: { unavailableRate: 0.5, seed: 3 } });
    const { logger, lines } = recorder();
    client = new Client({
      apiKey,
      baseUrl: emu.url,
      logLevel: "debug",
      logger,
      retry: {
        maxAttempts: 20,
        transientBackoff: { initialMs: 1, maxMs: 5, multiplier: 2 },
        budget: { maxTokens: 1_000, tokenRatio: 0.1 },
      },
    });
    for (let i = 0; i < 6; i++) await client.batch.list({ limit: 1 });
    const retries = lines.filter((l) => l.level === "info" && / attempt \d+ failed \(.*\); retrying in \d+ ms/.test(l.message));
    expect(retries.length).toBeGreaterThan(0);
    expect(retries[0]!.fields).toMatchObject({
      method: "ListBatches",
      attempt: expect.any(Number),
      delayMs: expect.any(Number),
      code: 14,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(retries[0]!.message).toContain("on a new connection if this one was lost");
    const attempts = lines.filter((l) => l.level === "debug" && /^xai-batch: ListBatches attempt \d+ (succeeded|failed)/.test(l.message));
    expect(attempts.length).toBe(emu.counters().calls.ListBatches);
  }, 20_000);

  it("at the default level (warn) a retried call writes nothing; quota waits of a second or more are info", async () => {
    emu = await startEmulator({ limits: { createIntervalMs: 0 }, faults: { unavailableRate: 0.5, seed: 3 } });
    const quiet = recorder();
    client = new Client({
      apiKey,
      baseUrl: emu.url,
      logger: quiet.logger,
      retry: {
        maxAttempts: 20,
        transientBackoff: { initialMs: 1, maxMs: 5, multiplier: 2 },
        budget: { maxTokens: 1_000, tokenRatio: 0.1 },
      },
    });
    for (let i = 0; i < 6; i++) await client.batch.list({ limit: 1 });
    expect(quiet.lines).toEqual([]);
    client.close();

    const info = recorder();
    client = new Client({ apiKey, baseUrl: emu.url, logLevel: "info", logger: info.logger, limits: { createPerSecond: 1 } });
    await client.batch.create("one");
    await client.batch.create("two"); // one creation per second: the second waits about a second for its slot
    const wait = info.lines.find((l) => l.message.includes("CreateBatch waited"));
    expect(wait?.fields?.quotaWaitMs as number).toBeGreaterThanOrEqual(900);
    expect(wait?.level).toBe("info");
  }, 20_000);

  it("never writes the API key, whatever the call and its failure", async () => {
    emu = await startEmulator({ apiKeys: ["another-key-entirely-0123456789"] });
    const { logger, lines } = recorder();
    client = new Client({ apiKey, baseUrl: emu.url, logLevel: "debug", logger, metadata: { "x-note": apiKey } });
    await expect(client.batch.get(`batch_${apiKey}`)).rejects.toThrow();
    expect(lines.length).toBeGreaterThan(0);
    const written = JSON.stringify(lines);
    expect(written).not.toContain(apiKey);
    expect(written).toContain("permission_denied");
  });

  it("takes its level from XAI_BATCH_LOG unless logLevel is given, and refuses a level it does not know", () => {
    const env = { XAI_API_KEY: apiKey };
    expect(resolveClientOptions({}, env).logLevel).toBe("warn");
    expect(resolveClientOptions({}, { ...env, XAI_BATCH_LOG: "DEBUG" }).logLevel).toBe("debug");
    expect(resolveClientOptions({ logLevel: "off" }, { ...env, XAI_BATCH_LOG: "debug" }).logLevel).toBe("off");
    expect(() => resolveClientOptions({}, { ...env, XAI_BATCH_LOG: "verbose" })).toThrow(InputError);
    expect(() => resolveClientOptions({}, { ...env, XAI_BATCH_LOG: "verbose" })).toThrow(
      /Expected XAI_BATCH_LOG to be one of "debug", "info", "warn", "error", "off", got "verbose"/,
    );
    expect(() => resolveClientOptions({ logger: {} as Logger }, env)).toThrow(
      /Expected `logger` to have debug, info, warn and error methods/,
    );
  });
});
