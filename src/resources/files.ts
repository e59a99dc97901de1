import { create } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { createClient, type Client as ConnectClient, type CallOptions as ConnectCallOptions } from "@connectrpc/connect";
import type { Transport } from "@connectrpc/connect";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { InputError } from "../core/errors.js";
import { toApiError } from "../core/internal/to-api-error.js";
import type { CallOptions } from "../core/call-options.js";
import { callOptionKeys, callUnary, checkCallOptions, singleCallOptions, type CallContext } from "../internal/call/call.js";
import { Deadline } from "../internal/call/deadline.js";
import type { Readable } from "node:stream";
import { inOperation } from "../internal/call/telemetry.js";
import { openSource } from "../internal/upload-source.js";
import { checkInteger, checkKnownKeys, checkNonEmptyString, describeValue } from "../core/internal/validate.js";
import { toDate, withRaw } from "../core/internal/view-support.js";
import { nextToken } from "../core/internal/paging.js";
import { PagedList, type Page } from "../core/pagination.js";
import { Files, FilesSortBy, Ordering, UploadFileChunkSchema, type File, type UploadFileChunk } from "../core/internal/wire.js";

/** What `files.upload` reads a file from: a path, bytes, a Node `Readable`, or an async iterable of chunks. */
export type UploadSource = string | Uint8Array | Readable | AsyncIterable<Uint8Array>;

/** A stored file, as plain data. */
export interface FileView {
  /** What other calls name it by, e.g. `file_…`; `client.batch.create` takes it as `inputFileId`. */
  readonly id: string;
  readonly filename: string;
  readonly sizeBytes: number;
  readonly createdAt: Date | undefined;
  /** When xAI deletes it; undefined if it is kept until deleted. */
  readonly expiresAt: Date | undefined;
  /** The message as it came off the wire (not part of the JSON). */
  readonly raw: File;
}

/** Where an upload stands, told after each piece is handed to the connection. */
export interface UploadProgress {
  readonly bytesSent: number;
  /** The file's size, or undefined for a stream, whose size is known only at its end. */
  readonly totalBytes: number | undefined;
}

/** Options of `files.upload`. `timeoutMs` bounds each attempt. */
export interface UploadOptions extends CallOptions {
  /** The name stored with the file. @default the path's base name (required for bytes and streams) */
  filename?: string;
  /** Lifetime in seconds, 3600 (an hour) to 2592000 (30 days). @default xAI's default */
  expiresAfterS?: number;
  /** Called as the content goes out. */
  onProgress?: (progress: UploadProgress) => void;
  /** Size of each piece sent; xAI suggests a few MB. @default 3 MiB */
  chunkBytes?: number;
}

/** Options of `files.list`. */
export interface ListFilesOptions extends CallOptions {
  /** Files per page, 1 to 100. @default 100 */
  limit?: number;
  /** Sort key. @default "createdAt" */
  sortBy?: "createdAt" | "filename" | "size";
  /** Sort direction. @default "asc" */
  order?: "asc" | "desc";
  /** Where to resume: the `paginationToken` of a page you saved. @default the first page */
  paginationToken?: string;
}

/** A page of `files.list`. */
export interface FilesPage extends Page {
  readonly files: FileView[];
}

/** What `files.delete` answers. */
export interface DeletedFile {
  readonly id: string;
  readonly deleted: boolean;
}

/** Settings `client.files` takes from the client. */
export interface FilesResourceSettings {
  /** Largest file accepted. */
  readonly maxFileBytes: number;
}

const uploadKeys = ["filename", "expiresAfterS", "onProgress", "chunkBytes", ...callOptionKeys];
const listKeys = ["limit", "sortBy", "order", "paginationToken", ...callOptionKeys];
const defaultChunkBytes = 3 * 1024 * 1024;
const sortKeys = { createdAt: FilesSortBy.CREATED_AT, filename: FilesSortBy.FILENAME, size: FilesSortBy.SIZE } as const;
/**
 * How far back from the start of an upload a stored file may be dated and still be this upload's: the
 * server's clock and ours disagree by a little.
 */
const clockSkewMs = 5 * 60_000;

/**
 * `client.files`: xAI's Files service, where the JSONL input of a file-based batch is stored.
 *
 * An upload is not idempotent, so it is retried only where no duplicate can follow: a failure before
 * the last piece was sent cannot have stored a file (the server stores it when the stream ends), and is
 * retried from the first byte when the source can be read again (a path or bytes). A failure after the
 * last piece is ambiguous: the client then looks for a file of the same name and size stored since the
 * upload began and returns it if there is one, and otherwise retries. Give every upload a unique
 * `filename` (e.g. with a content hash) and that lookup is exact.
 */
