/** How progress is shown: redrawn in place on a terminal, periodic lines otherwise, or not at all. */
export type ProgressMode = "tty" | "plain" | "off";

/** One reading of progress: a line for people and the same facts for machines (`--json`). */
export interface ProgressFrame {
  readonly text: string;
  readonly fields: Readonly<Record<string, string | number | boolean | undefined>>;
}

/** How a progress line is drawn. */
export interface ProgressSettings {
  readonly mode: ProgressMode;
  /** Plain mode writes JSON objects (`{"type":"progress",...}`) instead of text. */
  readonly json: boolean;
  /** Plain mode: least time between two lines. @default 5_000 */
  readonly plainIntervalMs?: number;
  /** Called once the line is stopped. */
  readonly onStop?: () => void;
}

/** Redraws on a terminal: often enough to look live, rarely enough to cost nothing. */
const ttyRedrawMs = 200;
const defaultPlainIntervalMs = 5_000;

/**
 * A progress line on stderr (stdout stays clean for results and `--json`). On a terminal it is redrawn
 * in place several times a second; elsewhere (a log file, CI) a line is written at most every few
 * seconds, and once more at the end, so a long job leaves a readable, bounded log.
 */
export class ProgressLine {
  private timer: NodeJS.Timeout | undefined;
  private lastDrawMs = 0;
  private drawn = false;
  private lastText = "";
  private readonly startedMs: number;

  constructor(
    private readonly stream: NodeJS.WritableStream & { columns?: number },
    private readonly settings: ProgressSettings,
    private readonly render: () => ProgressFrame,
    private readonly now: () => number = Date.now,
  ) {
    this.startedMs = now();
    this.lastDrawMs = this.startedMs;
    if (settings.mode === "off") return;
    this.timer = setInterval(() => this.update(), settings.mode === "tty" ? ttyRedrawMs : 1_000);
    this.timer.unref();
  }

  /** Draws the current state if it is time to (state changed, or on the timer). */
  update(): void {
    const elapsed = this.now() - this.lastDrawMs;
    if (this.settings.mode === "tty" && (elapsed >= ttyRedrawMs / 2 || !this.drawn)) {
      const frame = this.render();
      if (frame.text !== this.lastText || !this.drawn) this.draw(frame);
    } else if (this.settings.mode === "plain" && elapsed >= (this.settings.plainIntervalMs ?? defaultPlainIntervalMs))
      this.print(this.render());
  }

  /** Writes a message (a warning, a bad line) on its own line without tearing the progress line. */
  note(text: string): void {
    if (this.settings.mode === "tty" && this.drawn) this.stream.write("\r\x1b[K");
    this.stream.write(`${text}\n`);
    this.drawn = false;
    if (this.settings.mode === "tty") this.draw(this.render());
  }

  /**
   * Stops redrawing and leaves the final state (or `final`) as a line of its own; with `final` null the
   * line is cleared instead, for a command whose result says it all.
   */
  stop(final?: ProgressFrame | null): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.settings.onStop?.();
    if (this.settings.mode === "off") return;
    if (final === null) {
      if (this.drawn) this.stream.write("\r\x1b[K");
      this.drawn = false;
      return;
    }
    const frame = final ?? this.render();
    if (this.settings.mode === "tty") {
      this.draw(frame);
      this.stream.write("\n");
      this.drawn = false;
    } else {
      this.print(frame);
    }
  }

  private draw(frame: ProgressFrame): void {
    // A line wider than the terminal wraps, and \r then returns to the wrapped part: cut it to fit (a
    // terminal of unknown width, such as a pseudo-terminal without a size, counts as 120 columns).
    const width = Math.max(20, (this.stream.columns || 120) - 1);
    const text = frame.text.length > width ? `${frame.text.slice(0, width - 1)}…` : frame.text;
    this.stream.write(`\r${text}\x1b[K`);
    this.lastText = frame.text;
    this.drawn = true;
    this.lastDrawMs = this.now();
  }

  private print(frame: ProgressFrame): void {
    const line = this.settings.json
      ? JSON.stringify({ type: "progress", ...frame.fields, elapsedMs: this.now() - this.startedMs })
      : frame.text;
    this.stream.write(`${line}\n`);
    this.lastDrawMs = this.now();
  }
}

/** 1234567 as "1,234,567". */
export function count(n: number | bigint): string {
  return n.toLocaleString("en-US");
}

/** "1 call", "2 calls". */
export function plural(n: number, noun: string): string {
  return `${count(n)} ${noun}${n === 1 ? "" : "s"}`;
}

/** A duration as "45s", "12m 05s" or "3h 20m". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * Time left at the rate so far: `done` of `total` in `elapsedMs`. Undefined until there is a rate to
 * go by (nothing done yet), so no absurd first estimate is shown, and once nothing is left.
 */
export function etaMs(done: number, total: number, elapsedMs: number): number | undefined {
  if (done <= 0 || total <= done || elapsedMs <= 0) return undefined;
  return ((total - done) * elapsedMs) / done;
}

/** "ETA 1m 20s", or "" when there is no estimate. */
export function etaText(done: number, total: number, elapsedMs: number): string {
  const eta = etaMs(done, total, elapsedMs);
  return eta === undefined ? "" : `ETA ${duration(eta)}`;
}

/** "[#####-----] 50%": a bar of `width` cells. */
export function bar(fraction: number, width = 20): string {
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.floor(f * width);
  return `[${"#".repeat(full)}${"-".repeat(width - full)}] ${String(Math.floor(f * 100)).padStart(3)}%`;
}

/** Parts of a progress line, joined with " · ", empty ones left out. */
export function joinParts(...parts: (string | false | undefined)[]): string {
  return parts.filter((p): p is string => typeof p === "string" && p !== "").join(" · ");
}
