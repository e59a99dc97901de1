import { ApiKey } from "./auth.js";
import { InputError } from "./errors.js";
import { checkMetadata } from "./internal/call.js";
import { checkInteger, checkKnownKeys, describe } from "./internal/validate.js";
import { defaultBatchModels } from "./models.js";
import { defaultConnectionOptions, type ConnectionOptions } from "./transport.js";

/** Service limits the client keeps to, so it never sends a call the server must refuse. */
export interface Limits {
  /**
   * Largest encoded AddBatchRequests call in bytes. xAI states 25 MB; the default reads that as decimal
   * megabytes, the smaller of the two readings, so no call is refused for a unit mix-up.
   * @default 25_000_000
   */
  maxAddBytes: number;
}

/** HTTP/2 tuning; the defaults suit hours-long batch work. */
export type Http2Options = Omit<ConnectionOptions, "baseUrl" | "allowInsecure">;

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
  /** Models requests may name, checked before sending; "any" skips the check. @default the known batch models */
  batchModels?: readonly string[] | "any";
  /** Service limits to stay within; any subset overrides the defaults. */
  limits?: Partial<Limits>;
  /** HTTP/2 keepalive and message-size tuning; any subset overrides the defaults. */
  http2?: Partial<Http2Options>;
}

/** The options after defaults and validation. */
export interface ResolvedClientOptions {
  readonly apiKey: ApiKey;
  readonly connection: ConnectionOptions;
  readonly timeoutMs: number | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly batchModels: ReadonlySet<string> | undefined;
  readonly limits: Readonly<Limits>;
}

export const defaultLimits: Readonly<Limits> = Object.freeze({ maxAddBytes: 25_000_000 });

const optionKeys = ["apiKey", "baseUrl", "allowInsecure", "timeoutMs", "metadata", "batchModels", "limits", "http2"];

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
    throw new InputError(`\`http2.writeMaxBytes\` (${connection.writeMaxBytes}) must exceed \`limits.maxAddBytes\` (${limits.maxAddBytes}) by at least 1024, or full add calls could not be sent.`);
  }
  return Object.freeze({
    apiKey: ApiKey.resolve(options.apiKey, env),
    connection,
    timeoutMs: options.timeoutMs,
    metadata: Object.freeze({ ...options.metadata }),
    batchModels: resolveModels(options.batchModels),
    limits: Object.freeze(limits),
  });
}

function resolveModels(models: ClientOptions["batchModels"]): ReadonlySet<string> | undefined {
  if (models === "any") return undefined;
  if (models === undefined) return new Set(defaultBatchModels);
  if (!Array.isArray(models) || models.some((m) => typeof m !== "string" || m === "")) {
    throw new InputError(`Expected \`batchModels\` to be an array of model names or "any", got ${describe(models)}.`);
  }
  return new Set(models);
}
