import { randomBytes } from "node:crypto";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { BatchMgmt, Files, Models } from "../core/internal/wire.js";
import { Authenticator } from "./auth.js";
import { Counters, type EmulatorCounters } from "./counters.js";
import { FakeModel } from "./fake-model.js";
import { Faults } from "./faults.js";
import { FileStore } from "./file-store.js";
import { UploadDirectory } from "./upload-directory.js";
import { filesImplementation } from "./files-service.js";
import { modelsService } from "./models-service.js";
import { followCalls, grpcImplementation, grpcRawImplementation, grpcServiceDefinition } from "./grpc-service.js";
import { InputFileLoader } from "./input-files.js";
import { Journal, type OpenedJournal } from "./journal.js";
import {
  acceptedModels,
  resolveEmulatorOptions,
  resolveFaults,
  type EmulatorOptions,
  type FaultOptions,
  type ResolvedEmulatorOptions,
} from "./options.js";
import { PageTokens } from "./page-tokens.js";
import { Pager } from "./paging.js";
import { Processor } from "./processor.js";
import { listen } from "./server.js";
import { batchService } from "./service.js";
import { isOpen, Store } from "./store.js";
import { StatusError } from "./status.js";
import { Timers } from "./timers.js";

/** How long stop() lets calls in flight finish before cutting connections. */
const stopGraceMs = 500;

/** A journal with more records than this, and more than twice as many as a snapshot, is compacted on start. */
const compactAfterRecords = 1000;