export class FilesResource {
  private readonly rpc: ConnectClient<typeof Files>;

  constructor(
    private readonly ctx: CallContext,
    transport: Transport,
    private readonly settings: FilesResourceSettings,
  ) {
    this.rpc = createClient(Files, transport);
  }

  /** Stores a file: a path, bytes, a Node `Readable` or an async iterable of chunks, streamed in pieces. */
  async upload(source: UploadSource, options?: UploadOptions): Promise<FileView> {
    checkKnownKeys("upload options", options, uploadKeys);
    checkCallOptions(options);
    checkInteger("expiresAfterS", options?.expiresAfterS, 3600, 2_592_000);
    checkInteger("chunkBytes", options?.chunkBytes, 1, 16 * 1024 * 1024);
    if (options?.onProgress !== undefined && typeof options.onProgress !== "function") {
      throw new InputError(`Expected \`onProgress\` to be a function, got ${describeValue(options.onProgress)}.`);
    }
    const opened = await openSource(source, options?.chunkBytes ?? defaultChunkBytes, this.settings.maxFileBytes);
    const filename = options?.filename ?? opened.suggestedName;
    if (filename === undefined)
      throw new InputError("Expected `filename` for an upload of bytes or a stream: the name xAI stores the file under.");
    checkFilename(filename);
    const init = { name: filename, expiresAfter: options?.expiresAfterS === undefined ? undefined : BigInt(options.expiresAfterS) };
    // A stream cannot be read twice: one attempt, and its error as it is.
    const ctx = opened.replayable ? this.ctx : { ...this.ctx, retry: { ...this.ctx.retry, maxAttempts: 1 } };
    const call = { timeoutMs: options?.timeoutMs, signal: options?.signal, metadata: options?.metadata };
    const startedMs = Date.now();
    const size = opened.sizeBytes === undefined ? {} : { "xai_batch.file.size_bytes": opened.sizeBytes };
    return inOperation("upload", size, (op) =>
      callUnary(
        ctx,
        "UploadFile",
        call,
        async (o) => {
          let sentAll = false;
          let sourceError: unknown;
          const onProgress = options?.onProgress;
          const messages = async function* (): AsyncGenerator<UploadFileChunk> {
            yield create(UploadFileChunkSchema, { chunk: { case: "init", value: init } });
            let bytesSent = 0;
            const pieces = opened.pieces()[Symbol.asyncIterator]();
            for (;;) {
              // Only what reading the source throws is the source's fault; an error thrown in at the yield is the call's.
              const next = await pieces.next().catch((error: unknown) => {
                sourceError = error;
                throw error;
              });
              if (next.done) break;
              yield create(UploadFileChunkSchema, { chunk: { case: "data", value: next.value } });
              bytesSent += next.value.length;
              onProgress?.({ bytesSent, totalBytes: opened.sizeBytes });
            }
            sentAll = true;
          };
          try {
            return viewFile(await this.rpc.uploadFile(messages(), o));
          } catch (error) {
            // Reading the source failed, not the service: say so, and never retry it.
            if (sourceError instanceof InputError) throw sourceError;
            if (sourceError !== undefined)
              throw new InputError(`Reading the upload source failed: ${(sourceError as Error).message ?? String(sourceError)}`);
            if (!sentAll) throw error;
            const stored = await this.findUpload(filename, opened.sizeBytes, startedMs, o).catch(() => undefined);
            if (stored !== undefined) return stored;
            throw error;
          }
        },
        { span: op.span },
      ).then((file) => {
        op.set({ "xai_batch.file_id": file.id });
        return file;
      }),
    );
  }

  /** The team's files: `await` for a page, `for await` for every file. */
  list(options?: ListFilesOptions): PagedList<FilesPage, FileView> {
    checkKnownKeys("list options", options, listKeys);
    checkCallOptions(options);
    checkInteger("limit", options?.limit, 1, 100);
    if (options?.sortBy !== undefined && !(options.sortBy in sortKeys)) {
      throw new InputError(`Expected \`sortBy\` to be "createdAt", "filename" or "size", got ${describeValue(options.sortBy)}.`);
    }
    if (options?.order !== undefined && options.order !== "asc" && options.order !== "desc") {
      throw new InputError(`Expected \`order\` to be "asc" or "desc", got ${describeValue(options.order)}.`);
    }
    return new PagedList(
      "ListFiles",
      async (token) => {
        const res = await callUnary(this.ctx, "ListFiles", options, (o) =>
          this.rpc.listFiles(
            {
              limit: options?.limit ?? 0,
              sortBy: sortKeys[options?.sortBy ?? "createdAt"],
              order: options?.order === "desc" ? Ordering.DESCENDING : Ordering.ASCENDING,
              paginationToken: token,
            },
            o,
          ),
        );
        return { files: res.data.map(viewFile), paginationToken: nextToken(res.paginationToken) };
      },
      (page) => page.files,
      options?.paginationToken,
    );
  }

