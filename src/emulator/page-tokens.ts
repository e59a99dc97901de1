import { createHmac, timingSafeEqual } from "node:crypto";

/** What a page token is valid for: a token of one listing is refused by every other. */
export interface PageScope {
  team: string;
  rpc: string;
  batchId: string;
  /** The listing's filter in a canonical form, e.g. the sorted states of ListBatchRequestMetadata. */
  filter: string;
}

const macBytes = 16;

/**
 * Page tokens carrying the sequence number of the last item served, signed with HMAC-SHA256 over that
 * number and the scope. Listings order items by a sequence that only grows, so "items after N" stays
 * correct while items are added, and a client cannot forge, corrupt or carry a token to another listing.
 */
export class PageTokens {
  constructor(private readonly secret: Uint8Array) {}

  /** A token for the page after the item with sequence `lastSeq`. */
  issue(scope: PageScope, lastSeq: number): string {
    const body = String(lastSeq);
    return `${Buffer.from(body).toString("base64url")}.${this.mac(scope, body).toString("base64url")}`;
  }

  /** The sequence a token was issued for, or undefined when it is not a valid token of this scope. */
  read(scope: PageScope, token: string): number | undefined {
    const [encodedBody, encodedMac, ...rest] = token.split(".");
    if (encodedBody === undefined || encodedMac === undefined || rest.length > 0) return undefined;
    const body = Buffer.from(encodedBody, "base64url").toString();
    const mac = Buffer.from(encodedMac, "base64url");
    // Re-encoding must give the token back, so no two spellings of one token are accepted.
    if (`${Buffer.from(body).toString("base64url")}.${mac.toString("base64url")}` !== token) return undefined;
    if (mac.length !== macBytes || !timingSafeEqual(mac, this.mac(scope, body))) return undefined;
    const lastSeq = Number(body);
    return Number.isSafeInteger(lastSeq) && lastSeq >= 0 && String(lastSeq) === body ? lastSeq : undefined;
  }

  private mac(scope: PageScope, body: string): Buffer {
    return createHmac("sha256", this.secret)
      .update(JSON.stringify([scope.team, scope.rpc, scope.batchId, scope.filter, body]))
      .digest()
      .subarray(0, macBytes);
  }
}
