import { describe, expect, it } from "vitest";
import { apiKey, useCli } from "./helpers.js";

// Arguments, help, and failures of the service, as the command line reports them.
const cli = useCli();

describe("the command line", () => {
  it.each([
    [["status"], "xai-batch status: missing BATCH_ID"],
    [["status", "a", "b"], 'unexpected argument "b"'],
    [["status", "a", "--bogus"], "unknown option --bogus"],
    [["list", "--limit", "zero"], '--limit expects a whole number from 1 up, got "zero"'],
    [
      ["status", "a", "--base-url", "http://10.1.2.3:50051"],
      "http://10.1.2.3:50051 is plaintext http:// to 10.1.2.3, which is not a loopback address",
    ],
    [
      ["status", "a", "--base-url", "http://10.1.2.3:50051", "--insecure"],
      "or --insecure-force (or XAI_BATCH_ALLOW_INSECURE=1) on a trusted private network",
    ],
    [["status", "a", "--base-url", "not a url"], "--base-url expects a URL"],
    [["bogus"], 'xai-batch: unknown command "bogus"'],
  ])("%j exits 2 with a message", async (args, message) => {
    const done = await cli.run(args);
    expect(done.code).toBe(2);
    expect(done.stderr).toContain(message);
  });

  it("asks for an API key when there is none", async () => {
    const done = await cli.run(["status", "a", "--base-url", "http://127.0.0.1:1"], { XAI_API_KEY: undefined });
    expect(done.code).toBe(2);
    expect(done.stderr).toContain("no API key: set XAI_API_KEY (or pass --api-key)");
  });

  it("prints help for the tool and each command", async () => {
    const top = await cli.run(["--help"]);
    expect(top.code).toBe(0);
    for (const name of ["run", "check", "create", "add", "status", "wait", "results", "retry-failed", "cancel", "list", "serve"])
      expect(top.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
    const add = await cli.run(["add", "--help"]);
    expect(add.code).toBe(0);
    expect(add.stdout).toContain("Usage: xai-batch add BATCH_ID FILE.jsonl [options]");
    expect(add.stdout).toContain("--strict");
    expect(add.stdout).toContain("--insecure-force");
  });

  it("exits 4 when the service refuses the key or the id, with a hint, and never prints the API key", async () => {
    const emu = await cli.emulator({ apiKeys: ["the-only-allowed-key-123"] });
    const denied = await cli.run(["status", "batch_x", "--api-key", apiKey, ...cli.at(emu)]);
    expect(denied.code).toBe(4);
    expect(denied.stderr).toContain("Check the API key");
    const missing = await cli.run(["status", "batch_x", "--api-key", "the-only-allowed-key-123", ...cli.at(emu)]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/GetBatch: \[not_found\].*\nCheck the batch id/);
    for (const output of [denied.stdout, denied.stderr, missing.stdout, missing.stderr]) {
      expect(output).not.toContain(apiKey);
      expect(output).not.toContain("the-only-allowed-key-123");
    }
  });
});
