// The bare generated Connect client: what the library wraps, with nothing around it.
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { BatchMgmt } from "../../gen/xai/api/v1/batch_pb.js";

/** A bare Connect client and the headers to pass on each call. */
export interface BareConnect {
  readonly rpc: Client<typeof BatchMgmt>;
  readonly headers: { authorization: string };
}

/** `createClient(BatchMgmt, createGrpcTransport({ baseUrl }))`, with room for a full 25 MB add. */
export function createBareConnect(baseUrl: string, apiKey = "bench-key"): BareConnect {
  const transport = createGrpcTransport({ baseUrl, writeMaxBytes: 64 * 1024 * 1024, readMaxBytes: 256 * 1024 * 1024 });
  return { rpc: createClient(BatchMgmt, transport), headers: { authorization: `Bearer ${apiKey}` } };
}