  /** A stored file's description. */
  async get(fileId: string, options?: CallOptions): Promise<FileView> {
    checkFileId(fileId, options);
    return viewFile(await callUnary(this.ctx, "RetrieveFile", options, (o) => this.rpc.retrieveFile({ fileId }, o)));
  }

  /** Deletes a stored file; NOT_FOUND if it is already gone. */
  async delete(fileId: string, options?: CallOptions): Promise<DeletedFile> {
    checkFileId(fileId, options);
    const res = await callUnary(this.ctx, "DeleteFile", options, (o) => this.rpc.deleteFile({ fileId }, o));
    return { id: res.id, deleted: res.deleted };
  }

  /**
   * The file's bytes as they arrive, in pieces. One stream, not retried (a stream cannot resume
   * part-way); `download` restarts a failed transfer on its own.
   */
  async *content(fileId: string, options?: CallOptions): AsyncGenerator<Uint8Array> {
    checkFileId(fileId, options);
    const call = singleCallOptions(this.ctx, "RetrieveFileContent", options);
    try {
      for await (const chunk of this.rpc.retrieveFileContent({ fileId }, call)) yield chunk.data;
    } catch (error) {
      throw toApiError(error, "RetrieveFileContent", this.ctx.secrets);
    }
  }

  /**
   * Writes the file's content to `path`: into `path.partial` first, renamed once complete, so `path`
   * never holds a truncated file. A transfer lost part-way is restarted, as the call path retries.
   */
  async download(fileId: string, path: string, options?: CallOptions): Promise<{ readonly bytes: number }> {
    checkFileId(fileId, options);
    checkNonEmptyString("path", path);
    const partial = `${path}.partial`;
    const bytes = await callUnary(this.ctx, "RetrieveFileContent", options, async (o: ConnectCallOptions) => {
      let written = 0;
      const chunks = this.rpc.retrieveFileContent({ fileId }, o);
      await pipeline(
        (async function* () {
          for await (const chunk of chunks) {
            written += chunk.data.length;
            yield chunk.data;
          }
        })(),
        createWriteStream(partial),
      );
      return written;
    }).catch(async (error: unknown) => {
      await rm(partial, { force: true });
      throw error;
    });
    await rename(partial, path);
    return { bytes };
  }

  /** This upload's file if the server stored it before the answer was lost: same name and size, stored since it began. */
  private async findUpload(
    filename: string,
    sizeBytes: number | undefined,
    startedMs: number,
    o: ConnectCallOptions,
  ): Promise<FileView | undefined> {
    const deadline = Deadline.after(o.timeoutMs);
    const res = await this.rpc.listFiles(
      { limit: 100, sortBy: FilesSortBy.CREATED_AT, order: Ordering.DESCENDING },
      { ...o, timeoutMs: deadline.remainingMs() },
    );
    const match = res.data.find(
      (f) =>
        f.filename === filename &&
        (sizeBytes === undefined || Number(f.size) === sizeBytes) &&
        f.createdAt !== undefined &&
        timestampMs(f.createdAt) >= startedMs - clockSkewMs,
    );
    return match === undefined ? undefined : viewFile(match);
  }
}

/** A File message as plain data. */
export function viewFile(raw: File): FileView {
  return withRaw(
    { id: raw.id, filename: raw.filename, sizeBytes: Number(raw.size), createdAt: toDate(raw.createdAt), expiresAt: toDate(raw.expiresAt) },
    raw,
  );
}

function checkFileId(fileId: unknown, options: CallOptions | undefined): asserts fileId is string {
  checkNonEmptyString("fileId", fileId);
  checkKnownKeys("call options", options, callOptionKeys);
  checkCallOptions(options);
}

/** xAI's rules for a file name, checked before anything is sent. */
function checkFilename(name: string): void {
  if (typeof name !== "string" || name === "")
    throw new InputError(`Expected \`filename\` to be a non-empty string, got ${describeValue(name)}.`);
  if ([...name].length > 255) throw new InputError(`\`filename\` is ${[...name].length} characters; xAI allows at most 255.`);
  if (/[\u0000-\u001f\u007f";\\]/.test(name)) {
    throw new InputError(
      `\`filename\` ${JSON.stringify(name)} contains a control character, a line break, ", ; or \\, which xAI refuses; rename it.`,
    );
  }
}
