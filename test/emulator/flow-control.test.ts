import { once } from "node:events";
import { connect, constants } from "node:http2";
import { describe, expect, it } from "vitest";
import { useEmulators } from "./helpers.js";

const mib = 1024 * 1024;

describe("HTTP/2 flow control", () => {
  const env = useEmulators();

  // At HTTP/2's default windows a client sending a 25 MB call stalls every 64 KiB the server is busy.
  it("grants a client megabytes in flight, per call and per connection, not HTTP/2's 64 KiB", async () => {
    const emu = await env.start();
    const session = connect(emu.url);
    session.on("error", () => {});
    try {
      // The server grants its windows as the session opens, before it answers anything on it: once a
      // call is answered, its SETTINGS and WINDOW_UPDATE have arrived. The call sends no body, so it
      // takes nothing from the windows (grpc-js refuses it for want of a message).
      const stream = session.request({
        [constants.HTTP2_HEADER_METHOD]: "POST",
        [constants.HTTP2_HEADER_PATH]: "/xai_api.BatchMgmt/ListBatches",
        [constants.HTTP2_HEADER_CONTENT_TYPE]: "application/grpc",
        te: "trailers",
      });
      stream.end();
      stream.resume();
      await once(stream, "close");
      expect(session.remoteSettings?.initialWindowSize).toBeGreaterThanOrEqual(4 * mib);
      expect(session.state.remoteWindowSize).toBeGreaterThanOrEqual(16 * mib);
    } finally {
      session.destroy();
    }
  });
});
