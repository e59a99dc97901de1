import { randomUUID } from "node:crypto";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { withRequestId, type ReadRequest } from "./encoded.js";
import { badRequest, maxNamedViolations, quoted, StatusError, type FieldViolation } from "./status.js";
import type { AcceptedRequest } from "./store.js";

/**
 * Checks the requests of one AddBatchRequests call (or one input file) against a batch, all or nothing:
 * a request without payload, for a model not served in batches, or a chat completion without messages
 * refuses the whole call with INVALID_ARGUMENT; an id the batch already holds, or one given twice, with
 * ALREADY_EXISTS. Both carry google.rpc.BadRequest naming every offending request. Then requests without
 * an id get a generated one, written into their bytes; the requests are returned as the store takes them.
 */
export function acceptRequests(
  requests: readonly ReadRequest[],
  existingIds: ReadonlyMap<string, unknown>,
  models: ReadonlySet<string>,
): AcceptedRequest[] {
  const invalid = new Violations();
  const duplicates = new Violations();
  const firstIndexById = new Map<string, number>();
  requests.forEach((request, index) => {
    const { id } = request;
    const where = id === undefined ? `batch_requests[${index}]` : `batch_requests[${index}] (batch_request_id ${quoted(id)})`;
    const fault = requestFault(request, models);
    if (fault?.kind === "no request") {
      invalid.push({
        field: `batch_requests[${index}].request`,
        description: `${where} has no request: set one of completion_request, image_request, video_request, video_extension_request`,
      });
    } else if (fault?.kind === "model") {
      invalid.push({
        field: `batch_requests[${index}].${fault.field}.model`,
        description: `model ${quoted(fault.model)} of ${where} is not available for batch processing; batch models: ${[...models].join(", ")}`,
      });
    } else if (fault?.kind === "no messages") {
      invalid.push({
        field: `batch_requests[${index}].completion_request.messages`,
        description: `${where} is a chat completion without messages`,
      });
    }
    if (id === undefined) return;
    const first = firstIndexById.get(id);
    if (existingIds.has(id)) {
      duplicates.push({
        field: `batch_requests[${index}].batch_request_id`,
        description: `batch_request_id ${quoted(id)} already exists in this batch`,
      });
    } else if (first !== undefined) {
      duplicates.push({
        field: `batch_requests[${index}].batch_request_id`,
        description: `batch_request_id ${quoted(id)} is given twice in this call (batch_requests[${first}] and batch_requests[${index}])`,
      });
    } else {
      firstIndexById.set(id, index);
    }
  });
  if (invalid.count > 0) throw invalid.refusal(GrpcStatus.INVALID_ARGUMENT);
  if (duplicates.count > 0) throw duplicates.refusal(GrpcStatus.ALREADY_EXISTS);
  return requests.map(({ id, target, bytes }) => {
    const { endpoint, model } = target!;
    if (id !== undefined) return { id, endpoint, model, bytes };
    let generated: string;
    do generated = `req_${randomUUID()}`;
    while (existingIds.has(generated) || firstIndexById.has(generated));
    firstIndexById.set(generated, -1);
    return { id: generated, endpoint, model, bytes: withRequestId(bytes, generated) };
  });
}

/** What xAI refuses in a request by itself, whatever batch it goes to. */
export type RequestFault = { kind: "no request" } | { kind: "model"; model: string; field: string } | { kind: "no messages" };

/**
 * Why xAI refuses this request on its own, or undefined: it has no payload, asks for a model batches do not
 * serve, or is a chat completion without messages. AddBatchRequests and input files word it each their way.
 */
export function requestFault(request: ReadRequest, models: ReadonlySet<string>): RequestFault | undefined {
  const { target } = request;
  if (target === undefined) return { kind: "no request" };
  if (!models.has(target.model)) return { kind: "model", model: target.model, field: target.field };
  return request.withoutMessages ? { kind: "no messages" } : undefined;
}

/** Offending requests of one kind: all counted, the first few kept to be named. */
class Violations {
  count = 0;
  private readonly named: FieldViolation[] = [];

  push(violation: FieldViolation): void {
    this.count++;
    if (this.named.length < maxNamedViolations) this.named.push(violation);
  }

  refusal(code: GrpcStatus): StatusError {
    const more = this.count > 1 ? ` (and ${this.count - 1} more; ${this.named.length} of ${this.count} are named in the details)` : "";
    return new StatusError(code, `${this.named[0]!.description}${more}`, [badRequest(this.named)]);
  }
}
