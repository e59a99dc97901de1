import { inspect } from "node:util";
import { BatchResource } from "./resources/batches/resource.js";
import { ChatResource } from "./resources/chat.js";
import { resolveClientOptions, type ResolvedClientOptions } from "./internal/client-settings.js";
import type { ClientOptions } from "./core/client-options.js";
import { InputError } from "./core/errors.js";
import { FilesResource } from "./resources/files.js";
import { ModelsResource } from "./resources/models.js";
import { defaultBatchModels, knownBatchRefusedModels } from "./core/batch-models.js";
import { CallObserver } from "./internal/call/call-observer.js";
import { LiveBatchModels } from "./internal/live-batch-models.js";
import { Log } from "./internal/log.js";
import type { CallContext } from "./internal/call/call.js";
import { RetryBudget } from "./internal/call/retry-budget.js";
import { unprintable } from "./core/internal/unprintable.js";
import { openConnection, type Connection } from "./internal/transport/connection.js";
import { LIBRARY_NAME } from "./core/internal/library-name.js";
import { LIBRARY_VERSION } from "./core/version.js";

/**
 * The entry point: `new Client()` reads XAI_API_KEY and talks gRPC over TLS to api.x.ai. One client holds
 * one HTTP/2 connection (opened on first use, replaced when the server closes it); share it, and call
 * `close()` when done.
 */
export class Client {
  /** Create, fill, watch, page through and cancel batches. */
  readonly batch: BatchResource;
  /** Build chat completion requests. */
  readonly chat: ChatResource;
  /** Store, list, read and delete files, such as the JSONL input of a file-based batch. */
  readonly files: FilesResource;
  /** The models the team can use, live. */
  readonly models: ModelsResource;
  readonly #connection: Connection;
  readonly #options: ResolvedClientOptions;
  #closed = false;

  constructor(options?: ClientOptions) {
    this.#options = resolveClientOptions(options);
    this.#connection = openConnection(this.#options.connection, this.#options.interceptors, this.#options.transport);
    const headers = new Headers(this.#options.metadata);
    headers.set("authorization", this.#options.apiKey.authorization());
    headers.set("user-agent", `${LIBRARY_NAME}/${LIBRARY_VERSION} connect-es node/${process.versions.node}`);
    headers.set("x-xai-sdk", `${LIBRARY_NAME}/${LIBRARY_VERSION}`);
    // Every resource keeps this context; sealed, it prints as its name, so no resource can show the key.
    const secrets = [this.#options.apiKey.secret()];
    const ctx: CallContext = unprintable(
      {
        headers,
        secrets,
        timeoutMs: this.#options.timeoutMs,
        retry: this.#options.retry,
        budget: new RetryBudget(this.#options.retry.budget),
        quota: this.#options.quotaLimiter,
        observer: new CallObserver(new Log(this.#options.logLevel, this.#options.logger, secrets)),
        random: Math.random,
        isClosed: () => this.#closed,
        assertOpen: () => {
          if (this.#closed) throw new InputError("This Client is closed; create a new Client to make more calls.");
        },
      },
      "CallContext",
    );
    this.models = new ModelsResource(ctx, this.#connection.transport);
    this.files = new FilesResource(ctx, this.#connection.transport, { maxFileBytes: this.#options.limits.maxFileBytes });
    this.batch = new BatchResource(ctx, this.#connection.transport, {
      maxAddBytes: this.#options.limits.maxAddBytes,
      reportsWrites: this.#connection.reportsWrites,
      batchModels: batchModelsOf(this.#options.batchModels, this.models),
      files: this.files,
      maxFileBytes: this.#options.limits.maxFileBytes,
    });
    this.chat = new ChatResource();
  }

  /** The service URL this client talks to. */
  get baseUrl(): string {
    return this.#connection.baseUrl;
  }

  /** Closes the connection; calls in flight fail, and new calls are refused. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connection.close();
  }

  [inspect.custom](): string {
    return `Client { baseUrl: '${this.baseUrl}', apiKey: [redacted]${this.#closed ? ", closed" : ""} }`;
  }

  toJSON(): object {
    return { baseUrl: this.baseUrl, apiKey: "[redacted]" };
  }
}

/** Where add's model check gets its names: a fixed list, none ("any"), or the team's live list. */
function batchModelsOf(
  option: ResolvedClientOptions["batchModels"],
  models: ModelsResource,
): () => Promise<ReadonlySet<string> | undefined> {
  if (option !== "live") return () => Promise.resolve(option);
  const live = new LiveBatchModels(() => models.list(), defaultBatchModels, knownBatchRefusedModels);
  return () => live.names();
}
