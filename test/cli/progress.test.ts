import { describe, expect, it } from "vitest";
import {
  bar,
  count,
  duration,
  etaMs,
  etaText,
  joinParts,
  ProgressLine,
  type ProgressFrame,
  type ProgressMode,
} from "../../src/cli/progress.js";

/** A stream that records what is written, and a clock the test moves. */
function setup(mode: ProgressMode, json = false) {
  let text = "";
  let now = 0;
  let state = 0;
  const stream = Object.assign(Object.create(null) as NodeJS.WritableStream, {
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
    columns: 60,
  });
  const render = (): ProgressFrame => ({ text: `done ${state}`, fields: { done: state } });
  const line = new ProgressLine(stream, { mode, json }, render, () => now);
  return {
    line,
    written: () => text,
    advance(ms: number, to?: number) {
      now += ms;
      if (to !== undefined) state = to;
      line.update();
    },
  };
}

describe("ProgressLine", () => {
  it("on a terminal, redraws in place with \\r and erase-to-end, and ends with a newline", () => {
    const p = setup("tty");
    p.advance(0, 1);
    p.advance(150, 2);
    p.advance(150, 2); // same text: not drawn again
    p.line.stop();
    expect(p.written()).toBe("\rdone 1\x1b[K\rdone 2\x1b[K\rdone 2\x1b[K\n");
  });

  it("on a terminal, writes a note on its own line and redraws the progress under it", () => {
    const p = setup("tty");
    p.advance(0, 1);
    p.line.note("line 3: bad");
    p.line.stop(null);
    expect(p.written()).toBe("\rdone 1\x1b[K\r\x1b[Kline 3: bad\n\rdone 1\x1b[K\r\x1b[K");
  });

  it("elsewhere, writes plain lines at most every five seconds and once at the end", () => {
    const p = setup("plain");
    for (let i = 1; i <= 24; i++) p.advance(500, i); // 12 s of updates twice a second
    p.line.stop();
    expect(p.written()).toBe("done 10\ndone 20\ndone 24\n");
    expect(p.written()).not.toMatch(/\r|\x1b/);
  });

  it("elsewhere with --json, writes progress objects", () => {
    const p = setup("plain", true);
    p.advance(5_000, 7);
    p.line.stop();
    expect(
      p
        .written()
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      { type: "progress", done: 7, elapsedMs: 5_000 },
      { type: "progress", done: 7, elapsedMs: 5_000 },
    ]);
  });

  it("writes nothing when off", () => {
    const p = setup("off");
    p.advance(10_000, 1);
    p.line.note("still shown");
    p.line.stop();
    expect(p.written()).toBe("still shown\n");
  });

  it("cuts a line to the terminal's width so \\r redraws it whole", () => {
    let text = "";
    const stream = Object.assign(Object.create(null) as NodeJS.WritableStream, {
      write: (c: string) => {
        text += c;
        return true;
      },
      columns: 30,
    });
    const line = new ProgressLine(stream, { mode: "tty", json: false }, () => ({ text: "x".repeat(100), fields: {} }));
    line.update();
    line.stop(null);
    expect(text.split("\x1b[K")[0]).toBe(`\r${"x".repeat(28)}…`);
  });
});

describe("progress formatting", () => {
  it("estimates the time left from the rate so far, and gives none without a rate or with nothing left", () => {
    expect(etaMs(25, 100, 10_000)).toBe(30_000);
    expect(etaMs(0, 100, 10_000)).toBeUndefined();
    expect(etaMs(100, 100, 10_000)).toBeUndefined();
    expect(etaText(50, 100, 65_000)).toBe("ETA 1m 05s");
    expect(etaText(0, 100, 65_000)).toBe("");
  });

  it.each([
    [0, "0s"],
    [44_600, "45s"],
    [125_000, "2m 05s"],
    [3 * 3_600_000 + 20 * 60_000, "3h 20m"],
  ])("writes %d ms as %s", (ms, text) => {
    expect(duration(ms)).toBe(text);
  });

  it("draws bars, counts and parts", () => {
    expect(bar(0.5, 10)).toBe("[#####-----]  50%");
    expect(bar(2, 4)).toBe("[####] 100%");
    expect(count(1_234_567)).toBe("1,234,567");
    expect(joinParts("a", false, "", undefined, "b")).toBe("a · b");
  });
});
