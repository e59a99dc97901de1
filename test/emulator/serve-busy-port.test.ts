import { execFile } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");

it("says in one line that the port is taken, and exits 1", async () => {
  const holder = createServer();
  holder.listen(0, "127.0.0.1");
  await once(holder, "listening");
  const port = (holder.address() as { port: number }).port;
  try {
    const result = await run(join(root, "node_modules/.bin/tsx"), ["src/emulator/main.ts", "--port", String(port)], { cwd: root }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(result).toMatchObject({ code: 1 });
    expect((result as { stderr: string }).stderr).toBe(
      `xai-batch serve: cannot start: port ${port} on 127.0.0.1 is in use. Pick another with --port (0 takes any free one).\n`,
    );
  } finally {
    holder.close();
  }
});
