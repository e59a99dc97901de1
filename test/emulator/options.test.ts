import { describe, expect, it } from "vitest";
import type { EmulatorClock } from "../../src/emulator/index.js";
import { resolveEmulatorOptions } from "../../src/emulator/options.js";
import { InputError } from "../../src/index.js";
import { defaultBatchModels } from "../../src/core/batch-models.js";

describe("resolveEmulatorOptions", () => {
  it("applies xAI's limits and the documented defaults", () => {
    const options = resolveEmulatorOptions();
    expect(options.limits).toEqual({
      createIntervalMs: 1000,
      addCallsPerWindow: 100,
      addWindowMs: 30_000,
      maxAddBytes: 25_000_000,
      maxFileBytes: 512_000_000,
    });
    expect(options).toMatchObject({
      host: "127.0.0.1",
      port: 0,
      defaultPageSize: 100,
      maxPageSize: 1000,
      maxReceiveMessageBytes: 64 * 1024 * 1024,
    });
    expect(options.models).toBe(defaultBatchModels);
    expect(options).toMatchObject({ maxConnections: 1000, maxConcurrentStreams: 100, maxHeaderListBytes: 16 * 1024, persistSync: true });
  });

  it("merges partial groups over the defaults", () => {
    const options = resolveEmulatorOptions({ limits: { addWindowMs: 300 }, faults: { latencyMs: [1, 5] } });
    expect(options.limits.addWindowMs).toBe(300);
    expect(options.limits.addCallsPerWindow).toBe(100);
    expect(options.faults.latencyMs).toEqual([1, 5]);
  });

  it.each([
    [{ limits: { addWindowMs: 0 } }, "Expected `limits.addWindowMs` to be a positive integer, got 0"],
    [{ port: 70000 }, "Expected `port` to be an integer from 0 to 65535, got 70000"],
    [{ processing: { failureRate: 2 } }, "Expected `processing.failureRate` to be a number from 0 to 1, got 2"],
    [
      { faults: { latencyMs: [5, 1] as const } },
      "Expected `faults.latencyMs` to be an integer >= 0 or a [min, max] pair of them with min <= max, got [5, 1]",
    ],
    [{ maxPageSize: 10, defaultPageSize: 20 }, "Expected `defaultPageSize` to be an integer from 1 to maxPageSize (10), got 20"],
    [{ apiKeys: ["a", ""] }, 'Expected `apiKeys` to be non-empty strings only, got ""'],
    [{ maxConnections: 0 }, "Expected `maxConnections` to be a positive integer, got 0"],
    [{ maxConcurrentStreams: 2 ** 31 }, "Expected `maxConcurrentStreams` to be an integer from 1 to 2147483647, got 2147483648"],
    [{ maxHeaderListBytes: 100 }, "Expected `maxHeaderListBytes` to be an integer >= 1024, got 100"],
    [{ persistSync: "no" as unknown as boolean }, 'Expected `persistSync` to be true or false, got "no"'],
    [
      { clock: { now: () => 0 } as unknown as EmulatorClock },
      "Expected `clock` to be an object with now() and schedule(), got [object Object]",
    ],
  ])("refuses %j with an InputError", (options, message) => {
    expect(() => resolveEmulatorOptions(options)).toThrow(InputError);
    expect(() => resolveEmulatorOptions(options)).toThrow(message);
  });
});
