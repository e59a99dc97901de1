import type { Logger } from "../index.js";
import { ProgressLine, type ProgressFrame, type ProgressMode } from "./progress.js";

/** Streams a command writes to; tests and the embedded job can pass their own. */
export interface Streams {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/** Bad lines shown as text before the rest are only counted, so a broken file cannot flood a terminal. */
const maxBadLinesShown = 20;

/**
 * Where a command's words go. stdout carries the result only: text for people, or with `--json` one
 * JSON object per line. Everything else (progress, warnings, bad input lines, hints) goes to stderr, so
 * `xai-batch create x > id.txt` and `--json | jq` get nothing but the result.
 */
export class Output {
  private progressLine: ProgressLine | undefined;
  private badLinesShown = 0;
  private badLinesHidden = 0;

  constructor(
    readonly json: boolean,
    private readonly streams: Streams,
    private readonly progressMode: ProgressMode,
  ) {}

  /** Where results go when a command streams them (e.g. `results` without `--out`). */
  get stdout(): Streams["stdout"] {
    return this.streams.stdout;
  }

  /** The command's result: `json` as one line with `--json`, else `human` (nothing if undefined). */
  result(json: object, human: string | undefined): void {
    if (this.json) this.streams.stdout.write(`${JSON.stringify(json)}\n`);
    else if (human !== undefined) this.streams.stdout.write(`${human}\n`);
  }

  /** A message for the person running the command, on stderr; with `--json` a `{"type":"note"}` object. */
  note(text: string): void {
    this.stderrLine(this.json ? JSON.stringify({ type: "note", message: text }) : text);
  }

  /** Why the command failed, on stderr; with `--json` a `{"type":"error"}` object. */
  error(command: string, message: string, exitCode: number): void {
    this.stderrLine(this.json ? JSON.stringify({ type: "error", command, message, exitCode }) : `xai-batch ${command}: ${message}`);
  }

  /**
   * The client's log (XAI_BATCH_LOG=info|debug|...) as stderr lines, never stdout, which carries only the
   * result: `message {fields}`, or with `--json` a `{"type":"log"}` object.
   */
  get logger(): Logger {
    const line = (level: string) => (message: string, fields?: Record<string, unknown>) =>
      this.stderrLine(
        this.json
          ? JSON.stringify({ type: "log", level, message, ...fields })
          : `${message}${fields === undefined ? "" : ` ${JSON.stringify(fields)}`}`,
      );
    return { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
  }

  private stderrLine(line: string): void {
    if (this.progressLine !== undefined) this.progressLine.note(line);
    else this.streams.stderr.write(`${line}\n`);
  }

  /**
   * An input line that is not a valid request. With `toStdout` (for `check`, where they are the result)
   * every one is listed on stdout; otherwise the first few go to stderr and the rest are counted.
   */
  badLine(file: string, line: number, reason: string, toStdout = false): void {
    if (this.json) {
      const record = JSON.stringify({ type: "bad_line", file, line, error: reason });
      if (toStdout) this.streams.stdout.write(`${record}\n`);
      else this.stderrLine(record);
      return;
    }
    if (toStdout) {
      this.streams.stdout.write(`${file}:${line}: ${reason}\n`);
      return;
    }
    if (this.badLinesShown < maxBadLinesShown) {
      this.badLinesShown++;
      this.stderrLine(`${file}:${line}: ${reason}`);
    } else {
      this.badLinesHidden++;
    }
  }

  /** How many bad lines were counted but not shown; say so at the end. */
  get hiddenBadLines(): number {
    return this.badLinesHidden;
  }

  /**
   * Starts a progress line drawn from `render`; stop it before starting another. `shown: false` keeps
   * it off, e.g. while results stream to the same terminal.
   */
  progress(render: () => ProgressFrame, shown = true): ProgressLine {
    const mode = shown ? this.progressMode : "off";
    const line: ProgressLine = new ProgressLine(
      this.streams.stderr,
      {
        mode,
        json: this.json,
        onStop: () => {
          if (this.progressLine === line) this.progressLine = undefined;
        },
      },
      render,
    );
    this.progressLine = line;
    return line;
  }
}
