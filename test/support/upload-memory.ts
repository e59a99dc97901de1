// Uploads one file and prints the most memory its buffers held alive at once, collected at every piece
// so garbage does not count: `node --expose-gc --import tsx upload-memory.ts URL PATH`.
import { Client } from "../../src/index.js";

const [url, path] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined || url === undefined || path === undefined)
  throw new Error("usage: node --expose-gc --import tsx upload-memory.ts URL PATH");
const client = new Client({ baseUrl: url, apiKey: "xai-upload-memory-key-0123456789" });
let peakArrayBuffers = 0;
const file = await client.files.upload(path, {
  onProgress: () => {
    gc();
    peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers);
  },
});
client.close();
console.log(JSON.stringify({ sizeBytes: file.sizeBytes, peakArrayBuffers }));
