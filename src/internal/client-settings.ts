import type { Interceptor, Transport } from "@connectrpc/connect";
import type { ClientOptions, Http2Options } from "../core/client-options.js";
import { InputError } from "../core/errors.js";
import { ApiKey } from "../core/internal/api-key.js";
import { ratesFor } from "../core/internal/pacing.js";
import { checkInteger, checkKnownKeys, describeValue } from "../core/internal/validate.js";
import { defaultLimits, type Limits } from "../core/limits.js";
import { LOG_LEVEL_ENV, logLevels, type Logger, type LogLevel } from "../core/logger.js";
import { MemoryQuotaLimiter } from "../core/memory-quota-limiter.js";
import type { QuotaLimiter, QuotaScope } from "../core/quota.js";
import type { RetryOptions } from "../core/retry-options.js";
import { checkMetadata } from "./call/call.js";
import { defaultRetryOptions } from "./call/retry.js";
import { defaultConnectionOptions, type ConnectionOptions } from "./transport/connection.js";

// The client's options made whole: defaults applied and every value checked once, at construction.

/** The options after defaults and validation. */
export interface ResolvedClientOptions {
  readonly apiKey: ApiKey;
  readonly connection: ConnectionOptions;
  readonly timeoutMs: number | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  /** A fixed list, undefined for "any", or "live". */
  readonly batchModels: ReadonlySet<string> | undefined | "live";
  readonly limits: Readonly<Limits>;
  readonly retry: Readonly<RetryOptions>;
  readonly quotaLimiter: QuotaLimiter;
  readonly interceptors: readonly Interceptor[];
  readonly transport: Transport | undefined;
  readonly logLevel: LogLevel;
  readonly logger: Logger;
}

const optionKeys = [
  "apiKey",
  "baseUrl",
  "allowInsecure",
  "timeoutMs",
  "metadata",
  "batchModels",
  "limits",
  "http2",
  "retry",
  "quotaLimiter",
  "interceptors",
  "transport",
  "logLevel",
  "logger",
];

