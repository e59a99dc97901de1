import { once } from "node:events";
import { open, rename, stat, truncate, type FileHandle } from "node:fs/promises";
import { UsageError } from "./usage-error.js";

/** A JSONL destination written a batch of lines at a time, each write finished before the next begins. */
export interface JsonlWriter {
  /** Bytes in the destination so far (for a file: its length). */
  readonly bytes: number;
  /** Appends lines (each without its line break) and resolves once the OS has them. */
  writeLines(lines: readonly string[]): Promise<void>;
  /** Makes what was written durable before a checkpoint points past it. */
  sync(): Promise<void>;
  /** Finishes the destination; a file written with `atomic` appears under its name only now. */
  close(): Promise<void>;
}

/** How to open an output file. */
export interface OpenOptions {
  /** Continue a file: cut it to this length (dropping a torn last write) and append. @default start empty */
  resumeAt?: number;
  /** Write to `PATH.partial` and rename it to PATH on close, so PATH is never half written. @default false */
  atomic?: boolean;
}

/**
 * Opens a JSONL output file. Writes go straight to the file handle and are awaited, which is the
 * backpressure: memory holds one batch of lines at most.
 */
export async function openJsonlFile(path: string, options: OpenOptions = {}): Promise<JsonlWriter> {
  const target = options.atomic ? `${path}.partial` : path;
  let handle: FileHandle;
  let bytes = 0;
  try {
    if (options.resumeAt !== undefined) {
      const size = (await stat(target)).size;
      if (size < options.resumeAt)
        throw new UsageError(
          `${path} is shorter (${size} bytes) than its checkpoint says (${options.resumeAt}); delete ${path}.checkpoint to start over.`,
        );
      await truncate(target, options.resumeAt);
      bytes = options.resumeAt;
    }
    handle = await open(target, options.resumeAt === undefined ? "w" : "a");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot write ${path}: ${(error as Error).message}`);
  }
  return lineWriter(bytes, async (text) => void (await handle.write(text)), {
    sync: () => handle.datasync(),
    async close() {
      await handle.close();
      if (options.atomic) await rename(target, path);
    },
  });
}

/** JSONL to a stream such as stdout, waiting for `drain` when the reader is slower than the writer. */
export function streamJsonl(stream: NodeJS.WritableStream): JsonlWriter {
  return lineWriter(
    0,
    async (text) => {
      if (!stream.write(text)) await once(stream, "drain");
    },
    { sync: async () => {}, close: async () => {} },
  );
}

/** A JsonlWriter over `write`, which resolves when the destination has taken the text. */
function lineWriter(startBytes: number, write: (text: string) => Promise<void>, end: Pick<JsonlWriter, "sync" | "close">): JsonlWriter {
  let bytes = startBytes;
  return {
    get bytes() {
      return bytes;
    },
    async writeLines(lines) {
      if (lines.length === 0) return;
      const text = `${lines.join("\n")}\n`;
      await write(text);
      bytes += Buffer.byteLength(text);
    },
    ...end,
  };
}
