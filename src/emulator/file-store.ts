import type { StoredFile } from "./stored-file.js";
import { randomUUID } from "node:crypto";
import type { UploadDirectory } from "./upload-directory.js";

/** How ListFiles orders files. */
export type FileSortKey = "createdAt" | "filename" | "size";

/**
 * The Files service's state: uploaded files per team, in memory, and kept in `directory` too when the
 * emulator persists its state. A file past its expiry, or deleted, is gone for every call at once, as a
 * NOT_FOUND, whether or not anything swept it yet.
 */
export class FileStore {
  private readonly files = new Map<string, StoredFile>();
  private seq = 0;

  constructor(
    private readonly now: () => number,
    private readonly directory?: UploadDirectory,
  ) {
    for (const file of directory?.load() ?? []) {
      this.files.set(file.id, file);
      this.seq = Math.max(this.seq, file.seq + 1);
    }
  }

  put(team: string, filename: string, bytes: Buffer, expiresAfterS: number | undefined): StoredFile {
    const createdAtMs = this.now();
    const file: StoredFile = {
      id: `file_${randomUUID()}`,
      team,
      filename,
      bytes,
      createdAtMs,
      expiresAtMs: expiresAfterS === undefined ? undefined : createdAtMs + expiresAfterS * 1000,
      seq: this.seq++,
    };
    // On disk before it is in the store: an upload that was answered survives a restart.
    this.directory?.save(file);
    this.files.set(file.id, file);
    return file;
  }

  /** The team's live file with this id, or undefined (another team's file is as unknown as a missing one). */
  get(team: string, id: string): StoredFile | undefined {
    const file = this.files.get(id);
    if (file === undefined || file.team !== team) return undefined;
    if (file.expiresAtMs !== undefined && file.expiresAtMs <= this.now()) {
      this.forget(id);
      return undefined;
    }
    return file;
  }

  /** Deletes the team's file; false when there was none. */
  delete(team: string, id: string): boolean {
    if (this.get(team, id) === undefined) return false;
    this.forget(id);
    return true;
  }

  /** The team's live files, sorted. */
  list(team: string, sortBy: FileSortKey, descending: boolean): StoredFile[] {
    const live = [...this.files.keys()].map((id) => this.get(team, id)).filter((f) => f !== undefined);
    const key = sortKeys[sortBy];
    live.sort((a, b) => compare(key(a), key(b)) || a.seq - b.seq);
    return descending ? live.reverse() : live;
  }

  private forget(id: string): void {
    this.directory?.remove(id);
    this.files.delete(id);
  }
}

const sortKeys: Record<FileSortKey, (file: StoredFile) => number | string> = {
  createdAt: (f) => f.createdAtMs,
  filename: (f) => f.filename,
  size: (f) => f.bytes.length,
};

function compare(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
