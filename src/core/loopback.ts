import { isIP } from "node:net";

/** True for localhost, 127.0.0.0/8 and ::1: the only hosts plaintext is allowed to by default. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1";
  return false;
}
