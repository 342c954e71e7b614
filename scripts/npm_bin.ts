#!/usr/bin/env node
/**
 * The npm package's `utmp` command (the build stages this file as
 * `bin/utmp.ts`, so the import below resolves the same there). It calls the
 * CLI's `main()` itself: Node before 24.2 has no `import.meta.main`, so the
 * CLI module's own entry check never fires under Node.
 *
 * @module
 */

import process from "node:process";
import { main } from "../src/cli/main.ts";

process.exitCode = await main(process.argv.slice(2), {
  out: (chunk) => {
    process.stdout.write(chunk);
  },
  err: (text) => {
    process.stderr.write(text);
  },
});
