/**
 * `layout: "auto"`: the real non-Linux files of the corpus detected as the
 * layout MANIFEST.md establishes for them (the Linux ones are in
 * conformance/linux_test.ts), a file written in every layout detected as that
 * layout, and the files detection must refuse rather than misread.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { LastlogFile, UtmpFile, UtmpFormatError } from "../../mod.ts";
import { detectLayout, encodeRecords, LAYOUTS, type RecordInput } from "../../src/layouts/mod.ts";
import type { Layout } from "../../src/layouts/schema.ts";
import { collect } from "../_collect.ts";
import { test } from "../_harness.ts";
import { FIXTURES, tempDir } from "../_util.ts";

/** MANIFEST.md's judgement of each non-Linux record file. */
const FILES: [string, string][] = [
  ["plaso/utmpx_mac", "macos"],
  ["s4/FreeBSD13.1/x86_64/utx.active", "freebsd"],
  ["s4/FreeBSD13.1/x86_64/utx.lastlogin", "freebsd"],
  ["s4/FreeBSD13.1/x86_64/utx.log", "freebsd-log"],
  ["s4/FreeBSD14.0/x86_64/utx.active", "freebsd"],
  ["s4/FreeBSD14.0/x86_64/utx.lastlogin", "freebsd"],
  ["s4/FreeBSD14.0/x86_64/utx.log", "freebsd-log"],
  ["s4/NetBSD9.3/x86_32/utmp", "netbsd"],
  ["s4/NetBSD9.3/x86_32/wtmp", "netbsd"],
  ["s4/NetBSD9.3/x86_32/utmpx", "netbsd-utmpx32"],
  ["s4/NetBSD9.3/x86_32/wtmpx", "netbsd-utmpx32"],
  ["s4/NetBSD9.3/x86_32/wtmpx.0", "netbsd-utmpx32"],
  ["s4/NetBSD9.3/x86_64/utmp", "netbsd"],
  ["s4/NetBSD9.3/x86_64/wtmp", "netbsd"],
  ["s4/NetBSD9.3/x86_64/utmpx", "netbsd-utmpx"],
  ["s4/NetBSD9.3/x86_64/wtmpx", "netbsd-utmpx"],
  ["s4/OpenBSD7.2/x86_32/utmp.1", "openbsd"],
  ["s4/OpenBSD7.2/x86_32/wtmp", "openbsd"],
  ["s4/OpenBSD7.2/x86_32/wtmp.1", "openbsd"],
  ["s4/OpenBSD7.4/x86_64/utmp", "openbsd"],
  ["s4/OpenBSD7.4/x86_64/wtmp", "openbsd"],
  ["utmp-classic-openbsd/basic.utmp", "openbsd"],
];

test("UtmpFile detects the layout of every non-Linux record file in the corpus, sure of every record", async () => {
  for (const [file, layout] of FILES) {
    await using f = new UtmpFile(join(FIXTURES, file));
    const d = await f.detect();
    assert.equal(d.layout.name, layout, file);
    assert.equal(f.detection, d);
    assert.equal(d.confidence, 1, `${file}: ${d.reason}`);
  }
});

test("UtmpFile names the signature record when it decides by it", async () => {
  for (const [file, signature] of [["plaso/utmpx_mac", "utmpx-1.00"], ["s4/NetBSD9.3/x86_64/utmpx", "utmpx-2.00"]]) {
    await using f = new UtmpFile(join(FIXTURES, file!));
    const d = await f.detect();
    assert.match(d.reason, new RegExp(`^signature record "${signature}"; `));
  }
  // A NetBSD wtmpx made by log rotation has no signature record: the records themselves decide.
  await using wtmpx = new UtmpFile(join(FIXTURES, "s4/NetBSD9.3/x86_64/wtmpx"));
  const rotated = await wtmpx.detect();
  assert.equal(rotated.reason, "7 of 7 sampled records plausible (100%), file size a multiple of 520");
});

test("UtmpFile refuses lastlog files and NetBSD's Berkeley DB lastlogx instead of misreading them", async () => {
  const lastlogs = [
    "s4/CentOS7/x86_64/lastlog",
    "s4/Ubuntu16/x86_32/lastlog",
    "s4/NetBSD9.3/x86_64/lastlog",
    "s4/OpenBSD7.4/x86_64/lastlog",
  ];
  for (const file of lastlogs) {
    await assert.rejects(
      () => new UtmpFile(join(FIXTURES, file)).detect(),
      (e) =>
        e instanceof UtmpFormatError &&
        /it looks like a lastlog file \("lastlog-\w+"\); use LastlogFile$/.test(e.message),
      file,
    );
  }
  const db = join(FIXTURES, "s4/NetBSD9.3/x86_64/lastlogx");
  const asked = (e: unknown) => e instanceof UtmpFormatError && /pass the layout option/.test(e.message);
  await assert.rejects(() => new UtmpFile(db).detect(), asked);
  await assert.rejects(() => new LastlogFile(db).detect(), asked);
});

