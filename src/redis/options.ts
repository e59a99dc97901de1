import type { Redis } from "ioredis";
import { InputError } from "../core/errors.js";
import { checkInteger, checkKnownKeys, checkNonEmptyString, describeValue } from "../core/internal/validate.js";
import { withoutUndefined } from "../core/internal/without-undefined.js";

/** What a worker does while Redis cannot be reached. */
export type UnreachablePolicy = "local" | "fail";

/** Options of `redisQuotaLimiter(options)`: where Redis is, and what to do without it. */
export interface RedisQuotaOptions {
  /** Redis URL, e.g. "redis://127.0.0.1:6379"; the limiter opens the connection and `close()` closes it. Give `url` or `client`. */
  url?: string;
  /** An ioredis client to use instead of `url`; the limiter neither reconfigures nor closes it. */
  client?: Redis;
  /** Names the team's keys instead of the API key's hash, for several API keys of one team. @default a hash of the client's API key */
  team?: string;
  /** Prefix of every key the limiter writes. @default "xai-batch" */
  keyPrefix?: string;
  /**
   * While Redis is unreachable: "local" paces each worker alone to its share of the quota (see
   * `expectedWorkers`), "fail" fails calls with ApiError UNAVAILABLE. Either way, Redis is used again as soon as it is back.
   * @default "local"
   */
  whenUnreachable?: UnreachablePolicy;
  /**
   * Workers sharing the team's quota. While Redis is unreachable each takes at most limit / max(this, the
   * most workers it saw on Redis). Set it when workers may start while Redis is already down. @default 1
   */
  expectedWorkers?: number;
  /** How long a slot of a call in flight counts after its last renewal: a crashed worker's slots free this long plus a window after. @default 10_000 */
  leaseMs?: number;
  /** How often a waiter asks again while every free slot it needs is held by a call in flight. @default 25 */
  pollMs?: number;
  /** How long the first call waits for the connection to open before the unreachable policy applies. @default 2_000 */
  connectTimeoutMs?: number;
  /** Bound of each Redis command on a connection opened from `url`; a slower answer counts as unreachable. @default 1_000 */
  commandTimeoutMs?: number;
}

/** The options after defaults and validation. */
export interface ResolvedRedisQuotaOptions {
  readonly url: string | undefined;
  readonly client: Redis | undefined;
  readonly team: string | undefined;
  readonly keyPrefix: string;
  readonly whenUnreachable: UnreachablePolicy;
  readonly expectedWorkers: number;
  readonly leaseMs: number;
  readonly pollMs: number;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
}

const defaults = Object.freeze({
  keyPrefix: "xai-batch",
  whenUnreachable: "local" as UnreachablePolicy,
  expectedWorkers: 1,
  leaseMs: 10_000,
  pollMs: 25,
  connectTimeoutMs: 2_000,
  commandTimeoutMs: 1_000,
});

const optionKeys = [
  "url",
  "client",
  "team",
  "keyPrefix",
  "whenUnreachable",
  "expectedWorkers",
  "leaseMs",
  "pollMs",
  "connectTimeoutMs",
  "commandTimeoutMs",
];

/** Applies defaults and checks every option, with messages that say what was expected. */
export function resolveRedisQuotaOptions(options: RedisQuotaOptions): ResolvedRedisQuotaOptions {
  checkKnownKeys("redisQuotaLimiter options", options, optionKeys);
  if ((options.url === undefined) === (options.client === undefined)) {
    throw new InputError(
      'Expected exactly one of `url` (e.g. "redis://127.0.0.1:6379") or `client` (an ioredis client) in redisQuotaLimiter options.',
    );
  }
  if (options.url !== undefined && !/^rediss?:\/\//.test(options.url)) {
    throw new InputError(`Expected \`url\` to be a redis:// or rediss:// URL, got ${describeValue(redactUrl(options.url))}.`);
  }
  if (options.team !== undefined) checkNonEmptyString("team", options.team);
  if (options.keyPrefix !== undefined) checkNonEmptyString("keyPrefix", options.keyPrefix);
  const resolved = { ...defaults, ...withoutUndefined(options) };
  if (resolved.whenUnreachable !== "local" && resolved.whenUnreachable !== "fail") {
    throw new InputError(`Expected \`whenUnreachable\` to be "local" or "fail", got ${describeValue(resolved.whenUnreachable)}.`);
  }
  checkInteger("expectedWorkers", resolved.expectedWorkers, 1, 100_000);
  checkInteger("leaseMs", resolved.leaseMs, 100, 3_600_000);
  checkInteger("pollMs", resolved.pollMs, 1, 60_000);
  checkInteger("connectTimeoutMs", resolved.connectTimeoutMs, 0, 600_000);
  checkInteger("commandTimeoutMs", resolved.commandTimeoutMs, 1, 600_000);
  return Object.freeze({ url: options.url, client: options.client, team: options.team, ...resolved });
}

/** A Redis URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, "//[redacted]@");
}
