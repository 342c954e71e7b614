#!/usr/bin/env node
/**
 * The npm package's `utmp` command (the build stages this file as
 * `bin/utmp.ts`, so the import below resolves the same there). Node before
 * 24.2 has no `import.meta.main`, so the CLI module's own entry block never
 * runs under Node: this file calls its `run()`.
 *
 * @module
 */

import { run } from "../src/cli/main.ts";

await run();
