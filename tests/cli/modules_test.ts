/**
 * The modules a command loads: `utmp last -f FILE` and `utmp who FILE` over
 * a glibc file load no reader of another source (SQLite, logind, lastlog2,
 * wtmpdb, the journal), no reader of processes (/proc) and no FFI. Each run is a
 * child Deno with `DENO_COVERAGE_DIR`: every module it loaded leaves a
 * coverage file naming it, whatever the timing.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "../_harness.ts";
import { MODULE_ROOT, tempDir } from "../_util.ts";
import { encodeRecords, LAYOUTS } from "../../src/layouts/mod.ts";

/** The project's modules (paths from src/) a run of the command line loaded. */
function loaded(args: string[]): string[] {
  using tmp = tempDir();
  const coverage = join(tmp.dir, "coverage");
  const ran = spawnSync(process.execPath, ["run", "-A", "src/cli/main.ts", ...args], {
    cwd: MODULE_ROOT,
    encoding: "utf8",
    env: { ...process.env, DENO_COVERAGE_DIR: coverage, TZ: "UTC", LC_ALL: "C" },
  });
  assert.equal(ran.status, 0, ran.stderr);
  return readdirSync(coverage).map((f) => (JSON.parse(readFileSync(join(coverage, f), "utf8")) as { url: string }).url)
    .filter((url) => url.startsWith("file:") && url.includes("/src/"))
    .map((url) => url.slice(url.lastIndexOf("/src/") + 1))
    .sort();
}

/** Modules no glibc file needs: the other sources' readers and the process reader. */
const NOT_FOR_A_FILE = [
  "src/sources/_sqlite.ts",
  "src/sources/wtmpdb.ts",
  "src/sources/lastlog2.ts",
  "src/sources/logind.ts",
  "src/sources/journal.ts",
  "src/sources/_proc.ts",
  "src/cli/wtmpdb_last.ts",
  "src/cli/_lastlog2.ts",
];

/** The modules of `list` that a run should not have loaded: those, the C library's binding and its backend. */
function unwanted(list: string[]): string[] {
  return list.filter((m) => NOT_FOR_A_FILE.includes(m) || m.startsWith("src/ffi/") || m === "src/backends/ffi.ts");
}

const deno = { ignore: !("Deno" in globalThis) };

test("utmp last -f FILE over a glibc wtmp loads no other source's reader, no /proc reader and no FFI", () => {
  using tmp = tempDir();
  // Every login ended: no liveness check, so nothing of /proc is needed (an open login checks it, as last.c does).
  const wtmp = tmp.file(
    "wtmp",
    encodeRecords(LAYOUTS.linux, [
      { ut_type: "BOOT_TIME", ut_user: "reboot", ut_line: "~", tv_sec: 1700000000 },
      { ut_type: "USER_PROCESS", ut_user: "alice", ut_line: "pts/0", ut_pid: 42, tv_sec: 1700000100 },
      { ut_type: "DEAD_PROCESS", ut_line: "pts/0", ut_pid: 42, tv_sec: 1700003700 },
    ]),
  );
  const list = loaded(["last", "-f", wtmp]);
  assert.ok(list.includes("src/cli/last.ts"), list.join(" "));
  assert.deepEqual(unwanted(list), []);
}, deno);

test("utmp who FILE over a glibc utmp loads no other source's reader, no /proc reader and no FFI", () => {
  using tmp = tempDir();
  const utmp = tmp.file(
    "utmp",
    encodeRecords(LAYOUTS.linux, [
      { ut_type: "BOOT_TIME", ut_user: "reboot", ut_line: "~", tv_sec: 1700000000 },
      { ut_type: "USER_PROCESS", ut_user: "alice", ut_line: "pts/0", ut_pid: 42, tv_sec: 1700000100 },
    ]),
  );
  const list = loaded(["who", utmp]);
  assert.ok(list.includes("src/cli/who.ts"), list.join(" "));
  assert.deepEqual(unwanted(list), []);
}, deno);
