/**
 * The library side of `last` (src/last.ts): reading a file backward, and
 * the session objects of the pairing, checked against util-linux `last`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "./_harness.ts";
import { tempDir } from "./_util.ts";
import { encodeRecords, LAYOUTS, type RecordInput } from "../src/layouts/mod.ts";
import { lastSessions, readBackward, type Session, SessionPairing } from "../src/last.ts";
import type { UtmpRecord } from "../src/record.ts";
import { encode, wtmpScenario } from "./cli/_gen.ts";
import { oracle } from "./cli/_run.ts";
import { all, collect } from "./_collect.ts";

async function forward(path: string, layout?: "linux-be" | "linux64"): Promise<unknown[]> {
  return (await collect(path, { keepInvalid: true, ...(layout ? { layout } : {}) })).records;
}

async function backward(path: string, layout?: "linux-be" | "linux64"): Promise<unknown[]> {
  return (await all(readBackward(path, layout ? { layout } : {}), (batch) => batch.map((u) => u.toJSON()))).flat();
}

test("readBackward() yields every record newest first, the same records UtmpFile reads forward", async () => {
  using tmp = tempDir();
  // 3300 records: more than one 1 MiB batch, the last one partial.
  const records = wtmpScenario(1, { events: 3000, start: 5e8 });
  assert.ok(records.length * 384 > 1 << 20);
  for (const layout of ["linux", "linux-be", "linux64"] as const) {
    const path = tmp.file(`wtmp.${layout}`, encodeRecords(LAYOUTS[layout], records as RecordInput[]));
    const given = layout === "linux" ? undefined : layout;
    assert.deepEqual(await backward(path, given), (await forward(path, given)).reverse(), layout);
  }
});

test("readBackward() skips a trailing partial record and reports it", async () => {
  using tmp = tempDir();
  const bytes = encode(wtmpScenario(2, { events: 10, start: 5e8 }));
  const path = tmp.file("wtmp", new Uint8Array([...bytes, 1, 2, 3]));
  const warnings: string[] = [];
  const backward = await all(
    readBackward(path, { onWarning: (w) => warnings.push(`${w.offset} ${w.reason}`) }),
    (batch) => batch.map((u) => u.toJSON()),
  );
  assert.deepEqual(backward.flat(), (await forward(path)).reverse());
  assert.deepEqual(warnings, [`${bytes.length} file ends 3 bytes into a 384-byte record`]);
});

/** A small history whose sessions are known by construction. */
const HISTORY: RecordInput[] = [
  { ut_type: "BOOT_TIME", ut_line: "~", ut_id: "~~", ut_user: "reboot", ut_host: "6.1.0", tv_sec: 1000000000 },
  { ut_type: "USER_PROCESS", ut_pid: 10, ut_line: "tty1", ut_id: "1", ut_user: "ann", tv_sec: 1000000100 },
  { ut_type: "DEAD_PROCESS", ut_pid: 10, ut_line: "tty1", ut_id: "1", tv_sec: 1000000700 },
  {
    ut_type: "USER_PROCESS",
    ut_pid: 11,
    ut_line: "pts/0",
    ut_id: "ts/0",
    ut_user: "bob",
    ut_host: "10.0.0.5",
    tv_sec: 1000001000,
  },
  { ut_type: "USER_PROCESS", ut_pid: 12, ut_line: "pts/1", ut_id: "ts/1", ut_user: "cat", tv_sec: 1000001500 },
  { ut_type: "RUN_LVL", ut_pid: 0x30 + 0x33 * 256, ut_line: "~", ut_id: "~~", ut_user: "shutdown", tv_sec: 1000003600 },
  { ut_type: "BOOT_TIME", ut_line: "~", ut_id: "~~", ut_user: "reboot", ut_host: "6.1.0", tv_sec: 1000007200 },
  { ut_type: "USER_PROCESS", ut_pid: 13, ut_line: "pts/0", ut_id: "ts/0", ut_user: "dan", tv_sec: 1000007300 },
  { ut_type: "BOOT_TIME", ut_line: "~", ut_id: "~~", ut_user: "reboot", ut_host: "6.1.0", tv_sec: 1000010000 },
  { ut_type: "USER_PROCESS", ut_pid: 14, ut_line: "pts/3", ut_id: "ts/3", ut_user: "eve", tv_sec: 1000010100 },
];

function summary(s: Session): string {
  const t = (d: Date | null): string => (d === null ? "-" : String(d.getTime() / 1000));
  return `${s.kind} ${s.login.ut_user} ${t(s.loginTime)} ${s.end} ${t(s.logoutTime)} ${s.duration ?? "-"}`;
}

