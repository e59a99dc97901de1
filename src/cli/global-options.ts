import { API_KEY_ENV, Client, defaultBatchModels, defaultLimits, isLoopback, MemoryQuotaLimiter, type Logger } from "../index.js";
import { QuotaWatch } from "./quota-watch.js";
import { UsageError } from "./usage-error.js";

/** The environment variable the CLI and the examples read the service URL from. */
export const BASE_URL_ENV = "XAI_BASE_URL";
/** Set to 1, the environment's `--insecure-force`: plaintext to any host. */
export const ALLOW_INSECURE_ENV = "XAI_BATCH_ALLOW_INSECURE";

/** The environment variable the CLI reads the Redis URL from, to share the team's quota with other workers. */
export const REDIS_URL_ENV = "XAI_BATCH_REDIS_URL";

/** Options every command takes, in node:util parseArgs form. */
export const globalOptionSpecs = {
  "api-key": { type: "string" },
  "base-url": { type: "string" },
  insecure: { type: "boolean" },
  "insecure-force": { type: "boolean" },
  timeout: { type: "string" },
  models: { type: "string" },
  redis: { type: "string" },
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

/** The help text of the global options. */
export const globalOptionsHelp = `Global options:
  --api-key KEY       xAI API key (default: $XAI_API_KEY; prefer the variable: arguments show in ps)
  --base-url URL      service URL (default: $${BASE_URL_ENV}, else https://api.x.ai)
  --insecure          (not needed any more: plaintext http:// to a loopback address is allowed)
  --insecure-force    allow plaintext http:// to any host, only on a trusted private network
                      (or ${ALLOW_INSECURE_ENV}=1)
  --timeout MS        deadline of each call in ms, 0 for none (default: per call, 30 s to 5 min)
  --models A,B|any    models requests may name (default: the known batch models)
  --redis URL         pace through Redis, sharing the team's quota with other workers (default: $${REDIS_URL_ENV})
  --json              machine-readable output: one JSON object per line on stdout
  -q, --quiet         no progress lines
  -h, --help          this help`;

/** The global options after validation. */
export interface GlobalOptions {
  readonly apiKey: string | undefined;
  readonly baseUrl: string | undefined;
  readonly allowInsecure: boolean;
  readonly timeoutMs: number | undefined;
  /** Models requests may name; undefined accepts any. */
  readonly models: ReadonlySet<string> | undefined;
  /** Redis to share the team's quota through; undefined paces this process alone. */
  readonly redisUrl: string | undefined;
  readonly json: boolean;
  readonly quiet: boolean;
}

type GlobalValues = { [K in keyof typeof globalOptionSpecs]?: (typeof globalOptionSpecs)[K]["type"] extends "string" ? string : boolean };

/** Checks the global options; a mistake is a UsageError saying how to fix it. */
export function resolveGlobalOptions(values: GlobalValues, env: NodeJS.ProcessEnv = process.env): GlobalOptions {
  const baseUrl = values["base-url"] ?? (env[BASE_URL_ENV] || undefined);
  const force = values["insecure-force"] === true || env[ALLOW_INSECURE_ENV] === "1";
  if (baseUrl !== undefined) checkPlaintext(baseUrl, force);
  const redisUrl = values.redis ?? (env[REDIS_URL_ENV] || undefined);
  if (redisUrl !== undefined && !/^rediss?:\/\/[^/]/.test(redisUrl)) {
    // Only the scheme is shown: the rest may hold a password.
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(redisUrl)?.[0] ?? "no scheme";
    throw new UsageError(
      `--redis expects a URL such as redis://127.0.0.1:6379 (or rediss:// for TLS), got one with ${JSON.stringify(scheme)}.`,
    );
  }
  return {
    apiKey: values["api-key"],
    baseUrl,
    allowInsecure: force,
    timeoutMs: values.timeout === undefined ? undefined : integerFlag("timeout", values.timeout, 0),
    models: parseModels(values.models),
    redisUrl,
    json: values.json === true,
    quiet: values.quiet === true,
  };
}

/** A Client for the global options, pacing through `quota` so progress can show quota waits. */
export function createClient(options: GlobalOptions, quota: QuotaWatch, logger: Logger, env: NodeJS.ProcessEnv = process.env): Client {
  if (options.apiKey === undefined && (env[API_KEY_ENV] ?? "").trim() === "") {
    throw new UsageError(`no API key: set ${API_KEY_ENV} (or pass --api-key). Keys are created in the xAI console.`);
  }
  return new Client({
    apiKey: options.apiKey,
    baseUrl: options.baseUrl,
    allowInsecure: options.allowInsecure,
    timeoutMs: options.timeoutMs,
    batchModels: options.models === undefined ? "any" : [...options.models],
    quotaLimiter: quota,
    logger,
  });
}

/**
 * The quota watch a client built by createClient paces through: xAI's limits, as the library sets them,
 * in this process alone or, with `--redis`, shared with every worker of the team. The Redis module (and
 * its peer dependency ioredis) is loaded only then.
 */
export async function createQuotaWatch(options: GlobalOptions): Promise<QuotaWatch> {
  if (options.redisUrl === undefined) return new QuotaWatch(MemoryQuotaLimiter.fromLimits(defaultLimits));
  let redis: typeof import("../redis/index.js");
  try {
    redis = await import("../redis/index.js");
  } catch (error) {
    throw new UsageError(`--redis needs the ioredis package, which is not installed (npm install ioredis): ${(error as Error).message}`);
  }
  const limiter = redis.redisQuotaLimiter({ url: options.redisUrl });
  return new QuotaWatch(limiter, Date.now, () => limiter.close());
}

/** Parses a whole-number flag value, e.g. `--timeout 5000`. */
export function integerFlag(flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(
      `--${flag} expects a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? " up" : ` to ${max}`}, got ${JSON.stringify(value)}.`,
    );
  }
  return n;
}

function parseModels(value: string | undefined): ReadonlySet<string> | undefined {
  if (value === undefined) return new Set(defaultBatchModels);
  if (value.trim() === "any") return undefined;
  const models = value
    .split(",")
    .map((m) => m.trim())
    .filter((m) => m !== "");
  if (models.length === 0)
    throw new UsageError(`--models expects model names separated by commas, or "any", got ${JSON.stringify(value)}.`);
  return new Set(models);
}

/**
 * Plaintext sends the API key unencrypted. To a loopback address (a local emulator) the key never leaves
 * the machine, so that needs no flag, as in the library; any other host needs `--insecure-force` or
 * ${ALLOW_INSECURE_ENV}=1, for a trusted private network.
 */
function checkPlaintext(baseUrl: string, force: boolean): void {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UsageError(`--base-url expects a URL such as https://api.x.ai or http://127.0.0.1:50051, got ${JSON.stringify(baseUrl)}.`);
  }
  if (url.protocol !== "http:" || force || isLoopback(url.hostname)) return;
  throw new UsageError(
    `${url.origin} is plaintext http:// to ${url.hostname}, which is not a loopback address: the API key would cross the network unencrypted. ` +
      `Use https://, or --insecure-force (or ${ALLOW_INSECURE_ENV}=1) on a trusted private network.`,
  );
}
