// Fails when gen/ is not what `buf generate` makes from proto/ today: it regenerates into a temporary
// directory and compares file by file, so a stale or hand-edited gen/ never passes `npm test`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), "xai-batch-gen-"));
try {
  const template = readFileSync(join(root, "buf.gen.yaml"), "utf8").replace(/out: gen\b/, `out: ${out}`);
  const templatePath = join(out, "buf.gen.yaml");
  writeFileSync(templatePath, template);
  execFileSync(join(root, "node_modules/.bin/buf"), ["generate", "--template", templatePath], {
    cwd: root,
    stdio: "inherit",
    // npm scripts put node_modules/.bin on PATH; a direct `node scripts/check-gen.mjs` needs it too.
    env: { ...process.env, PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH}` },
  });
  const fresh = listFiles(out).filter((f) => f !== "buf.gen.yaml");
  const committed = listFiles(join(root, "gen"));
  const problems = [];
  for (const f of new Set([...fresh, ...committed])) {
    if (!committed.includes(f)) problems.push(`missing from gen/: ${f}`);
    else if (!fresh.includes(f)) problems.push(`in gen/ but not generated from proto/: ${f}`);
    else if (!readFileSync(join(out, f)).equals(readFileSync(join(root, "gen", f)))) problems.push(`differs: gen/${f}`);
  }
  if (problems.length > 0) {
    console.error(`gen/ is stale:\n  ${problems.join("\n  ")}\nRun \`npm run generate\` and commit gen/.`);
    process.exit(1);
  }
  console.log(`gen/ is up to date (${committed.length} files).`);
} finally {
  rmSync(out, { recursive: true, force: true });
}

function listFiles(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name))],
  );
}
