import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import * as library from "../src/index.js";

// The public/internal line: users import "xai-batch" (src/index.ts), "xai-batch/emulator" and
// "xai-batch/redis"; what lies
// under src/internal/ may change at any time, so nothing public may be declared there.
const root = resolve(import.meta.dirname, "..");
const src = join(root, "src");
const publicEntries = [join(src, "index.ts"), join(src, "emulator/index.ts"), join(src, "redis/index.ts")];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

/** The relative modules a file imports or re-exports, resolved to .ts paths. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.[^"]+)"/g)].map((m) => m[1]!);
  return specifiers.map((s) => resolve(dirname(file), s).replace(/\.js$/, ".ts"));
}

const rel = (path: string) => relative(root, path);

describe("the public surface", () => {
  it("exports nothing from src/internal/", () => {
    for (const entry of publicEntries) {
      expect(relativeImports(entry).filter((m) => m.includes("/internal/")).map(rel), rel(entry)).toEqual([]);
    }
  });

  it("lets the CLI import only what a user can import (and its own files)", () => {
    const cli = join(src, "cli");
    const outside = filesUnder(cli).flatMap((file) =>
      relativeImports(file)
        .filter((m) => !m.startsWith(`${cli}/`) && !publicEntries.includes(m))
        .map((m) => `${rel(file)} -> ${rel(m)}`),
    );
    expect(outside).toEqual([]);
  });

  it("lets the examples import only what a user can import", () => {
    const examples = join(root, "examples");
    const outside = filesUnder(examples).flatMap((file) =>
      relativeImports(file)
        .filter((m) => !m.startsWith(`${examples}/`) && !publicEntries.includes(m))
        .map((m) => `${rel(file)} -> ${rel(m)}`),
    );
    expect(outside).toEqual([]);
  });

  it("keeps core modules from importing up the layers", () => {
    // errors.ts sits below everything; internal/ below the resources and views that use it.
    expect(relativeImports(join(src, "errors.ts")).filter((m) => m.includes("/internal/")).map(rel)).toEqual([]);
    const upward = filesUnder(join(src, "internal")).flatMap((file) =>
      relativeImports(file)
        .filter((m) => !m.includes("/internal/") && /\/(chat|batch|client|request-input|results|messages|requests)\.ts$/.test(m))
        .map((m) => `${rel(file)} -> ${rel(m)}`),
    );
    expect(upward).toEqual([]);
  });

  it("exports a working surface", () => {
    expect(typeof library.Client).toBe("function");
    expect(typeof library.prepareRequests).toBe("function");
    expect(typeof library.viewBatch).toBe("function");
  });
});
