import { createServer } from "node:net";
import { parseArgs } from "node:util";
import { startEmulator, type Emulator } from "./emulator.js";
import { resolveEmulatorOptions, type EmulatorOptions } from "./options.js";

const usage = `Usage: xai-batch serve [options]

Runs a local xai_api.BatchMgmt emulator until SIGINT or SIGTERM.

Options:
  --port N                  port to bind, 0 for any free one (default 50051)
  --host HOST               address to bind (default 127.0.0.1)
  --api-keys K1,K2          only these API keys may call (default: any key)
  --rate N                  requests processed per second, 0 pauses (default 2000)
  --failure-rate F          share of requests that fail, 0 to 1 (default 0)
  --add-calls-per-window N  AddBatchRequests calls per window per team (default 100)
  --add-window-ms N         that window (default 30000)
  --create-interval-ms N    minimum time between CreateBatch calls per team, 0 for none (default 1000)
  --max-add-bytes N         largest AddBatchRequests message (default 25000000)
  --expire-after-ms N       batch lifetime (default 86400000)
  --max-connections N       client connections open at once (default 1000)
  --max-concurrent-streams N  calls open at once per connection (default 100)
  --max-header-list-bytes N largest request metadata (default 16384)
  --persist FILE            keep state in this journal and reload it on start; every change is
                            on disk before its reply, a torn tail is cut, damage refuses to start
  --persist-no-sync         do not fdatasync each change (survives a kill, not a power loss)
  --seed N                  seed of failures and faults (default 1)
  --file ID=PATH            an input file for CreateBatch's input_file_id, in xAI's batch line format
                            ({"custom_id","method","url","body"} per line; repeatable)
  --models SPEC             the models batches may use and their aliases, as xai_api.Models lists them:
                            NAME[=ALIAS|ALIAS],... e.g. grok-4.20=grok-4.20-latest,grok-imagine-image
  --max-file-bytes N        largest file UploadFile takes (default 512000000)
  --unavailable-rate F      share of calls answered UNAVAILABLE before applying (default 0)
  --ambiguous-rate F        share of AddBatchRequests applied, then answered UNAVAILABLE (default 0)
  --latency-ms N|MIN-MAX    latency added to every call (default 0)
  --help                    show this help
`;

/**
 * `xai-batch serve`: starts the emulator, prints `xai-batch emulator listening on <url>`, and on SIGINT
 * or SIGTERM stops it (the journal, when there is one, is already on disk) and resolves 0. Bad flags
 * resolve 2 and a server that cannot start (e.g. port in use) 1, after a message on stderr.
 */
