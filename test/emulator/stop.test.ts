import { it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import { Client } from "../../src/index.js";

it("stops even while a client keeps its connection open, and cuts that connection", async () => {
  const emu = await startEmulator();
  const client = new Client({ apiKey: "k", baseUrl: emu.url });
  await client.batch.create("held");
  // A stop() that waited for the client to let go would hang here until the test's timeout.
  await emu.stop();
  await emu.waitFor((c) => c.connectionsAccepted > 0 && c.connectionsClosed === c.connectionsAccepted);
  client.close();
});