/** A running emulator. */
export interface Emulator {
  /** Base URL for clients, e.g. `http://127.0.0.1:50051`. */
  readonly url: string;
  /** The bound host. */
  readonly host: string;
  /** The bound port. */
  readonly port: number;
  /** A snapshot of what the emulator did since it started. */
  counters(): EmulatorCounters;
  /**
   * Resolves with the counters once `check` accepts them, checked now and after each change: a test
   * waits for an event instead of for time, e.g. `waitFor((c) => c.calls.GetBatch === 1)` for a call to
   * arrive, or `waitFor((c) => c.requestsSucceeded === 10)` for requests to be processed.
   */
  waitFor(check: (counters: EmulatorCounters) => boolean): Promise<EmulatorCounters>;
  /**
   * Resolves once nothing is left to happen before the clock moves on: every call that reached the
   * emulator has been answered (downloads of file content aside), and no processing round, file load or
   * delay is due. On a ManualClock what is due runs only as the clock is advanced (`advance(0)` runs
   * what is due now), so a call held by injected latency is answered once the clock has passed it.
   */
  settled(): Promise<void>;
  /**
   * The ids of a batch's requests in the order they were applied, whatever its team, so a test can check
   * from the server's side that each request arrived exactly once. Throws for an unknown batch.
   */
  requestIds(batchId: string): string[];
  /** Changes injected faults from now on (merged over the current ones; the sequence restarts from `seed`). */
  setFaults(faults: Partial<FaultOptions>): void;
  /** Closes every current client connection (GOAWAY, then cut); the next call needs a new connection. */
  dropConnections(): void;
  /** Stops serving, processing and loading files, and closes the journal. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts a local xai_api.BatchMgmt server with xAI's semantics, limits and optional faults. With
 * `persistPath` it first reloads what an earlier run acknowledged and resumes processing it.
 */
export async function startEmulator(options: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  const resolved = resolveEmulatorOptions(options);
  // Replay goes through store.apply, which records nothing; every commit after it is appended to the journal.
  const store = new Store((event) => opened?.journal.append(event));
  const opened = resolved.persistPath === undefined ? undefined : openJournal(resolved.persistPath, store, resolved);

  const { clock } = resolved;
  const now = () => clock.now();
  const counters = new Counters();
  const onUnexpected = (error: unknown, method: string) => {
    counters.internalError();
    resolved.onUnexpectedError(error, method);
  };
  const timers = new Timers(clock, (error) => onUnexpected(error, "background work"));
  const processor = new Processor(
    store,
    new FakeModel(resolved.processing),
    resolved.processing.requestsPerSecond,
    timers,
    now,
    (finished) => {
      for (const { result } of finished) counters.add(result.succeeded ? "requestsSucceeded" : "requestsFailed");
    },
  );
  const models = acceptedModels(resolved);
  const uploads = new FileStore(
    now,
    resolved.persistPath === undefined
      ? undefined
      : new UploadDirectory(`${resolved.persistPath}.uploads`, resolved.persistSync, resolved.onWarning),
  );
  const fileLoader = new InputFileLoader({
    store,
    files: resolved.files,
    uploads,
    models,
    delayMs: resolved.fileLoadDelayMs,
    timers,
    now,
    onLoaded: (batch, count) => {
      counters.add("requestsLoadedFromFiles", count);
      processor.enqueue(batch);
    },
  });
  // A flood of refusals must not become a flood of log lines: each kind is reported once, then counted.
  const warned = new Set<string>();
  const warnOnce = (kind: string, message: string) => {
    if (warned.has(kind)) return;
    warned.add(kind);
    resolved.onWarning(`${message} (reported once; see counters().${kind})`);
  };
  const faults = new Faults(resolved.faults);
  const pageTokens = new PageTokens(opened?.secret ?? randomBytes(32));
  const auth = new Authenticator(resolved.apiKeys, resolved.teams);
  let stopping = false;
  const handlers = batchService({
    options: resolved,
    store,
    processor,
    fileLoader,
    faults,
    counters,
    auth,
    pager: new Pager(pageTokens, resolved.defaultPageSize, resolved.maxPageSize),
    timers,
    now,
    stopping: () => stopping,
    warnOnce,
  });

  const files = filesImplementation({
    store: uploads,
    auth,
    tokens: pageTokens,
    maxFileBytes: resolved.limits.maxFileBytes,
    onUnexpected,
  });
  const services = [
    { definition: grpcServiceDefinition(BatchMgmt), implementation: grpcRawImplementation(BatchMgmt, handlers, onUnexpected) },
    { definition: grpcServiceDefinition(Files), implementation: files },
    {
      definition: grpcServiceDefinition(Models),
      implementation: grpcImplementation(
        Models,
        modelsService({ auth, models: resolved.models, aliases: resolved.modelAliases }),
        onUnexpected,
      ),
    },
  ].map(({ definition, implementation }) => ({ definition, implementation: followCalls(implementation, () => timers.callStarted()) }));
  const listener = await listen(services, {
    host: resolved.host,
    port: resolved.port,
    maxMessageBytes: resolved.maxReceiveMessageBytes,
    maxConnectionAgeMs: resolved.faults.maxConnectionAgeMs,
    maxConnections: resolved.maxConnections,
    maxConcurrentStreams: resolved.maxConcurrentStreams,
    events: {
      onAccepted: () => counters.add("connectionsAccepted"),
      onClosed: () => counters.add("connectionsClosed"),
      onRefusal: (kind, message) => {
        counters.add(kind);
        warnOnce(kind, message);
      },
      onOversizedMessage: (message) => {
        counters.reject(new StatusError(GrpcStatus.RESOURCE_EXHAUSTED, message));
        warnOnce("rejections.size", message);
      },
    },
  }).catch((error: unknown) => {
    opened?.journal.close();
    throw error;
  });

  for (const batch of store.batches()) {
    if (batch.inputFileId !== undefined && !batch.fileLoaded && isOpen(batch, now())) fileLoader.schedule(batch);
    processor.enqueue(batch);
  }

  let stopped: Promise<void> | undefined;
  return {
    url: `http://${listener.authority}`,
    host: resolved.host,
    port: listener.port,
    counters: () => counters.snapshot(),
    waitFor: (check) => counters.waitFor(check),
    settled: () => timers.settled(),
    requestIds: (batchId) => {
      const batch = store.get(batchId);
      if (batch === undefined) throw new Error(`no batch ${batchId} in this emulator`);
      return batch.requests.map((r) => r.id);
    },
    setFaults: (changes) => faults.reset(resolveFaults(changes, faults.settings)),
    dropConnections: () => {
      counters.add("connectionsDropped");
      listener.dropConnections();
    },
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        await listener.stop(stopGraceMs);
        timers.stop();
        opened?.journal.close();
      })()),
  };
}

/**
 * Opens the journal, replays it into the store, and compacts it when its records are many more than a
 * snapshot of the same state needs (the processor writes one record per round, so they pile up).
 */
function openJournal(path: string, store: Store, options: ResolvedEmulatorOptions): OpenedJournal {
  const opened = Journal.open(path, { sync: options.persistSync, onEvent: (event) => store.apply(event), onRepair: options.onWarning });
  const snapshot = store.snapshot();
  if (opened.records > compactAfterRecords && opened.records > 2 * snapshot.length) {
    try {
      opened.journal.compact(opened.secret, snapshot);
    } catch (error) {
      // The journal is replaced only by a complete, synced copy, so a failed compaction leaves it as it was.
      options.onWarning(
        `${path}: could not compact the journal, going on with it as it is: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return opened;
}
