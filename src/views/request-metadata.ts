import { toDate, withRaw } from "../core/internal/view-support.js";
import { BatchRequestMetadata_State, type BatchRequestMetadata } from "../core/internal/wire.js";

/** A request's state in its batch. */
export type RequestStatus = "pending" | "succeeded" | "failed" | "cancelled" | "unknown";

/** One request's status in a batch, as plain data; `raw` is the wire message. */
export interface RequestMetadataView {
  readonly batchRequestId: string;
  /** The API endpoint the request goes to, e.g. chat completions. */
  readonly endpoint: string;
  readonly model: string;
  readonly status: RequestStatus;
  readonly createTime: Date | undefined;
  /** When it finished; undefined while pending. */
  readonly finishTime: Date | undefined;
  /** The metadata as it came off the wire (not part of the JSON). */
  readonly raw: BatchRequestMetadata;
}

const statuses: Record<BatchRequestMetadata_State, RequestStatus> = {
  [BatchRequestMetadata_State.UNKNOWN]: "unknown",
  [BatchRequestMetadata_State.PENDING]: "pending",
  [BatchRequestMetadata_State.SUCCEEDED]: "succeeded",
  [BatchRequestMetadata_State.FAILED]: "failed",
  [BatchRequestMetadata_State.CANCELLED]: "cancelled",
};

/** Reads a wire BatchRequestMetadata as a RequestMetadataView. */
export function viewRequestMetadata(raw: BatchRequestMetadata): RequestMetadataView {
  return withRaw(
    {
      batchRequestId: raw.batchRequestId,
      endpoint: raw.endpoint,
      model: raw.model,
      status: statuses[raw.state] ?? "unknown",
      createTime: toDate(raw.createTime),
      finishTime: toDate(raw.finishTime),
    },
    raw,
  );
}
