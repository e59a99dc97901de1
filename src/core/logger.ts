/** How much the client logs: each level includes the ones after it; "off" logs nothing. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "off";

/**
 * Where the client's log lines go: `console` fits, as do pino, winston and bunyan loggers. Each line is a
 * message and an object of fields (method, attempt, delay, request id, batch id); secrets are already
 * removed from both.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The environment variable that sets `logLevel` when the option is not given, as OPENAI_LOG does for openai-node. */
export const LOG_LEVEL_ENV = "XAI_BATCH_LOG";

/** Every `LogLevel`, most verbose first. */
export const logLevels: readonly LogLevel[] = Object.freeze(["debug", "info", "warn", "error", "off"]);
