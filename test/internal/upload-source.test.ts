import { describe, expect, it } from "vitest";
import { rechunk } from "../../src/internal/upload-source.js";

async function cut(chunks: (string | number[])[], pieceBytes: number): Promise<number[][]> {
  const input = (async function* () {
    for (const c of chunks) yield typeof c === "string" ? c : new Uint8Array(c);
  })();
  const out: number[][] = [];
  for await (const piece of rechunk(input, pieceBytes)) out.push([...piece]);
  return out;
}

describe("rechunk", () => {
  it.each([
    { name: "joins small chunks into whole pieces", chunks: [[1], [2], [3], [4], [5]], size: 2, pieces: [[1, 2], [3, 4], [5]] },
    { name: "splits a large chunk", chunks: [[1, 2, 3, 4, 5]], size: 2, pieces: [[1, 2], [3, 4], [5]] },
    {
      name: "carries a remainder across chunks",
      chunks: [
        [1, 2, 3],
        [4, 5, 6, 7],
      ],
      size: 3,
      pieces: [[1, 2, 3], [4, 5, 6], [7]],
    },
    {
      name: "passes exact pieces through",
      chunks: [
        [1, 2],
        [3, 4],
      ],
      size: 2,
      pieces: [
        [1, 2],
        [3, 4],
      ],
    },
    { name: "yields nothing for nothing", chunks: [[], []], size: 4, pieces: [] },
    { name: "reads strings as UTF-8", chunks: ["ab", "é"], size: 3, pieces: [[0x61, 0x62, 0xc3], [0xa9]] },
  ])("$name", async ({ chunks, size, pieces }) => {
    expect(await cut(chunks, size)).toEqual(pieces);
  });
});
