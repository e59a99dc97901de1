// The service's limits: one home for each, used by the client, the quota limiters and the emulator.

/** Service limits the client keeps to, so it never sends a call the server must refuse. */
export interface Limits {
  /** Batch creations per second, per team. @default 1 */
  createPerSecond: number;
  /** AddBatchRequests calls per rolling window, per team. @default 100 */
  addCallsPerWindow: number;
  /** The rolling window of `addCallsPerWindow`, in ms. @default 30_000 */
  addWindowMs: number;
  /**
   * Largest encoded AddBatchRequests call in bytes. xAI states 25 MB; the default reads that as decimal
   * megabytes, the smaller of the two readings, so no call is refused for a unit mix-up.
   * @default 25_000_000
   */
  maxAddBytes: number;
  /** Largest file `client.files.upload` sends; xAI states 512 MB, read as decimal megabytes. @default 512_000_000 */
  maxFileBytes: number;
}

/** The seed guide's limits, which a team can never be refused for. */
export const defaultLimits: Readonly<Limits> = Object.freeze({
  createPerSecond: 1,
  addCallsPerWindow: 100,
  addWindowMs: 30_000,
  maxAddBytes: 25_000_000,
  maxFileBytes: 512_000_000,
});
