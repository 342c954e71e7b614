/**
 * The record contract, checked against util-linux `utmpdump` (records written
 * by `utmpdump -r` and read back by both) and coreutils `who -a`.
 */

import assert from "node:assert/strict";
import { inspect } from "node:util";
import { UtmpFile, type UtmpRecord } from "../mod.ts";
import { decodeRecord, encodeRecord, encodeRecords, LAYOUTS } from "../src/layouts/mod.ts";
import { test } from "./_harness.ts";
import { FIXTURES, parseDumpLine, run, tempDir, utmpdump, utmpdumpReverse } from "./_util.ts";
import { join } from "node:path";
import { all } from "./_collect.ts";

const NAMES = [
  "EMPTY",
  "RUN_LVL",
  "BOOT_TIME",
  "NEW_TIME",
  "OLD_TIME",
  "INIT_PROCESS",
  "LOGIN_PROCESS",
  "USER_PROCESS",
  "DEAD_PROCESS",
  "ACCOUNTING",
];

async function records(path: string): Promise<UtmpRecord[]> {
  const out: UtmpRecord[] = await all(new UtmpFile(path));
  return out;
}

/** Text for `utmpdump -r`: every type, long names, IPv4 and IPv6, odd lines. */
const SAMPLE = [
  "[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-13-amd64      ] [0.0.0.0        ] [2023-11-14T08:00:00,012345+00:00]",
  "[1] [00053] [~~  ] [runlevel] [~           ] [6.1.0-13-amd64      ] [0.0.0.0        ] [2023-11-14T08:00:05,999999+00:00]",
  "[5] [00612] [tty1] [        ] [tty1        ] [                    ] [0.0.0.0        ] [2023-11-14T08:00:06,000001+00:00]",
  "[6] [00613] [tty2] [LOGIN   ] [tty2        ] [                    ] [0.0.0.0        ] [2023-11-14T08:00:06,500000+00:00]",
  "[7] [01234] [ts/0] [alice   ] [pts/0       ] [192.168.1.20        ] [192.168.1.20   ] [2023-11-14T09:15:30,123456+00:00]",
  "[7] [99999] [ts/1] [abcdefghijklmnopqrstuvwxyz012345] [pts/1       ] [2001:db8::ff00:42:8329] [2001:db8::ff00:42:8329] [2023-11-14T10:00:00,000000+00:00]",
  "[7] [01400] [:0  ] [carol   ] [:0          ] [:0                  ] [0.0.0.0        ] [2023-11-14T11:00:00,000000+00:00]",
  "[6] [02100] [    ] [root    ] [ssh:notty   ] [1337:1::            ] [19.55.0.1      ] [2023-07-25T08:12:56,000000+00:00]",
  "[6] [02101] [    ] [root    ] [ssh:notty   ] [::ffff:10.1.2.3     ] [::ffff:10.1.2.3] [2023-07-25T08:12:57,000000+00:00]",
  "[8] [01234] [ts/0] [        ] [pts/0       ] [                    ] [0.0.0.0        ] [2023-11-14T12:00:00,000000+00:00]",
  "[3] [00000] [    ] [date    ] [}           ] [                    ] [0.0.0.0        ] [2023-11-14T12:30:00,000000+00:00]",
  "[4] [00000] [    ] [date    ] [|           ] [                    ] [0.0.0.0        ] [2023-11-14T12:29:00,000000+00:00]",
  "[9] [00000] [    ] [        ] [            ] [                    ] [0.0.0.0        ] [1970-01-01T00:00:00,000000+00:00]",
  "[0] [00000] [    ] [        ] [            ] [                    ] [0.0.0.0        ] [1970-01-01T00:00:00,000000+00:00]",
  "[7] [00001] [abcd] [zed     ] [/dev/pts/9  ] [x                   ] [10.0.0.1       ] [2038-01-19T03:14:07,000000+00:00]",
].join("\n") + "\n";

/** ut_line as the contract states it for each stored line above. */
const LINES: Record<string, string> = {
  "~": "~",
  tty1: "/dev/tty1",
  tty2: "/dev/tty2",
  "pts/0": "/dev/pts/0",
  "pts/1": "/dev/pts/1",
  ":0": ":0",
  "ssh:notty": "ssh:notty",
  "}": "}",
  "|": "|",
  "": "",
  "/dev/pts/9": "/dev/pts/9",
};

/** Address octets, written out by hand from the text. */
const ADDRS: Record<string, number[]> = {
  "0.0.0.0": [0, 0, 0, 0],
  "192.168.1.20": [192, 168, 1, 20],
  "10.0.0.1": [10, 0, 0, 1],
  "2001:db8::ff00:42:8329": [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0x42, 0x83, 0x29],
  "19.55.0.1": [0x13, 0x37, 0, 1],
  "::ffff:10.1.2.3": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3],
};

