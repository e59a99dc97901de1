/**
 * Models the Batch API serves, as far as this library knows. Used to catch a request for any other model
 * before it is sent (xAI refuses it with INVALID_ARGUMENT and, worse, can cancel the batch over it) when
 * the team's live model list cannot be read, and as the emulator's default allow-list. Override it where
 * xAI adds models: it is a guard, not the truth.
 */
export const defaultBatchModels: readonly string[] = Object.freeze([
  "grok-4.20",
  "grok-4.20-0309-reasoning",
  "grok-4.20-0309-non-reasoning",
  "grok-4.20-multi-agent-0309",
  "grok-4.3",
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
  "grok-2-image-1212",
  "grok-imagine-image",
  "grok-imagine-video",
]);

/**
 * Models a team may be able to use that the Batch API is known to refuse (public issue threads: batches
 * lost to INVALID_ARGUMENT). The live model list does not say which models batches take, so these are
 * refused even when the team's list names them.
 */
export const knownBatchRefusedModels: readonly string[] = Object.freeze(["grok-code-fast-1", "grok-4.5"]);
