/**
 * Models the Batch API serves, as far as this library knows. Used to catch a request for any other model
 * before it is sent (xAI refuses it with INVALID_ARGUMENT and, worse, can cancel the batch over it), and
 * as the emulator's default allow-list. Override it where xAI adds models: it is a guard, not the truth.
 */
export const defaultBatchModels: readonly string[] = Object.freeze([
  "grok-4",
  "grok-4-0709",
  "grok-4-latest",
  "grok-4-fast-reasoning",
  "grok-4-fast-non-reasoning",
  "grok-4-1-fast-reasoning",
  "grok-4-1-fast-non-reasoning",
  "grok-3",
  "grok-3-latest",
  "grok-3-mini",
  "grok-3-mini-latest",
  "grok-code-fast-1",
  "grok-2-image-1212",
  "grok-imagine-image",
  "grok-imagine-video",
]);
