// Runs `xai-batch serve` on its own: `npx tsx src/emulator/main.ts --port 0`.
import { serveCommand } from "./serve.js";

process.exitCode = await serveCommand(process.argv.slice(2));
