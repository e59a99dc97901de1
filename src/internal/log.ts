import { scrub, scrubDeep } from "../core/internal/scrub.js";
import type { Logger, LogLevel } from "../core/logger.js";

const rank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, off: 4 };

/** The client's log: lines below the level cost one comparison; the rest have every secret scrubbed before the logger sees them. */
export class Log {
  readonly #rank: number;

  constructor(
    level: LogLevel,
    private readonly logger: Logger,
    private readonly secrets: readonly string[],
  ) {
    this.#rank = rank[level];
  }

  /** Whether lines of `level` are written; check before building costly fields. */
  enabled(level: Exclude<LogLevel, "off">): boolean {
    return rank[level] >= this.#rank;
  }

  write(level: Exclude<LogLevel, "off">, message: string, fields: Record<string, unknown>): void {
    if (!this.enabled(level)) return;
    try {
      this.logger[level](`xai-batch: ${scrub(message, this.secrets)}`, scrubDeep(fields, this.secrets));
    } catch {
      // A logger that throws must not turn a working call into a failed one.
    }
  }
}
