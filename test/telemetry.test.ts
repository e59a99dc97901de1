import { metrics, trace } from "@opentelemetry/api";
import { MeterProvider, MetricReader, type DataPoint, type Histogram } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../src/emulator/index.js";
import { Client } from "../src/index.js";

// OpenTelemetry as an application that installs an SDK sees it: spans and metrics from the API the
// library calls, exported in memory. The SDK is a dev dependency only; the library depends on the API.

const apiKey = "xai-telemetry-test-key-0123456789";
const secretText = "the-request-content-nobody-may-see";

/** Collects on demand, as a test wants, rather than on a timer. */
class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const spans = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const reader = new CollectingReader();
const meterProvider = new MeterProvider({ readers: [reader] });
let emu: Emulator | undefined;
let client: Client | undefined;

beforeAll(() => {
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
});
afterEach(async () => {
  client?.close();
  await emu?.stop();
  spans.reset();
});
afterAll(async () => {
  trace.disable();
  metrics.disable();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
});

async function metricPoints(name: string): Promise<DataPoint<number | Histogram>[]> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .filter((m) => m.descriptor.name === name)
    .flatMap((m) => m.dataPoints as DataPoint<number | Histogram>[]);
}

function named(name: string): ReadableSpan[] {
  return spans.getFinishedSpans().filter((s) => s.name === name);
}

function requests(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    id: `t${i}`,
    model: "grok-4",
    messages: [{ role: "user", content: `${secretText} ${i}` }],
  }));
}

