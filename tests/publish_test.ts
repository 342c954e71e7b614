/**
 * What `deno publish` puts on JSR, from its dry run: the library and the
 * command line (`mod.ts`, `src/`, README.md, LICENSE, deno.json), never the
 * tests, the conformance suite over ../shared/fixtures, the scripts, the
 * benchmark, nor the npm-only modules. Deno only.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { test } from "./_harness.ts";
import { TESTS_DIR } from "./_util.ts";

const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
const ROOT = join(TESTS_DIR, "..");

test(
  "deno publish --dry-run ships mod.ts, src/, README.md and LICENSE, and no tests, conformance, scripts or npm-only files",
  () => {
    const ran = spawnSync(deno!.execPath(), ["publish", "--dry-run", "--allow-dirty", "--no-check"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    assert.equal(ran.status, 0, ran.stderr);
    const files = [...`${ran.stdout}${ran.stderr}`.matchAll(/file:\/\/(\S+) \(/g)].map((m) =>
      m[1]!.slice(ROOT.length).replace(/^\//, "")
    );
    assert.ok(files.includes("mod.ts") && files.includes("README.md") && files.includes("LICENSE"), files.join(" "));
    assert.ok(files.some((f) => f.startsWith("src/cli/")), "the command line");
    for (const file of files) {
      assert.match(file, /^(mod\.ts|deno\.json|README\.md|LICENSE|src\/.+\.ts)$/, file);
      assert.doesNotMatch(file, /\.node\.ts$|^src\/ffi\/koffi\.ts$/, `${file} is for npm only`);
    }
  },
  { ignore: deno === undefined },
);
