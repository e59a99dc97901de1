import type { Interceptor, Transport } from "@connectrpc/connect";
import type { Limits } from "./limits.js";
import type { Logger, LogLevel } from "./logger.js";
import type { QuotaLimiter } from "./quota.js";
import type { RetryOptions } from "./retry-options.js";

/** HTTP/2 tuning; the defaults suit hours-long batch work. */
export interface Http2Options {
  /**
   * Interval of HTTP/2 PINGs while calls are open, and the idle time after which a connection is verified
   * before reuse, so a connection reaped by a load balancer during a long wait is replaced, not hung on.
   * @default 30_000
   */
  pingIntervalMs: number;
  /** How long a PING may go unanswered before the connection is treated as dead. @default 10_000 */
  pingTimeoutMs: number;
  /** Largest response message accepted; result pages can be large. @default 256 MiB */
  readMaxBytes: number;
  /** Largest request message sent; above a full 25 MB AddBatchRequests with room for its envelope. @default 64 MiB */
  writeMaxBytes: number;
}

/** Options of `new Client(options)`. Every option has a production default. */
export interface ClientOptions {
  /** The xAI API key. @default process.env.XAI_API_KEY */
  apiKey?: string;
  /** The service URL. @default "https://api.x.ai" */
  baseUrl?: string;
  /** Allow plaintext http:// to a host that is not loopback. @default false */
  allowInsecure?: boolean;
  /** Deadline of every call in ms, replacing the per-RPC defaults; `0` means none. @default per RPC (30 s for reads, 5 min for add) */
  timeoutMs?: number;
  /** Metadata (gRPC headers) sent with every call, e.g. for a proxy. @default {} */
  metadata?: Record<string, string>;
  /**
   * Models requests may name, checked before sending: a list, "any" to skip the check, or "live": the
   * team's model list read from xai_api.Models once per client, less the models the Batch API is known to
   * refuse (`defaultBatchModels` when it cannot be read). @default "live"
   */
  batchModels?: readonly string[] | "any" | "live";
  /** Service limits to stay within; any subset overrides the defaults. */
  limits?: Partial<Limits>;
  /** HTTP/2 keepalive and message-size tuning; any subset overrides the defaults. */
  http2?: Partial<Http2Options>;
  /** What is retried and how; any subset overrides the defaults (5 attempts, RESOURCE_EXHAUSTED and UNAVAILABLE). */
  retry?: Partial<RetryOptions>;
  /**
   * Paces creates and adds for the whole team. Pass a shared one (`redisQuotaLimiter` from
   * "xai-batch/redis") when several processes use one team's quota. @default an in-memory limiter built from `limits`
   */
  quotaLimiter?: QuotaLimiter;
  /**
   * Connect interceptors every call passes through (attempts included), e.g. for logging or tracing.
   * @default none
   */
  interceptors?: readonly Interceptor[];
  /**
   * A Connect transport of your own (your TLS, proxy, interceptors), used instead of the one the client
   * builds; `baseUrl`, `http2` and `interceptors` then belong on it, and `close()` leaves it open. @default the client's own
   */
  transport?: Transport;
  /**
   * How much the client logs: retries and quota waits of a second or more at "info", every attempt at
   * "debug". @default process.env.XAI_BATCH_LOG, else "warn"
   */
  logLevel?: LogLevel;
  /** Where log lines go; secrets are scrubbed from every line first. @default console */
  logger?: Logger;
}
