import { create } from "@bufbuild/protobuf";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Client } from "../src/index.js";
import { BatchSchema } from "../src/wire.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

const apiKey = "xai-test-key-0123456789";
let server: TestServer;
let client: Client;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});
beforeEach(() => {
  server.calls.length = 0;
  client = new Client({ apiKey, baseUrl: server.url });
  return () => client.close();
});

describe("smoke", () => {
  it("gets a batch", async () => {
    server.handle({ getBatch: async (req) => create(BatchSchema, { batchId: req.batchId, name: "n" }) });
    const b = await client.batch.get("b1");
    expect(b.batchId).toBe("b1");
    expect(server.calls[0]?.metadata.authorization).toBe(`Bearer ${apiKey}`);
  });
});
