// A CommonJS consumer (an older service or a monorepo tool): require() of the ESM package, which Node
// allows from 20.19 and 22.12 on, the lower bounds of package.json's "engines".
const assert = require("node:assert/strict");
const { Client } = require("xai-batch");

assert.equal(typeof Client, "function");
console.log("require ok");
