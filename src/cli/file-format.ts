import type { FileView, ModelView } from "../index.js";

/** One line for people: id, name, size, when it expires. */
export function fileLine(file: FileView): string {
  const expires = file.expiresAt === undefined ? "kept until deleted" : `expires ${file.expiresAt.toISOString()}`;
  return `${file.id}  ${file.filename}  ${file.sizeBytes.toLocaleString("en-US")} bytes  ${expires}`;
}

/** One line for people: name, kind, aliases. */
export function modelLine(model: ModelView): string {
  return `${model.name}  ${model.kind}${model.aliases.length > 0 ? `  (also: ${model.aliases.join(", ")})` : ""}`;
}