test("UtmpRecord fields equal what utmpdump reads from the same file", async () => {
  using tmp = tempDir();
  const path = utmpdumpReverse(SAMPLE, tmp.file("wtmp"));
  const oracle = utmpdump(path).map(parseDumpLine);
  const ours = await records(path);
  assert.equal(ours.length, oracle.length);
  assert.equal(ours.length, SAMPLE.trim().split("\n").length);
  for (const [i, u] of ours.entries()) {
    const o = oracle[i]!;
    const label = `record ${i}`;
    assert.equal(u.ut_type_raw, o.type, label);
    assert.equal(u.ut_type, NAMES[o.type], label);
    assert.equal(u.ut_user_process, o.type === 7, label);
    assert.equal(u.ut_pid, o.pid, label);
    assert.equal(u.ut_id.padEnd(4, " "), o.id, label);
    assert.equal(u.ut_user, o.user, label);
    assert.equal(u.ut_line, LINES[o.line], label);
    assert.equal(u.ut_host, o.host, label);
    assert.equal(u.ut_addr_text, o.addr, label);
    assert.deepEqual(u.ut_addr, ADDRS[o.addr], label);
    assert.deepEqual(u.ut_tv, { tv_sec: o.tv_sec, tv_usec: o.tv_usec }, label);
    assert.equal(u.ut_time.getTime(), o.tv_sec * 1000 + Math.trunc(o.tv_usec / 1000), label);
    assert.equal(u.offset, i * 384, label);
    assert.equal(u.index, i, label);
    assert.equal(u.layout, "linux", label);
  }
});

test("UtmpRecord.ut_time truncates microseconds instead of rounding", async () => {
  using tmp = tempDir();
  const path = utmpdumpReverse(SAMPLE, tmp.file("wtmp"));
  const runlevel = (await records(path))[1]!;
  assert.deepEqual(runlevel.ut_tv, { tv_sec: 1699948805, tv_usec: 999999 });
  assert.equal(runlevel.ut_time.toISOString(), "2023-11-14T08:00:05.999Z");
});

test("UtmpRecord.ut_user keeps a 32-byte name that fills its field with no NUL", async () => {
  // utmp-rs long_user_32.utmp: btmp whose ut_user fills all 32 bytes (MANIFEST.md, utmp-rs tests/basic.rs).
  const path = join(FIXTURES, "utmp-rs", "long_user_32.utmp");
  const all = await records(path);
  const oracle = utmpdump(path).map(parseDumpLine);
  const full = all.filter((u) => u.ut_user.length === 32);
  assert.ok(full.length > 0);
  assert.ok(full.some((u) => u.ut_user === "a".repeat(32)));
  assert.equal(all.at(-1)!.ut_user, "b".repeat(32));
  for (const [i, u] of all.entries()) {
    assert.equal(u.ut_user, oracle[i]!.user);
    assert.equal(u.raw!.ut_user.length, u.ut_user.length);
  }
  // The next field (ut_host) is not glued onto the name.
  assert.equal(all.at(-1)!.ut_host, "10.10.4.230");
});

test("UtmpRecord string fields turn invalid UTF-8 into U+FFFD and keep the raw bytes", async () => {
  using tmp = tempDir();
  const user = new Uint8Array([0x6a, 0xff, 0xfe, 0x6f]); // "j", two invalid bytes, "o"
  const host = new TextEncoder().encode("héllo.example"); // valid UTF-8, non-ASCII
  const bytes = encodeRecords(LAYOUTS.linux, [
    { ut_type: "USER_PROCESS", ut_pid: 42, ut_user: user, ut_line: "pts/4", ut_host: host, tv_sec: 1700000000 },
  ]);
  const path = tmp.file("wtmp", bytes);
  const [u] = await records(path);
  assert.equal(u!.ut_user, "j\uFFFD\uFFFDo");
  assert.deepEqual([...u!.raw!.ut_user], [...user]);
  assert.equal(u!.ut_host, "héllo.example");
  // utmpdump shows each non-printable byte as "?": the record is kept, not dropped.
  const [o] = utmpdump(path).map(parseDumpLine);
  assert.equal(o!.user, "j??o");
  assert.equal(o!.host, "h??llo.example");
  assert.equal(u!.ut_pid, o!.pid);
});

test("UtmpRecord.ut_tv reads a 32-bit tv_sec as unsigned, past 2038", async () => {
  using tmp = tempDir();
  // utmpdump -r stores the low 32 bits of the parsed time; glibc >= 2.40 reads them unsigned.
  const text = [
    "[7] [00100] [ts/0] [future  ] [pts/0       ] [                    ] [0.0.0.0        ] [2040-02-29T12:00:00,000007+00:00]",
    "[7] [00101] [ts/1] [last    ] [pts/1       ] [                    ] [0.0.0.0        ] [2106-02-07T06:28:15,000000+00:00]",
  ].join("\n") + "\n";
  const path = utmpdumpReverse(text, tmp.file("wtmp"));
  const [a, b] = await records(path);
  assert.equal(a!.ut_time.toISOString(), "2040-02-29T12:00:00.000Z");
  assert.deepEqual(a!.ut_tv, { tv_sec: Date.UTC(2040, 1, 29, 12) / 1000, tv_usec: 7 });
  assert.equal(b!.ut_tv.tv_sec, 2 ** 32 - 1);
  assert.equal(b!.ut_time.toISOString(), "2106-02-07T06:28:15.000Z");
  // This machine's utmpdump (glibc 2.36) still reads the field signed: the same bits, 2^32 seconds earlier.
  const [o] = utmpdump(path).map(parseDumpLine);
  assert.equal(o!.tv_sec + 2 ** 32, a!.ut_tv.tv_sec);
});

