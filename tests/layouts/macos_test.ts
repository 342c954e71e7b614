/**
 * plaso's real Mac OS X 10.5 `/var/run/utmpx` (628-byte records after the
 * "utmpx-1.00" signature record) against plaso's test values
 * (tests/parsers/utmpx.py, MANIFEST.md).
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { UtmpFile, type UtmpRecord } from "../../mod.ts";
import { test } from "../_harness.ts";
import { FIXTURES } from "../_util.ts";
import { all } from "../_collect.ts";

test("UtmpFile reads plaso's utmpx_mac as macos, with the values plaso's test asserts", async () => {
  const file = new UtmpFile(join(FIXTURES, "plaso", "utmpx_mac"));
  const records: UtmpRecord[] = await all(file);
  assert.equal(file.layout?.name, "macos");
  assert.match(file.detection!.reason, /^signature record "utmpx-1.00"/);
  assert.deepEqual(file.warnings, []);
  // plaso: 6 events and the signature record, which it does not count.
  assert.equal(records.length, 7);
  assert.deepEqual([records[0]!.ut_type, records[0]!.ut_type_raw, records[0]!.ut_user], [
    "SIGNATURE",
    10,
    "utmpx-1.00",
  ]);
  // plaso event 1: type 7, pid 67, terminal "console", terminal_identifier 65583 (ut_id 2f 00 01 00
  // as a little-endian uint32), username "moxilo", 2013-11-13T17:52:41.736713Z.
  const u = records[2]!;
  assert.deepEqual([u.ut_type, u.ut_type_raw, u.ut_pid, u.ut_line, u.ut_user], [
    "USER_PROCESS",
    7,
    67,
    "/dev/console",
    "moxilo",
  ]);
  const id = u.raw!.record.subarray(256, 260);
  assert.equal(new DataView(id.buffer, id.byteOffset, 4).getUint32(0, true), 65583);
  assert.equal(u.ut_id, "/");
  assert.deepEqual(u.ut_tv, { tv_sec: Date.UTC(2013, 10, 13, 17, 52, 41) / 1000, tv_usec: 736713 });
  assert.equal(records.slice(1).filter((r) => r.ut_type !== "EMPTY").length, 5);
});