export async function serveCommand(argv: string[]): Promise<number> {
  let options: Partial<EmulatorOptions> | "help";
  let address = { host: "", port: 0 };
  try {
    options = parseServeArgs(argv);
    if (options !== "help") address = resolveEmulatorOptions(options);
  } catch (error) {
    process.stderr.write(
      `xai-batch serve: ${error instanceof Error ? error.message : String(error)}\nRun \`xai-batch serve --help\` for the options.\n`,
    );
    return 2;
  }
  if (options === "help") {
    process.stdout.write(usage);
    return 0;
  }
  const busy = await portInUse(address.host, address.port);
  if (busy !== undefined) {
    process.stderr.write(`xai-batch serve: cannot start: ${busy}. Pick another with --port (0 takes any free one).\n`);
    return 1;
  }
  let emulator: Emulator;
  try {
    emulator = await startEmulator(options);
  } catch (error) {
    process.stderr.write(`xai-batch serve: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  process.stdout.write(`xai-batch emulator listening on ${emulator.url}\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (name: NodeJS.Signals) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(name);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  process.stderr.write(`xai-batch emulator: ${signal}, stopping\n`);
  await emulator.stop();
  return 0;
}

function parseServeArgs(argv: string[]): Partial<EmulatorOptions> | "help" {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "api-keys": { type: "string" },
      rate: { type: "string" },
      "failure-rate": { type: "string" },
      "add-calls-per-window": { type: "string" },
      "add-window-ms": { type: "string" },
      "create-interval-ms": { type: "string" },
      "max-add-bytes": { type: "string" },
      "expire-after-ms": { type: "string" },
      "max-connections": { type: "string" },
      "max-concurrent-streams": { type: "string" },
      "max-header-list-bytes": { type: "string" },
      persist: { type: "string" },
      "persist-no-sync": { type: "boolean" },
      seed: { type: "string" },
      file: { type: "string", multiple: true },
      models: { type: "string" },
      "max-file-bytes": { type: "string" },
      "unavailable-rate": { type: "string" },
      "ambiguous-rate": { type: "string" },
      "latency-ms": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return "help";
  const seed = number("seed", values.seed);
  return {
    port: number("port", values.port) ?? 50051,
    host: values.host,
    apiKeys: values["api-keys"]
      ?.split(",")
      .map((key) => key.trim())
      .filter((key) => key !== ""),
    persistPath: values.persist,
    persistSync: values["persist-no-sync"] === true ? false : undefined,
    expireAfterMs: number("expire-after-ms", values["expire-after-ms"]),
    maxConnections: number("max-connections", values["max-connections"]),
    maxConcurrentStreams: number("max-concurrent-streams", values["max-concurrent-streams"]),
    maxHeaderListBytes: number("max-header-list-bytes", values["max-header-list-bytes"]),
    files: Object.fromEntries((values.file ?? []).map(parseFileFlag)),
    ...(values.models === undefined ? {} : parseModelsFlag(values.models)),
    limits: {
      addCallsPerWindow: number("add-calls-per-window", values["add-calls-per-window"]),
      addWindowMs: number("add-window-ms", values["add-window-ms"]),
      createIntervalMs: number("create-interval-ms", values["create-interval-ms"]),
      maxAddBytes: number("max-add-bytes", values["max-add-bytes"]),
      maxFileBytes: number("max-file-bytes", values["max-file-bytes"]),
    },
    processing: {
      requestsPerSecond: number("rate", values.rate),
      failureRate: number("failure-rate", values["failure-rate"]),
      seed,
    },
    faults: {
      seed,
      unavailableRate: number("unavailable-rate", values["unavailable-rate"]),
      ambiguousAddRate: number("ambiguous-rate", values["ambiguous-rate"]),
      latencyMs: parseLatency(values["latency-ms"]),
    },
  };
}

function parseFileFlag(flag: string): [string, string] {
  const at = flag.indexOf("=");
  if (at <= 0 || at === flag.length - 1) throw new Error(`--file expects ID=PATH, got ${JSON.stringify(flag)}`);
  return [flag.slice(0, at), flag.slice(at + 1)];
}

/** `--models grok-4.20=grok-4.20-latest|grok-4.20-beta,grok-imagine-image`: names with their aliases. */
function parseModelsFlag(flag: string): Pick<EmulatorOptions, "models" | "modelAliases"> {
  const models: string[] = [];
  const modelAliases: Record<string, string[]> = {};
  for (const spec of flag
    .split(",")
    .map((m) => m.trim())
    .filter((m) => m !== "")) {
    const [name, aliases] = spec.split("=", 2) as [string, string | undefined];
    if (name === "") throw new Error(`--models expects NAME[=ALIAS|ALIAS],..., got ${JSON.stringify(flag)}`);
    const names = (aliases ?? "")
      .split("|")
      .map((a) => a.trim())
      .filter((a) => a !== "");
    models.push(name, ...names);
    if (names.length > 0) modelAliases[name] = names;
  }
  if (models.length === 0) throw new Error(`--models expects at least one model name, got ${JSON.stringify(flag)}`);
  return { models, modelAliases };
}

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed)) throw new Error(`--${flag} expects a number, got ${JSON.stringify(value)}`);
  return parsed;
}

function parseLatency(value: string | undefined): number | [number, number] | undefined {
  const range = value?.match(/^(\d+)-(\d+)$/);
  if (range === null || range === undefined) return number("latency-ms", value);
  return [Number(range[1]), Number(range[2])];
}

/**
 * Why `host:port` cannot be bound, found by binding it for a moment first, or undefined when it can. grpc-js
 * would say it on its own, but as a log line of its own before ours and in words about "resolved addresses".
 */
async function portInUse(host: string, port: number): Promise<string | undefined> {
  if (port === 0) return undefined;
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      resolve(
        error.code === "EADDRINUSE"
          ? `port ${port} on ${host} is in use`
          : error.code === "EACCES"
            ? `port ${port} on ${host} needs more privileges`
            : undefined,
      ),
    );
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
}
