/**
 * OpenBSD 7.2 (i386) and 7.4 (amd64) files from s4 against the `last` output
 * captured on those machines (US/Pacific), and utmp-classic's sample against
 * its crate's test.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { collect } from "../_collect.ts";
import { test } from "../_harness.ts";
import { FIXTURES } from "../_util.ts";
import { checkBsdLast, type LastRecord } from "./_native.ts";

const ZONE = "America/Los_Angeles";
/** OpenBSD's last prints the X display line ":0" as ":". */
const columns = (u: LastRecord) => {
  const line = u.ut_line.replace(/^\/dev\//, "");
  return [u.ut_user, line === ":0" ? ":" : line, u.ut_host].filter((c) => c !== "");
};

/**
 * Each file with the number of records written when last(1) ran: 7.2's
 * wtmp.1 was copied after four more (a logout and login on ttyp2, twice; the
 * last of them, 07:59:31Z, is the one lastlog.1 of the same machine holds).
 */
const FILES: [string, number | undefined, number][] = [
  ["OpenBSD7.2/x86_32/utmp.1", undefined, 2],
  ["OpenBSD7.2/x86_32/wtmp.1", 23, 19],
  ["OpenBSD7.4/x86_64/utmp", undefined, 2],
  ["OpenBSD7.4/x86_64/wtmp", undefined, 4],
];

for (const [file, written, rows] of FILES) {
  test(`UtmpFile reads ${file} as openbsd, as its last(1) shows it`, async () => {
    const path = join(FIXTURES, "s4", file);
    const { records, layout, warnings } = await collect(path);
    assert.equal(layout, "openbsd");
    assert.deepEqual(warnings, []);
    assert.equal(checkBsdLast(records.slice(0, written), `${path}.src-last.txt`, { zone: ZONE, columns }), rows);
  });
}

test("UtmpFile reads OpenBSD 7.2's wtmp as the first 19 records of its later copy wtmp.1", async () => {
  // No last(1) text for this file: it was copied on Oct 26, before the logins of Nov 30 went on into the
  // copy named wtmp.1, whose rows last(1) confirms above.
  const early = await collect(join(FIXTURES, "s4", "OpenBSD7.2", "x86_32", "wtmp"));
  const late = await collect(join(FIXTURES, "s4", "OpenBSD7.2", "x86_32", "wtmp.1"));
  assert.equal(early.layout, "openbsd");
  assert.equal(early.records.length, 19);
  assert.deepEqual(early.records, late.records.slice(0, 19));
});

test("UtmpFile reads utmp-classic's OpenBSD sample as its crate's test states", async () => {
  // jadijadi/utmp-classic tests/basic.rs: entry 5 is { line "ttyC3", user "jadi", host "", time 1714663553 }.
  const { records, layout } = await collect(join(FIXTURES, "utmp-classic-openbsd", "basic.utmp"));
  assert.equal(layout, "openbsd");
  assert.deepEqual(records.map((u) => u.ut_type), ["EMPTY", "EMPTY", "EMPTY", "EMPTY", "EMPTY", "USER_PROCESS"]);
  const u = records[5]!;
  assert.deepEqual([u.ut_line, u.ut_user, u.ut_host, u.ut_tv, u.offset], [
    "/dev/ttyC3",
    "jadi",
    "",
    { tv_sec: 1714663553, tv_usec: 0 },
    5 * 304,
  ]);
});
