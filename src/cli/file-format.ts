import type { FileView } from "../files.js";
import type { ModelView } from "../models.js";

/** A stored file as JSON for `--json`: the view without its wire message. */
export function fileJson(file: FileView): object {
  const { raw: _raw, ...view } = file;
  return view;
}

/** One line for people: id, name, size, when it expires. */
export function fileLine(file: FileView): string {
  const expires = file.expiresAt === undefined ? "kept until deleted" : `expires ${file.expiresAt.toISOString()}`;
  return `${file.id}  ${file.filename}  ${file.sizeBytes.toLocaleString("en-US")} bytes  ${expires}`;
}

/** A model as JSON for `--json`: the view without its wire message. */
export function modelJson(model: ModelView): object {
  const { raw: _raw, ...view } = model;
  return view;
}

/** One line for people: name, kind, aliases. */
export function modelLine(model: ModelView): string {
  return `${model.name}  ${model.kind}${model.aliases.length > 0 ? `  (also: ${model.aliases.join(", ")})` : ""}`;
}
