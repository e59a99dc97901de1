import { create, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  status as GrpcStatus,
  type sendUnaryData,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { once } from "node:events";
import {
  DeleteFileResponseSchema,
  FileContentChunkSchema,
  FileSchema,
  FilesSortBy,
  ListFilesResponseSchema,
  Ordering,
  DeleteFileRequestSchema,
  ListFilesRequestSchema,
  RetrieveFileRequestSchema,
  type File,
  type FileContentChunk,
  type RetrieveFileContentRequest,
  type UploadFileChunk,
} from "../core/internal/wire.js";
import type { Authenticator, Caller } from "./auth.js";
import type { FileSortKey, FileStore } from "./file-store.js";
import type { StoredFile } from "./stored-file.js";
import { decodeRequest } from "./grpc-service.js";
import type { PageTokens } from "./page-tokens.js";
import { badRequest, StatusError } from "./status.js";

/** What the Files service works with. */
export interface FilesServiceContext {
  readonly store: FileStore;
  readonly auth: Authenticator;
  readonly tokens: PageTokens;
  /** Largest file accepted, in bytes (xAI: 512 MB). */
  readonly maxFileBytes: number;
  /** Called with an exception a handler did not expect (answered INTERNAL). */
  readonly onUnexpected: (error: unknown, method: string) => void;
}

/** xAI's rules for a file's lifetime and name, and the page size of ListFiles. */
export const fileRules = Object.freeze({
  minExpiresAfterS: 3600,
  maxExpiresAfterS: 2_592_000,
  maxNameLength: 255,
  maxPageSize: 100,
  /** Pieces RetrieveFileContent sends: "up to 5 MB". */
  contentChunkBytes: 5_000_000,
});

const sortKeys: Record<FilesSortBy, FileSortKey> = {
  [FilesSortBy.CREATED_AT]: "createdAt",
  [FilesSortBy.FILENAME]: "filename",
  [FilesSortBy.SIZE]: "size",
};

/**
 * xai_api.Files on grpc-js: a client-streaming upload (init first, then data), paged listing, retrieve,
 * delete and a streamed download, each with xAI's errors. Files are the caller's team's only.
 */
export function filesImplementation(ctx: FilesServiceContext): UntypedServiceImplementation {
  // Requests arrive raw (see grpcServiceDefinition): the caller is checked before the body is decoded.
  const unary =
    <I extends DescMessage, O extends DescMessage>(
      method: string,
      input: I,
      output: O,
      handle: (request: MessageShape<I>, caller: Caller) => MessageInitShape<O>,
    ) =>
    (call: ServerUnaryCall<Buffer, unknown>, callback: sendUnaryData<unknown>) => {
      try {
        const caller = ctx.auth.authenticate(call.metadata);
        callback(null, create(output, handle(decodeRequest(input, call.request), caller)));
      } catch (error) {
        callback(failure(error, method, ctx));
      }
    };

  return {
    uploadFile: (call: ServerReadableStream<UploadFileChunk, File>, callback: sendUnaryData<File>) => {
      upload(call, ctx).then(
        (file) => callback(null, file),
        (error: unknown) => {
          callback(failure(error, "UploadFile", ctx));
          // Stop reading the rest of a refused upload: the status is already on its way.
          call.destroy();
        },
      );
    },
    listFiles: unary("ListFiles", ListFilesRequestSchema, ListFilesResponseSchema, (request, caller) => {
      const limit = request.limit <= 0 || request.limit > fileRules.maxPageSize ? fileRules.maxPageSize : request.limit;
      const sortBy = sortKeys[request.sortBy ?? FilesSortBy.CREATED_AT] ?? "createdAt";
      const descending = request.order === Ordering.DESCENDING;
      const scope = { team: caller.team, rpc: "ListFiles", batchId: "", filter: `${sortBy}/${descending ? "desc" : "asc"}` };
      let start = 0;
      if (request.paginationToken !== undefined && request.paginationToken !== "") {
        const last = ctx.tokens.read(scope, request.paginationToken);
        if (last === undefined)
          throw invalidField("pagination_token", "pagination_token is not a token this server issued for this ListFiles listing");
        start = last + 1;
      }
      const files = ctx.store.list(caller.team, sortBy, descending);
      const page = files.slice(start, start + limit);
      const more = start + limit < files.length;
      return { data: page.map(fileMessage), paginationToken: more ? ctx.tokens.issue(scope, start + limit - 1) : undefined };
    }),
    retrieveFile: unary("RetrieveFile", RetrieveFileRequestSchema, FileSchema, (request, caller) =>
      fileMessage(find(ctx, caller, request.fileId)),
    ),
    deleteFile: unary("DeleteFile", DeleteFileRequestSchema, DeleteFileResponseSchema, (request, caller) => {
      const file = find(ctx, caller, request.fileId);
      ctx.store.delete(caller.team, file.id);
      return { id: file.id, deleted: true };
    }),
    retrieveFileContent: (call: ServerWritableStream<RetrieveFileContentRequest, FileContentChunk>) => {
      download(call, ctx).catch((error: unknown) => {
        const status = failure(error, "RetrieveFileContent", ctx);
        call.emit("error", status);
      });
    },
  };
}

async function upload(call: ServerReadableStream<UploadFileChunk, File>, ctx: FilesServiceContext): Promise<File> {
  const caller = ctx.auth.authenticate(call.metadata);
  let init: { name: string; expiresAfterS: number | undefined } | undefined;
  const parts: Buffer[] = [];
  let size = 0;
  for await (const message of call as AsyncIterable<UploadFileChunk>) {
    const chunk = message.chunk;
    if (chunk.case === "init") {
      if (init !== undefined || parts.length > 0)
        throw invalidField("init", "init must be the first message of an upload, and only the first");
      init = { name: checkName(chunk.value.name), expiresAfterS: checkExpiry(chunk.value.expiresAfter) };
      continue;
    }
    if (init === undefined) throw invalidField("init", "the first message of an upload must set init (the file name), before any data");
    if (chunk.case === "data") {
      size += chunk.value.length;
      if (size > ctx.maxFileBytes) {
        throw new StatusError(GrpcStatus.RESOURCE_EXHAUSTED, `the file exceeds the maximum file size of ${ctx.maxFileBytes} bytes`);
      }
      parts.push(Buffer.from(chunk.value));
    }
  }
  if (init === undefined) throw invalidField("init", "the upload sent no init message: the first message must set init (the file name)");
  return create(FileSchema, fileMessage(ctx.store.put(caller.team, init.name, Buffer.concat(parts, size), init.expiresAfterS)));
}

async function download(call: ServerWritableStream<RetrieveFileContentRequest, FileContentChunk>, ctx: FilesServiceContext): Promise<void> {
  const file = find(ctx, ctx.auth.authenticate(call.metadata), call.request.fileId);
  for (let at = 0; at < file.bytes.length; at += fileRules.contentChunkBytes) {
    if (call.cancelled) return;
    const data = file.bytes.subarray(at, at + fileRules.contentChunkBytes);
    // Honour the client's flow control: a slow reader must not make the server buffer the whole file.
    if (!call.write(create(FileContentChunkSchema, { data }))) await once(call, "drain");
  }
  call.end();
}

function find(ctx: FilesServiceContext, caller: Caller, fileId: string): StoredFile {
  const file = fileId === "" ? undefined : ctx.store.get(caller.team, fileId);
  if (file === undefined)
    throw new StatusError(GrpcStatus.NOT_FOUND, `file ${JSON.stringify(fileId)} not found: it does not exist, was deleted or has expired`);
  return file;
}

function fileMessage(file: StoredFile): MessageInitShape<typeof FileSchema> {
  return {
    id: file.id,
    filename: file.filename,
    size: BigInt(file.bytes.length),
    createdAt: timestampFromMs(file.createdAtMs),
    expiresAt: file.expiresAtMs === undefined ? undefined : timestampFromMs(file.expiresAtMs),
  };
}

function checkName(name: string): string {
  if (name === "") throw invalidField("init.name", "the file name is empty");
  if ([...name].length > fileRules.maxNameLength)
    throw invalidField("init.name", `the file name is longer than ${fileRules.maxNameLength} characters`);
  // Control characters (line breaks among them), double quotes, semicolons and backslashes are refused.
  if (/[\u0000-\u001f\u007f";\\]/.test(name)) {
    throw invalidField("init.name", 'the file name contains a control character, a line break, ", ; or \\');
  }
  return name;
}

function checkExpiry(expiresAfter: bigint | undefined): number | undefined {
  if (expiresAfter === undefined) return undefined;
  if (expiresAfter < BigInt(fileRules.minExpiresAfterS) || expiresAfter > BigInt(fileRules.maxExpiresAfterS)) {
    throw invalidField(
      "init.expires_after",
      `expires_after must be from ${fileRules.minExpiresAfterS} to ${fileRules.maxExpiresAfterS} seconds, got ${expiresAfter}`,
    );
  }
  return Number(expiresAfter);
}

function invalidField(field: string, description: string): StatusError {
  return new StatusError(GrpcStatus.INVALID_ARGUMENT, description, [badRequest([{ field, description }])]);
}

/** A StatusError as it is; anything else as a bare INTERNAL, reported, so internals never leak. */
function failure(error: unknown, method: string, ctx: FilesServiceContext) {
  if (error instanceof StatusError) return error.toServiceError();
  ctx.onUnexpected(error, method);
  return { code: GrpcStatus.INTERNAL, details: `internal error in ${method}` };
}
