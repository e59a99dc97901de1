import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LineSplitter, readLines, type Line, type ReadPosition } from "../../src/cli/jsonl-reader.js";
import { UsageError } from "../../src/cli/usage-error.js";

/** Feeds `chunks` through a splitter, as a file read in those pieces would. */
function split(chunks: (string | Buffer)[], maxLineBytes?: number): Line[] {
  const splitter = new LineSplitter(maxLineBytes);
  const lines = chunks.flatMap((c) => splitter.push(typeof c === "string" ? Buffer.from(c) : c));
  return [...lines, ...splitter.end()];
}

const texts = (lines: Line[]) => lines.map((l) => (l.kind === "text" ? l.text : l.kind));

describe("LineSplitter", () => {
  it("splits on LF and CRLF, numbers lines from 1, and keeps the last line without a break", () => {
    const lines = split(["a\r\nb\n\nc"]);
    expect(texts(lines)).toEqual(["a", "b", "", "c"]);
    expect(lines.map((l) => l.number)).toEqual([1, 2, 3, 4]);
    expect(lines.map((l) => l.size)).toEqual([3, 2, 1, 1]);
  });

  it("reads a CRLF, a BOM and a multi-byte character split across chunks the same as whole", () => {
    const whole = Buffer.from('\uFEFF{"t":"é€"}\r\nnext\r\n');
    const one = texts(split([whole]));
    for (let cut = 1; cut < whole.length; cut++) {
      expect(texts(split([whole.subarray(0, cut), whole.subarray(cut)])), `cut at ${cut}`).toEqual(one);
    }
    expect(one).toEqual(['{"t":"é€"}', "next"]);
    const bytewise = texts(split([...whole].map((b) => Buffer.from([b]))));
    expect(bytewise).toEqual(one);
  });

  it("drops a BOM only at the very start", () => {
    expect(texts(split(["\uFEFFa\n\uFEFFb\n"]))).toEqual(["a", "\uFEFFb"]);
    expect(texts(split(["\uFEFF"]))).toEqual([]);
  });

  it("reports a line over the limit by number as soon as it passes the limit, without holding it", () => {
    const splitter = new LineSplitter(50);
    expect(splitter.push(Buffer.from(`short\n${"x".repeat(40)}`))).toEqual([{ kind: "text", number: 1, size: 6, text: "short" }]);
    // The chunk that takes the line past 50 bytes reports it, before any line break arrives.
    expect(splitter.push(Buffer.from("x".repeat(40)))).toEqual([{ kind: "too-long", number: 2, size: 80 }]);
    // The rest of it is skipped, however much more there is, and the next line reads normally.
    for (let i = 0; i < 100; i++) expect(splitter.push(Buffer.from("x".repeat(1_000)))).toEqual([]);
    expect(splitter.push(Buffer.from("yy\nafter\n"))).toEqual([{ kind: "text", number: 3, size: 6, text: "after" }]);
    expect(splitter.end()).toEqual([]);
  });

  it("reports a too-long last line without a line break once", () => {
    expect(split(["x".repeat(60)], 50)).toEqual([{ kind: "too-long", number: 1, size: 60 }]);
    expect(split(["x".repeat(30), "x".repeat(30), "x".repeat(30)], 50)).toEqual([{ kind: "too-long", number: 1, size: 60 }]);
  });

  it("reports bytes that are not UTF-8", () => {
    const lines = split([Buffer.from([0x61, 0x0a, 0xff, 0xfe, 0x0a, 0x62])]);
    expect(texts(lines)).toEqual(["a", "not-utf8", "b"]);
  });

  it("gives nothing for an empty input", () => {
    expect(split([])).toEqual([]);
    expect(split([""])).toEqual([]);
  });
});

describe("readLines", () => {
  const dir = mkdtempSync(join(tmpdir(), "xai-batch-lines-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("streams a file and tracks the bytes handed out", async () => {
    const path = join(dir, "a.jsonl");
    writeFileSync(path, "one\r\ntwo\nthree");
    const position: ReadPosition = { bytesRead: 0, totalBytes: 0 };
    const seen: [string, number][] = [];
    for await (const line of readLines(path, position)) seen.push([line.kind === "text" ? line.text : line.kind, position.bytesRead]);
    expect(seen).toEqual([
      ["one", 5],
      ["two", 9],
      ["three", 14],
    ]);
    expect(position.totalBytes).toBe(14);
  });

  it("stops at an abort even inside an endless line, where no line is ever handed out", async () => {
    const stop = new AbortController();
    // The reader looks at the signal at each chunk (1 MiB); the abort comes at its third look, megabytes
    // into the line.
    let looks = 0;
    const aborted = Object.getOwnPropertyDescriptor(AbortSignal.prototype, "aborted")!.get!;
    Object.defineProperty(stop.signal, "aborted", {
      get(this: AbortSignal) {
        if (++looks === 3) stop.abort(new Error("stopped"));
        return aborted.call(this) as boolean;
      },
    });
    const reading = (async () => {
      for await (const _ of readLines("/dev/zero", undefined, 1024, stop.signal));
    })();
    await expect(reading).rejects.toThrow("stopped");
    expect(looks).toBe(3);
  });

  it("names a file that cannot be read", async () => {
    const read = async (path: string) => {
      for await (const _ of readLines(path));
    };
    await expect(read(join(dir, "missing.jsonl"))).rejects.toThrow(
      new UsageError(`cannot read ${join(dir, "missing.jsonl")}: no such file`),
    );
    await expect(read(dir)).rejects.toThrow(/it is a directory/);
  });
});
