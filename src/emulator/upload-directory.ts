import { readdirSync, readFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { replaceDurably, syncDirectoryOf } from "./durable-file.js";
import type { StoredFile } from "./stored-file.js";

/** What each upload's file starts with, on a line of its own; the file's bytes follow. */
interface UploadHeader {
  id: string;
  team: string;
  filename: string;
  createdAtMs: number;
  expiresAtMs: number | null;
  seq: number;
  size: number;
}

const suffix = ".upload";
const idPattern = /^file_[0-9a-f-]{36}$/;

/**
 * Uploaded files kept across restarts, beside the journal: one file per upload, its header line and then
 * its bytes, each written whole before the upload is answered, so a file-backed batch whose file had not
 * loaded yet still loads after a restart. A file is several hundred MB at most and the journal holds
 * changes, not contents, so uploads live here rather than in it.
 */
export class UploadDirectory {
  constructor(
    private readonly path: string,
    private readonly sync: boolean,
    private readonly onWarning: (message: string) => void,
  ) {
    mkdirSync(path, { recursive: true });
  }

  /** Every upload kept, in upload order. A leftover of a crash mid-write is removed, and said so. */
  load(): StoredFile[] {
    const files: StoredFile[] = [];
    for (const entry of readdirSync(this.path, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const name = entry.name;
      const path = join(this.path, name);
      const file = name.endsWith(suffix) ? readUpload(path) : undefined;
      if (file === undefined || `${file.id}${suffix}` !== name) {
        this.onWarning(`${path}: not a whole upload (left by a crash mid-write?): removed`);
        rmSync(path, { force: true });
        continue;
      }
      files.push(file);
    }
    return files.sort((a, b) => a.seq - b.seq);
  }

  /** Keeps `file`; returns once it is on disk (synced when the emulator syncs its journal). */
  save(file: StoredFile): void {
    const header: UploadHeader = {
      id: file.id,
      team: file.team,
      filename: file.filename,
      createdAtMs: file.createdAtMs,
      expiresAtMs: file.expiresAtMs ?? null,
      seq: file.seq,
      size: file.bytes.length,
    };
    replaceDurably(
      this.pathOf(file.id),
      (append) => {
        append(Buffer.from(`${JSON.stringify(header)}\n`));
        append(file.bytes);
      },
      this.sync,
    );
  }

  /** Forgets a deleted or expired upload. */
  remove(id: string): void {
    const path = this.pathOf(id);
    rmSync(path, { force: true });
    if (this.sync) syncDirectoryOf(path);
  }

  private pathOf(id: string): string {
    return join(this.path, `${id}${suffix}`);
  }
}

/** An upload read back, or undefined when the file is not one whole upload. */
function readUpload(path: string): StoredFile | undefined {
  const content = readFileSync(path);
  const newline = content.indexOf(0x0a);
  if (newline === -1) return undefined;
  let header: UploadHeader;
  try {
    header = JSON.parse(content.subarray(0, newline).toString("utf8")) as UploadHeader;
  } catch {
    return undefined;
  }
  const bytes = content.subarray(newline + 1);
  if (typeof header !== "object" || header === null || !idPattern.test(String(header.id)) || header.size !== bytes.length) return undefined;
  return {
    id: header.id,
    team: header.team,
    filename: header.filename,
    bytes,
    createdAtMs: header.createdAtMs,
    expiresAtMs: header.expiresAtMs ?? undefined,
    seq: header.seq,
  };
}
