// Creates, uses and closes `cycles` clients and prints the heap each one left behind, collected so only
// what is still reachable counts: `node --expose-gc --import tsx client-cycles.ts URL CYCLES`.
import { subscribe } from "node:diagnostics_channel";
import type { Socket } from "node:net";
import { Client } from "../../src/index.js";

const [url, cycles] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined || url === undefined || cycles === undefined)
  throw new Error("usage: node --expose-gc --import tsx client-cycles.ts URL CYCLES");
const cycle = async () => {
  const client = new Client({ baseUrl: url, apiKey: "xai-client-cycles-key-0123456789" });
  await client.batch.list({ limit: 1 });
  client.close();
};
// Every connection the clients open, until it is closed: what a cycle leaves behind is weighed once
// its connection is gone, not while the socket is still being torn down.
const open = new Set<Socket>();
let allClosed = () => {};
subscribe("net.client.socket", (message) => {
  const { socket } = message as { socket: Socket };
  open.add(socket);
  socket.once("close", () => {
    open.delete(socket);
    if (open.size === 0) allClosed();
  });
});
const settle = async () => {
  if (open.size > 0) await new Promise<void>((resolve) => (allClosed = resolve));
  gc();
  gc();
};
// Warm-up: modules, JIT and the first connection's buffers are not what a cycle keeps.
for (let i = 0; i < 200; i++) await cycle();
await settle();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < Number(cycles); i++) await cycle();
await settle();
console.log(JSON.stringify({ bytesPerCycle: (process.memoryUsage().heapUsed - before) / Number(cycles) }));
