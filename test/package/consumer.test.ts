import { execFile, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The package as its users meet it: `npm pack`, the tarball installed into a project of its own, and
// there plain `node` (no TypeScript loader), the strictest `tsc`, and the installed `xai-batch` command.
// It runs on whichever Node runs the tests, so CI's run on each supported Node proves each of them.

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");
const fixtures = join(import.meta.dirname, "consumer");
const work = mkdtempSync(join(tmpdir(), "xai-batch-consumer-"));
const project = join(work, "app");
const bin = join(project, "node_modules/.bin/xai-batch");

/** npm's own environment without the variables `npm test` set for this package, which would leak into the consumer's npm. */
const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("npm_"))) as NodeJS.ProcessEnv;

const npm = (args: string[], cwd: string) => run("npm", [...args, "--no-audit", "--no-fund", "--prefer-offline"], { cwd, env: npmEnv });
const node = (args: string[]) => run(process.execPath, args, { cwd: project });

/** The exact version of a package in our own node_modules, so the consumer installs it from npm's cache. */
const versionOf = (name: string) =>
  (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;

let tarball: string;

beforeAll(async () => {
  await npm(["pack", "--pack-destination", work], root);
  tarball = join(work, readdirSync(work).find((f) => f.endsWith(".tgz"))!);
  cpSync(fixtures, project, { recursive: true });
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  // First without the optional peer @grpc/grpc-js, as a service that only calls xAI installs it.
  await npm(["install", tarball, `@types/node@${versionOf("@types/node")}`], project);
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the tarball", () => {
  it("ships the compiled package, its sources, generated code and protos, and no tests, benchmarks or examples", async () => {
    const { stdout } = await run("tar", ["-tzf", tarball]);
    const files = stdout
      .split("\n")
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ""));
    expect(files).toContain("dist/src/index.js");
    expect(files).toContain("dist/src/index.d.ts");
    expect(files).toContain("dist/src/index.d.ts.map");
    expect(files).toContain("dist/src/index.js.map");
    expect(files).toContain("dist/src/cli/bin.js");
    expect(files).toContain("dist/gen/xai/api/v1/batch_pb.js");
    expect(files).toContain("proto/xai/api/v1/batch.proto");
    expect(files).toContain("LICENSE");
    expect(files).toContain("README.md");
    // README links into docs/ and BENCHMARKS.md: they ship, so the links work where npm shows the README.
    expect(files).toContain("docs/architecture.md");
    expect(files).toContain("BENCHMARKS.md");
    expect(files.filter((f) => /^(test|bench|examples|scripts|\.ci)\//.test(f))).toEqual([]);
  });

  it("installs without the emulator's gRPC server stack or a TypeScript loader", () => {
    const installed = readdirSync(join(project, "node_modules"));
    expect(installed).not.toContain("tsx");
    expect(installed).not.toContain("esbuild");
    expect(existsSync(join(project, "node_modules/@grpc/grpc-js"))).toBe(false);
  });
});

describe("without @grpc/grpc-js", () => {
  it("imports the client with plain node", async () => {
    expect((await node(["client-only.mjs"])).stdout).toContain("client ok");
  });

  it("can be required from CommonJS", async () => {
    expect((await node(["require.cjs"])).stdout).toContain("require ok");
  });

  it("runs `xai-batch --help`, and `serve` says which package to install", async () => {
    const help = await run(bin, ["--help"], { cwd: project });
    expect(help.stdout).toMatch(/^Usage: xai-batch <command>/);
    expect(help.stdout).toContain("serve");
    const serve = await run(bin, ["serve", "--port", "0"], { cwd: project }).catch((error: { code: number; stderr: string }) => error);
    expect(serve).toMatchObject({ code: 2 });
    expect((serve as { stderr: string }).stderr).toContain("npm install --save-dev @grpc/grpc-js");
  });
});

describe("with @grpc/grpc-js installed beside it", () => {
  beforeAll(async () => {
    await npm(["install", `@grpc/grpc-js@${versionOf("@grpc/grpc-js")}`], project);
  }, 180_000);

  it("runs the guide's walkthrough from a plain .mjs file against the shipped emulator", async () => {
    expect((await node(["walkthrough.mjs"])).stdout).toMatch(/^walkthrough ok: \S+/);
  });

  it("type-checks a program using the public API under strict, exactOptionalPropertyTypes and noUncheckedIndexedAccess, skipLibCheck off", async () => {
    const tsc = join(root, "node_modules/.bin/tsc");
    const result = await run(tsc, ["-p", "tsconfig.json"], { cwd: project }).catch((error: { stdout: string }) => error);
    expect(result.stdout).toBe("");
  });

  it("serves with the installed `xai-batch serve` until SIGTERM", async () => {
    const child = spawn(bin, ["serve", "--port", "0"], { cwd: project });
    try {
      let stdout = "";
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk;
          const match = /listening on (http:\/\/\S+)/.exec(stdout);
          if (match) resolve(match[1]!);
        });
        child.once("exit", (code) => reject(new Error(`serve exited with ${code} before listening: ${stdout}`)));
      });
      const { Client } = (await import(join(project, "node_modules/xai-batch/dist/src/index.js"))) as typeof import("../../src/index.js");
      const client = new Client({ baseUrl: url, apiKey: "xai-consumer-key-0123456789" });
      try {
        expect((await client.batch.create("served")).batchId).not.toBe("");
      } finally {
        client.close();
      }
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
