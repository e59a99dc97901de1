import { API_KEY_ENV, Client, defaultBatchModels, defaultLimits, isLoopback, MemoryQuotaLimiter } from "../index.js";
import { QuotaWatch } from "./quota-watch.js";
import { UsageError } from "./usage-error.js";

/** The environment variable the CLI and the examples read the service URL from. */
export const BASE_URL_ENV = "XAI_BASE_URL";

/** Options every command takes, in node:util parseArgs form. */
export const globalOptionSpecs = {
  "api-key": { type: "string" },
  "base-url": { type: "string" },
  insecure: { type: "boolean" },
  "insecure-force": { type: "boolean" },
  timeout: { type: "string" },
  models: { type: "string" },
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

/** The help text of the global options. */
export const globalOptionsHelp = `Global options:
  --api-key KEY       xAI API key (default: $XAI_API_KEY; prefer the variable: arguments show in ps)
  --base-url URL      service URL (default: $${BASE_URL_ENV}, else https://api.x.ai)
  --insecure          allow plaintext http:// to a loopback address (a local emulator)
  --insecure-force    allow plaintext http:// to any host (only on a trusted private network)
  --timeout MS        deadline of each call in ms, 0 for none (default: per call, 30 s to 5 min)
  --models A,B|any    models requests may name (default: the known batch models)
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
  readonly json: boolean;
  readonly quiet: boolean;
}

type GlobalValues = { [K in keyof typeof globalOptionSpecs]?: (typeof globalOptionSpecs)[K]["type"] extends "string" ? string : boolean };

/** Checks the global options; a mistake is a UsageError saying how to fix it. */
export function resolveGlobalOptions(values: GlobalValues, env: NodeJS.ProcessEnv = process.env): GlobalOptions {
  const baseUrl = values["base-url"] ?? (env[BASE_URL_ENV] || undefined);
  const force = values["insecure-force"] === true;
  if (baseUrl !== undefined) checkPlaintext(baseUrl, values.insecure === true || force, force);
  return {
    apiKey: values["api-key"],
    baseUrl,
    allowInsecure: force,
    timeoutMs: values.timeout === undefined ? undefined : integerFlag("timeout", values.timeout, 0),
    models: parseModels(values.models),
    json: values.json === true,
    quiet: values.quiet === true,
  };
}

/** A Client for the global options, pacing through `quota` so progress can show quota waits. */
export function createClient(options: GlobalOptions, quota: QuotaWatch, env: NodeJS.ProcessEnv = process.env): Client {
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
  });
}

/** The quota watch a client built by createClient paces through: xAI's limits, as the library sets them. */
export function createQuotaWatch(): QuotaWatch {
  return new QuotaWatch(MemoryQuotaLimiter.fromLimits(defaultLimits));
}

/** Parses a whole-number flag value, e.g. `--timeout 5000`. */
export function integerFlag(flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag} expects a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? " up" : ` to ${max}`}, got ${JSON.stringify(value)}.`);
  }
  return n;
}

function parseModels(value: string | undefined): ReadonlySet<string> | undefined {
  if (value === undefined) return new Set(defaultBatchModels);
  if (value.trim() === "any") return undefined;
  const models = value.split(",").map((m) => m.trim()).filter((m) => m !== "");
  if (models.length === 0) throw new UsageError(`--models expects model names separated by commas, or "any", got ${JSON.stringify(value)}.`);
  return new Set(models);
}

/**
 * Plaintext sends the API key unencrypted, so the command line asks for it explicitly: `--insecure` for
 * a loopback address (where the key never leaves the machine), `--insecure-force` for any other host.
 */
function checkPlaintext(baseUrl: string, insecure: boolean, force: boolean): void {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UsageError(`--base-url expects a URL such as https://api.x.ai or http://127.0.0.1:50051, got ${JSON.stringify(baseUrl)}.`);
  }
  if (url.protocol !== "http:") return;
  if (!insecure) throw new UsageError(`${url.origin} is plaintext http://; add --insecure to allow it for a local emulator, or use https://.`);
  if (!force && !isLoopback(url.hostname)) {
    throw new UsageError(`--insecure allows plaintext only to a loopback address, and ${url.hostname} is not one: the API key would cross the network unencrypted. Use https://, or --insecure-force on a trusted private network.`);
  }
}