test("lastSessions() pairs logins with logouts, shutdowns and crashes as util-linux last -x does", async () => {
  using tmp = tempDir();
  const path = tmp.file("wtmp", encodeRecords(LAYOUTS.linux, HISTORY));
  const alive: string[] = [];
  const sessions = [];
  for await (const s of lastSessions(path, { isAlive: (u) => (alive.push(u.ut_user), u.ut_user === "eve") })) {
    sessions.push(summary(s));
  }
  assert.deepEqual(sessions, [
    "login eve 1000010100 still logged in - -",
    "reboot reboot 1000010000 still running - -",
    "login dan 1000007300 crash 1000010000 2700",
    "reboot reboot 1000007200 still running - -",
    "shutdown shutdown 1000003600 logout 1000007200 3600",
    "login cat 1000001500 down 1000003600 2100",
    "login bob 1000001000 down 1000003600 2600",
    "login ann 1000000100 logout 1000000700 600",
    "reboot reboot 1000000000 logout 1000003600 3600",
  ]);
  // Only a login with no logout and no boot after it is checked.
  assert.deepEqual(alive, ["eve"]);
  // util-linux reads the same: crash, down, the 10-minute session, the boots.
  assert.equal(
    oracle("last", ["-x", "-R", "-f", path]).out.split("\n").slice(1, 9).join("\n"),
    [
      "reboot   system boot  Sun Sep  9 04:33   still running",
      "dan      pts/0        Sun Sep  9 03:48 - crash  (00:45)",
      "reboot   system boot  Sun Sep  9 03:46   still running",
      "shutdown system down  Sun Sep  9 02:46 - 03:46  (01:00)",
      "cat      pts/1        Sun Sep  9 02:11 - down   (00:35)",
      "bob      pts/0        Sun Sep  9 02:03 - down   (00:43)",
      "ann      tty1         Sun Sep  9 01:48 - 01:58  (00:10)",
      "reboot   system boot  Sun Sep  9 01:46 - 02:46  (01:00)",
    ].join("\n"),
  );
});

test("SessionPairing.feed() gives the same sessions fed all at once, one record at a time, and as lastSessions()", async () => {
  using tmp = tempDir();
  const path = tmp.file("wtmp", encode(wtmpScenario(3, { events: 300, start: 5e8 })));
  const records: UtmpRecord[] = (await all(readBackward(path))).flat();
  const fromArray = [...new SessionPairing().feed(records)].map(summary);
  const one = new SessionPairing();
  const oneByOne = records.flatMap((u) => [...one.feed([u])]).map(summary);
  const fromFile = await all(lastSessions(path), summary);
  assert.ok(fromArray.length > 100);
  assert.deepEqual(oneByOne, fromArray);
  assert.deepEqual(fromFile, fromArray);
});

test("lastSessions() leaves out records outside since/until before pairing, as last --since/--until does", async () => {
  using tmp = tempDir();
  const path = tmp.file("wtmp", encodeRecords(LAYOUTS.linux, HISTORY));
  const until = new Date(1000000500 * 1000);
  const sessions = await all(lastSessions(path, { until, isAlive: () => false }), summary);
  // ann's logout (…700) is after --until: her session has no logout.
  assert.deepEqual(sessions, [
    "login ann 1000000100 gone - no logout - -",
    "reboot reboot 1000000000 still running - -",
  ]);
  assert.match(oracle("last", ["-f", path, "-t", "2001-09-09 01:48:20"]).out, /^ann +tty1 .+gone - no logout\n/);
});

test("SessionPairing keeps copies of the records it holds, not the 1 MiB batches they were read in", async () => {
  using tmp = tempDir();
  const path = tmp.file("wtmp", encode(wtmpScenario(4, { events: 3000, start: 5e8 })));
  const pairing = new SessionPairing();
  const held: [UtmpRecord, UtmpRecord][] = [];
  for await (const batch of readBackward(path)) {
    for (const s of pairing.feed(batch)) if (s.logout !== null) held.push([s.login, s.logout]);
  }
  assert.ok(held.length > 100);
  // A logout from an earlier batch is a copy; one from the login's own batch may share its bytes (a session
  // keeps its login's batch anyway), never another batch's.
  const buffer = (u: UtmpRecord): ArrayBufferLike => u.raw!.record.buffer;
  for (const [login, logout] of held) {
    assert.ok(buffer(logout).byteLength === 384 || buffer(logout) === buffer(login));
  }
  assert.ok(held.some(([login, logout]) => buffer(logout) !== buffer(login)));
});

test("lastSessions() reads records of every type, as util-linux last does", async () => {
  using tmp = tempDir();
  // Type 99 is no Linux type: last still takes a record with a user and a line for a login.
  // (Layout detection will not take a file that starts with it: the layout is named.)
  const bytes = encodeRecords(LAYOUTS.linux, [
    { ut_type_raw: 99, ut_pid: 5, ut_line: "pts/9", ut_user: "odd", tv_sec: 1200000000 },
    { ut_type: "DEAD_PROCESS", ut_pid: 5, ut_line: "pts/9", tv_sec: 1200000060 },
  ]);
  const path = tmp.file("wtmp", bytes);
  const sessions = await all(lastSessions(path, { layout: "linux" }), summary);
  assert.deepEqual(sessions, ["login odd 1200000000 logout 1200000060 60"]);
  assert.match(oracle("last", ["-f", path]).out, /^odd +pts\/9 .+ - 21:21 {2}\(00:01\)\n/);
});
