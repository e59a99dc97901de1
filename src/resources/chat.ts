import { ChatRequest, type ChatParams } from "../requests/chat.js";

/** `client.chat`: builds chat completion requests for a batch. */
export class ChatResource {
  /** A chat completion request for `model`; append messages, then pass it to `client.batch.add`. */
  create(model: string, params?: ChatParams): ChatRequest {
    return new ChatRequest(model, params);
  }
}
