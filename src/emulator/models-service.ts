import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { status as GrpcStatus } from "@grpc/grpc-js";
import { type ImageGenerationModelSchema, type LanguageModelSchema, Modality, type Models } from "../core/internal/wire.js";
import type { Authenticator } from "./auth.js";
import type { UnaryHandlers } from "./grpc-service.js";
import { StatusError } from "./status.js";

/** What the Models service lists: the emulator's models and their aliases. */
export interface ModelsServiceContext {
  readonly auth: Authenticator;
  /** Every name a request may use: canonical names and aliases alike. */
  readonly models: readonly string[];
  /** Canonical name to its other names; a name listed as an alias is served under its canonical entry. */
  readonly aliases: Readonly<Record<string, readonly string[]>>;
}

/** When the emulator's models were "released": a fixed date, so listings are the same in every run. */
const releasedMs = Date.UTC(2026, 0, 1);

/**
 * xai_api.Models as the emulator's team sees it: every model it accepts, image models (by name) as image
 * generation models and the rest as language models, each once with its aliases. Video models have no
 * listing in xAI's service and are left out; no embedding models are served.
 */
export function modelsService(ctx: ModelsServiceContext): Partial<UnaryHandlers<typeof Models>> {
  const aliasOf = new Set(Object.values(ctx.aliases).flat());
  const canonical = ctx.models.filter((name) => !aliasOf.has(name) && !name.includes("video"));
  const entry = (name: string) => ({
    name,
    aliases: [...(ctx.aliases[name] ?? [])],
    version: "1.0.0",
    created: timestampFromMs(releasedMs),
    systemFingerprint: "fp_emulator",
  });
  const language: MessageInitShape<typeof LanguageModelSchema>[] = canonical
    .filter((name) => !name.includes("image"))
    .map((name) => ({
      ...entry(name),
      inputModalities: [Modality.TEXT, Modality.IMAGE],
      outputModalities: [Modality.TEXT],
      maxPromptLength: 256_000,
    }));
  const image: MessageInitShape<typeof ImageGenerationModelSchema>[] = canonical
    .filter((name) => name.includes("image"))
    .map((name) => ({ ...entry(name), inputModalities: [Modality.TEXT], outputModalities: [Modality.IMAGE], maxPromptLength: 1024 }));
  const find = <T extends { name?: string; aliases?: string[] }>(list: T[], name: string, kind: string): T => {
    const found = list.find((m) => m.name === name || m.aliases?.includes(name));
    if (found === undefined) throw new StatusError(GrpcStatus.NOT_FOUND, `${kind} model ${JSON.stringify(name)} not found`);
    return found;
  };
  return {
    listLanguageModels: async (_request, call) => {
      ctx.auth.authenticate(call.metadata);
      return { models: language };
    },
    listImageGenerationModels: async (_request, call) => {
      ctx.auth.authenticate(call.metadata);
      return { models: image };
    },
    listEmbeddingModels: async (_request, call) => {
      ctx.auth.authenticate(call.metadata);
      return { models: [] };
    },
    getLanguageModel: async (request, call) => {
      ctx.auth.authenticate(call.metadata);
      return find(language, request.name, "language");
    },
    getImageGenerationModel: async (request, call) => {
      ctx.auth.authenticate(call.metadata);
      return find(image, request.name, "image generation");
    },
    getEmbeddingModel: async (request, call) => {
      ctx.auth.authenticate(call.metadata);
      throw new StatusError(GrpcStatus.NOT_FOUND, `embedding model ${JSON.stringify(request.name)} not found`);
    },
  };
}
