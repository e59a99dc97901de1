import { readFileSync } from "node:fs";
import os from "node:os";
import { repoRoot } from "./fork.js";
import type { Table } from "./table.js";

const packages = [
  "@bufbuild/protobuf",
  "@connectrpc/connect",
  "@connectrpc/connect-node",
  "@grpc/grpc-js",
  "@grpc/proto-loader",
  "protobufjs",
  "tsx",
];

/** Where and with what the benchmarks ran: the header of every full run. */
export function machineTable(): Table {
  const version = (name: string) =>
    (JSON.parse(readFileSync(`${repoRoot}node_modules/${name}/package.json`, "utf8")) as { version: string }).version;
  return {
    title: "Machine",
    columns: ["what", "value"],
    rows: [
      ["date", new Date().toISOString()],
      ["CPU", `${os.cpus()[0]?.model ?? "unknown"}, ${os.availableParallelism()} cores (nproc)`],
      ["memory", `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(os.freemem() / 2 ** 30).toFixed(1)} GiB free at start`],
      [
        "load average at start",
        os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(", "),
      ],
      ["node", `${process.version} (V8 ${process.versions.v8})`],
      ["xai-batch", version("..")],
      ...packages.map((name) => [name, version(name)]),
    ],
  };
}
