import { readFileSync } from "node:fs";

/** Bytes before the first record of a journal. */
export const journalMagicBytes = Buffer.byteLength("xai-batch journal v2\n");

/** Where each record of a journal file sits: its byte offset and its whole length (16-byte frame header included). */
export function journalRecords(path: string): { offset: number; length: number }[] {
  const bytes = readFileSync(path);
  const records: { offset: number; length: number }[] = [];
  for (let offset = journalMagicBytes; offset + 16 <= bytes.length; ) {
    const length = 16 + bytes.readUInt32BE(offset);
    records.push({ offset, length });
    offset += length;
  }
  return records;
}

/** The bytes of one record of a journal file. */
export function journalRecordBytes(path: string, index: number): Buffer {
  const record = journalRecords(path).at(index)!;
  return readFileSync(path).subarray(record.offset, record.offset + record.length);
}
