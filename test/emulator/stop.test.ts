import { expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import { Client } from "../../src/index.js";

it("stops within its grace period even while a client keeps its connection open", async () => {
  const emu = await startEmulator();
  const client = new Client({ apiKey: "k", baseUrl: emu.url });
  await client.batch.create("held");
  const started = Date.now();
  await emu.stop();
  expect(Date.now() - started).toBeLessThan(2_000);
  client.close();
});
