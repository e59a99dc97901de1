/** Where an add stands; reported through `onProgress` and returned at the end. */
export interface AddProgress {
  /** Requests taken from the input so far. */
  readonly requestsRead: number;
  /** Requests this add put into the batch, confirmed by the server. */
  readonly requestsAdded: number;
  /** Requests whose id the batch already held before this add (e.g. from an interrupted earlier run); not sent again. */
  readonly alreadyPresent: number;
  /** Requests left out because they alone exceed the size limit (with `oversize: "skip"`). */
  readonly skipped: number;
  /** Invalid requests left out (with `invalid: "skip"`), each reported to `onInvalid`. */
  readonly invalid: number;
  /** Encoded bytes of the successful calls, envelopes included. */
  readonly bytesSent: number;
  /** Successful AddBatchRequests calls. */
  readonly calls: number;
  /** Attempts that failed and were retried. */
  readonly retries: number;
  /** Time spent waiting for add quota, summed over calls. */
  readonly quotaWaitMs: number;
  /**
   * Pages of ListBatchRequestMetadata read to learn which ids the batch holds: once before sending when
   * the batch is not empty, then only what was appended since, for calls whose outcome needs checking.
   */
  readonly listCalls: number;
}

/** A request that was left out, with why. */
export interface SkippedRequest {
  readonly index: number;
  readonly batchRequestId: string | undefined;
  readonly bytes: number;
  readonly limit: number;
}
