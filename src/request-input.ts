import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ChatRequest } from "./chat.js";
import type { BatchRequestSchema, BatchRequest } from "./wire.js";

/** What `client.batch.add` takes: a chat built with `client.chat.create`, a BatchRequest message, or its plain init. */
export type AddInput = ChatRequest | BatchRequest | MessageInitShape<typeof BatchRequestSchema>;
