#!/usr/bin/env node
/**
 * The npm package's `utmp` command (the build stages this file as
 * `bin/utmp.ts`, so the import below resolves the same there). It calls the
 * CLI's `main()` itself: Node before 24.2 has no `import.meta.main`, so the
 * CLI module's own entry block never runs under Node. The standard streams
 * are wired as that block wires them.
 *
 * @module
 */

import process from "node:process";
import { EXIT, main } from "../src/cli/main.ts";

const stdout = process.stdout;
// The reader closed the pipe (`utmp last | head`): stop quietly.
stdout.on("error", (error: { code?: string }) => {
  if (error.code === "EPIPE") process.exit(EXIT.OK);
  throw error;
});

process.exitCode = await main(process.argv.slice(2), {
  // Hold the command back until stdout takes the data, so a large dump does not pile up in memory.
  out: (chunk) => new Promise<void>((resolve) => stdout.write(chunk) ? resolve() : stdout.once("drain", resolve)),
  err: (text) => void process.stderr.write(text),
});
