import { InputError } from "../core/errors.js";
import { withoutUndefined } from "../core/internal/without-undefined.js";
import { defaultBatchModels } from "../core/batch-models.js";
import { realClock, type EmulatorClock } from "./clock.js";

/** Per-team limits, the same as xAI's unless a test scales them down. */
export interface LimitOptions {
  /**
   * Minimum time between two CreateBatch calls of one team. `0` means no limit.
   * @default 1000
   */
  createIntervalMs: number;
  /**
   * AddBatchRequests calls a team may make in any rolling `addWindowMs`, across all of its batches.
   * @default 100
   */
  addCallsPerWindow: number;
  /**
   * The rolling window of `addCallsPerWindow`.
   * @default 30000
   */
  addWindowMs: number;
  /**
   * Largest encoded AddBatchRequests message accepted; a larger one is refused without RetryInfo.
   * @default 25000000
   */
  maxAddBytes: number;
  /**
   * Largest file UploadFile accepts; a larger one is refused with RESOURCE_EXHAUSTED.
   * @default 512000000
   */
  maxFileBytes: number;
}

/** The fake model and the pace at which it works through queued requests. */
export interface ProcessingOptions {
  /**
   * Requests finished per second across all batches. `0` pauses processing (requests stay pending).
   * @default 2000
   */
  requestsPerSecond: number;
  /**
   * Fraction (0 to 1) of requests that fail with an INTERNAL status result, chosen by a hash of
   * `seed` and the request id, so the same request fails in every run and after a restart.
   * @default 0
   */
  failureRate: number;
  /**
   * Seed of the failure choice.
   * @default 1
   */
  seed: number;
  /**
   * Price of one token (prompt or completion) of a chat completion, in USD ticks (1 tick = 1e-10 USD).
   * @default 20000
   */
  usdTicksPerToken: number;
  /**
   * Price of one generated image, in USD ticks.
   * @default 700000000
   */
  usdTicksPerImage: number;
  /**
   * Price of one generated or extended video, in USD ticks.
   * @default 5000000000
   */
  usdTicksPerVideo: number;
}

/** Failures injected on purpose, reproducible through `seed`. */
export interface FaultOptions {
  /**
   * Seed of the generator that decides which calls fail and how long latency is.
   * @default 1
   */
  seed: number;
  /**
   * Fraction (0 to 1) of calls answered UNAVAILABLE before anything is applied.
   * @default 0
   */
  unavailableRate: number;
  /**
   * Fraction (0 to 1) of AddBatchRequests calls that are applied and then answered UNAVAILABLE, the case
   * where a client cannot know whether its call took effect.
   * @default 0
   */
  ambiguousAddRate: number;
  /**
   * Latency added to every call: a fixed number of milliseconds or a `[min, max]` range drawn uniformly.
   * @default 0
   */
  latencyMs: number | readonly [number, number];
  /**
   * For this long after creation a batch answers NOT_FOUND to GetBatch, AddBatchRequests and the calls
   * on its requests and results (not to CancelBatch or ListBatches), like a read replica that has not
   * caught up. `0` turns it off.
   * @default 0
   */
  notFoundAfterCreateMs: number;
  /**
   * Connections older than this get an HTTP/2 GOAWAY (grpc-js `grpc.max_connection_age_ms`); calls in
   * flight then get as long again to finish. Read at start only. `0` turns it off.
   * @default 0
   */
  maxConnectionAgeMs: number;
}

