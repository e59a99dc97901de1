import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// The layout is the architecture (docs/architecture.md): these rules keep it so. Each layer of the library
// imports only from itself and the layers below it; `internal/` folders hold what no entry point exports.
const root = resolve(import.meta.dirname, "..");
const src = join(root, "src");
const rel = (path: string) => relative(root, path);

/** The library's layers, bottom first; client.ts and index.ts sit on top. */
const layers = ["core", "views", "requests", "internal", "resources"] as const;
const entryPoints = ["src/index.ts", "src/emulator/index.ts", "src/redis/index.ts"];
const subsystems = ["src/cli/", "src/emulator/", "src/redis/"];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** The relative modules a file imports or re-exports (type-only ones too), as repository paths of .ts files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.[^"]+)"/g)].map((m) => m[1]!);
  return specifiers.map((s) => rel(resolve(dirname(file), s).replace(/\.js$/, ".ts")));
}

/** The names a module exports, by declaration or `export { … }`. */
function exportsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const declared = [
    ...text.matchAll(
      /^export (?:declare )?(?:async )?(?:function\*?|class|const|let|type|interface|enum|abstract class) ([A-Za-z_$][\w$]*)/gm,
    ),
  ].map((m) => m[1]!);
  const listed = [...text.matchAll(/^export (?:type )?\{([^}]*)\}/gm)].flatMap((m) =>
    m[1]!
      .split(",")
      .map((part) => part.trim().replace(/^type\s+/, ""))
      .filter(Boolean)
      .map((part) => part.split(/\s+as\s+/).pop()!),
  );
  return [...declared, ...listed];
}

const library = filesUnder(src).filter((f) => !subsystems.some((s) => rel(f).startsWith(s)));
const all = filesUnder(src);

/** The layer a library file belongs to: its top folder under src/, or "top" for client.ts and index.ts. */
function layerOf(path: string): number {
  const top = path.slice("src/".length).split("/")[0]!;
  const index = (layers as readonly string[]).indexOf(top);
  return index === -1 ? layers.length : index;
}

describe("the layout", () => {
  it("has no import cycle", () => {
    const graph = new Map(all.map((f) => [rel(f), importsOf(f).filter((m) => m.startsWith("src/"))]));
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (node: string, path: string[]) => {
      if (state.get(node) === "done") return;
      if (state.get(node) === "open") {
        cycles.push([...path.slice(path.indexOf(node)), node].join(" -> "));
        return;
      }
      state.set(node, "open");
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, "done");
    };
    for (const node of graph.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });

  it("imports only down the layers: core, views, requests, internal, resources, then the client", () => {
    const upward = library.flatMap((file) => {
      const from = layerOf(rel(file));
      return importsOf(file)
        .filter((m) => m.startsWith("src/") && layerOf(m) > from)
        .map((m) => `${rel(file)} -> ${m}`);
    });
    expect(upward).toEqual([]);
  });

  it("keeps what lies under internal/ out of every entry point", () => {
    const leaks = entryPoints.flatMap((entry) =>
      importsOf(join(root, entry))
        .filter((m) => m.includes("/internal/"))
        .map((m) => `${entry} -> ${m}`),
    );
    expect(leaks).toEqual([]);
  });

  it("exports from a public module only what an entry point exports: helpers live under internal/", () => {
    // core/, views/ and requests/ are the building blocks a user meets in the API; resources/ hold the
    // resource classes the client hands out and the parts they are made of.
    const exported = new Set(entryPoints.flatMap((entry) => exportsOf(join(root, entry))));
    const publicModules = library.filter((f) => /^src\/(core|views|requests)\//.test(rel(f)) && !rel(f).includes("/internal/"));
    const helpers = publicModules.flatMap((file) =>
      exportsOf(file)
        .filter((name) => !exported.has(name))
        .map((name) => `${rel(file)}: ${name}`),
    );
    expect(helpers).toEqual([]);
  });

  it("keeps the emulator independent of the client's request code", () => {
    // The emulator referees the library's requests and files only if it reads them its own way: a bug in
    // shared code would pass both (test/file-line-verdicts.test.ts). Checked through every import, so a
    // helper outside requests/ that reaches into it counts too.
    const graph = new Map(all.map((f) => [rel(f), importsOf(f)]));
    const reached = new Map(filesUnder(join(src, "emulator")).map((f) => [rel(f), [rel(f)]]));
    for (const [file, path] of reached) {
      for (const next of graph.get(file) ?? []) if (!reached.has(next)) reached.set(next, [...path, next]);
    }
    const inRequests = (file: string | undefined) => file?.startsWith("src/requests/") === true;
    // Each way in, named once: the import that crosses into requests/, and how the emulator got there.
    const intoRequests = [...reached.values()]
      .filter((path) => inRequests(path.at(-1)) && !inRequests(path.at(-2)))
      .map((path) => path.join(" -> "));
    expect(intoRequests).toEqual([]);
  });

  it("lets the CLI and the examples import only what a user can import", () => {
    const outside = [...filesUnder(join(src, "cli")), ...filesUnder(join(root, "examples"))].flatMap((file) => {
      const own = rel(file).startsWith("src/cli/") ? "src/cli/" : "examples/";
      return importsOf(file)
        .filter((m) => !m.startsWith(own) && !entryPoints.includes(m))
        .map((m) => `${rel(file)} -> ${m}`);
    });
    expect(outside).toEqual([]);
  });
});
