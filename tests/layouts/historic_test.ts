/**
 * Layouts with no real sample in the corpus (AIX, HP-UX, V7, 4.3BSD, System V,
 * DOMAIN/IX, Linux m68k, Solaris, PowerPC macOS): records written byte by
 * byte at the offsets their headers and manual pages give (FORMATS.md §3,
 * §7-§10), with integers spelled out as the bytes each machine stores (a
 * PDP-11 long as its two little-endian words, most significant first), then
 * decoded.
 */

import assert from "node:assert/strict";
import { decodeRecords, LAYOUTS } from "../../src/layouts/mod.ts";
import type { UtmpRecord } from "../../src/record.ts";
import { test } from "../_harness.ts";

/** A record of `size` bytes with `parts` (offset -> text or bytes) written in. */
function record(size: number, parts: Record<number, string | number[]>): Uint8Array {
  const bytes = new Uint8Array(size);
  for (const [offset, value] of Object.entries(parts)) {
    bytes.set(typeof value === "string" ? new TextEncoder().encode(value) : value, Number(offset));
  }
  return bytes;
}

function concat(...records: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(records.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of records) out.set(r, at), at += r.length;
  return out;
}

/** The fields a test states, in one comparable row. */
function row(u: UtmpRecord): unknown[] {
  return [
    u.ut_type,
    u.ut_type_raw,
    u.ut_user,
    u.ut_line,
    u.ut_id,
    u.ut_host,
    u.ut_pid,
    u.ut_exit,
    u.ut_session,
    u.ut_time.toISOString(),
    u.ut_tv.tv_usec,
    u.ut_addr_text,
  ];
}

const NO_EXIT = { e_termination: 0, e_exit: 0 };

test("decodeRecords() reads V7's PDP-endian time and derives the types", () => {
  // 0x12345678 stored as the PDP-11 does: high word 0x1234 first, each word little-endian.
  const file = concat(
    record(20, { 0: "~", 8: "reboot", 16: [0x34, 0x12, 0x78, 0x56] }),
    record(20, { 0: "tty3", 8: "dmr", 16: [0x34, 0x12, 0x79, 0x56] }),
    record(20, { 0: "tty3", 16: [0x34, 0x12, 0x7a, 0x57] }),
    record(20, { 0: "|", 16: [0x34, 0x12, 0x7a, 0x57] }),
    record(20, { 0: "}", 16: [0x34, 0x12, 0x7b, 0x57] }),
  );
  assert.deepEqual([...decodeRecords(file, LAYOUTS.v7)].map(row), [
    ["BOOT_TIME", -1, "reboot", "~", "", "", 0, NO_EXIT, 0, "1979-09-05T22:51:36.000Z", 0, "0.0.0.0"],
    ["USER_PROCESS", -1, "dmr", "/dev/tty3", "", "", 0, NO_EXIT, 0, "1979-09-05T22:51:37.000Z", 0, "0.0.0.0"],
    // 0x1234577a: 256 + 2 seconds later.
    ["DEAD_PROCESS", -1, "", "/dev/tty3", "", "", 0, NO_EXIT, 0, "1979-09-05T22:55:54.000Z", 0, "0.0.0.0"],
    ["OLD_TIME", -1, "", "|", "", "", 0, NO_EXIT, 0, "1979-09-05T22:55:54.000Z", 0, "0.0.0.0"],
    ["NEW_TIME", -1, "", "}", "", "", 0, NO_EXIT, 0, "1979-09-05T22:55:55.000Z", 0, "0.0.0.0"],
  ]);
}, { permissions: "none" });

test("decodeRecords() reads 4.3BSD records: line, name, host and a little-endian time", () => {
  const file = concat(
    record(36, { 0: "ttyp0", 8: "bill", 16: "ucbvax.berkeley", 32: [0x00, 0xe1, 0xf5, 0x05] }),
    record(36, { 0: "ttyp0", 32: [0x10, 0xe1, 0xf5, 0x05] }),
  );
  assert.deepEqual([...decodeRecords(file, LAYOUTS.bsd)].map(row), [
    [
      "USER_PROCESS",
      -1,
      "bill",
      "/dev/ttyp0",
      "",
      "ucbvax.berkeley",
      0,
      NO_EXIT,
      0,
      "1973-03-03T09:46:40.000Z",
      0,
      "0.0.0.0",
    ],
    ["DEAD_PROCESS", -1, "", "/dev/ttyp0", "", "", 0, NO_EXIT, 0, "1973-03-03T09:46:56.000Z", 0, "0.0.0.0"],
  ]);
}, { permissions: "none" });

