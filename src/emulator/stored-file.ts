/** A file a team uploaded. */
export interface StoredFile {
  readonly id: string;
  readonly team: string;
  readonly filename: string;
  readonly bytes: Buffer;
  readonly createdAtMs: number;
  /** When it stops existing; undefined keeps it until deleted. */
  readonly expiresAtMs: number | undefined;
  /** Upload order, the tie-break of every sort. */
  readonly seq: number;
}