/** Options of startEmulator. Every field is optional; nested groups may be given in part. */
export interface EmulatorOptions {
  /**
   * Address to bind.
   * @default "127.0.0.1"
   */
  host: string;
  /**
   * Port to bind; `0` picks a free one (read it from `emulator.port`).
   * @default 0
   */
  port: number;
  /**
   * API keys allowed to call; any other key gets PERMISSION_DENIED. Keys named in `teams` are allowed
   * too. Undefined allows every key.
   * @default undefined
   */
  apiKeys: readonly string[] | undefined;
  /**
   * API key to team name. Keys of one team share its limits and see its batches; a key not listed is a
   * team of its own.
   * @default {}
   */
  teams: Readonly<Record<string, string>>;
  /**
   * Models a batch request may name; any other is refused with INVALID_ARGUMENT.
   * @default defaultBatchModels
   */
  models: readonly string[];
  /**
   * Aliases of models, by canonical name, as xai_api.Models lists them: each alias is also accepted in
   * requests. Every name in `models` is listed once, under its canonical entry.
   * @default {}
   */
  modelAliases: Readonly<Record<string, readonly string[]>>;
  /** Per-team limits. */
  limits: Partial<LimitOptions>;
  /** The fake model and its pace. */
  processing: Partial<ProcessingOptions>;
  /** Injected failures. */
  faults: Partial<FaultOptions>;
  /**
   * Input files for CreateBatch's `input_file_id`: file id to the path of a JSONL file holding one
   * BatchRequest per line in protobuf JSON.
   * @default {}
   */
  files: Readonly<Record<string, string>>;
  /**
   * How long a file-backed batch shows zero requests before its file is loaded.
   * @default 200
   */
  fileLoadDelayMs: number;
  /**
   * Lifetime of a batch from its creation; at expiry pending requests count as cancelled and the batch
   * leaves ListBatches.
   * @default 86400000
   */
  expireAfterMs: number;
  /**
   * How long after expiry an expired batch can still be read (Get and the per-request calls) so its
   * partial results can be downloaded; after that it is NOT_FOUND.
   * @default 86400000
   */
  retainAfterExpiryMs: number;
  /**
   * Page size of list calls that give no `limit`.
   * @default 100
   */
  defaultPageSize: number;
  /**
   * Largest `limit` a list call may ask for; above it the call gets INVALID_ARGUMENT.
   * @default 1000
   */
  maxPageSize: number;
  /**
   * Largest message the server receives or sends (grpc-js `grpc.max_receive_message_length` and
   * `grpc.max_send_message_length`); a larger one fails the way grpc-js fails it.
   * @default 67108864
   */
  maxReceiveMessageBytes: number;
  /**
   * Client connections open at once; one more is closed as soon as it is accepted (counted in
   * `connectionsRefused`), so no number of clients can exhaust the process's file descriptors.
   * @default 1000
   */
  maxConnections: number;
  /**
   * Calls open at once on one connection (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS): a client queues
   * further calls; a peer that opens more anyway is refused: Node 20 resets the streams (counted in
   * `streamsRefused`), Node 22 and later end its session (counted in `sessionsFailed`).
   * @default 100
   */
  maxConcurrentStreams: number;
  /**
   * Largest request metadata (header names and values, plus 32 bytes per entry as HTTP/2 counts them);
   * a call with more is refused with RESOURCE_EXHAUSTED before its body is decoded. A header block too
   * large for Node's HTTP/2 layer itself ends the connection (counted in `sessionsFailed`).
   * @default 16384
   */
  maxHeaderListBytes: number;
  /**
   * File of a journal: state is reloaded from it on start, and every acknowledged change is appended to
   * it before the reply; uploaded files are kept in the directory `${persistPath}.uploads`. A torn last
   * record is cut and reported; a damaged one refuses to start. Undefined keeps state in memory only.
   * @default undefined
   */
  persistPath: string | undefined;
  /**
   * Whether each journal append is synced to disk (fdatasync) before the call is answered. Without it,
   * everything acknowledged still survives the emulator being killed (SIGKILL), but a power loss or OS
   * crash may lose the last acknowledged changes (never earlier ones: a torn tail is cut on start).
   * @default true
   */
  persistSync: boolean;
  /**
   * The emulator's time (see EmulatorClock): a ManualClock makes expiry, rate limits, latency and
   * processing move only when a test advances it.
   * @default real time
   */
  clock: EmulatorClock;
  /**
   * Called with an exception a handler did not expect (answered INTERNAL), e.g. to fail a test.
   * @default logs to console.error
   */
  onUnexpectedError: (error: unknown, method: string) => void;
  /**
   * Called once per kind of refusal (connection limit, failed HTTP/2 session, reset stream, message or
   * metadata too large) the first time it happens, and when a journal is repaired on start; later
   * refusals of a kind are only counted.
   * @default logs to console.warn
   */
  onWarning: (message: string) => void;
}

/** EmulatorOptions with every default applied and every value checked. */
export interface ResolvedEmulatorOptions extends Omit<EmulatorOptions, "limits" | "processing" | "faults"> {
  limits: Readonly<LimitOptions>;
  processing: Readonly<ProcessingOptions>;
  faults: Readonly<FaultOptions>;
}

