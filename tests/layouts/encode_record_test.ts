/**
 * `encodeRecord()` and `encodeRecords()` take a record as the library gives
 * it (`record.toJSON()`, the record itself, or that object through JSON):
 * its `ut_tv`, `ut_exit`, "/dev/" line and layout-numbered `ut_type_raw` are
 * written back, not dropped. The oracle is utmpdump of the original file
 * and of the one written from its records.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "../_harness.ts";
import { FIXTURES, tempDir, utmpdump } from "../_util.ts";
import { UtmpFile } from "../../src/utmp_file.ts";
import type { UtmpRecord } from "../../src/record.ts";
import {
  decodeRecord,
  decodeRecords,
  encodeRecord,
  encodeRecords,
  LAYOUTS,
  type RecordInput,
} from "../../src/layouts/mod.ts";
import { all } from "../_collect.ts";

/** glibc files of the copied fixtures: boot, login, logout and dead records, IPv4 and IPv6 hosts. */
const NATIVE = ["utmp-rs/basic32.utmp", "utmp-rs/with_host_32.utmp", "utmp-rs/long_user_32.utmp", "plaso/wtmp.1"];

test("encodeRecords() of the records read, or of their toJSON(), writes a file utmpdump prints as the original", async () => {
  using tmp = tempDir();
  for (const name of NATIVE) {
    const original = join(FIXTURES, name);
    const read: UtmpRecord[] = await all(new UtmpFile(original, { backend: "file", keepInvalid: true }));
    const objects = read.map((u) => u.toJSON());
    assert.ok(objects.some((r) => r.ut_tv.tv_usec !== 0 && r.ut_line.startsWith("/dev/")), name);
    const expected = utmpdump(original);
    const file = (suffix: string, bytes: Uint8Array): string => tmp.file(`${name.replace("/", "_")}.${suffix}`, bytes);
    // The records themselves carry their stored bytes (raw): the same file back, as utmpdump reads it.
    assert.deepEqual(utmpdump(file("records", encodeRecords(LAYOUTS.linux, read))), expected, name);
    // toJSON() has the line as a device path only: a line stored with "/dev/" (systemd's INIT_PROCESS records
    // of a getty) comes back without it, as every other device line is stored.
    const stored = read.map((u) => new TextDecoder().decode(u.raw!.ut_line));
    const withoutDev = expected.map((line, i) =>
      stored[i]!.startsWith("/dev/")
        ? line.replace(`[${stored[i]!.padEnd(12)}]`, `[${stored[i]!.slice(5).padEnd(12)}]`)
        : line
    );
    assert.deepEqual(utmpdump(file("json", encodeRecords(LAYOUTS.linux, objects))), withoutDev, name);
    // Through JSON: ut_time is ISO text there, ut_tv still the time.
    const parsed = JSON.parse(JSON.stringify(objects)) as RecordInput[];
    assert.deepEqual(utmpdump(file("parsed", encodeRecords(LAYOUTS.linux, parsed))), withoutDev, name);
  }
});

test("encodeRecord() of a record read from one layout writes the same fields to another, its type by name", () => {
  const inputs: RecordInput[] = [
    {
      ut_type: "BOOT_TIME",
      ut_line: "~",
      ut_user: "reboot",
      ut_host: "6.1.0-13-amd64",
      tv_sec: 1700000000,
      tv_usec: 1,
    },
    {
      ut_type: "USER_PROCESS",
      ut_pid: 4242,
      ut_line: "pts/3",
      ut_id: "ts/3",
      ut_user: "carol",
      ut_host: "2001:db8::7",
      ut_session: 17,
      tv_sec: 1700000123,
      tv_usec: 999999,
      ut_addr: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7],
    },
    {
      ut_type: "DEAD_PROCESS",
      ut_pid: 4242,
      ut_line: "pts/3",
      ut_id: "ts/3",
      e_termination: 1,
      e_exit: 15,
      tv_sec: 1700009999,
    },
    { ut_type: "USER_PROCESS", ut_pid: 5, ut_line: ":0", ut_user: "dave", ut_host: ":0", tv_sec: 1700000200 },
  ];
  // Layouts with every field of the contract, each numbering the types its own way.
  const full = ["linux", "linux-be", "linux64", "linux64-be", "linux-m68k", "netbsd-utmpx", "netbsd-utmpx32"] as const;
  for (const from of full) {
    const source = [...decodeRecords(encodeRecords(LAYOUTS[from], inputs), LAYOUTS[from])];
    for (const to of full) {
      for (const [i, record] of source.entries()) {
        const json = record.toJSON();
        const copy = decodeRecord(encodeRecord(LAYOUTS[to], json), LAYOUTS[to]).toJSON();
        // The target's own fields: its name, type numbers and offset; every other field as read.
        const { layout: _l, ut_type_raw: _r, offset: _o, index: _i, ...same } = copy;
        const { layout: _l2, ut_type_raw: _r2, offset: _o2, index: _i2, ...expected } = json;
        assert.deepEqual(same, expected, `${from} -> ${to}, record ${i}`);
        // The record object itself, and its JSON text, are inputs too.
        assert.deepEqual(decodeRecord(encodeRecord(LAYOUTS[to], record), LAYOUTS[to]).toJSON(), copy);
        assert.deepEqual(
          decodeRecord(encodeRecord(LAYOUTS[to], JSON.parse(JSON.stringify(record))), LAYOUTS[to]).toJSON(),
          copy,
        );
        assert.equal(
          new TextDecoder().decode(decodeRecord(encodeRecord(LAYOUTS[to], json), LAYOUTS[to]).raw!.ut_line),
          ["~", "pts/3", "pts/3", ":0"][i],
        );
      }
    }
  }
});

