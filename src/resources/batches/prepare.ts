import { defaultLimits } from "../../core/limits.js";
import { InputError } from "../../core/errors.js";
import { ChunkPlanner, envelopeSize } from "../../internal/add/chunking.js";
import { RequestEncoder } from "../../internal/wire/encoded-request.js";
import { checkKnownKeys, checkInteger, describeValue } from "../../core/internal/validate.js";
import { defaultBatchModels } from "../../core/batch-models.js";
import { toBatchRequest, type AddInput } from "../../requests/add-input.js";
import { batchLineRequest } from "../../requests/internal/batch-lines.js";
import type { BatchRequest } from "../../core/internal/wire.js";

/** One request as `add` would send it. */
export interface PreparedRequest {
  /** Its position in the input, from 0. */
  readonly index: number;
  /** The id it is sent with: its own, or the one derived from its content that `add` gives it. */
  readonly batchRequestId: string;
  /** Whether `batchRequestId` was derived because the request had none. */
  readonly autoId: boolean;
  /** Its encoded size on the wire. */
  readonly encodedBytes: number;
  /** Which AddBatchRequests call of the add it goes in, from 0. */
  readonly call: number;
  /** The request, with `batchRequestId` set. */
  readonly request: BatchRequest;
}

/** Options of `prepareRequests`. */
export interface PrepareOptions {
  /** Models requests may name; "any" skips the check. @default defaultBatchModels */
  models?: readonly string[] | "any";
  /** Largest encoded AddBatchRequests call; a request that alone exceeds it is invalid. @default 25_000_000 */
  maxAddBytes?: number;
  /** Most requests in one call, for planning `call`. @default no cap (calls are cut by size), as in `add` */
  maxRequestsPerCall?: number;
  /** "error" throws the first invalid request's InputError; "skip" reports it to `onInvalid` and goes on. @default "error" */
  invalid?: "error" | "skip";
  /** Called for each invalid request left out (with `invalid: "skip"`). */
  onInvalid?: (error: InputError, input: unknown) => void;
  /**
   * Take only lines of xAI's batch file format (`{"custom_id", "method", "url", "body"}`), as a file for
   * `createFromFile` must hold them: any other input is invalid, as its check before an upload refuses it.
   * @default false (every shape `add` takes)
   */
  fileFormat?: boolean;
}

/** Batch ids are far shorter; planning as if the id were this long keeps the plan valid for any batch. */
const longestBatchId = "x".repeat(128);
/** Requests normalised and encoded together, as `add` does. */
const groupSize = 256;

/**
 * A dry run of `add`'s front end, with no network and no key: the same normaliser, the same ids (a
 * request without one gets the content-derived id `add` would give it, the same in every run), the
 * same model, id and size checks, and the calls it would be packed into. Use it to check a file before
 * submitting it, or to join results back to inputs by id.
 */
export async function* prepareRequests(
  requests: Iterable<AddInput> | AsyncIterable<AddInput>,
  options: PrepareOptions = {},
): AsyncGenerator<PreparedRequest> {
  checkKnownKeys("prepareRequests options", options, ["models", "maxAddBytes", "maxRequestsPerCall", "invalid", "onInvalid", "fileFormat"]);
  checkInteger("maxAddBytes", options.maxAddBytes, 1024, 2 ** 31 - 1);
  checkInteger("maxRequestsPerCall", options.maxRequestsPerCall, 1, 1_000_000);
  if (options.invalid !== undefined && options.invalid !== "error" && options.invalid !== "skip") {
    throw new InputError(`Expected \`invalid\` to be "error" or "skip", got ${describeValue(options.invalid)}.`);
  }
  const models = options.models === "any" ? undefined : new Set(options.models ?? defaultBatchModels);
  const maxAddBytes = options.maxAddBytes ?? defaultLimits.maxAddBytes;
  const skip = options.invalid === "skip";
  const refuse = (error: InputError, input: unknown) => {
    if (!skip) throw error;
    options.onInvalid?.(error, input);
  };
  const toRequest = options.fileFormat === true ? batchLineRequest : toBatchRequest;
  const normalised = new Map<number, BatchRequest>();
  const encoder = new RequestEncoder(
    (input, index) => {
      const request = toRequest(input, index, models);
      normalised.set(index, request);
      return request;
    },
    true,
    refuse,
  );
  const planner = new ChunkPlanner(
    { maxBytes: maxAddBytes, maxRequests: options.maxRequestsPerCall ?? Number.POSITIVE_INFINITY },
    envelopeSize(longestBatchId),
  );
  let call = 0;
  let index = 0;
  let group: unknown[] = [];
  const flush = function* () {
    const inputs = group;
    for (const encoded of encoder.encodeMany(inputs, index)) {
      const request = normalised.get(encoded.index)!;
      const bytes = encoded.bytes.length;
      if (!planner.fitsAlone(bytes)) {
        refuse(
          new InputError({
            index: encoded.index,
            batchRequestId: encoded.id,
            reason: `encodes to ${bytes} bytes; one AddBatchRequests call may carry at most ${maxAddBytes} bytes`,
            fix: "Shorten it, or pass large media by URL",
          }),
          inputs[encoded.index - index],
        );
        continue;
      }
      if (!planner.fits(bytes)) {
        call++;
        planner.reset();
      }
      planner.add(bytes);
      const autoId = request.batchRequestId === undefined;
      request.batchRequestId = encoded.id!;
      yield { index: encoded.index, batchRequestId: encoded.id!, autoId, encodedBytes: bytes, call, request };
    }
    index += group.length;
    group = [];
    normalised.clear();
  };
  for await (const input of requests as AsyncIterable<AddInput>) {
    if (group.push(input) === groupSize) yield* flush();
  }
  if (group.length > 0) yield* flush();
}