const day = 24 * 60 * 60 * 1000;

const defaultLimits: Readonly<LimitOptions> = Object.freeze({
  createIntervalMs: 1000,
  addCallsPerWindow: 100,
  addWindowMs: 30_000,
  maxAddBytes: 25_000_000,
  maxFileBytes: 512_000_000,
});

const defaultProcessing: Readonly<ProcessingOptions> = Object.freeze({
  requestsPerSecond: 2000,
  failureRate: 0,
  seed: 1,
  usdTicksPerToken: 20_000,
  usdTicksPerImage: 700_000_000,
  usdTicksPerVideo: 5_000_000_000,
});

const defaultFaults: Readonly<FaultOptions> = Object.freeze({
  seed: 1,
  unavailableRate: 0,
  ambiguousAddRate: 0,
  latencyMs: 0,
  notFoundAfterCreateMs: 0,
  maxConnectionAgeMs: 0,
});

const defaults: Readonly<Omit<ResolvedEmulatorOptions, "limits" | "processing" | "faults">> = Object.freeze({
  host: "127.0.0.1",
  port: 0,
  apiKeys: undefined,
  teams: {},
  models: defaultBatchModels,
  modelAliases: {},
  files: {},
  fileLoadDelayMs: 200,
  expireAfterMs: day,
  retainAfterExpiryMs: day,
  defaultPageSize: 100,
  maxPageSize: 1000,
  maxReceiveMessageBytes: 64 * 1024 * 1024,
  maxConnections: 1000,
  maxConcurrentStreams: 100,
  maxHeaderListBytes: 16 * 1024,
  persistPath: undefined,
  persistSync: true,
  clock: realClock,
  onUnexpectedError: (error: unknown, method: string) => console.error(`xai-batch emulator: ${method} failed`, error),
  onWarning: (message: string) => console.warn(`xai-batch emulator: ${message}`),
});

/** Applies defaults and checks every value, with a message naming the option, what it expects and what it got. */
export function resolveEmulatorOptions(options: Partial<EmulatorOptions> = {}): ResolvedEmulatorOptions {
  const resolved: ResolvedEmulatorOptions = {
    ...defaults,
    ...withoutUndefined(options),
    limits: { ...defaultLimits, ...withoutUndefined(options.limits) },
    processing: { ...defaultProcessing, ...withoutUndefined(options.processing) },
    faults: resolveFaults(options.faults),
  };
  const { limits, processing } = resolved;
  check("host", resolved.host, typeof resolved.host === "string" && resolved.host !== "", "a non-empty string");
  check("port", resolved.port, isInteger(resolved.port, 0) && resolved.port <= 65535, "an integer from 0 to 65535");
  checkStrings("apiKeys", resolved.apiKeys ?? []);
  checkStrings("teams", Object.values(resolved.teams));
  checkStrings("models", resolved.models);
  checkStrings("modelAliases", Object.values(resolved.modelAliases).flat());
  checkStrings("files", Object.values(resolved.files));
  nonNegativeInteger("limits.createIntervalMs", limits.createIntervalMs);
  positiveInteger("limits.addCallsPerWindow", limits.addCallsPerWindow);
  positiveInteger("limits.addWindowMs", limits.addWindowMs);
  positiveInteger("limits.maxAddBytes", limits.maxAddBytes);
  positiveInteger("limits.maxFileBytes", limits.maxFileBytes);
  check(
    "processing.requestsPerSecond",
    processing.requestsPerSecond,
    processing.requestsPerSecond >= 0 && Number.isFinite(processing.requestsPerSecond),
    "a finite number >= 0",
  );
  fraction("processing.failureRate", processing.failureRate);
  nonNegativeInteger("processing.seed", processing.seed);
  nonNegativeInteger("processing.usdTicksPerToken", processing.usdTicksPerToken);
  nonNegativeInteger("processing.usdTicksPerImage", processing.usdTicksPerImage);
  nonNegativeInteger("processing.usdTicksPerVideo", processing.usdTicksPerVideo);
  nonNegativeInteger("fileLoadDelayMs", resolved.fileLoadDelayMs);
  positiveInteger("expireAfterMs", resolved.expireAfterMs);
  nonNegativeInteger("retainAfterExpiryMs", resolved.retainAfterExpiryMs);
  positiveInteger("maxPageSize", resolved.maxPageSize);
  check(
    "defaultPageSize",
    resolved.defaultPageSize,
    isInteger(resolved.defaultPageSize, 1) && resolved.defaultPageSize <= resolved.maxPageSize,
    `an integer from 1 to maxPageSize (${resolved.maxPageSize})`,
  );
  positiveInteger("maxReceiveMessageBytes", resolved.maxReceiveMessageBytes);
  positiveInteger("maxConnections", resolved.maxConnections);
  check(
    "maxConcurrentStreams",
    resolved.maxConcurrentStreams,
    isInteger(resolved.maxConcurrentStreams, 1) && resolved.maxConcurrentStreams <= 2 ** 31 - 1,
    "an integer from 1 to 2147483647",
  );
  check("maxHeaderListBytes", resolved.maxHeaderListBytes, isInteger(resolved.maxHeaderListBytes, 1024), "an integer >= 1024");
  check(
    "persistPath",
    resolved.persistPath,
    resolved.persistPath === undefined || (typeof resolved.persistPath === "string" && resolved.persistPath !== ""),
    "a non-empty string or undefined",
  );
  check("persistSync", resolved.persistSync, typeof resolved.persistSync === "boolean", "true or false");
  const { clock } = resolved;
  check(
    "clock",
    clock,
    typeof clock === "object" && clock !== null && typeof clock.now === "function" && typeof clock.schedule === "function",
    "an object with now() and schedule()",
  );
  check("onUnexpectedError", resolved.onUnexpectedError, typeof resolved.onUnexpectedError === "function", "a function");
  check("onWarning", resolved.onWarning, typeof resolved.onWarning === "function", "a function");
  return resolved;
}