/** Applies defaults and checks every option, with messages that say what was expected. */
export function resolveClientOptions(options: ClientOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedClientOptions {
  checkKnownKeys("Client options", options, optionKeys);
  if (options.apiKey !== undefined && typeof options.apiKey !== "string") {
    throw new InputError(`Expected \`apiKey\` to be a string, got ${typeof options.apiKey}.`);
  }
  checkInteger("timeoutMs", options.timeoutMs, 0, 2_147_483_647);
  checkMetadata("metadata", options.metadata);
  checkKnownKeys("limits", options.limits, Object.keys(defaultLimits));
  const limits = { ...defaultLimits, ...options.limits };
  checkInteger("limits.maxAddBytes", limits.maxAddBytes, 1024, 2 ** 31 - 1);
  checkInteger("limits.maxFileBytes", limits.maxFileBytes, 1, Number.MAX_SAFE_INTEGER);
  checkInteger("limits.createPerSecond", limits.createPerSecond, 1, 1_000);
  checkInteger("limits.addCallsPerWindow", limits.addCallsPerWindow, 1, 1_000_000);
  checkInteger("limits.addWindowMs", limits.addWindowMs, 1, 86_400_000);
  const retry = resolveRetryOptions(options.retry);
  const http2Keys = Object.keys(defaultConnectionOptions).filter((k) => k !== "baseUrl" && k !== "allowInsecure");
  checkKnownKeys("http2", options.http2, http2Keys);
  const connection: ConnectionOptions = {
    ...defaultConnectionOptions,
    ...options.http2,
    baseUrl: options.baseUrl ?? defaultConnectionOptions.baseUrl,
    allowInsecure: options.allowInsecure ?? false,
  };
  for (const key of http2Keys) checkInteger(`http2.${key}`, connection[key as keyof Http2Options], 1, 2 ** 32 - 1);
  if (connection.writeMaxBytes < limits.maxAddBytes + 1024) {
    throw new InputError(
      `\`http2.writeMaxBytes\` (${connection.writeMaxBytes}) must exceed \`limits.maxAddBytes\` (${limits.maxAddBytes}) by at least 1024, or full add calls could not be sent.`,
    );
  }
  const interceptors = options.interceptors ?? [];
  if (!Array.isArray(interceptors) || interceptors.some((i) => typeof i !== "function")) {
    throw new InputError(
      `Expected \`interceptors\` to be an array of Connect interceptors (functions), got ${describeValue(options.interceptors)}.`,
    );
  }
  if (options.transport !== undefined) {
    if (typeof options.transport !== "object" || typeof options.transport.unary !== "function") {
      throw new InputError(
        `Expected \`transport\` to be a Connect Transport (from createGrpcTransport), got ${describeValue(options.transport)}.`,
      );
    }
    const ownSettings = (["baseUrl", "http2", "interceptors", "allowInsecure"] as const).filter((k) => options[k] !== undefined);
    if (ownSettings.length > 0) {
      throw new InputError(
        `\`${ownSettings[0]}\` has no effect with \`transport\`: set it on the transport you pass (createGrpcTransport's options).`,
      );
    }
  }
  const logLevel = resolveLogLevel(options.logLevel, env);
  const logger = options.logger ?? console;
  if (
    typeof logger !== "object" ||
    logger === null ||
    (["debug", "info", "warn", "error"] as const).some((m) => typeof logger[m] !== "function")
  ) {
    throw new InputError(
      `Expected \`logger\` to have debug, info, warn and error methods (console, pino, winston), got ${describeValue(options.logger)}.`,
    );
  }
  const apiKey = ApiKey.resolve(options.apiKey, env);
  const scope: QuotaScope = { team: apiKey.fingerprint(), rates: ratesFor(limits) };
  return Object.freeze({
    apiKey,
    connection,
    timeoutMs: options.timeoutMs,
    metadata: Object.freeze({ ...options.metadata }),
    batchModels: resolveModels(options.batchModels),
    limits: Object.freeze(limits),
    retry,
    quotaLimiter:
      options.quotaLimiter === undefined
        ? MemoryQuotaLimiter.fromLimits(limits)
        : (options.quotaLimiter.forScope?.(scope) ?? options.quotaLimiter),
    interceptors: Object.freeze([...interceptors]),
    transport: options.transport,
    logLevel,
    logger,
  });
}

function resolveLogLevel(option: LogLevel | undefined, env: NodeJS.ProcessEnv): LogLevel {
  const fromEnv = env[LOG_LEVEL_ENV] || undefined;
  const level = option ?? fromEnv?.toLowerCase() ?? "warn";
  if (!logLevels.includes(level as LogLevel)) {
    const where = option === undefined ? `${LOG_LEVEL_ENV}` : "`logLevel`";
    throw new InputError(
      `Expected ${where} to be one of ${logLevels.map((l) => `"${l}"`).join(", ")}, got ${describeValue(option ?? fromEnv)}.`,
    );
  }
  return level as LogLevel;
}

function resolveRetryOptions(retry: Partial<RetryOptions> | undefined): Readonly<RetryOptions> {
  checkKnownKeys("retry", retry, Object.keys(defaultRetryOptions));
  const resolved = { ...defaultRetryOptions, ...retry };
  checkInteger("retry.maxAttempts", resolved.maxAttempts, 1, 100);
  checkInteger("retry.maxHintMs", resolved.maxHintMs, 0, 3_600_000);
  for (const name of ["transientBackoff", "quotaBackoff"] as const) {
    checkKnownKeys(`retry.${name}`, resolved[name], ["initialMs", "maxMs", "multiplier"]);
    const backoff = { ...defaultRetryOptions[name], ...resolved[name] };
    checkInteger(`retry.${name}.initialMs`, backoff.initialMs, 0, 3_600_000);
    checkInteger(`retry.${name}.maxMs`, backoff.maxMs, backoff.initialMs, 3_600_000);
    if (!(backoff.multiplier >= 1))
      throw new InputError(`Expected \`retry.${name}.multiplier\` to be at least 1, got ${describeValue(backoff.multiplier)}.`);
    resolved[name] = backoff;
  }
  checkKnownKeys("retry.budget", resolved.budget, ["maxTokens", "tokenRatio"]);
  resolved.budget = { ...defaultRetryOptions.budget, ...resolved.budget };
  if (!Array.isArray(resolved.retryableCodes)) throw new InputError(`Expected \`retry.retryableCodes\` to be an array of Code values.`);
  if (resolved.onRetry !== undefined && typeof resolved.onRetry !== "function")
    throw new InputError("Expected `retry.onRetry` to be a function.");
  return Object.freeze(resolved);
}

function resolveModels(models: ClientOptions["batchModels"]): ReadonlySet<string> | undefined | "live" {
  if (models === "any") return undefined;
  if (models === undefined || models === "live") return "live";
  if (!Array.isArray(models) || models.some((m) => typeof m !== "string" || m === "")) {
    throw new InputError(`Expected \`batchModels\` to be an array of model names, "any" or "live", got ${describeValue(models)}.`);
  }
  return new Set(models);
}
