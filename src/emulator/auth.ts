import { createHash } from "node:crypto";
import { status as GrpcStatus, type Metadata } from "@grpc/grpc-js";
import { metadataValue } from "./grpc-service.js";
import { StatusError } from "./status.js";

/** Who is calling: the team whose limits and batches apply, and a non-secret id of the key used. */
export interface Caller {
  team: string;
  apiKeyId: string;
}

/**
 * Resolves `authorization: Bearer <key>` to a caller. Messages never contain the key: they end up in
 * client logs.
 */
export class Authenticator {
  private readonly allowed: ReadonlySet<string> | undefined;

  constructor(
    apiKeys: readonly string[] | undefined,
    private readonly teams: Readonly<Record<string, string>>,
  ) {
    this.allowed = apiKeys === undefined ? undefined : new Set([...apiKeys, ...Object.keys(teams)]);
  }

  /** The caller of a call, or a StatusError: UNAUTHENTICATED without a key, PERMISSION_DENIED for an unknown one. */
  authenticate(metadata: Metadata): Caller {
    const header = metadataValue(metadata, "authorization");
    if (header === undefined) {
      throw new StatusError(GrpcStatus.UNAUTHENTICATED, "missing `authorization` metadata: send `authorization: Bearer <API key>`");
    }
    const key = /^Bearer +(\S+)$/i.exec(header.trim())?.[1];
    if (key === undefined) {
      throw new StatusError(GrpcStatus.UNAUTHENTICATED, "malformed `authorization` metadata: expected `Bearer <API key>`");
    }
    const apiKeyId = apiKeyIdOf(key);
    if (this.allowed !== undefined && !this.allowed.has(key)) {
      throw new StatusError(GrpcStatus.PERMISSION_DENIED, `API key ${apiKeyId} is not allowed to use this server`);
    }
    const team = Object.hasOwn(this.teams, key) ? this.teams[key] : undefined;
    return { team: team === undefined ? `key:${apiKeyId}` : `team:${team}`, apiKeyId };
  }
}

/** A short, stable, non-reversible id of an API key, safe to show (xAI's `create_api_key_id`). */
export function apiKeyIdOf(key: string): string {
  return `key_${createHash("sha256").update(key).digest("hex").slice(0, 12)}`;
}
