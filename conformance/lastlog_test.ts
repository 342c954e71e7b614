/**
 * Conformance over ../shared/fixtures for lastlog files that may not be
 * copied (dissect.target, AGPL): read in place.
 *
 * Run with `deno task conformance`.
 */

import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { type LastlogEntry, LastlogFile } from "../mod.ts";
import { test } from "../tests/_harness.ts";
import { SHARED_FIXTURES } from "../tests/_util.ts";

const path = join(SHARED_FIXTURES, "dissect-target", "lastlog");

test("LastlogFile reads dissect.target's lastlog with the entry its test asserts", async () => {
  const file = new LastlogFile(path);
  const entries: LastlogEntry[] = [];
  for await (const e of file) entries.push(e);
  assert.equal(file.layout?.name, "lastlog-linux");
  // dissect.target tests/plugins/os/unix/log/test_lastlog.py at d4aaddcd: one result, uid 1001, pts/0 from
  // 127.0.0.1 at 2021-12-08T16:14:06Z; dissect skips slots with an empty host, as uid 0's and 1000's are.
  assert.deepEqual(entries.filter((e) => e.host !== ""), [
    { uid: 1001, time: new Date("2021-12-08T16:14:06Z"), line: "pts/0", host: "127.0.0.1" },
  ]);
  // MANIFEST.md lists those two: uid 0 (tty1, 2021-12-08T16:20:23Z) and uid 1000 (tty1, 2022-12-07T16:33:30Z).
  assert.deepEqual(entries.filter((e) => e.host === "").map((e) => [e.uid, e.line, e.time.toISOString()]), [
    [0, "tty1", "2021-12-08T16:20:23.000Z"],
    [1000, "tty1", "2022-12-07T16:33:30.000Z"],
  ]);
  // 1002 slots: the file ends with the slot of uid 1001, the last to log in.
  assert.equal(statSync(path).size, 1002 * 292);
}, { ignore: !existsSync(path) });
