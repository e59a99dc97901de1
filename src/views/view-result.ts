import { withRaw } from "../core/internal/view-support.js";
import type { BatchResult } from "../core/internal/wire.js";
import { viewFields } from "./internal/result-fields.js";
import type { ResultView } from "./results.js";

/**
 * Reads a BatchResult by which oneof case is set, never by `error.code == 0`: a Status with code 0 in
 * the error case is still a failure the server reported, and an empty result is not a success.
 */
export function viewResult(raw: BatchResult): ResultView {
  return withRaw(viewFields(raw), raw);
}
