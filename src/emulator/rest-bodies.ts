import type { DescEnum, DescField, DescMessage, JsonObject, JsonValue } from "@bufbuild/protobuf";
import { describeValue } from "../core/internal/validate.js";

/** Why a REST body does not map onto its gRPC request, naming where in it (`body.messages[0].role`). */
export class BodyProblem extends Error {}

/**
 * The JSON body of an xAI REST request rewritten as protobuf's JSON of the gRPC message `desc`, for
 * `fromJson` to read (and refuse a value of the wrong type, naming the field). The mapping is read off the
 * descriptors, so a field added to the protos maps with no change here:
 * - a key is a field's proto name, the snake_case REST bodies use; any other key is refused by path;
 * - an enum value is a lower-case word: the value's name without the affix the enum's values share
 *   ("user" for ROLE_USER, "json_object" for FORMAT_TYPE_JSON_OBJECT, "auto" for AUTO_SEARCH_MODE);
 * - a message that is nothing but one oneof (Content, Tool) is written with `"type"` naming the member,
 *   whose value is under that name (`{"type": "text", "text": "Hi"}`) or, for a message member, beside it.
 * Where REST departs from the protos in other ways, `departures` says how, per message.
 */
export function restToProtoJson(value: JsonValue | undefined, desc: DescMessage, path: string): JsonObject {
  const departure = Object.hasOwn(departures, desc.typeName) ? departures[desc.typeName] : undefined;
  const shaped = departure === undefined ? value : departure(value, path, desc);
  if (!isObject(shaped)) throw new BodyProblem(`${path} must be a JSON object, got ${shown(shaped)}`);
  const members = soleOneof(desc);
  const fields = members !== undefined && Object.hasOwn(shaped, "type") ? untagged(shaped, members, path) : shaped;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(fields)) {
    const field = desc.fields.find((f) => f.name === key);
    if (field === undefined) throw new BodyProblem(`${path}.${key} is not a field of ${desc.typeName}`);
    out[field.jsonName] = fieldValue(field, v, `${path}.${key}`);
  }
  return out;
}

function fieldValue(field: DescField, value: JsonValue, path: string): JsonValue {
  // null is how JSON leaves a field unset; fromJson reads it so.
  if (value === null) return null;
  switch (field.fieldKind) {
    case "scalar":
      return value;
    case "enum":
      return enumValue(field.enum, value, path);
    case "message":
      return messageValue(field.message, value, path);
    case "list":
      if (!Array.isArray(value)) throw new BodyProblem(`${path} must be a JSON array, got ${shown(value)}`);
      return value.map((item, i) => {
        const at = `${path}[${i}]`;
        if (field.listKind === "enum") return enumValue(field.enum, item, at);
        return field.listKind === "message" ? messageValue(field.message, item, at) : item;
      });
    case "map":
      if (!isObject(value)) throw new BodyProblem(`${path} must be a JSON object, got ${shown(value)}`);
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => {
          const at = `${path}.${key}`;
          if (field.mapKind === "enum") return [key, enumValue(field.enum, item, at)];
          return [key, field.mapKind === "message" ? messageValue(field.message, item, at) : item];
        }),
      );
  }
}

function messageValue(desc: DescMessage, value: JsonValue, path: string): JsonValue {
  // Well-known types (a Timestamp's RFC 3339 text) are written in REST as protobuf's JSON writes them.
  return desc.typeName.startsWith("google.protobuf.") ? value : restToProtoJson(value, desc, path);
}

/** The fields of a message made of one oneof and nothing else, which REST tags with "type". */
function soleOneof(desc: DescMessage): readonly DescField[] | undefined {
  const [oneof] = desc.oneofs;
  return desc.oneofs.length === 1 && desc.fields.every((f) => f.oneof === oneof) ? oneof!.fields : undefined;
}

function untagged(tagged: JsonObject, members: readonly DescField[], path: string): JsonObject {
  const { type, ...others } = tagged;
  const member = members.find((f) => f.name === type);
  if (member === undefined) throw new BodyProblem(`${path}.type must be one of ${words(members.map((f) => f.name))}, got ${shown(type)}`);
  if (Object.hasOwn(others, member.name)) {
    const extra = Object.keys(others).find((key) => key !== member.name);
    if (extra !== undefined) throw new BodyProblem(`${path}.${extra} is not expected beside "type" and ${JSON.stringify(member.name)}`);
    return { [member.name]: others[member.name]! };
  }
  // xAI's search sources write their fields beside "type" (`{"type": "web", "country": "US"}`); a text part cannot.
  if (member.fieldKind !== "message") throw new BodyProblem(`${path}.${member.name} is missing`);
  return { [member.name]: others };
}

const wordsOfEnums = new WeakMap<DescEnum, ReadonlyMap<string, string>>();

/** An enum's REST words, to the value names protobuf's JSON uses. The zero value is "unset", so has none. */
function restWords(desc: DescEnum): ReadonlyMap<string, string> {
  let found = wordsOfEnums.get(desc);
  if (found === undefined) {
    const names = desc.values.filter((v) => v.number !== 0).map((v) => v.name.split("_"));
    if (names.length === 0) return new Map();
    const shortest = Math.min(...names.map((n) => n.length));
    const shared = (at: (n: string[], i: number) => string | undefined, limit: number) => {
      let count = 0;
      while (count < limit && names.every((n) => at(n, count) === at(names[0]!, count))) count++;
      return count;
    };
    // At least one part of each name is left: that part is the word.
    const prefix = shared((n, i) => n[i], shortest - 1);
    const suffix = shared((n, i) => n[n.length - 1 - i], shortest - 1 - prefix);
    found = new Map(
      names.map((n) => [
        n
          .slice(prefix, n.length - suffix)
          .join("_")
          .toLowerCase(),
        n.join("_"),
      ]),
    );
    wordsOfEnums.set(desc, found);
  }
  return found;
}

