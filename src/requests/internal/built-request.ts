import type { BatchRequest } from "../../core/internal/wire.js";
import { ChatRequest } from "../chat.js";

/** The BatchRequest of a request made with the library's builders (a ChatRequest); undefined for any other input. */
export function builtRequest(input: unknown): BatchRequest | undefined {
  return input instanceof ChatRequest ? input.toBatchRequest() : undefined;
}
