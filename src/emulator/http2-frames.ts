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

const frameHeaderBytes = 9;
const rstStreamType = 0x3;
const goawayType = 0x7;

/**
 * Follows the frames of one direction of an HTTP/2 connection (one without a preface, e.g. what a server
 * sends) across chunk boundaries, and reports each RST_STREAM and GOAWAY with its error code. It only reads
 * frame headers and the few payload bytes that hold the code, so it costs nothing per byte of DATA.
 */
export class FrameScanner {
  private readonly header = Buffer.alloc(frameHeaderBytes);
  private headerFill = 0;
  private payloadLeft = 0;
  /** Offset of the error code in the current frame's payload, or -1 when the frame carries none. */
  private codeOffset = -1;
  private readonly code = Buffer.alloc(4);
  private codeFill = 0;
  private payloadSeen = 0;
  private frameType = 0;

  constructor(private readonly onErrorFrame: (frame: ErrorFrame) => void) {}

  /** Feeds the next bytes of the connection. */
  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.headerFill < frameHeaderBytes) {
        const take = Math.min(frameHeaderBytes - this.headerFill, chunk.length - at);
        this.header.set(chunk.subarray(at, at + take), this.headerFill);
        this.headerFill += take;
        at += take;
        if (this.headerFill === frameHeaderBytes) this.startFrame();
        continue;
      }
      const take = Math.min(this.payloadLeft, chunk.length - at);
      if (this.codeOffset >= 0) this.captureCode(chunk.subarray(at, at + take));
      this.payloadSeen += take;
      this.payloadLeft -= take;
      at += take;
      if (this.payloadLeft === 0) this.endFrame();
    }
  }

  private startFrame(): void {
    this.payloadLeft = this.header.readUIntBE(0, 3);
    this.frameType = this.header[3]!;
    this.payloadSeen = 0;
    this.codeFill = 0;
    // RST_STREAM's payload is the code; GOAWAY's is the last stream id, then the code, then debug data.
    this.codeOffset = this.frameType === rstStreamType ? 0 : this.frameType === goawayType ? 4 : -1;
    if (this.payloadLeft === 0) this.endFrame();
  }

  private captureCode(bytes: Uint8Array): void {
    // This chunk holds payload offsets [payloadSeen, payloadSeen + length); the code sits at [codeOffset, codeOffset + 4).
    const start = Math.max(this.codeOffset, this.payloadSeen);
    const end = Math.min(this.codeOffset + 4, this.payloadSeen + bytes.length);
    if (start >= end) return;
    this.code.set(bytes.subarray(start - this.payloadSeen, end - this.payloadSeen), start - this.codeOffset);
    this.codeFill += end - start;
  }

  private endFrame(): void {
    if (this.codeOffset >= 0 && this.codeFill === 4) {
      this.onErrorFrame({ type: this.frameType === rstStreamType ? "RST_STREAM" : "GOAWAY", errorCode: this.code.readUInt32BE(0) });
    }
    this.headerFill = 0;
    this.codeOffset = -1;
  }
}
