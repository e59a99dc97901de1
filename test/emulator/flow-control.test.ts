import { connect } from "node:http2";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { useEmulators } from "./helpers.js";

const http2DefaultWindow = 65_535;
const mib = 1024 * 1024;

describe("HTTP/2 flow control", () => {
  const env = useEmulators();

  // At HTTP/2's default windows a client sending a 25 MB call stalls every 64 KiB the server is busy.
  it("grants a client megabytes in flight, per call and per connection, not HTTP/2's 64 KiB", async () => {
    const emu = await env.start();
    const session = connect(emu.url);
    session.on("error", () => {});
    try {
      const deadline = Date.now() + 5_000;
      const granted = () => ({ stream: session.remoteSettings?.initialWindowSize ?? 0, connection: session.state.remoteWindowSize ?? 0 });
      while (Date.now() < deadline && (granted().stream <= http2DefaultWindow || granted().connection <= http2DefaultWindow)) await sleep(10);
      expect(granted().stream).toBeGreaterThanOrEqual(4 * mib);
      expect(granted().connection).toBeGreaterThanOrEqual(16 * mib);
    } finally {
      session.destroy();
    }
  });
});
