import { readFile, rename, writeFile } from "node:fs/promises";

// The small JSON files the CLI keeps beside its outputs (checkpoints, run manifests).

/** The text of a state file, or undefined when there is none. */
export async function readStateFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Writes a state file through a temp file and a rename, so a crash leaves the old or the new version, never half of one. */
export async function writeStateFile(path: string, data: object): Promise<void> {
  const temp = `${path}.tmp`;
  await writeFile(temp, `${JSON.stringify(data)}\n`);
  await rename(temp, path);
}
