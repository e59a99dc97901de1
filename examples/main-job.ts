// `npm start`: the main job, end to end, on this machine. An emulator of xAI's Batch API starts in this
// process (no network, no API key), and `xai-batch run` sends it the bundled sample: create a batch, add
// 3,000 mixed requests, watch them processed, write the results as JSONL, and sum up.
//
//   npm start                      results in examples/out/results.jsonl
//   npm start -- --out FILE.jsonl  results elsewhere
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { failMarker, startEmulator } from "../src/emulator/index.js";

const sample = fileURLToPath(new URL("requests.jsonl", import.meta.url));
const defaultOut = fileURLToPath(new URL("out/results.jsonl", import.meta.url));
/** The embedded emulator accepts only this key; it is not a secret and reaches no real service. */
const localKey = "xai-local-emulator-key";
/** The command as `npm start` runs it from the sources; installed, it is plain `xai-batch`. */
const cli = [process.execPath, "--import", "tsx", fileURLToPath(new URL("../src/cli/bin.ts", import.meta.url))] as const;
/** The command's exit codes (docs/cli.md, "Exit codes"): 3 means done, but not everything succeeded. */
const exit = { ok: 0, partial: 3 } as const;

const { values } = parseArgs({ options: { out: { type: "string", short: "o" } } });
const out = values.out ?? defaultOut;
mkdirSync(dirname(out), { recursive: true });
// examples/out/ holds run output only: it ignores itself, so nothing in it is ever committed.
if (values.out === undefined) writeFileSync(new URL("out/.gitignore", import.meta.url), "*\n");

// Fast enough to finish in seconds, slow enough to watch the counts move.
const emulator = await startEmulator({ apiKeys: [localKey], processing: { requestsPerSecond: 1_000 } });
console.error(
  `Emulated Batch API on ${emulator.url}. Running: xai-batch run ${relative(process.cwd(), sample)} --out ${relative(process.cwd(), out)}\n`,
);
let code: number;
try {
  const child = spawn(
    cli[0],
    [
      ...cli.slice(1),
      "run",
      sample,
      "--out",
      out,
      "--name",
      "npm start sample",
      "--base-url",
      emulator.url,
      "--api-key",
      localKey,
      // Each run has a fresh emulator, so the manifest of an earlier run names batches that no longer exist.
      "--new",
      // Many small calls instead of one, to show the add progressing.
      "--requests-per-call",
      "250",
      "--poll-interval-ms",
      "250",
    ],
    { stdio: "inherit" },
  );
  const [exitCode] = (await once(child, "exit")) as [number | null];
  code = exitCode ?? 1;
} finally {
  await emulator.stop();
}
if (code === exit.partial) {
  console.error(
    `\nThe failures are on purpose: about 1% of the sample's prompts contain ${failMarker}, which makes the emulator fail them.\n` +
      "The emulator stopped with this job, so the retry-failed hint above is for a batch on a live service (or on `xai-batch serve`).",
  );
}
// The sample fails some requests on purpose, so partial success is this job's success.
process.exitCode = code === exit.partial ? exit.ok : code;
