import { defineConfig } from "vitest/config";

// Tests that measure time run in a group of their own, after everything else and one file at a time:
// on a 2-core machine a neighbouring test file would otherwise steal the CPU their timing depends on.
const timed = ["test/resilience/pacing.test.ts", "test/redis/many-workers.test.ts"];

export default defineConfig({
  test: {
    // Every test talks to real servers on loopback; these bounds stop a hung call from hanging CI.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    teardownTimeout: 10_000,
    projects: [
      { extends: true, test: { name: "main", include: ["test/**/*.test.ts"], exclude: timed, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: "timed", include: timed, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
