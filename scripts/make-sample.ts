// Writes examples/requests.jsonl, the sample `npm start` runs: `npx tsx scripts/make-sample.ts`.
// Deterministic (a seeded generator, no clock), so the committed file is exactly what this script writes;
// a test checks that they agree.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { seededRandom } from "../src/emulator/random.js";

/** Lines of the committed sample. */
export const sampleSize = 3_000;

/** The sample, one JSONL line per element: the forms and kinds of request users write, mixed. */
export function sampleLines(count = sampleSize): string[] {
  const random = seededRandom(20_250_601);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `req-${String(i).padStart(5, "0")}`;
    // About one in a hundred asks the emulator to fail, to show failures end to end.
    const fail = random() < 0.01 ? " [fail]" : "";
    const roll = random();
    const question = `${pick(questions)} ${pick(subjects)}?${fail}`;
    let row: object;
    if (roll < 0.45) {
      // Compact chat with a system prompt and snake_case parameters.
      row = {
        id,
        model: pick(chatModels),
        messages: [
          { role: "system", content: pick(systemPrompts) },
          { role: "user", content: question },
        ],
        max_tokens: pick([64, 128, 256, 512]),
        temperature: pick([0, 0.2, 0.7, 1]),
      };
    } else if (roll < 0.55) {
      // Compact chat without an id: it gets one derived from its content, stable across runs.
      row = { model: "grok-3-mini", messages: [{ role: "user", content: `${question} (#${i})` }], reasoning_effort: pick(["low", "high"]) };
    } else if (roll < 0.62) {
      // Compact multi-turn chat, camelCase parameters, JSON output.
      row = {
        id,
        model: "grok-4",
        messages: [
          { role: "system", content: "Answer in JSON with a single key, answer." },
          { role: "user", content: `${pick(questions)} ${pick(subjects)}?` },
          { role: "assistant", content: '{"answer": "It depends."}' },
          { role: "user", content: `Be specific, please.${fail}` },
        ],
        maxTokens: 200,
        responseFormat: { type: "json_object" },
      };
    } else if (roll < 0.67) {
      // Compact vision chat: text and an image part.
      row = {
        id,
        model: "grok-4",
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: `What is in this picture?${fail}` },
              { type: "image_url", image_url: { url: `https://example.com/photos/${i}.jpg`, detail: pick(["low", "high", "auto"]) } },
            ],
          },
        ],
      };
    } else if (roll < 0.88) {
      // Canonical protobuf JSON of a BatchRequest.
      row = {
        batchRequestId: id,
        completionRequest: {
          model: pick(chatModels),
          messages: [
            { role: "ROLE_SYSTEM", content: [{ text: pick(systemPrompts) }] },
            { role: "ROLE_USER", content: [{ text: question }] },
          ],
          maxTokens: 300,
          topP: 0.9,
        },
      };
    } else if (roll < 0.96) {
      row = {
        batchRequestId: id,
        imageRequest: {
          model: pick(["grok-imagine-image", "grok-2-image-1212"]),
          prompt: `${pick(imagePrompts)}${fail}`,
          n: pick([1, 1, 2]),
        },
      };
    } else if (roll < 0.99) {
      row = {
        batchRequestId: id,
        videoRequest: { model: "grok-imagine-video", prompt: `${pick(imagePrompts)}, slowly panning${fail}`, duration: pick([5, 6, 8]) },
      };
    } else {
      row = {
        batchRequestId: id,
        videoExtensionRequest: {
          model: "grok-imagine-video",
          prompt: `continue the scene${fail}`,
          video: { url: `https://example.com/videos/${i}.mp4` },
          duration: 4,
        },
      };
    }
    lines.push(JSON.stringify(row));
  }
  return lines;
}

const chatModels = ["grok-4.20", "grok-4", "grok-4-fast-non-reasoning", "grok-3", "grok-3-mini"];
const systemPrompts = [
  "You are a concise assistant. Answer in one sentence.",
  "You are a patient teacher for a curious twelve-year-old.",
  "You are a senior engineer reviewing a design. Be direct.",
  "Answer as a travel guide would, with one practical tip.",
  "You are a careful editor. Prefer plain words.",
];
const questions = [
  "What is the history of",
  "How would you explain",
  "Why do people care about",
  "What are common mistakes with",
  "Give one surprising fact about",
];
const subjects =
  "the printing press|a heat pump|HTTP/2 flow control|sourdough starters|tidal energy|the Roman road network|protocol buffers|container ships|bird migration|compound interest".split(
    "|",
  );
const imagePrompts = [
  "a red fox in fresh snow",
  "a lighthouse at dusk",
  "a bowl of ramen, overhead",
  "a city skyline in the rain",
  "a watercolor of a sailboat",
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = fileURLToPath(new URL("../examples/requests.jsonl", import.meta.url));
  writeFileSync(path, `${sampleLines().join("\n")}\n`);
  console.log(`wrote ${sampleSize} requests to ${path}`);
}
