import { readdirSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import type { EmulatorCounters } from "../../src/emulator/index.js";
import { http2Frame as frame, useEmulators } from "./helpers.js";

const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

const settings = frame(0x4, 0, 0);
const settingsAck = frame(0x4, 0x1, 0);

/** Protocol errors a peer can commit right after the preface, each fatal to the HTTP/2 session. */
const protocolErrors: Record<string, Buffer> = {
  "PING of 7 bytes": frame(0x6, 0, 0, Buffer.alloc(7)),
  "DATA on stream 0": frame(0x0, 0, 0, Buffer.alloc(4)),
  "SETTINGS of 5 bytes": frame(0x4, 0, 0, Buffer.alloc(5)),
  "WINDOW_UPDATE of 0": frame(0x8, 0, 0, Buffer.alloc(4)),
};

/** HPACK literal header fields without indexing, so a test can write HEADERS frames by hand. */
function hpack(headers: Record<string, string>): Buffer {
  return Buffer.concat(
    Object.entries(headers).map(([name, value]) =>
      Buffer.concat([Buffer.from([0x00, name.length]), Buffer.from(name), Buffer.from([value.length]), Buffer.from(value)]),
    ),
  );
}

/** A raw TCP connection that records what the server sends and whether the server closed it. */
class RawPeer {
  readonly socket: Socket;
  received = Buffer.alloc(0);
  serverEnded = false;
  /** Resolves when the server has acknowledged this peer's SETTINGS: the HTTP/2 handshake is done. */
  readonly handshaken: Promise<void>;
  /** Resolves when the server ends or cuts the connection. */
  readonly ended: Promise<void>;
  /** Resolves when this side's socket is closed and its file descriptor released. */
  readonly closed: Promise<unknown>;

  constructor(port: number, first: Buffer) {
    this.socket = connect(port, "127.0.0.1", () => this.socket.write(first));
    this.handshaken = new Promise((resolve) => {
      this.socket.on("data", (chunk: Buffer) => {
        this.received = Buffer.concat([this.received, chunk]);
        if (this.received.includes(settingsAck)) resolve();
      });
    });
    // Not events.once, which rejects on the socket's "error" (a reset peer) before its "close".
    this.closed = new Promise((resolve) => this.socket.once("close", resolve));
    this.ended = new Promise((resolve) => {
      const end = () => {
        this.serverEnded = true;
        resolve();
      };
      this.socket.on("end", end);
      this.socket.on("close", end);
    });
    this.socket.on("error", () => {});
  }
}

function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

function openConnections({ connectionsAccepted, connectionsClosed }: EmulatorCounters): number {
  return connectionsAccepted - connectionsClosed;
}

describe("hostile connections", () => {
  const env = useEmulators();

  it("closes the socket of every connection that commits a protocol error, and keeps serving", async () => {
    const warnings: string[] = [];
    const emu = await env.start({ onWarning: (message) => warnings.push(message) });
    const client = env.client(emu);
    await client.call("listBatches", {});
    const fdsBefore = openFds();
    const perKind = 25;
    const peers = Object.values(protocolErrors).flatMap((bad) =>
      Array.from({ length: perKind }, () => new RawPeer(emu.port, Buffer.concat([preface, settings, bad]))),
    );

    // The peers never close their side: the server must close the connection by itself.
    await Promise.all(peers.map((peer) => peer.ended));
    // The server's sockets of the failed sessions are gone...
    await emu.waitFor((c) => openConnections(c) === 1);
    // ...so once the peers' own are closed, file descriptors are back to where they were.
    for (const peer of peers) peer.socket.destroy();
    await Promise.all(peers.map((peer) => peer.closed));
    expect(openFds()).toBeLessThanOrEqual(fdsBefore);

    expect(emu.counters().sessionsFailed).toBe(peers.length);
    expect(warnings.filter((w) => w.includes("sessionsFailed"))).toHaveLength(1);
    await expect(client.call("listBatches", {})).resolves.toBeDefined();
  });

  it("refuses connections over maxConnections at once and serves again when they close", async () => {
    const warnings: string[] = [];
    const emu = await env.start({ maxConnections: 5, onWarning: (message) => warnings.push(message) });
    const idle = Array.from({ length: 5 }, () => new RawPeer(emu.port, Buffer.concat([preface, settings])));
    await emu.waitFor((c) => openConnections(c) === 5);
    const over = [new RawPeer(emu.port, Buffer.concat([preface, settings])), new RawPeer(emu.port, Buffer.concat([preface, settings]))];
    await Promise.all(over.map((peer) => peer.ended));

    expect(emu.counters().connectionsRefused).toBe(2);
    expect(warnings).toEqual([expect.stringContaining("maxConnections")]);
    expect(idle.some((peer) => peer.serverEnded)).toBe(false);
    for (const peer of idle) peer.socket.destroy();
    await emu.waitFor((c) => openConnections(c) === 0);
    await expect(env.client(emu).call("listBatches", {})).resolves.toBeDefined();
  });

  it("holds clients to maxConcurrentStreams: one that honours it queues its calls, one that exceeds it is cut off", async () => {
    const emu = await env.start({ maxConcurrentStreams: 2, faults: { latencyMs: 50 } });
    const client = env.client(emu);
    await expect(Promise.all(Array.from({ length: 10 }, () => client.call("listBatches", {})))).resolves.toHaveLength(10);

    const headers = hpack({
      ":method": "POST",
      ":scheme": "http",
      ":path": "/xai_api.BatchMgmt/ListBatches",
      ":authority": "127.0.0.1",
      "content-type": "application/grpc",
      te: "trailers",
    });
    const peer = new RawPeer(emu.port, Buffer.concat([preface, settings]));
    await peer.handshaken;
    // HEADERS without END_STREAM, so each call stays open; the third is one more than the acknowledged limit.
    peer.socket.write(Buffer.concat([settingsAck, ...[1, 3, 5].map((id) => frame(0x1, 0x4, id, headers))]));
    // Node 20 resets the excess stream (RST_STREAM, counted in streamsRefused) and drops the session;
    // Node 22 and later end the session at once (GOAWAY, counted in sessionsFailed). Either is counted.
    await emu.waitFor((c) => c.streamsRefused + c.sessionsFailed >= 1);
    await peer.ended;
    expect(openConnections(emu.counters())).toBe(1);
    await expect(client.call("listBatches", {})).resolves.toBeDefined();
  });
});
