import { createClient, type Client as ConnectClient, type Transport } from "@connectrpc/connect";
import type { CallOptions } from "../core/call-options.js";
import { callOptionKeys, callUnary, type CallContext } from "../internal/call/call.js";
import { checkKnownKeys } from "../core/internal/validate.js";
import { toDate, withRaw } from "../core/internal/view-support.js";
import { Modality, Models, type EmbeddingModel, type ImageGenerationModel, type LanguageModel } from "../core/internal/wire.js";

/** A model the team can use, as plain data. */
export interface ModelView {
  /** Its canonical name. */
  readonly name: string;
  /** Other names requests may use for it. */
  readonly aliases: readonly string[];
  readonly kind: "language" | "image" | "embedding";
  readonly inputModalities: readonly ModalityName[];
  readonly outputModalities: readonly ModalityName[];
  readonly createdAt: Date | undefined;
  /** The message as it came off the wire, prices included (USD ticks); not part of the JSON. */
  readonly raw: LanguageModel | ImageGenerationModel | EmbeddingModel;
}

/** What a model reads or writes. */
export type ModalityName = "text" | "image" | "embedding";

const modalityNames: Partial<Record<Modality, ModalityName>> = {
  [Modality.TEXT]: "text",
  [Modality.IMAGE]: "image",
  [Modality.EMBEDDING]: "embedding",
};

/**
 * `client.models`: the models the team of the API key can use, live from xai_api.Models. It does not say
 * which of them the Batch API serves; `client.batch.add` combines it with what is known of that.
 */
export class ModelsResource {
  private readonly rpc: ConnectClient<typeof Models>;

  constructor(
    private readonly ctx: CallContext,
    transport: Transport,
  ) {
    this.rpc = createClient(Models, transport);
  }

  /** Every language, image generation and embedding model of the team, with its aliases. */
  async list(options?: CallOptions): Promise<ModelView[]> {
    checkKnownKeys("call options", options, callOptionKeys);
    const [language, image, embedding] = await Promise.all([
      callUnary(this.ctx, "ListLanguageModels", options, (o) => this.rpc.listLanguageModels({}, o)),
      callUnary(this.ctx, "ListImageGenerationModels", options, (o) => this.rpc.listImageGenerationModels({}, o)),
      callUnary(this.ctx, "ListEmbeddingModels", options, (o) => this.rpc.listEmbeddingModels({}, o)),
    ]);
    return [
      ...language.models.map((m) => viewModel(m, "language")),
      ...image.models.map((m) => viewModel(m, "image")),
      ...embedding.models.map((m) => viewModel(m, "embedding")),
    ];
  }
}

function viewModel(raw: LanguageModel | ImageGenerationModel | EmbeddingModel, kind: ModelView["kind"]): ModelView {
  const names = (modalities: readonly Modality[]) => modalities.flatMap((m) => modalityNames[m] ?? []);
  return withRaw(
    {
      name: raw.name,
      aliases: [...raw.aliases],
      kind,
      inputModalities: names(raw.inputModalities),
      outputModalities: names(raw.outputModalities),
      createdAt: toDate(raw.created),
    },
    raw,
  );
}
