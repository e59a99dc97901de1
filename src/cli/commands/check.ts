import { defaultLimits } from "../../index.js";
import { defineCommand } from "../command.js";
import { exitCodes } from "../exit-codes.js";
import { integerFlag } from "../global-options.js";
import type { ReadPosition } from "../jsonl-reader.js";
import { count, duration, plural } from "../progress.js";
import { prepareLines, type InputStats } from "../request-reader.js";
import { checkingFrame } from "../request-source.js";

/** Distinct models counted by name; a file naming more is unusual and the rest are summed as "other". */
const maxModelsCounted = 50;

/** What `check` found. */
interface Findings {
  autoIds: number;
  encodedBytes: number;
  largest: { bytes: number; line: number } | undefined;
  calls: number;
  models: Map<string, number>;
}

/**
 * `xai-batch check FILE.jsonl`: a dry run. Reads the file as `add` would (same parser, same ids, same
 * model and size checks), lists every bad line, and plans the AddBatchRequests calls by encoded size
 * and count, without sending anything or needing an API key.
 */
export const command = defineCommand(
  {
    name: "check",
    summary: "check a JSONL file without sending anything (a dry run)",
    positionals: ["FILE.jsonl"],
    options: { "requests-per-call": { type: "string" }, "as-file": { type: "boolean" } },
    optionsHelp: `  --requests-per-call N    plan calls of at most N requests (default: no cap, as add); calls stay under ${defaultLimits.maxAddBytes} bytes
  --as-file                check it as xAI checks an uploaded batch file: only {"custom_id","method","url","body"}
                           lines, and at most ${defaultLimits.maxFileBytes} bytes; a bad line there cancels the whole batch`,
    description:
      "Reads FILE.jsonl and lists every line that is not a valid request (broken JSON, wrong types, an unknown model, a\n" +
      "repeated id, too large), then counts requests and plans the AddBatchRequests calls. Sends nothing.\n" +
      "Exits 0 if every line is good, 2 if any is bad.",
  },
  async (ctx, values, [file]) => {
    const maxRequests =
      values["requests-per-call"] === undefined ? undefined : integerFlag("requests-per-call", values["requests-per-call"], 1, 1_000_000);
    const stats: InputStats = { lines: 0, requests: 0, badLines: 0 };
    const position: ReadPosition = { bytesRead: 0, totalBytes: 0 };
    const found: Findings = { autoIds: 0, encodedBytes: 0, largest: undefined, calls: 0, models: new Map() };
    // Planned as if for the longest batch id there could be, so the plan holds for any batch.
    const progress = ctx.out.progress(() => checkingFrame(file!, position, stats));
    try {
      const requests = prepareLines(file!, {
        models: ctx.globals.models,
        maxRequestsPerCall: maxRequests,
        onBadLine: (line, reason) => ctx.out.badLine(file!, line, reason, true),
        position,
        stats,
        signal: ctx.signal,
        fileFormat: values["as-file"] === true,
      });
      for await (const { line, prepared: r } of requests) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        if (r.autoId) found.autoIds++;
        found.encodedBytes += r.encodedBytes;
        if (found.largest === undefined || r.encodedBytes > found.largest.bytes) found.largest = { bytes: r.encodedBytes, line };
        const model = r.request.request.value?.model ?? "";
        const key = found.models.has(model) || found.models.size < maxModelsCounted ? model : "other";
        found.models.set(key, (found.models.get(key) ?? 0) + 1);
        found.calls = r.call + 1;
      }
    } finally {
      progress.stop(null);
    }
    if (values["as-file"] === true && position.bytesRead > defaultLimits.maxFileBytes) {
      stats.badLines++;
      ctx.out.note(
        `${file}: the file is ${count(position.bytesRead)} bytes, over the ${count(defaultLimits.maxFileBytes)} bytes xAI takes in one upload; split it`,
      );
    }
    const windows = Math.ceil(found.calls / defaultLimits.addCallsPerWindow);
    const minAddMs = Math.max(0, windows - 1) * defaultLimits.addWindowMs;
    ctx.out.result(
      {
        type: "check",
        file,
        lines: stats.lines,
        requests: stats.requests,
        badLines: stats.badLines,
        autoIds: found.autoIds,
        encodedBytes: found.encodedBytes,
        largestRequest: found.largest,
        calls: found.calls,
        minAddMs,
        models: Object.fromEntries(found.models),
      },
      [
        `${file}: ${plural(stats.lines, "line")}, ${plural(stats.requests, "valid request")}, ${plural(stats.badLines, "bad line")}`,
        `  ids:     ${count(stats.requests - found.autoIds)} given, ${count(found.autoIds)} derived from content (the same in every run)`,
        `  models:  ${[...found.models].map(([m, n]) => `${m} ${count(n)}`).join(", ") || "none"}`,
        `  size:    ${count(found.encodedBytes)} bytes encoded; largest request ${count(found.largest?.bytes ?? 0)} bytes${found.largest === undefined ? "" : ` (line ${found.largest.line})`}`,
        `  calls:   ${plural(found.calls, "AddBatchRequests call")} of at most ${maxRequests === undefined ? "" : `${plural(maxRequests, "request")} and `}${count(defaultLimits.maxAddBytes)} bytes` +
          (minAddMs > 0
            ? `; at ${defaultLimits.addCallsPerWindow} calls per ${duration(defaultLimits.addWindowMs)}, adding takes at least ${duration(minAddMs)}`
            : ""),
        stats.badLines === 0 ? "OK: nothing was sent." : `Not OK: fix the ${plural(stats.badLines, "bad line")} above (nothing was sent).`,
      ].join("\n"),
    );
    return stats.badLines > 0 ? exitCodes.usage : exitCodes.ok;
  },
);
