/**
 * The C library backend loads only when chosen (src/backends/mod.ts): a
 * glibc utmp file read through `UtmpFile` and through the record cursor
 * loads no module under src/ffi/. What a run loaded is read from V8's
 * coverage of a child `deno run` (one entry per module that was loaded),
 * not from timing.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "../_harness.ts";
import { MODULE_ROOT } from "../_util.ts";

/** The project's modules (paths from the repository) a script loaded when run with `deno run -A`. */
function modulesLoaded(code: string): string[] {
  const tmp = mkdtempSync(join(tmpdir(), "utmp-test-"));
  try {
    const script = join(tmp, "probe.ts");
    writeFileSync(script, code);
    const coverage = join(tmp, "coverage");
    const ran = spawnSync(process.execPath, ["run", "-A", "--cached-only", `--coverage=${coverage}`, script], {
      cwd: MODULE_ROOT,
      encoding: "utf8",
    });
    assert.equal(ran.status, 0, ran.stderr);
    const root = new URL(`file://${MODULE_ROOT}/`).href;
    return readdirSync(coverage)
      .map((f) => (JSON.parse(readFileSync(join(coverage, f), "utf8")) as { url: string }).url)
      .filter((url) => url.startsWith(root))
      .map((url) => url.slice(root.length))
      .sort();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const url = (path: string): string => JSON.stringify(new URL(path, `file://${MODULE_ROOT}/`).href);
const UTMP = JSON.stringify(join(MODULE_ROOT, "tests/fixtures/plaso/utmp"));

test("reading a glibc utmp file through UtmpFile and the record cursor loads no module under src/ffi/", () => {
  const loaded = modulesLoaded(`
    import { UtmpFile } from ${url("mod.ts")};
    import { RecordCursor } from ${url("src/backends/file.ts")};
    let n = 0;
    for await (const _ of new UtmpFile(${UTMP})) n++;
    const cursor = new RecordCursor(${UTMP}, { layout: "auto", onProblem: () => {} });
    while (await cursor.next() !== null) n++;
    await cursor.release();
    if (n === 0) throw new Error("nothing read");
  `);
  assert.ok(loaded.includes("src/backends/file.ts"), `the coverage lists the modules loaded: ${loaded.join(", ")}`);
  assert.deepEqual(loaded.filter((m) => m.startsWith("src/ffi/")), []);
}, { ignore: !("Deno" in globalThis) });

test("backend ffi loads the C library's modules when it reads", () => {
  const loaded = modulesLoaded(`
    import { UtmpFile } from ${url("mod.ts")};
    const file = new UtmpFile(${UTMP}, { backend: "ffi" });
    if (file.backend !== "ffi") throw new Error(file.backend);
    try { await file.detect(); } catch { /* no usable libc here: the modules were loaded all the same */ }
  `);
  assert.ok(loaded.includes("src/backends/ffi.ts") && loaded.includes("src/ffi/deno.ts"), loaded.join(", "));
}, { ignore: !("Deno" in globalThis) });
