/** HTTP/2 error codes (RFC 9113 §7) by value, for counting and logging refusals by name. */
export const http2ErrorNames: readonly string[] = [
  "NO_ERROR",
  "PROTOCOL_ERROR",
  "INTERNAL_ERROR",
  "FLOW_CONTROL_ERROR",
  "SETTINGS_TIMEOUT",
  "STREAM_CLOSED",
  "FRAME_SIZE_ERROR",
  "REFUSED_STREAM",
  "CANCEL",
  "COMPRESSION_ERROR",
  "CONNECT_ERROR",
  "ENHANCE_YOUR_CALM",
  "INADEQUATE_SECURITY",
  "HTTP_1_1_REQUIRED",
];

/** An error-carrying frame seen on the wire: a stream reset or the end of the whole connection. */
export interface ErrorFrame {
  type: "RST_STREAM" | "GOAWAY";
  errorCode: number;
}

/** The 9-byte header of an HTTP/2 frame. */
interface FrameHeader {
  length: number;
  type: number;
  flags: number;
  streamId: number;
}

/** What a FrameScanner reports to: it asks how much of each frame's payload to keep, then gets it. */
interface FrameVisitor {
  /** How many leading payload bytes of this frame to capture (0 for none). */
  capture(header: FrameHeader): number;
  /** The frame has ended; `captured` holds its leading bytes (fewer when the payload is shorter). */
  frame(header: FrameHeader, captured: Buffer): void;
}

const frameHeaderBytes = 9;
const frameTypes = { data: 0x0, headers: 0x1, rstStream: 0x3, goaway: 0x7 };
const flags = { endStream: 0x1, padded: 0x8 };
/** What a client sends before its first frame (RFC 9113 §3.4). */
export const clientPrefaceBytes = 24;
/** The gRPC length prefix of a message: a compression flag and a 4-byte length. */
const grpcPrefixBytes = 5;

/**
 * Follows the frames of one direction of an HTTP/2 connection across chunk boundaries. It reads frame
 * headers and the few leading payload bytes its visitor asks for, so it costs nothing per byte of DATA.
 */
class FrameScanner {
  private readonly headerBytes = Buffer.alloc(frameHeaderBytes);
  private headerFill = 0;
  private skip: number;
  private header: FrameHeader = { length: 0, type: 0, flags: 0, streamId: 0 };
  private payloadLeft = 0;
  private payloadSeen = 0;
  private captured = Buffer.alloc(0);

  constructor(
    private readonly visitor: FrameVisitor,
    skipBytes: number,
  ) {
    this.skip = skipBytes;
  }

  /** Feeds the next bytes of the connection. */
  push(chunk: Uint8Array): void {
    let at = Math.min(this.skip, chunk.length);
    this.skip -= at;
    while (at < chunk.length) {
      if (this.headerFill < frameHeaderBytes) {
        const take = Math.min(frameHeaderBytes - this.headerFill, chunk.length - at);
        this.headerBytes.set(chunk.subarray(at, at + take), this.headerFill);
        this.headerFill += take;
        at += take;
        if (this.headerFill === frameHeaderBytes) this.startFrame();
        continue;
      }
      const take = Math.min(this.payloadLeft, chunk.length - at);
      const wanted = this.captured.length - this.payloadSeen;
      if (wanted > 0) this.captured.set(chunk.subarray(at, at + Math.min(wanted, take)), this.payloadSeen);
      this.payloadSeen += take;
      this.payloadLeft -= take;
      at += take;
      if (this.payloadLeft === 0) this.endFrame();
    }
  }

  private startFrame(): void {
    const bytes = this.headerBytes;
    this.header = { length: bytes.readUIntBE(0, 3), type: bytes[3]!, flags: bytes[4]!, streamId: bytes.readUInt32BE(5) & 0x7fffffff };
    this.payloadLeft = this.header.length;
    this.payloadSeen = 0;
    this.captured = Buffer.alloc(Math.min(this.visitor.capture(this.header), this.header.length));
    if (this.payloadLeft === 0) this.endFrame();
  }

  private endFrame(): void {
    this.visitor.frame(this.header, this.captured);
    this.headerFill = 0;
  }
}

/**
 * Watches what a server sends and reports each RST_STREAM and GOAWAY with its error code (RST_STREAM's
 * payload is the code; GOAWAY's is the last stream id, then the code, then debug data).
 */
export function errorFrameScanner(onErrorFrame: (frame: ErrorFrame) => void): { push(chunk: Uint8Array): void } {
  return new FrameScanner(
    {
      capture: (header) => (header.type === frameTypes.rstStream ? 4 : header.type === frameTypes.goaway ? 8 : 0),
      frame: (header, captured) => {
        if (header.type === frameTypes.rstStream && captured.length === 4)
          onErrorFrame({ type: "RST_STREAM", errorCode: captured.readUInt32BE(0) });
        if (header.type === frameTypes.goaway && captured.length === 8)
          onErrorFrame({ type: "GOAWAY", errorCode: captured.readUInt32BE(4) });
      },
    },
    0,
  );
}

/**
 * Watches what a client sends (preface first) and reports the length each stream declares for its
 * message in the gRPC prefix at the start of its first DATA frame, so a message refused on its declared
 * size alone can be counted. A prefix split across DATA frames is not seen; no real client splits it.
 */
export function declaredLengthScanner(onDeclared: (declaredBytes: number) => void): { push(chunk: Uint8Array): void } {
  // Streams whose first DATA frame has been seen and that have not ended: bounded by the open streams.
  const started = new Set<number>();
  return new FrameScanner(
    {
      capture: (header) =>
        header.type === frameTypes.data && !started.has(header.streamId) ? grpcPrefixBytes + (header.flags & flags.padded ? 1 : 0) : 0,
      frame: (header, captured) => {
        const ended = header.flags & flags.endStream && (header.type === frameTypes.data || header.type === frameTypes.headers);
        if (ended || header.type === frameTypes.rstStream) {
          started.delete(header.streamId);
        } else if (header.type === frameTypes.data && !started.has(header.streamId)) {
          started.add(header.streamId);
        }
        if (header.type !== frameTypes.data || captured.length === 0) return;
        const prefix = header.flags & flags.padded ? captured.subarray(1) : captured;
        const padding = header.flags & flags.padded ? captured[0]! : 0;
        // Only when the prefix is data, not padding, of this frame.
        if (prefix.length === grpcPrefixBytes && header.length - padding - (header.flags & flags.padded ? 1 : 0) >= grpcPrefixBytes) {
          onDeclared(prefix.readUInt32BE(1));
        }
      },
    },
    clientPrefaceBytes,
  );
}
