import { closeSync, fdatasyncSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Replaces `path` with what `fill` writes, whole or not at all: written beside it under a temporary name,
 * synced, and renamed over it with its directory synced, so a crash leaves the old file or the new one,
 * never part of one. Without `sync` the rename still makes it whole, but the OS may lose it on power loss.
 */
export function replaceDurably(path: string, fill: (append: (bytes: Uint8Array) => void) => void, sync: boolean): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w");
  try {
    let size = 0;
    fill((bytes) => (size += writeFully(fd, bytes, size)));
    if (sync) fdatasyncSync(fd);
    closeSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  renameSync(temporary, path);
  if (sync) syncDirectoryOf(path);
}

/** Makes a rename or unlink in `path`'s directory durable. */
export function syncDirectoryOf(path: string): void {
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** Writes all of `bytes` at `position` (writeSync may write less than asked); returns its length. */
export function writeFully(fd: number, bytes: Uint8Array, position: number): number {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
  return bytes.length;
}
