// The client most Node teams write first: @grpc/grpc-js with the protos loaded at run time by
// @grpc/proto-loader (protobufjs encodes), with the options of grpc's own Node examples.
import { fromBinary } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import {
  credentials,
  loadPackageDefinition,
  Metadata,
  status,
  type Client,
  type ServiceClientConstructor,
  type ServiceError,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";
import { RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../gen/google/rpc/status_pb.js";

const protoDir = fileURLToPath(new URL("../../proto", import.meta.url));

/** A chat BatchRequest as protobufjs takes it (keepCase: proto field names). */
export interface PlainBatchRequest {
  batch_request_id: string;
  completion_request: { model: string; messages: { role: string; content: { text: string }[] }[] };
}

/** The part of a ListBatchResults response the benchmarks read. */
export interface PlainResultsPage {
  results: { batch_request_id: string }[];
  pagination_token?: string;
}

/** Promise wrappers over the grpc-js client, with the bearer token on every call. */
export interface GrpcJsBatchClient {
  createBatch(name: string): Promise<{ batch_id: string }>;
  getBatch(batchId: string): Promise<{ batch_id: string }>;
  addBatchRequests(batchId: string, requests: readonly PlainBatchRequest[]): Promise<void>;
  listBatchResults(batchId: string, limit: number, paginationToken: string | undefined): Promise<PlainResultsPage>;
  close(): void;
}

let clientClass: ServiceClientConstructor | undefined;

/** Loads xai/api/v1/batch.proto (proto-loader resolves google/protobuf/* itself) and returns BatchMgmt's client class. */
function batchMgmt(): ServiceClientConstructor {
  if (clientClass !== undefined) return clientClass;
  const definition = loadSync("xai/api/v1/batch.proto", {
    includeDirs: [protoDir],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const loaded = loadPackageDefinition(definition) as unknown as { xai_api: { BatchMgmt: ServiceClientConstructor } };
  clientClass = loaded.xai_api.BatchMgmt;
  return clientClass;
}

/** A grpc-js BatchMgmt client for `baseUrl` (http://host:port), plaintext, authorised with `apiKey`. */
export function createGrpcJsClient(baseUrl: string, apiKey = "bench-key"): GrpcJsBatchClient {
  const Ctor = batchMgmt();
  const client = new Ctor(new URL(baseUrl).host, credentials.createInsecure(), {
    "grpc.max_send_message_length": 64 * 1024 * 1024,
    "grpc.max_receive_message_length": 256 * 1024 * 1024,
  });
  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${apiKey}`);
  const unary = <T>(method: string, request: object) =>
    new Promise<T>((resolve, reject) => {
      const call = (client as unknown as Record<string, (req: object, md: Metadata, cb: (e: ServiceError | null, r: T) => void) => void>)[
        method
      ]!;
      call.call(client, request, metadata, (error, response) => (error ? reject(error) : resolve(response)));
    });
  return {
    createBatch: (name) => unary("CreateBatch", { name }),
    getBatch: (batchId) => unary("GetBatch", { batch_id: batchId }),
    addBatchRequests: (batchId, requests) =>
      unary<unknown>("AddBatchRequests", { batch_id: batchId, batch_requests: requests }).then(() => undefined),
    listBatchResults: (batchId, limit, paginationToken) =>
      unary("ListBatchResults", { batch_id: batchId, limit, pagination_token: paginationToken ?? "" }),
    close: () => (client as Client).close(),
  };
}

/** A one-message chat request in the plain form protobufjs takes. */
export function plainChatRequest(id: string, model: string, text: string): PlainBatchRequest {
  return { batch_request_id: id, completion_request: { model, messages: [{ role: "ROLE_USER", content: [{ text }] }] } };
}

/**
 * The delay a RESOURCE_EXHAUSTED asks for in its google.rpc.RetryInfo (grpc-status-details-bin), or
 * undefined when the error is something else or carries none.
 */
export function retryInfoDelayMs(error: unknown): number | undefined {
  const e = error as Partial<ServiceError>;
  if (e.code !== status.RESOURCE_EXHAUSTED || e.metadata === undefined) return undefined;
  const [details] = e.metadata.get("grpc-status-details-bin");
  if (!(details instanceof Buffer)) return undefined;
  for (const any of fromBinary(StatusSchema, details).details) {
    const info = anyUnpack(any, RetryInfoSchema);
    if (info?.retryDelay !== undefined) return Number(info.retryDelay.seconds) * 1000 + info.retryDelay.nanos / 1e6;
  }
  return undefined;
}
