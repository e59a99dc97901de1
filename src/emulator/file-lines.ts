import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { BatchRequestSchema, type BatchRequest } from "../core/internal/wire.js";
import { endpointsNotLoaded, fileLineEndpoints } from "./endpoints.js";
import { BodyProblem, isObject, restToProtoJson, shown } from "./rest-bodies.js";

/** Why xAI refuses one line of an input file: what its cancel message says after "line N: ". */
export class LineRefusal extends Error {}

const lineKeys = ["custom_id", "method", "url", "body"];
const lineShape = `{${lineKeys.map((key) => JSON.stringify(key)).join(", ")}}`;

/**
 * One line of a batch input file read as xAI reads it: `{"custom_id", "method": "POST", "url", "body"}`,
 * where `url` names the REST endpoint whose JSON body `body` is, and that body becomes the endpoint's
 * request in a BatchRequest with `custom_id` as its batch_request_id. Undefined for a blank line; throws a
 * LineRefusal for a line xAI would cancel the batch over. This is the emulator's own reading of the
 * format, from the protos' descriptors, so that it referees the library's writing and checking of files
 * rather than repeat them (test/file-line-verdicts.test.ts).
 */
export function readFileLine(text: string): BatchRequest | undefined {
  if (text.trim() === "") return undefined;
  let line: JsonValue;
  try {
    line = JSON.parse(text) as JsonValue;
  } catch {
    throw new LineRefusal("not valid JSON");
  }
  if (!isObject(line) || !Object.hasOwn(line, "custom_id")) throw new LineRefusal(`not a batch line: expected ${lineShape}`);
  const extra = Object.keys(line).find((key) => !lineKeys.includes(key));
  if (extra !== undefined) throw new LineRefusal(`not a batch line: ${JSON.stringify(extra)} is none of ${lineShape}`);
  const { custom_id: id, method, url, body } = line;
  if (typeof id !== "string" || id === "") throw new LineRefusal(`custom_id must be a non-empty string, got ${shown(id)}`);
  if (method !== "POST") throw new LineRefusal(`method must be "POST", got ${shown(method)}`);
  const field = requestField(url);
  let request: JsonValue;
  try {
    request = restToProtoJson(body, field.message, "body");
  } catch (error) {
    throw error instanceof BodyProblem ? new LineRefusal(error.message) : error;
  }
  try {
    return fromJson(BatchRequestSchema, { batch_request_id: id, [field.name]: request });
  } catch (error) {
    // protobuf's own words, naming the field: "cannot decode field xai_api.GetCompletionsRequest.temperature from JSON: ...".
    throw new LineRefusal((error as Error).message);
  }
}

/** The BatchRequest field a line's `url` fills. */
function requestField(url: JsonValue | undefined) {
  const name = typeof url === "string" && Object.hasOwn(fileLineEndpoints, url) ? fileLineEndpoints[url] : undefined;
  const field = BatchRequestSchema.fields.find((f) => f.name === name);
  if (field?.fieldKind === "message") return field;
  const served = Object.keys(fileLineEndpoints)
    .map((u) => JSON.stringify(u))
    .join(", ");
  if (typeof url === "string" && endpointsNotLoaded.includes(url))
    throw new LineRefusal(`url ${shown(url)} is not loaded by this emulator, which loads ${served}`);
  throw new LineRefusal(`url ${shown(url)} is not an endpoint of batch lines`);
}