test("UtmpFile refuses a lastlog layout given as the layout option", async () => {
  await assert.rejects(
    () => collect(join(FIXTURES, "s4/OpenBSD7.4/x86_64/lastlog"), { layout: "lastlog-openbsd" }),
    (e) => e instanceof RangeError && /it is a lastlog layout \(last logins by uid\); use LastlogFile/.test(e.message),
  );
});

/** A boot, a login and a logout as each system writes them (FreeBSD stores only some fields per type). */
function session(layout: Layout): RecordInput[] {
  if (layout.name.startsWith("freebsd")) {
    return [
      { ut_type: "BOOT_TIME", tv_sec: 1700000000, tv_usec: 5 },
      { ut_type: "USER_PROCESS", ut_pid: 77, ut_id: "pts/7", ut_user: "frank", ut_line: "pts/7", tv_sec: 1700000100 },
      { ut_type: "DEAD_PROCESS", ut_pid: 77, ut_id: "pts/7", tv_sec: 1700000200 },
    ];
  }
  return [
    { ut_type: "BOOT_TIME", ut_line: "~", ut_id: "~~", ut_user: "reboot", ut_host: "6.1.0", tv_sec: 1700000000 },
    { ut_type: "USER_PROCESS", ut_pid: 77, ut_line: "pts/7", ut_id: "ts/7", ut_user: "frank", tv_sec: 1700000100 },
    { ut_type: "DEAD_PROCESS", ut_pid: 77, ut_line: "pts/7", ut_id: "ts/7", tv_sec: 1700000200 },
  ];
}

const UTMP = Object.values(LAYOUTS).filter((l) => l.kind === "utmp");

test("detectLayout() picks every detectable layout for a file written in it", () => {
  for (const layout of UTMP.filter((l) => l.autodetect !== false)) {
    const bytes = encodeRecords(layout, session(layout));
    const d = detectLayout(bytes, bytes.length);
    assert.deepEqual([d.layout.name, d.confidence], [layout.name, 1], `${layout.name}: ${d.reason}`);
  }
}, { permissions: "none" });

test("detectLayout() asks for the layout option for the 36-byte BSD and System V records and V7's", () => {
  for (const name of ["bsd", "svr4", "svr4-be", "v7"] as const) {
    const layout = LAYOUTS[name];
    const bytes = encodeRecords(layout, session(layout));
    assert.throws(
      () => detectLayout(bytes, bytes.length),
      (e) =>
        e instanceof UtmpFormatError && e.layout === "auto" &&
        new RegExp(`Cannot tell the layout of the file: it reads as [^;]*"${name}"[^;]*; pass the layout option`)
          .test(e.message),
      name,
    );
  }
}, { permissions: "none" });

test("detectLayout() reads a fresh macOS utmpx, with nothing but its signature record, as macos", () => {
  const bytes = encodeRecords(LAYOUTS.macos, [{ ut_type: "SIGNATURE", ut_user: "utmpx-1.00" }, {}, {}]);
  const d = detectLayout(bytes, bytes.length);
  assert.equal(d.layout.name, "macos");
}, { permissions: "none" });

test("UtmpFile detects a BSD file written to disk and reports how sure it is", async () => {
  using tmp = tempDir();
  const path = tmp.file("wtmp", encodeRecords(LAYOUTS.openbsd, session(LAYOUTS.openbsd)));
  const { records, layout } = await collect(path);
  assert.equal(layout, "openbsd");
  assert.deepEqual(records.map((u) => [u.ut_type, u.ut_user, u.ut_line]), [
    ["BOOT_TIME", "reboot", "~"],
    ["USER_PROCESS", "frank", "/dev/pts/7"],
    ["DEAD_PROCESS", "", "/dev/pts/7"],
  ]);
  await using file = new UtmpFile(path);
  assert.equal(file.detection, undefined);
  assert.deepEqual(await file.detect(), {
    layout: LAYOUTS.openbsd,
    confidence: 1,
    reason: "3 of 3 sampled records plausible (100%), file size a multiple of 304",
  });
});
