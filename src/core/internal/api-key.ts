import { createHash } from "node:crypto";
import { inspect } from "node:util";
import { API_KEY_ENV } from "../auth.js";
import { InputError } from "../errors.js";

/**
 * An API key that cannot leak by accident: it prints, inspects and serialises as `[redacted]`, and only
 * `authorization()` gives the header value.
 */
export class ApiKey {
  readonly #value: string;

  private constructor(value: string) {
    this.#value = value;
  }

  /**
   * Resolves the key from the explicit option, else from `XAI_API_KEY`. A trailing newline (common when
   * the key is read from a file) is trimmed; inner whitespace is refused, since it cannot be sent as a
   * header.
   */
  static resolve(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): ApiKey {
    const raw = explicit ?? env[API_KEY_ENV];
    if (raw === undefined || raw.trim() === "") {
      throw new InputError(
        `No API key: pass \`apiKey\` to new Client({ apiKey }) or set the ${API_KEY_ENV} environment variable. ` +
          `Keys are created in the xAI console.`,
      );
    }
    const value = raw.trim();
    if (/[\s\u0000-\u001f\u007f]/.test(value)) {
      const from = explicit === undefined ? API_KEY_ENV : "`apiKey`";
      throw new InputError(`The API key in ${from} contains whitespace or control characters; check it for stray quotes or line breaks.`);
    }
    return new ApiKey(value);
  }

  /** The `authorization` metadata value sent with every call. */
  authorization(): string {
    return `Bearer ${this.#value}`;
  }

  /** A stable, non-secret id of the key (a sha256 prefix), e.g. to name a team's keys in a shared store. */
  fingerprint(): string {
    return createHash("sha256").update(this.#value).digest("hex").slice(0, 32);
  }

  /** The raw key, for scrubbing it out of error text. Never log it. */
  secret(): string {
    return this.#value;
  }

  toString(): string {
    return "ApiKey([redacted])";
  }

  toJSON(): string {
    return "[redacted]";
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
