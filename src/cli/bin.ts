#!/usr/bin/env node
// The `xai-batch` command as npm installs it: package.json's "bin" names the compiled form of this file.
import { main } from "./main.js";

process.exitCode = await main(process.argv.slice(2));