function enumValue(desc: DescEnum, value: JsonValue, path: string): string {
  const name = typeof value === "string" ? restWords(desc).get(value) : undefined;
  if (name === undefined) throw new BodyProblem(`${path} must be one of ${words([...restWords(desc).keys()])}, got ${shown(value)}`);
  return name;
}

/**
 * Where xAI's REST bodies (OpenAI's shapes) depart from the protos otherwise, by message: each turns the
 * REST value into the shape the rules above read. Whatever is not listed here maps by those rules alone.
 */
const departures: Readonly<Record<string, (value: JsonValue | undefined, path: string, desc: DescMessage) => JsonValue | undefined>> = {
  "xai_api.GetCompletionsRequest": (body, path) => {
    if (!isObject(body)) return body;
    const { max_completion_tokens: newer, ...rest } = body;
    // REST's newer name for max_tokens; both at once would be ambiguous.
    if (newer !== undefined) {
      if (Object.hasOwn(rest, "max_tokens")) throw new BodyProblem(`${path} gives both max_tokens and max_completion_tokens`);
      rest.max_tokens = newer;
    }
    // One stop sequence may be given as a string.
    if (typeof rest.stop === "string") rest.stop = [rest.stop];
    return rest;
  },
  // A message's content may be one text, as a string.
  "xai_api.Message": (message) =>
    isObject(message) && typeof message.content === "string" ? { ...message, content: [{ type: "text", text: message.content }] } : message,
  // OpenAI's image part is {"url", "detail"}.
  "xai_api.ImageUrlContent": (image, path) => {
    if (!isObject(image) || !Object.hasOwn(image, "url")) return image;
    const { url, ...rest } = image;
    if (Object.hasOwn(rest, "image_url")) throw new BodyProblem(`${path} gives both url and image_url`);
    return { ...rest, image_url: url! };
  },
  // The proto holds a JSON Schema as text; REST gives the schema itself.
  "xai_api.Function": (fn, path) => {
    if (!isObject(fn) || fn.parameters === undefined || fn.parameters === null) return fn;
    if (!isObject(fn.parameters)) throw new BodyProblem(`${path}.parameters must be a JSON Schema object, got ${shown(fn.parameters)}`);
    return { ...fn, parameters: JSON.stringify(fn.parameters) };
  },
  "xai_api.ToolChoice": (choice, path, desc): JsonObject => {
    const modes = restWords(enumOf(desc, "mode"));
    const named = isObject(choice) && choice.type === "function" && Object.keys(choice).length === 2 ? choice.function : undefined;
    if (typeof choice === "string" && modes.has(choice)) return { mode: choice };
    if (isObject(named) && Object.keys(named).length === 1 && typeof named.name === "string") return { function_name: named.name };
    throw new BodyProblem(
      `${path} must be ${words([...modes.keys()])} or {"type": "function", "function": {"name": ...}}, got ${shown(choice)}`,
    );
  },
  // {"type": "json_object"}, or {"type": "json_schema", "json_schema": {"name", "schema", ...}} with the schema as text in the proto.
  "xai_api.ResponseFormat": (format, path, desc): JsonValue | undefined => {
    if (!isObject(format)) return format;
    const { type, json_schema: wrapper, ...others } = format;
    const extra = Object.keys(others)[0];
    if (extra !== undefined) throw new BodyProblem(`${path}.${extra} is not a field of a response format`);
    const types = restWords(enumOf(desc, "format_type"));
    if (typeof type !== "string" || !types.has(type))
      throw new BodyProblem(`${path}.type must be one of ${words([...types.keys()])}, got ${shown(type)}`);
    if (type !== "json_schema") {
      if (wrapper !== undefined) throw new BodyProblem(`${path}.json_schema is given with type ${shown(type)}`);
      return { format_type: type };
    }
    const schemaExtra = isObject(wrapper) ? Object.keys(wrapper).find((key) => !jsonSchemaKeys.has(key)) : undefined;
    if (schemaExtra !== undefined) throw new BodyProblem(`${path}.json_schema.${schemaExtra} is not a field of a JSON schema format`);
    const schema = isObject(wrapper) ? wrapper.schema : wrapper;
    if (!isObject(schema)) throw new BodyProblem(`${path}.json_schema.schema must be a JSON Schema object, got ${shown(schema)}`);
    return { format_type: type, schema: JSON.stringify(schema) };
  },
};

function enumOf(desc: DescMessage, name: string): DescEnum {
  const field = desc.fields.find((f) => f.name === name);
  if (field?.fieldKind !== "enum") throw new Error(`${desc.typeName}.${name} is no enum field: the protos changed under the emulator`);
  return field.enum;
}

/** What OpenAI's json_schema response format holds; only the schema has a place in the proto. */
const jsonSchemaKeys = new Set(["name", "description", "strict", "schema"]);

/** True for a JSON object (not an array, not null). */
export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A JSON value as a refusal names it, never at length: cancel messages stay one readable line. */
export function shown(value: JsonValue | undefined): string {
  return value === undefined ? "nothing" : describeValue(value);
}

function words(list: readonly string[]): string {
  return list.map((word) => JSON.stringify(word)).join(", ");
}