test("encodeRecord() writes the flat fields over the record's, a stored type number in its own layout only", () => {
  const record = decodeRecord(
    encodeRecord(LAYOUTS.freebsd, { ut_type: "USER_PROCESS", ut_line: "pts/1", ut_user: "eve", tv_sec: 1e9 }),
    LAYOUTS.freebsd,
  ).toJSON();
  assert.equal(record.ut_type_raw, 4); // FreeBSD's USER_PROCESS; glibc's is 7
  assert.equal(decodeRecord(encodeRecord(LAYOUTS.linux, record), LAYOUTS.linux).ut_type_raw, 7);
  assert.equal(decodeRecord(encodeRecord(LAYOUTS.freebsd, record), LAYOUTS.freebsd).ut_type_raw, 4);
  const moved = decodeRecord(
    encodeRecord(LAYOUTS.linux, { ...record, tv_sec: 5, tv_usec: 6, e_exit: 3 }),
    LAYOUTS.linux,
  );
  assert.deepEqual([moved.ut_tv, moved.ut_exit.e_exit], [{ tv_sec: 5, tv_usec: 6 }, 3]);
  // A line given as bytes is stored as it is, "/dev/" and all.
  const literal = decodeRecord(
    encodeRecord(LAYOUTS.linux, { ut_line: new TextEncoder().encode("/dev/tty1") }),
    LAYOUTS.linux,
  );
  assert.equal(new TextDecoder().decode(literal.raw!.ut_line), "/dev/tty1");
  // An invalid time in JSON (null) stores 0.
  assert.equal(decodeRecord(encodeRecord(LAYOUTS.linux, { ut_time: null }), LAYOUTS.linux).ut_tv.tv_sec, 0);
});

test("encodeRecords() and encodeRecord() called from plain JavaScript with a name or swapped arguments say what to pass", () => {
  // What a caller without types may write; each a TypeError that names the call to make, not a bare one from inside.
  const js = { encodeRecords, encodeRecord } as unknown as Record<string, (...args: unknown[]) => Uint8Array>;
  const records = [{ ut_type: "BOOT_TIME", ut_line: "~", ut_user: "reboot", tv_sec: 1 }];
  const usage = "encodeRecords(LAYOUTS.linux, [{ ut_type: ... }])";
  const cases: [unknown[], string][] = [
    [
      [records, "linux64"],
      `takes a layout table, then an array of records, as ${usage}; got an array first and the string "linux64" second (swapped?)`,
    ],
    [
      [records, LAYOUTS.linux],
      `takes a layout table, then an array of records, as ${usage}; got an array first and a layout table second (swapped?)`,
    ],
    [
      ["linux64", records],
      `takes a layout table, then an array of records, as ${usage}; got the string "linux64" (a name: getLayout("linux64") is its table)`,
    ],
    [[LAYOUTS.linux, records[0]], `takes an array of records after the layout, as ${usage}; got an object`],
    [[LAYOUTS.linux], `takes an array of records after the layout, as ${usage}; got undefined`],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => js.encodeRecords!(...args), new TypeError(`Cannot encode: encodeRecords() ${message}`));
  }
  assert.throws(
    () => js.encodeRecord!("linux", records[0]),
    new TypeError(
      'Cannot encode: encodeRecord() takes a layout table, then a record, as encodeRecord(LAYOUTS.linux, { ut_type: ... }); got the string "linux" (a name: getLayout("linux") is its table)',
    ),
  );
  // The right call still gives utmpdump's record.
  assert.equal(encodeRecords(LAYOUTS.linux, records as never).length, 384);
});
