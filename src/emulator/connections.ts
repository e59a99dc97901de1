import { createServer, type Server as NetServer, type Socket } from "node:net";
import { Duplex } from "node:stream";
import { declaredLengthScanner, errorFrameScanner, http2ErrorNames, type ErrorFrame } from "./http2-frames.js";

/** What the guard refuses, named as the counters that count it. */
export type ConnectionRefusal = "connectionsRefused" | "sessionsFailed" | "streamsRefused";

/** How the guard reports what it does. */
export interface ConnectionEvents {
  onAccepted(): void;
  onClosed(): void;
  /** A refusal and a message saying what happened and which option governs it. */
  onRefusal(kind: ConnectionRefusal, message: string): void;
  /** A call declared a message over `maxMessageBytes`; grpc-js refuses it from that prefix alone. */
  onOversizedMessage(message: string): void;
}

/**
 * Owns the listening socket in front of grpc-js. Node's HTTP/2 server answers a peer's protocol error
 * (bad PING length, DATA on stream 0, bad SETTINGS ...) with GOAWAY and then stops reading without ever
 * closing the socket, so each such connection would hold a file descriptor for good. The guard watches
 * what the server sends: after a GOAWAY with an error code it destroys the socket once the GOAWAY is
 * flushed. It also refuses connections beyond `maxConnections`, counts streams the HTTP/2 layer resets
 * with an error, and counts calls whose message grpc-js will refuse on its declared length.
 */
export class ConnectionGuard {
  private readonly sockets = new Set<Socket>();
  readonly server: NetServer;

  constructor(
    private readonly maxConnections: number,
    private readonly maxMessageBytes: number,
    inject: (connection: Duplex) => void,
    private readonly events: ConnectionEvents,
  ) {
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket, inject));
  }

  /** Cuts every connection at once. */
  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  private accept(socket: Socket, inject: (connection: Duplex) => void): void {
    // A peer may reset before anything is read; the error needs a listener or it would crash the process.
    socket.on("error", () => {});
    if (this.sockets.size >= this.maxConnections) {
      socket.destroy();
      this.events.onRefusal("connectionsRefused", `refused a connection: ${this.maxConnections} are open (maxConnections)`);
      return;
    }
    this.sockets.add(socket);
    this.events.onAccepted();
    socket.once("close", () => {
      this.sockets.delete(socket);
      this.events.onClosed();
    });
    inject(
      new WatchedConnection(
        socket,
        (frame) => this.onErrorFrame(socket, frame),
        (declared) => {
          if (declared > this.maxMessageBytes)
            this.events.onOversizedMessage(
              `refused a call declaring a ${declared}-byte message, over ${this.maxMessageBytes} (maxReceiveMessageBytes)`,
            );
        },
      ),
    );
  }

  private onErrorFrame(socket: Socket, frame: ErrorFrame): void {
    const name = http2ErrorNames[frame.errorCode] ?? `error ${frame.errorCode}`;
    if (frame.type === "GOAWAY") {
      if (frame.errorCode === 0) return;
      this.events.onRefusal("sessionsFailed", `closed a connection after an HTTP/2 ${name} from ${socket.remoteAddress ?? "a peer"}`);
      // Destroyed once the GOAWAY is flushed, so the peer learns why.
      socket.end(() => socket.destroy());
      return;
    }
    // CANCEL is a call ended early (deadline, client gone); any other error code is the HTTP/2 layer refusing
    // the stream: over maxConcurrentStreams, headers over its limits, or frames it could not accept.
    if (frame.errorCode !== 0 && name !== "CANCEL") {
      this.events.onRefusal(
        "streamsRefused",
        `reset a stream with HTTP/2 ${name} (over maxConcurrentStreams, headers too large, or malformed)`,
      );
    }
  }
}

/**
 * A socket as a plain Duplex, so that the HTTP/2 layer reads and writes through JavaScript where the
 * frames can be watched (given a net.Socket, Node's HTTP/2 uses the file descriptor directly).
 */
class WatchedConnection extends Duplex {
  private readonly scanner: { push(chunk: Uint8Array): void };

  constructor(
    private readonly socket: Socket,
    onErrorFrame: (frame: ErrorFrame) => void,
    onDeclaredLength: (declaredBytes: number) => void,
  ) {
    super({ allowHalfOpen: false });
    this.scanner = errorFrameScanner(onErrorFrame);
    const incoming = declaredLengthScanner(onDeclaredLength);
    socket.on("data", (chunk: Buffer) => {
      incoming.push(chunk);
      if (!this.push(chunk)) socket.pause();
    });
    socket.on("end", () => this.push(null));
    socket.on("close", () => this.destroy());
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.send([chunk], callback);
  }

  // HTTP/2 often hands over several frames at once; corked, they leave in one syscall.
  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.send(
      chunks.map((c) => c.chunk),
      callback,
    );
  }

  private send(chunks: Buffer[], callback: (error?: Error | null) => void): void {
    let flowing = true;
    if (this.socket.writable) {
      this.socket.cork();
      for (const chunk of chunks) flowing = this.socket.write(chunk);
      this.socket.uncork();
    }
    // Done once the socket takes them, or at its next drain when its buffer is full (backpressure).
    if (!this.socket.writable || flowing) callback();
    else this.socket.once("drain", () => callback());
    // After the write, so a socket ended on a failed session still sends these chunks' GOAWAY.
    for (const chunk of chunks) this.scanner.push(chunk);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(() => callback());
  }

  override _destroy(_error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    // A socket error (a reset peer) is the end of a connection, not a fault of the server.
    callback();
  }
}