test("UtmpRecord of an all-zero slot is an EMPTY record with neutral values", () => {
  const u = decodeRecord(new Uint8Array(384), LAYOUTS.linux);
  assert.deepEqual(
    { ...u.toJSON(), ut_time: u.ut_time.getTime() },
    {
      ut_type: "EMPTY",
      ut_type_raw: 0,
      ut_pid: 0,
      ut_line: "",
      ut_id: "",
      ut_user: "",
      ut_host: "",
      ut_exit: { e_termination: 0, e_exit: 0 },
      ut_exit_code: 0,
      ut_session: 0,
      ut_tv: { tv_sec: 0, tv_usec: 0 },
      ut_time: 0,
      ut_addr: [0, 0, 0, 0],
      ut_addr_text: "0.0.0.0",
      ut_user_process: false,
      ut_service: "",
      layout: "linux",
      offset: 0,
      index: 0,
    },
  );
});

test("UtmpRecord.ut_exit and ut_exit_code match the term= and exit= that who -a prints", () => {
  using tmp = tempDir();
  const bytes = encodeRecords(LAYOUTS.linux, [
    {
      ut_type: "DEAD_PROCESS",
      ut_pid: 500,
      ut_id: "ts/3",
      ut_line: "pts/3",
      e_termination: 15,
      e_exit: 3,
      tv_sec: 1700000000,
    },
    {
      ut_type: "DEAD_PROCESS",
      ut_pid: 501,
      ut_id: "ts/4",
      ut_line: "pts/4",
      e_termination: 0,
      e_exit: 255,
      tv_sec: 1700000100,
    },
  ]);
  const path = tmp.file("wtmp", bytes);
  const who = run("who", ["-a", path]).trim().split("\n");
  const exits = who.map((line) => /term=(-?\d+) exit=(-?\d+)/.exec(line)!.slice(1).map(Number));
  const ours = [...decodeAll(bytes)].map((u) => [u.ut_exit.e_termination, u.ut_exit.e_exit, u.ut_exit_code]);
  assert.deepEqual(ours, exits.map(([t, e]) => [t, e, e]));
});

function* decodeAll(bytes: Uint8Array): Generator<UtmpRecord> {
  for (let at = 0; at < bytes.length; at += 384) yield decodeRecord(bytes, LAYOUTS.linux, at);
}

test("UtmpRecord.ut_session matches the values utmp-rs and plaso state for their files", async () => {
  // utmp-rs tests/basic.rs: basic32 record 3 is tty3 "upsuper" with session 28786.
  const basic32 = await records(join(FIXTURES, "utmp-rs", "basic32.utmp"));
  assert.equal(basic32[3]!.ut_line, "/dev/tty3");
  assert.equal(basic32[3]!.ut_session, 28786);
  assert.equal(basic32[3]!.ut_pid, 28885);
  assert.equal(basic32[3]!.ut_tv.tv_usec, 195722);
  // FORMATS.md §1a, annotated plaso utmp record 2: LOGIN_PROCESS, pid 1115, session 1115, id "4".
  const plaso = await records(join(FIXTURES, "plaso", "utmp"));
  assert.equal(plaso[2]!.ut_type, "LOGIN_PROCESS");
  assert.equal(plaso[2]!.ut_session, 1115);
  assert.equal(plaso[2]!.ut_id, "4");
  assert.equal(plaso[2]!.ut_time.toISOString(), "2013-12-13T14:45:09.000Z");
});

test("UtmpRecord.toJSON() returns a plain object that survives the read buffer", () => {
  const bytes = encodeRecord(LAYOUTS.linux, {
    ut_type: "USER_PROCESS",
    ut_user: "erin",
    ut_line: "tty5",
    tv_sec: 86400,
  });
  const u = decodeRecord(bytes, LAYOUTS.linux);
  const plain = u.toJSON();
  bytes.fill(0);
  assert.equal(plain.ut_user, "erin");
  assert.equal(plain.ut_line, "/dev/tty5");
  assert.equal(JSON.parse(JSON.stringify(plain)).ut_time, "1970-01-02T00:00:00.000Z");
  assert.match(
    inspect(decodeRecord(encodeRecord(LAYOUTS.linux, { ut_user: "erin" }), LAYOUTS.linux)),
    /ut_user: 'erin'/,
  );
});
