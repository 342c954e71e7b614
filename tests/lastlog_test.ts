/**
 * The lastlog reader: real files from Linux (x86_64, i386, armhf, riscv64:
 * 292 bytes; aarch64: 296), NetBSD and OpenBSD against the `lastlog`,
 * `lastlogin` and `last` output captured on those machines (s4), every
 * lastlog layout round-tripped through a file, layouts that only the slot
 * contents tell apart, and a sparse file with a uid near 2^32.
 */

import assert from "node:assert/strict";
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { LASTLOG_SCAN_BYTES } from "../src/lastlog_file.ts";
import { type LastlogEntry, LastlogFile, UtmpFormatError } from "../mod.ts";
import { encodeRecord, LAYOUTS } from "../src/layouts/mod.ts";
import { test } from "./_harness.ts";
import { FIXTURES, tempDir } from "./_util.ts";
import { inZone, printedRows } from "./layouts/_native.ts";
import { bytesRead, countingReads } from "./robustness/_reads.ts";
import { all } from "./_collect.ts";

async function entries(file: LastlogFile): Promise<LastlogEntry[]> {
  const out: LastlogEntry[] = await all(file);
  return out;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** shadow `lastlog` rows ("root pts/0 host.net Sun Mar  3 02:03:58 -0500 2024"), with their instant. */
function shadowRows(path: string): { user: string; line: string; host: string; time: Date }[] {
  const rows = [];
  for (const text of readFileSync(path, "utf8").split("\n").slice(1)) {
    const m = /^(\S+) +(\S+) +(\S*) +\w{3} (\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) ([-+])(\d\d)(\d\d) (\d{4})$/.exec(text);
    if (m === null) continue;
    const [, user, line, host, month, day, h, min, s, sign, oh, om, year] = m;
    const offset = (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
    const local = Date.UTC(Number(year), MONTHS.indexOf(month!), Number(day), Number(h), Number(min), Number(s));
    rows.push({ user: user!, line: line!, host: host!, time: new Date(local - offset * 60000) });
  }
  return rows;
}

/** Linux lastlog files with shadow's lastlog output beside them, and the slot size glibc used there. */
const LINUX: [string, string][] = [
  ["CentOS7/x86_64", "lastlog-linux"],
  ["Ubuntu16/x86_32", "lastlog-linux"],
  ["Debian11/armv7l_ARMv6", "lastlog-linux"],
  ["Debian13/RISC-V", "lastlog-linux"],
  ["Debian11/aarch64_ARM64", "lastlog-linux64"],
];

for (const [dir, layout] of LINUX) {
  test(`LastlogFile reads s4 ${dir}'s lastlog as ${layout}, as shadow's lastlog shows it`, async () => {
    const path = join(FIXTURES, "s4", dir, "lastlog");
    const file = new LastlogFile(path);
    const got = await entries(file);
    assert.equal(file.layout?.name, layout);
    assert.equal(file.detection?.confidence, 1);
    const rows = shadowRows(`${path}.src-lastlog.txt`);
    assert.ok(rows.length > 0);
    assert.deepEqual(
      got.map((e) => [e.line, e.host, e.time.toISOString()]).sort(),
      rows.map((r) => [r.line, r.host, r.time.toISOString()]).sort(),
    );
    for (const row of rows.filter((r) => r.user === "root")) {
      assert.deepEqual(got.find((e) => e.uid === 0), { uid: 0, line: row.line, host: row.host, time: row.time });
    }
    // The file ends with the slot of the highest uid that logged in: the file size says which uid it is.
    const size = readFileSync(path).length;
    assert.equal(got.at(-1)!.uid, size / LAYOUTS[layout as "lastlog-linux"].size - 1);
  });
}

test("LastlogFile reads NetBSD 9.3's lastlog as lastlog-netbsd, as its lastlogin shows it", async () => {
  for (const arch of ["x86_32", "x86_64"]) {
    const path = join(FIXTURES, "s4", "NetBSD9.3", arch, "lastlog");
    const file = new LastlogFile(path);
    const got = await entries(file);
    assert.equal(file.layout?.name, "lastlog-netbsd");
    const [row] = printedRows(`${path}.src-lastlogin.txt`);
    assert.equal(got.length, 1);
    assert.deepEqual([got[0]!.uid, "root", got[0]!.line, got[0]!.host], [0, ...row!.columns]);
    assert.deepEqual(row!.time, inZone(got[0]!.time, "America/New_York", row!.time));
  }
});

test("LastlogFile reads OpenBSD's lastlog as lastlog-openbsd: root's last login in last(1) of the same machine", async () => {
  // The lastlog files' own last(1) text is meaningless (last read them as wtmp); the login they record is
  // the newest root login that last(1) listed from the machine's utmp or wtmp at the same time.
  const cases: [string, string, number, string][] = [
    ["OpenBSD7.4/x86_64/lastlog", "OpenBSD7.4/x86_64/utmp.src-last.txt", 0, "ttyp0"],
    ["OpenBSD7.2/x86_32/lastlog.1", "OpenBSD7.2/x86_32/utmp.1.src-last.txt", 0, "ttyp2"],
    // wtmp.1's row for the Oct 26 login on ":0", which that last(1) prints as ":".
    ["OpenBSD7.2/x86_32/lastlog", "OpenBSD7.2/x86_32/wtmp.1.src-last.txt", 4, ":0"],
  ];
  for (const [file, text, row, line] of cases) {
    const lastlogFile = new LastlogFile(join(FIXTURES, "s4", file));
    const got = await entries(lastlogFile);
    assert.equal(lastlogFile.layout?.name, "lastlog-openbsd");
    assert.equal(got.length, 1);
    assert.deepEqual([got[0]!.uid, got[0]!.line], [0, line]);
    const printed = printedRows(join(FIXTURES, "s4", text))[row]!;
    assert.deepEqual(printed.columns, ["root", line === ":0" ? ":" : line, got[0]!.host].filter((c) => c !== ""));
    assert.deepEqual(printed.time, inZone(got[0]!.time, "America/Los_Angeles", printed.time));
  }
});

test("LastlogFile and LastlogFile.get() read back a slot written in every lastlog layout", async () => {
  using tmp = tempDir();
  for (const layout of Object.values(LAYOUTS).filter((l) => l.kind === "lastlog")) {
    const bytes = new Uint8Array(43 * layout.size);
    // Times with a non-zero low byte: a multiple of 256 (1500000000) byte-swapped is a time in the first days of
    // 1970, what the other byte order's lastlog holds on a machine without a clock.
    bytes.set(encodeRecord(layout, { ut_line: "pts/9", ut_host: "192.0.2.9", tv_sec: 1600000042 }), 42 * layout.size);
    bytes.set(encodeRecord(layout, { ut_line: "tty1", tv_sec: 1500000007 }), 0);
    const path = tmp.file(layout.name, bytes);
    const file = new LastlogFile(path, { layout: layout.name as "lastlog-bsd" });
    assert.deepEqual(await entries(file), [
      { uid: 0, time: new Date(1500000007e3), line: "tty1", host: "" },
      { uid: 42, time: new Date(1600000042e3), line: "pts/9", host: "192.0.2.9" },
    ], layout.name);
    assert.deepEqual((await new LastlogFile(path).detect()).layout, layout, `${layout.name} detected`);
    assert.deepEqual(await new LastlogFile(path).get(42), {
      uid: 42,
      time: new Date(1600000042e3),
      line: "pts/9",
      host: "192.0.2.9",
    });
    assert.equal(await new LastlogFile(path).get(41), undefined);
    assert.equal(await new LastlogFile(path).get(43), undefined, "beyond the end of the file");
  }
});

test("LastlogFile tells 292- from 296-byte slots by their contents when both sizes divide the file", async () => {
  // 21608 = 74 x 292 = 73 x 296.
  using tmp = tempDir();
  for (const [name, uid] of [["lastlog-linux", 73], ["lastlog-linux64", 72]] as const) {
    const layout = LAYOUTS[name];
    const bytes = new Uint8Array(21608);
    bytes.set(encodeRecord(layout, { ut_line: "pts/1", ut_host: "::1", tv_sec: 1708232177 }), uid * layout.size);
    const file = new LastlogFile(tmp.file(name, bytes));
    assert.deepEqual((await entries(file)).map((e) => [e.uid, e.line, e.host]), [[uid, "pts/1", "::1"]]);
    assert.equal(file.layout, layout);
  }
});

test("LastlogFile reads an empty lastlog as no entries and refuses a utmp layout", async () => {
  using tmp = tempDir();
  const path = tmp.file("lastlog", new Uint8Array(0));
  const file = new LastlogFile(path);
  assert.deepEqual(await entries(file), []);
  assert.equal(file.detection?.reason, "empty file");
  await assert.rejects(() => new LastlogFile(path, { layout: "linux" as "lastlog-linux" }).detect(), RangeError);
  await assert.rejects(() => new LastlogFile(path).get(-1), RangeError);
  await assert.rejects(() => new LastlogFile(path).get(2 ** 32), RangeError);
  await assert.rejects(() => new LastlogFile(path, { uids: [1.5] })[Symbol.asyncIterator]().next(), RangeError);
  const junk = tmp.file("junk", new Uint8Array(292).fill(0xff));
  await assert.rejects(() => new LastlogFile(junk).detect(), UtmpFormatError);
});

test("LastlogFile reads a sparse lastlog with a uid near 2^32 by seeking, not through its terabyte", async () => {
  using tmp = tempDir();
  const layout = LAYOUTS["lastlog-linux"];
  const path = tmp.file("lastlog");
  const fd = openSync(path, "w");
  // uid 0, uid 3000000000 (in the unread middle) and nfsnobody (4294967294): a 1.14 TiB file of a few blocks.
  const slots: [number, string][] = [[0, "tty1"], [3000000000, "pts/3"], [4294967294, "pts/9"]];
  try {
    for (const [uid, line] of slots) {
      writeSync(fd, encodeRecord(layout, { ut_line: line, tv_sec: 1700000000 }), 0, layout.size, uid * layout.size);
    }
  } finally {
    closeSync(fd);
  }
  const file = new LastlogFile(path);
  let found: LastlogEntry[] = [];
  const scanned = bytesRead(
    await countingReads(async () => {
      found = await entries(file);
    }),
  );
  assert.deepEqual(found.map((e) => [e.uid, e.line]), [[0, "tty1"], [4294967294, "pts/9"]]);
  // The dense prefix, the detection samples and the last slot: not the 1.14 TiB in between.
  assert.ok(
    scanned >= LASTLOG_SCAN_BYTES - layout.size && scanned <= LASTLOG_SCAN_BYTES + 4 * (1 << 20),
    `${scanned}`,
  );
  const skipped = Math.floor(LASTLOG_SCAN_BYTES / layout.size);
  assert.deepEqual(file.warnings.map((w) => [w.kind, w.offset]), [["sparse", skipped * layout.size]]);
  assert.match(file.warnings[0]!.reason, new RegExp(`^skipped the sparse slots of uids ${skipped} to 4294967293 `));
  // The uids option and lookups seek straight to the slots.
  let direct: LastlogEntry[] = [];
  const seeks = bytesRead(
    await countingReads(async () => {
      direct = await entries(new LastlogFile(path, { uids: [4294967294, 3000000000, 5, 3000000000] }));
      assert.equal((await new LastlogFile(path).get(3000000000))?.line, "pts/3");
    }),
  );
  assert.deepEqual(direct.map((e) => [e.uid, e.line]), [[3000000000, "pts/3"], [4294967294, "pts/9"]]);
  assert.ok(seeks <= 8 * (1 << 20), `read ${seeks} bytes`);
});
