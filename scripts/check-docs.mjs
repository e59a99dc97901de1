// Type-checks every ```ts / ```typescript block of README.md, BENCHMARKS.md and docs/*.md, so the docs
// cannot drift from the API: each block becomes a module of its own in a temporary folder inside the
// project (node_modules and src/ resolve from there), the package's own names map to the sources, and one
// `tsc -p` checks them all. An error is reported at its line in the markdown file. A block that is not
// meant to compile is fenced as something else (```text).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const markdown = [
  ...["README.md", "BENCHMARKS.md"].filter((f) => existsSync(join(root, f))),
  ...(existsSync(join(root, "docs"))
    ? readdirSync(join(root, "docs"))
        .filter((f) => f.endsWith(".md"))
        .sort()
        .map((f) => `docs/${f}`)
    : []),
];

/** The ts blocks of one markdown file: their code and the line (from 1) of their first code line. */
function blocksOf(file) {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ts|typescript)\s*$/.exec(lines[i]);
    if (open === null) continue;
    const indent = open[1];
    const code = [];
    let j = i + 1;
    for (; j < lines.length && !new RegExp(`^${indent}\`\`\`\\s*$`).test(lines[j]); j++) code.push(lines[j].slice(indent.length));
    if (j === lines.length) throw new Error(`${file}:${i + 1}: a \`\`\`${open[2]} block that is never closed`);
    blocks.push({ file, line: i + 2, code: code.join("\n") });
    i = j;
  }
  return blocks;
}

const blocks = markdown.flatMap(blocksOf);
if (blocks.length === 0) {
  console.log("docs: no TypeScript blocks to check.");
  process.exit(0);
}
const dir = mkdtempSync(join(root, ".check-docs-"));
try {
  const names = new Map();
  blocks.forEach((block, n) => {
    const name = `block-${n + 1}.ts`;
    names.set(name, block);
    writeFileSync(join(dir, name), `${block.code}\n`);
  });
  const src = (path) => [`../${path}`];
  const tsconfig = {
    compilerOptions: {
      // As a user's strict ESM project; every block is a module, so top-level await works and names do not clash.
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      moduleDetection: "force",
      strict: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true,
      noEmit: true,
      types: ["node"],
      lib: ["ES2023"],
      paths: {
        "xai-batch": src("src/index.ts"),
        "xai-batch/emulator": src("src/emulator/index.ts"),
        "xai-batch/redis": src("src/redis/index.ts"),
        "xai-batch/gen/*": src("gen/*.ts"),
      },
    },
    include: ["*.ts"],
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  const tsc = spawnSync(join(root, "node_modules/.bin/tsc"), ["-p", join(dir, "tsconfig.json"), "--pretty", "false"], {
    cwd: root,
    encoding: "utf8",
  });
  if (tsc.error !== undefined) throw tsc.error;
  if (tsc.status === 0) {
    console.log(`docs: ${blocks.length} TypeScript blocks in ${markdown.length} files type-check.`);
  } else {
    // "path(line,col): error TSnnnn: message", continuation lines indented; block files are named back to their markdown.
    const report = `${tsc.stdout}${tsc.stderr}`.replace(/^(\S+?)\((\d+),(\d+)\)/gm, (_, path, line, col) => {
      const block = names.get(relative(dir, resolve(root, path)));
      if (block === undefined) return `${relative(root, resolve(root, path))}:${line}:${col}`;
      return `${block.file}:${block.line + Number(line) - 1}:${col}`;
    });
    console.error(
      `${report.trimEnd()}\ndocs: a TypeScript block does not type-check (fence a block that is not meant to compile as \`\`\`text).`,
    );
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