describe("telemetry", () => {
  it("an add is a span with the batch id, counts, bytes, calls and quota waits, each attempt a child span with method and status", async () => {
    emu = await startEmulator({ limits: { createIntervalMs: 0 } });
    client = new Client({ apiKey, baseUrl: emu.url, batchModels: "any" });
    const { batchId } = await client.batch.create("telemetry");
    const result = await client.batch.add(batchId, requests(30), { maxRequestsPerCall: 10 });

    const [add] = named("xai_batch.add");
    expect(add!.attributes).toMatchObject({
      "xai_batch.batch_id": batchId,
      "xai_batch.requests_added": 30,
      "xai_batch.bytes_sent": result.bytesSent,
      "xai_batch.calls": 3,
      "xai_batch.retries": 0,
      "xai_batch.quota_wait_ms": expect.any(Number),
    });
    const attempts = named("xai_api.BatchMgmt/AddBatchRequests");
    expect(attempts).toHaveLength(3);
    for (const attempt of attempts) {
      expect(attempt.parentSpanContext?.spanId).toBe(add!.spanContext().spanId);
      expect(attempt.attributes).toMatchObject({
        "rpc.system": "grpc",
        "rpc.service": "xai_api.BatchMgmt",
        "rpc.method": "AddBatchRequests",
        "rpc.grpc.status_code": 0,
        "xai_batch.attempt": 1,
      });
      expect(attempt.attributes["xai_batch.request_id"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(attempt.attributes["xai_batch.quota_wait_ms"]).toEqual(expect.any(Number));
    }
    expect(named("xai_api.BatchMgmt/CreateBatch")).toHaveLength(1);

    await client.batch.wait(batchId, { pollIntervalMs: 20 });
    const [wait] = named("xai_batch.wait");
    expect(wait!.attributes).toMatchObject({
      "xai_batch.batch_id": batchId,
      "xai_batch.status": "completed",
      "xai_batch.requests": 30,
      "xai_batch.succeeded": 30,
      "xai_batch.polls": expect.any(Number),
    });
    expect(named("xai_api.BatchMgmt/GetBatch").filter((s) => s.parentSpanContext?.spanId === wait!.spanContext().spanId).length).toBe(
      wait!.attributes["xai_batch.polls"],
    );

    let results = 0;
    for await (const _ of client.batch.listBatchResults(batchId, { limit: 20 })) results++;
    expect(results).toBe(30);
    const pages = named("xai_batch.list_page").filter((s) => s.attributes["rpc.method"] === "ListBatchResults");
    expect(
      pages.map((p) => [p.attributes["xai_batch.page"], p.attributes["xai_batch.items"], p.attributes["xai_batch.last_page"]]),
    ).toEqual([
      [0, 20, false],
      [1, 10, true],
    ]);
    // The whole iteration is one span, parent of its pages, ended when the caller stopped.
    const [list] = named("xai_batch.list").filter((s) => s.attributes["rpc.method"] === "ListBatchResults");
    expect(list!.attributes).toMatchObject({ "xai_batch.batch_id": batchId, "xai_batch.pages": 2, "xai_batch.items": 30 });
    expect(pages.every((p) => p.parentSpanContext?.spanId === list!.spanContext().spanId)).toBe(true);
    // A caller that breaks early ends the iteration's span too.
    for await (const _ of client.batch.listBatchResults(batchId, { limit: 5 })) break;
    expect(named("xai_batch.list").filter((s) => s.attributes["rpc.method"] === "ListBatchResults")).toHaveLength(2);

    // Nothing any span carries names the key or the content of a request.
    const everything = JSON.stringify(
      spans.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })),
    );
    expect(everything).not.toContain(apiKey);
    expect(everything).not.toContain(secretText);
  }, 20_000);

  it("counts calls, retries and the service's rate rejections, and records quota waits", async () => {
    // The client believes in 100 add calls per window; the service allows 2 per 400 ms, and says when to retry.
    emu = await startEmulator({ limits: { createIntervalMs: 0, addCallsPerWindow: 2, addWindowMs: 400 } });
    client = new Client({ apiKey, baseUrl: emu.url, batchModels: "any" });
    const before = await counterTotal("xai_batch.rejections", { "rpc.method": "AddBatchRequests" });
    const waitsBefore = await quotaWaitCount("AddBatchRequests");
    const { batchId } = await client.batch.create("rejections");
    const result = await client.batch.add(batchId, requests(40), { maxRequestsPerCall: 10, concurrency: 1 });
    expect(result.retries).toBeGreaterThan(0);

    expect(
      (await counterTotal("xai_batch.rejections", {
        "rpc.method": "AddBatchRequests",
        "rpc.grpc.status": "RESOURCE_EXHAUSTED",
        "xai_batch.quota": true,
      })) - before,
    ).toBe(emu.counters().rejections.rate);
    expect(await counterTotal("xai_batch.retries", { "rpc.method": "AddBatchRequests" })).toBeGreaterThanOrEqual(result.retries);
    expect(await counterTotal("xai_batch.calls", { "rpc.method": "AddBatchRequests", "rpc.grpc.status": "OK" })).toBeGreaterThanOrEqual(4);
    // One wait recorded per attempt of a paced call, rejected ones included.
    expect((await quotaWaitCount("AddBatchRequests")) - waitsBefore).toBe(named("xai_api.BatchMgmt/AddBatchRequests").length);
    const retried = named("xai_api.BatchMgmt/AddBatchRequests").filter((s) => s.attributes["rpc.grpc.status_code"] === 8);
    expect(retried.length).toBe(emu.counters().rejections.rate);
    expect(retried[0]!.attributes).toMatchObject({ "xai_batch.retryable": true, "xai_batch.quota": true });
    expect(named("xai_batch.add")[0]!.events.filter((e) => e.name === "retry")).toHaveLength(result.retries);
  }, 30_000);

  it("an upload is a span with its size and the stored file's id", async () => {
    emu = await startEmulator({ limits: { createIntervalMs: 0 } });
    client = new Client({ apiKey, baseUrl: emu.url });
    const bytes = new TextEncoder().encode(
      `${JSON.stringify({ custom_id: "u", method: "POST", url: "/v1/chat/completions", body: { model: "grok-4", messages: [{ role: "user", content: secretText }] } })}\n`,
    );
    const file = await client.files.upload(bytes, { filename: "telemetry.jsonl" });
    const [upload] = named("xai_batch.upload");
    expect(upload!.attributes).toEqual({ "xai_batch.file.size_bytes": bytes.length, "xai_batch.file_id": file.id });
    const [attempt] = named("xai_api.Files/UploadFile");
    expect(attempt!.attributes).toMatchObject({ "rpc.service": "xai_api.Files", "rpc.method": "UploadFile" });
    expect(attempt!.parentSpanContext?.spanId).toBe(upload!.spanContext().spanId);
  });
});

async function counterTotal(name: string, match: Record<string, string | boolean>): Promise<number> {
  const points = await metricPoints(name);
  return points
    .filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v))
    .reduce((sum, p) => sum + (p.value as number), 0);
}

async function quotaWaitCount(method: string): Promise<number> {
  const points = (await metricPoints("xai_batch.quota_wait")).filter((p) => p.attributes["rpc.method"] === method);
  return points.reduce((sum, p) => sum + (p.value as Histogram).count, 0);
}
