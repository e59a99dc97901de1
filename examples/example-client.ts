// What every example shares: a Client for the service named by `--base-url URL` or $XAI_BASE_URL (so a
// test can point an example at the emulator), else xAI itself; the API key comes from $XAI_API_KEY.
import { parseArgs } from "node:util";
import { Client } from "../src/index.js";

/** Parses the example's arguments: string options named in `options`, `--base-url`, and positionals. */
export function exampleClient(...options: string[]) {
  const specs = Object.fromEntries([...options, "base-url"].map((name) => [name, { type: "string" as const }]));
  const { values, positionals } = parseArgs({ options: specs, allowPositionals: true });
  const baseUrl = values["base-url"] ?? process.env.XAI_BASE_URL;
  const client = new Client(baseUrl === undefined ? {} : { baseUrl });
  return { client, values: values as Record<string, string | undefined>, positionals };
}