test("decodeRecords() reads System V records in both byte orders", () => {
  // user[8] id[4] line[12] short pid, short type, short e_termination, short e_exit, time_t.
  const le = record(36, {
    0: "root",
    8: "co",
    12: "console",
    24: [0x39, 0x30],
    26: [7, 0],
    28: [0, 0],
    30: [0, 0],
    32: [0x00, 0x6a, 0x8e, 0x2a],
  });
  const be = record(36, {
    0: "root",
    8: "co",
    12: "console",
    24: [0x30, 0x39],
    26: [0, 8],
    28: [0, 1],
    30: [0, 2],
    32: [0x2a, 0x8e, 0x6a, 0x00],
  });
  assert.deepEqual(row([...decodeRecords(le, LAYOUTS.svr4)][0]!), [
    "USER_PROCESS",
    7,
    "root",
    "/dev/console",
    "co",
    "",
    12345,
    NO_EXIT,
    0,
    "1992-08-16T14:45:20.000Z",
    0,
    "0.0.0.0",
  ]);
  assert.deepEqual(row([...decodeRecords(be, LAYOUTS["svr4-be"])][0]!), [
    "DEAD_PROCESS",
    8,
    "root",
    "/dev/console",
    "co",
    "",
    12345,
    { e_termination: 1, e_exit: 2 },
    0,
    "1992-08-16T14:45:20.000Z",
    0,
    "0.0.0.0",
  ]);
}, { permissions: "none" });

test("decodeRecords() reads HP-UX records with their IPv4 address", () => {
  const file = record(60, {
    0: "root",
    8: "p1",
    12: "ttyp1",
    24: [0, 0, 0x30, 0x39],
    28: [0, 7],
    30: [0, 0],
    32: [0, 0],
    34: [0, 0],
    36: [0x2a, 0x8e, 0x6a, 0x00],
    40: "hpbox.example",
    56: [192, 0, 2, 9],
  });
  assert.deepEqual(row([...decodeRecords(file, LAYOUTS.hpux)][0]!), [
    "USER_PROCESS",
    7,
    "root",
    "/dev/ttyp1",
    "p1",
    "hpbox.example",
    12345,
    NO_EXIT,
    0,
    "1992-08-16T14:45:20.000Z",
    0,
    "192.0.2.9",
  ]);
}, { permissions: "none" });

test("decodeRecords() reads AIX records: 14-byte id, 64-byte line, 8-byte big-endian time", () => {
  // A 32-bit program's ut_time: int __time_t_space (0), then a 32-bit time_t.
  const file = concat(
    record(648, {
      0: "jdoe",
      256: "pts/3",
      270: "pts/3",
      336: [0x00, 0x01, 0x23, 0x45],
      340: [0, 7],
      344: [0, 0, 0, 0, 0x65, 0x5b, 0x8a, 0x00],
      352: [0, 0],
      354: [0, 0],
      356: "10.1.2.3",
    }),
    record(648, {
      256: "pts/3",
      270: "pts/3",
      336: [0, 1, 0x23, 0x45],
      340: [0, 8],
      344: [0, 0, 0, 0, 0x65, 0x5b, 0x8a, 0x3c],
      352: [0, 15],
      354: [0, 1],
    }),
  );
  assert.deepEqual([...decodeRecords(file, LAYOUTS.aix)].map(row), [
    [
      "USER_PROCESS",
      7,
      "jdoe",
      "/dev/pts/3",
      "pts/3",
      "10.1.2.3",
      74565,
      NO_EXIT,
      0,
      "2023-11-20T16:32:00.000Z",
      0,
      "0.0.0.0",
    ],
    [
      "DEAD_PROCESS",
      8,
      "",
      "/dev/pts/3",
      "pts/3",
      "",
      74565,
      { e_termination: 15, e_exit: 1 },
      0,
      "2023-11-20T16:33:00.000Z",
      0,
      "0.0.0.0",
    ],
  ]);
}, { permissions: "none" });

test("decodeRecords() reads DOMAIN/IX records as its manual page lays them out", () => {
  const file = record(92, {
    0: "apollo_user",
    32: "1",
    36: "dc0",
    48: [0x01, 0x2c],
    50: [0, 7],
    52: [0, 0],
    54: [0, 0],
    56: [0x1f, 0x3b, 0xa2, 0x00],
    60: "//node_1234",
  });
  assert.deepEqual(row([...decodeRecords(file, LAYOUTS.domainix)][0]!), [
    "USER_PROCESS",
    7,
    "apollo_user",
    "/dev/dc0",
    "1",
    "//node_1234",
    300,
    NO_EXIT,
    0,
    "1986-08-09T20:03:12.000Z",
    0,
    "0.0.0.0",
  ]);
}, { permissions: "none" });