/** Every model name a request may use: the `models` and their aliases. */
export function acceptedModels(options: Pick<ResolvedEmulatorOptions, "models" | "modelAliases">): ReadonlySet<string> {
  return new Set([...options.models, ...Object.values(options.modelAliases).flat()]);
}

/** Applies fault defaults and checks the values; also used when faults change at run time. */
export function resolveFaults(faults: Partial<FaultOptions> = {}, base: Readonly<FaultOptions> = defaultFaults): Readonly<FaultOptions> {
  const resolved = { ...base, ...withoutUndefined(faults) };
  nonNegativeInteger("faults.seed", resolved.seed);
  fraction("faults.unavailableRate", resolved.unavailableRate);
  fraction("faults.ambiguousAddRate", resolved.ambiguousAddRate);
  const latency = resolved.latencyMs;
  const latencyOk =
    typeof latency === "number"
      ? isInteger(latency, 0)
      : Array.isArray(latency) && latency.length === 2 && isInteger(latency[0], 0) && isInteger(latency[1], latency[0]);
  check("faults.latencyMs", latency, latencyOk, "an integer >= 0 or a [min, max] pair of them with min <= max");
  nonNegativeInteger("faults.notFoundAfterCreateMs", resolved.notFoundAfterCreateMs);
  nonNegativeInteger("faults.maxConnectionAgeMs", resolved.maxConnectionAgeMs);
  return Object.freeze(resolved);
}

function isInteger(value: unknown, min: number): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= min;
}

function positiveInteger(name: string, value: unknown): void {
  check(name, value, isInteger(value, 1), "a positive integer");
}

function nonNegativeInteger(name: string, value: unknown): void {
  check(name, value, isInteger(value, 0), "an integer >= 0");
}

function fraction(name: string, value: unknown): void {
  check(name, value, typeof value === "number" && value >= 0 && value <= 1, "a number from 0 to 1");
}

function checkStrings(name: string, values: readonly unknown[]): void {
  const bad = values.find((v) => typeof v !== "string" || v === "");
  check(name, bad, bad === undefined, "non-empty strings only");
}

function check(name: string, value: unknown, ok: boolean, expected: string): void {
  // The library's own error for bad options, so one `instanceof InputError` covers client and emulator.
  if (!ok) throw new InputError(`Expected \`${name}\` to be ${expected}, got ${quoteValue(value)}`);
}

function quoteValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return `[${value.map(quoteValue).join(", ")}]`;
  return String(value);
}
