import { randomUUID } from "node:crypto";
import { status as GrpcStatus } from "@grpc/grpc-js";
import type { BatchRequest } from "../wire.js";
import { requestTarget } from "./endpoints.js";
import { badRequest, StatusError, type FieldViolation } from "./status.js";

/**
 * Checks the requests of one AddBatchRequests call (or one input file) against a batch, all or nothing:
 * a request without payload, for a model not served in batches, or a chat completion without messages
 * refuses the whole call with INVALID_ARGUMENT; an id the batch already holds, or one given twice, with
 * ALREADY_EXISTS. Both carry google.rpc.BadRequest naming every offending request. Then requests without
 * an id get a generated one; the same (now complete) requests are returned.
 */
export function prepareRequests(requests: readonly BatchRequest[], existingIds: ReadonlyMap<string, unknown>, models: ReadonlySet<string>): readonly BatchRequest[] {
  const invalid: FieldViolation[] = [];
  const duplicates: FieldViolation[] = [];
  const firstIndexById = new Map<string, number>();
  requests.forEach((request, index) => {
    const id = request.batchRequestId || undefined;
    const where = id === undefined ? `batch_requests[${index}]` : `batch_requests[${index}] (batch_request_id "${id}")`;
    const target = requestTarget(request);
    if (target === undefined) {
      invalid.push({
        field: `batch_requests[${index}].request`,
        description: `${where} has no request: set one of completion_request, image_request, video_request, video_extension_request`,
      });
    } else if (!models.has(target.model)) {
      invalid.push({
        field: `batch_requests[${index}].${target.field}.model`,
        description: `model "${target.model}" of ${where} is not available for batch processing; batch models: ${[...models].join(", ")}`,
      });
    } else if (request.request.case === "completionRequest" && request.request.value.messages.length === 0) {
      invalid.push({ field: `batch_requests[${index}].completion_request.messages`, description: `${where} is a chat completion without messages` });
    }
    if (id === undefined) return;
    const first = firstIndexById.get(id);
    if (existingIds.has(id)) {
      duplicates.push({ field: `batch_requests[${index}].batch_request_id`, description: `batch_request_id "${id}" already exists in this batch` });
    } else if (first !== undefined) {
      duplicates.push({
        field: `batch_requests[${index}].batch_request_id`,
        description: `batch_request_id "${id}" is given twice in this call (batch_requests[${first}] and batch_requests[${index}])`,
      });
    } else {
      firstIndexById.set(id, index);
    }
  });
  if (invalid.length > 0) throw refusal(GrpcStatus.INVALID_ARGUMENT, invalid);
  if (duplicates.length > 0) throw refusal(GrpcStatus.ALREADY_EXISTS, duplicates);
  for (const request of requests) {
    if (request.batchRequestId) continue;
    let id: string;
    do id = `req_${randomUUID()}`;
    while (existingIds.has(id) || firstIndexById.has(id));
    firstIndexById.set(id, -1);
    request.batchRequestId = id;
  }
  return requests;
}

function refusal(code: GrpcStatus, violations: readonly FieldViolation[]): StatusError {
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : "";
  return new StatusError(code, `${violations[0]!.description}${more}`, [badRequest(violations)]);
}
