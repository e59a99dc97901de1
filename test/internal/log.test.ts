import { describe, expect, it } from "vitest";
import { Log } from "../../src/internal/log.js";
import type { Logger } from "../../src/index.js";

const secret = "xai-secret-key-0123456789";

function capture(): { logger: Logger; lines: unknown[][] } {
  const lines: unknown[][] = [];
  const at =
    (level: string) =>
    (...args: unknown[]) =>
      lines.push([level, ...args]);
  return { logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }, lines };
}

describe("Log", () => {
  it("writes the levels at and above its own, with the secret scrubbed from the message and from fields at any depth", () => {
    const { logger, lines } = capture();
    const log = new Log("info", logger, [secret]);
    log.write("debug", "hidden", {});
    log.write("info", `echoed ${secret}`, { nested: [{ [secret]: `Bearer ${secret}` }] });
    log.write("error", "bad", { code: 3 });
    expect(lines).toEqual([
      ["info", "xai-batch: echoed [redacted]", { nested: [{ "[redacted]": "Bearer [redacted]" }] }],
      ["error", "xai-batch: bad", { code: 3 }],
    ]);
    expect(log.enabled("debug")).toBe(false);
    expect(log.enabled("warn")).toBe(true);
  });

  it('"off" writes nothing, and a logger that throws does not fail the caller', () => {
    const { logger, lines } = capture();
    new Log("off", logger, []).write("error", "x", {});
    expect(lines).toEqual([]);
    const throwing: Logger = {
      ...logger,
      warn: () => {
        throw new Error("disk full");
      },
    };
    expect(() => new Log("debug", throwing, []).write("warn", "x", {})).not.toThrow();
  });
});