test("decodeRecords() reads Linux m68k records: no padding after ut_type, everything 2 bytes earlier", () => {
  const file = record(382, {
    0: [0, 7],
    2: [0, 0, 0x10, 0x00],
    6: "ttyS0",
    38: "S0",
    42: "m68k",
    74: "amiga.example",
    330: [0, 0],
    332: [0, 0],
    334: [0, 0, 0x10, 0x00],
    338: [0x65, 0x5b, 0x8a, 0x00],
    342: [0x00, 0x01, 0xe2, 0x40],
    346: [10, 0, 0, 1],
  });
  assert.deepEqual(row([...decodeRecords(file, LAYOUTS["linux-m68k"])][0]!), [
    "USER_PROCESS",
    7,
    "m68k",
    "/dev/ttyS0",
    "S0",
    "amiga.example",
    4096,
    NO_EXIT,
    4096,
    "2023-11-20T16:32:00.123Z",
    123456,
    "10.0.0.1",
  ]);
}, { permissions: "none" });

/** Solaris futmpx records, with garbage in the padding as real SPARC files have. */
function futmpx(be: boolean): Uint8Array {
  const n = (bytes: number[]) => be ? bytes : [...bytes].reverse();
  return concat(
    record(372, {
      0: "alice",
      32: "ts/1",
      36: "pts/1",
      68: n([0, 0, 0x04, 0xd2]),
      72: n([0, 7]),
      74: n([0, 0]),
      76: n([0, 0]),
      78: [0xde, 0xad],
      80: n([0x65, 0x5b, 0x8a, 0x00]),
      84: n([0, 0, 0x30, 0x39]),
      88: n([0, 0, 0, 5]),
      92: [0xbe, 0xef],
      112: n([0, 12]),
      114: "sun.example",
      371: [0xff],
    }),
    record(372, {
      36: "run-level 3",
      72: n([0, 1]),
      74: n([0, 0x33]),
      76: n([0, 0x53]),
      80: n([0x65, 0x5b, 0x8a, 0x01]),
    }),
    record(372, { 36: "system down", 72: n([0, 10]), 80: n([0x65, 0x5b, 0x8a, 0x02]) }),
  );
}

test("decodeRecords() reads Solaris futmpx in both byte orders, with RUN_LVL levels and DOWN_TIME", () => {
  const rows = [
    [
      "USER_PROCESS",
      7,
      "alice",
      "/dev/pts/1",
      "ts/1",
      "sun.example",
      1234,
      NO_EXIT,
      5,
      "2023-11-20T16:32:00.012Z",
      12345,
      "0.0.0.0",
    ],
    // RUN_LVL keeps the new and the previous level as characters: '3' (51) and 'S' (83).
    [
      "RUN_LVL",
      1,
      "",
      "run-level 3",
      "",
      "",
      0,
      { e_termination: 51, e_exit: 83 },
      0,
      "2023-11-20T16:32:01.000Z",
      0,
      "0.0.0.0",
    ],
    ["DOWN_TIME", 10, "", "system down", "", "", 0, NO_EXIT, 0, "2023-11-20T16:32:02.000Z", 0, "0.0.0.0"],
  ];
  assert.deepEqual([...decodeRecords(futmpx(true), LAYOUTS.solaris)].map(row), rows);
  assert.deepEqual([...decodeRecords(futmpx(false), LAYOUTS["solaris-le"])].map(row), rows);
}, { permissions: "none" });

test("decodeRecords() reads a PowerPC Mac's big-endian utmpx after its signature record", () => {
  const file = concat(
    record(628, { 0: "utmpx-1.00", 296: [0, 10] }),
    record(628, { 296: [0, 2], 292: [0, 0, 0, 1], 300: [0x47, 0x86, 0x1b, 0x80] }),
    record(628, {
      0: "steve",
      256: "s000",
      260: "ttys000",
      292: [0, 0, 0x01, 0x00],
      296: [0, 7],
      300: [0x47, 0x86, 0x1b, 0x90],
      304: [0, 0x0f, 0x42, 0x3f],
      308: "cupertino.example",
    }),
  );
  // 0x47861b80 = 1199971200 = 2008-01-10T13:20:00Z.
  assert.deepEqual([...decodeRecords(file, LAYOUTS["macos-be"])].map(row), [
    ["SIGNATURE", 10, "utmpx-1.00", "", "", "", 0, NO_EXIT, 0, "1970-01-01T00:00:00.000Z", 0, "0.0.0.0"],
    ["BOOT_TIME", 2, "", "", "", "", 1, NO_EXIT, 0, "2008-01-10T13:20:00.000Z", 0, "0.0.0.0"],
    [
      "USER_PROCESS",
      7,
      "steve",
      "/dev/ttys000",
      "s000",
      "cupertino.example",
      256,
      NO_EXIT,
      0,
      "2008-01-10T13:20:16.999Z",
      999999,
      "0.0.0.0",
    ],
  ]);
}, { permissions: "none" });
