import { fromBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { ApiError } from "../../core/errors.js";
import { BatchResultSchema, type BatchResult } from "../../core/internal/wire.js";
import { viewResult } from "../../views/view-result.js";
import type { ResultView } from "../../views/results.js";

/** The view of one encoded xai_api.BatchResult on the general path (see fast-path.ts): protobuf-es decodes it whole. */
export function viewDecodedResult(bytes: Uint8Array): ResultView {
  let raw: BatchResult;
  try {
    raw = fromBinary(BatchResultSchema, bytes);
  } catch (error) {
    throw decodeFailure(error);
  }
  return viewResult(raw);
}

/** A result that does not decode fails as it did when Connect decoded the whole page: Internal, "parse binary". */
export function decodeFailure(error: unknown): ApiError {
  const rawMessage = `parse binary: ${error instanceof Error ? error.message : String(error)}`;
  return new ApiError({ code: Code.Internal, method: "ListBatchResults", rawMessage, cause: error });
}
