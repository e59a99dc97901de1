import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { BatchRequestMetadata_State, type BatchRequestMetadataSchema, type BatchSchema } from "../core/internal/wire.js";
import { closedAtMs, isOpen, type BatchRecord, type RequestRecord } from "./store.js";

/**
 * A batch as the API shows it at `nowMs`. Requests still unfinished when the batch was cancelled or
 * expired count as cancelled; a file-backed batch shows zero of everything until its file is loaded.
 */
export function batchView(batch: BatchRecord, nowMs: number): MessageInitShape<typeof BatchSchema> {
  const unfinished = BigInt(batch.requests.length - batch.numSuccess - batch.numError);
  const open = isOpen(batch, nowMs);
  let totalCostUsdTicks = 0n;
  const endpointCosts = [...batch.costs].map(([endpoint, cost]) => {
    totalCostUsdTicks += cost.usdTicks;
    return { endpoint, costUsdTicks: cost.usdTicks, requestCount: BigInt(cost.requestCount) };
  });
  return {
    batchId: batch.id,
    name: batch.name,
    createTime: timestampFromMs(batch.createTimeMs),
    expireTime: timestampFromMs(batch.expireTimeMs),
    createApiKeyId: batch.apiKeyId,
    cancelTime: batch.cancel === undefined ? undefined : timestampFromMs(batch.cancel.timeMs),
    cancelByXaiMessage: batch.cancel?.byXaiMessage,
    inputFileId: batch.inputFileId,
    state: {
      numRequests: BigInt(batch.requests.length),
      numPending: open ? unfinished : 0n,
      numSuccess: BigInt(batch.numSuccess),
      numError: BigInt(batch.numError),
      numCancelled: open ? 0n : unfinished,
    },
    costBreakdown: { totalCostUsdTicks, endpointCosts, calculationTime: timestampFromMs(nowMs) },
  };
}

/** The state of one request at `nowMs`. */
export function requestState(batch: BatchRecord, record: RequestRecord, nowMs: number): BatchRequestMetadata_State {
  if (record.finish !== undefined)
    return record.finish.result.succeeded ? BatchRequestMetadata_State.SUCCEEDED : BatchRequestMetadata_State.FAILED;
  return isOpen(batch, nowMs) ? BatchRequestMetadata_State.PENDING : BatchRequestMetadata_State.CANCELLED;
}

/** The metadata of one request at `nowMs`; a cancelled request finished when its batch closed. */
export function metadataView(
  batch: BatchRecord,
  record: RequestRecord,
  nowMs: number,
): MessageInitShape<typeof BatchRequestMetadataSchema> {
  const state = requestState(batch, record, nowMs);
  const finishTimeMs = record.finish?.timeMs ?? (state === BatchRequestMetadata_State.CANCELLED ? closedAtMs(batch) : undefined);
  return {
    batchRequestId: record.id,
    endpoint: record.endpoint,
    model: record.model,
    state,
    createTime: timestampFromMs(record.createTimeMs),
    finishTime: finishTimeMs === undefined ? undefined : timestampFromMs(finishTimeMs),
  };
}
