// A service that only talks to xAI: importing the client must not need the emulator's gRPC server stack.
import assert from "node:assert/strict";
import { Client, InputError } from "xai-batch";

const client = new Client({ baseUrl: "http://127.0.0.1:9", apiKey: "xai-consumer-key-0123456789" });
assert.equal(client.baseUrl, "http://127.0.0.1:9");
client.close();
assert.throws(() => new Client({ baseUrl: "ftp://example.com", apiKey: "k" }), InputError);
console.log("client ok");
