import type { JsonObject } from "@bufbuild/protobuf";
import type { GetBatchRequestResultResponse } from "../../core/internal/wire.js";
import type { BatchView } from "../../views/batch.js";
import type { RequestMetadataView } from "../../views/request-metadata.js";
import type { ResultView } from "../../views/results.js";

// What client.batch's list methods hand out, page by page.

/** A page of `list`. */
export interface BatchesPage {
  readonly batches: BatchView[];
  readonly paginationToken: string | undefined;
}

/** A page of `listBatchRequests`. */
export interface BatchRequestsPage {
  readonly batchRequestMetadata: RequestMetadataView[];
  readonly paginationToken: string | undefined;
}

/** A page of `listBatchResults`: every result, and the same split into succeeded and failed. */
export interface BatchResultsPage {
  readonly results: ResultView[];
  readonly succeeded: ResultView[];
  readonly failed: ResultView[];
  readonly paginationToken: string | undefined;
}

/** The answer of `getBatchRequestResult`: the request as submitted and its result, if it has finished. */
export interface BatchRequestResult {
  readonly batchRequestId: string;
  /** The request as submitted, in protobuf's JSON form of a BatchRequest (as `toJson` gives it). */
  readonly request: JsonObject | undefined;
  /** Its result; undefined while it is pending. */
  readonly result: ResultView | undefined;
  /** The answer as it came off the wire (not part of the JSON). */
  readonly raw: GetBatchRequestResultResponse;
}
