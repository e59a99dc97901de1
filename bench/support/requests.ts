/** The model every benchmark request names. */
export const benchModel = "grok-4";

const filler =
  "Summarise the following support ticket in one sentence, name the product area it concerns, and rate its urgency " +
  "from one to five. Ticket: the export job that used to finish overnight now stops halfway with a timeout, and the ";

/** The user text of request `i`: about `bytes` long, different for every `i`. */
export function promptText(i: number, bytes = 300): string {
  const tail = ` (ticket ${i})`;
  return filler.repeat(Math.ceil(bytes / filler.length)).slice(0, bytes - tail.length) + tail;
}

/** The id of request `i`, the same in every variant. */
export function requestId(i: number): string {
  return `req-${i}`;
}

/**
 * `n` requests from an async iterator, built one at a time by `make` as the consumer pulls them, the way a
 * request stream read from a file or a queue arrives: nothing is held beyond what the consumer keeps.
 */
export async function* requestStream<T>(n: number, make: (id: string, text: string) => T, textBytes = 300): AsyncGenerator<T> {
  for (let i = 0; i < n; i++) yield make(requestId(i), promptText(i, textBytes));
}

/** Reads an async iterable in arrays of `size` (the last may be shorter). */
export async function* inChunks<T>(source: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const item of source) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** What most code does first: read the stream into arrays of `size` and send each, one call at a time. Returns the calls made. */
export async function sendInChunks<T>(stream: AsyncIterable<T>, size: number, send: (chunk: T[]) => Promise<unknown>): Promise<number> {
  let calls = 0;
  for await (const chunk of inChunks(stream, size)) {
    await send(chunk);
    calls++;
  }
  return calls;
}
