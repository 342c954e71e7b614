/**
 * FreeBSD's futx files: the real FreeBSD 13.1 (US/Pacific) and 14.0
 * (US/Eastern) files against the `last` and `lastlogin` output captured on
 * those machines (s4), and the utx.log framing (length prefixes, zero
 * lengths, long records, a cut tail) as getutxent.c reads it.
 */

import { CHUNK_BYTES } from "../../src/layouts/decode.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { UtmpFile, UtmpFormatError, type UtmpRecord } from "../../mod.ts";
import { encodeRecords, LAYOUTS } from "../../src/layouts/mod.ts";
import { test } from "../_harness.ts";
import { FIXTURES, tempDir } from "../_util.ts";
import { inZone, logoutTime, printedRows } from "./_native.ts";
import { all } from "../_collect.ts";

const BSD13 = join(FIXTURES, "s4", "FreeBSD13.1", "x86_64");
const BSD14 = join(FIXTURES, "s4", "FreeBSD14.0", "x86_64");

async function read(
  path: string,
  layout?: "freebsd" | "freebsd-log",
): Promise<{ records: UtmpRecord[]; file: UtmpFile }> {
  const file = new UtmpFile(path, layout === undefined ? {} : { layout });
  const records: UtmpRecord[] = await all(file);
  return { records, file };
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * What FreeBSD's `last` prints after a login: the logout of the same ut_id,
 * or "shutdown"/"crash" when the system went down first, or "still logged in".
 */
function ending(records: UtmpRecord[], i: number): UtmpRecord | "shutdown" | "crash" | "still" {
  const id = hex(records[i]!.raw!.ut_id);
  for (const u of records.slice(i + 1)) {
    if (u.ut_type === "SHUTDOWN_TIME") return "shutdown";
    if (u.ut_type === "BOOT_TIME") return "crash";
    if ((u.ut_type === "DEAD_PROCESS" || u.ut_type === "USER_PROCESS") && hex(u.raw!.ut_id) === id) return u;
  }
  return "still";
}

/** Checks `last -f utx.log` output: newest first, one row per login, boot and shutdown. */
async function checkLast(dir: string, zone: string): Promise<number> {
  const { records, file } = await read(join(dir, "utx.log"));
  assert.equal(file.layout?.name, "freebsd-log");
  assert.deepEqual(file.warnings, []);
  const shown = records.map((u, i) => [u, i] as const).filter(([u]) =>
    ["USER_PROCESS", "BOOT_TIME", "SHUTDOWN_TIME"].includes(u.ut_type)
  ).reverse();
  const rows = printedRows(join(dir, "utx.log.src-last.txt"));
  assert.equal(rows.length, shown.length);
  rows.forEach((row, n) => {
    const [u, i] = shown[n]!;
    const where = `row ${n}: ${row.columns.join(" ")}`;
    if (u.ut_type === "BOOT_TIME") assert.deepEqual(row.columns, ["boot", "time"], where);
    else if (u.ut_type === "SHUTDOWN_TIME") assert.deepEqual(row.columns, ["shutdown", "time"], where);
    else {
      assert.deepEqual(row.columns, [u.ut_user, u.ut_line.slice(5), u.ut_host].filter((c) => c !== ""), where);
      const end = ending(records, i);
      const logout = logoutTime(row.rest);
      if (end === "still") assert.match(row.rest, /^still logged in/, where);
      else if (typeof end === "string") assert.match(row.rest, new RegExp(`^- ${end}`), where);
      else {
        const t = inZone(end.ut_time, zone, row.time);
        assert.deepEqual(logout, { hour: t.hour, minute: t.minute }, where);
      }
    }
    assert.deepEqual(row.time, inZone(u.ut_time, zone, row.time), where);
  });
  return rows.length;
}

test("UtmpFile reads FreeBSD 13.1's utx.log as its last(1) shows it", async () => {
  assert.equal(await checkLast(BSD13, "America/Los_Angeles"), 65);
});

test("UtmpFile reads FreeBSD 14.0's utx.log as its last(1) shows it", async () => {
  assert.equal(await checkLast(BSD14, "America/New_York"), 6);
});

test("UtmpFile reads FreeBSD's utx.lastlogin as lastlogin(8) shows it", async () => {
  for (const [dir, zone] of [[BSD13, "America/Los_Angeles"], [BSD14, "America/New_York"]] as const) {
    const { records, file } = await read(join(dir, "utx.lastlogin"));
    assert.equal(file.layout?.name, "freebsd");
    const rows = printedRows(join(dir, "utx.lastlogin.src-lastlogin.txt"));
    assert.equal(rows.length, records.length);
    rows.forEach((row, n) => {
      const u = records[n]!;
      assert.equal(u.ut_type, "USER_PROCESS");
      assert.deepEqual(row.columns, [u.ut_user, u.ut_line.slice(5), u.ut_host]);
      assert.deepEqual(row.time, inZone(u.ut_time, zone, row.time));
    });
  }
});

test("UtmpFile reads FreeBSD 14.0's utx.active: the logins last(1) showed, and the later logout", async () => {
  const { records, file } = await read(join(BSD14, "utx.active"));
  assert.equal(file.layout?.name, "freebsd");
  const rows = printedRows(join(BSD14, "utx.active.src-last.txt"));
  const logins = records.filter((u) => u.ut_type === "USER_PROCESS");
  // The text was captured while user12345 was still on pts/1; the file after the logout replaced that slot.
  assert.equal(rows.length, 3);
  logins.forEach((u, n) => {
    assert.deepEqual(rows[n]!.columns, [u.ut_user, u.ut_line.slice(5), u.ut_host].filter((c) => c !== ""));
    assert.deepEqual(rows[n]!.time, inZone(u.ut_time, "America/New_York", rows[n]!.time));
  });
  assert.equal(logins.length, 2);
  const dead = records.find((u) => u.ut_type === "DEAD_PROCESS")!;
  assert.deepEqual([dead.ut_id, dead.ut_user, dead.ut_line], ["pts/1", "", ""]);
  assert.deepEqual(rows[2]!.columns, ["user12345", "pts/1", "host.net"]);
  const login = rows[2]!.time;
  assert.ok(login.hour * 3600 + login.minute * 60 + login.second! < 21 * 3600 + 15 * 60 + 57);
  assert.deepEqual(inZone(dead.ut_time, "America/New_York", { ...login }), { ...login, second: 57 });
});

test("UtmpFile reads FreeBSD 13.1's utx.active: the boot and sessions its utx.log and last(1) show", async () => {
  // last(1) cannot read utx.active (its text lists nothing); the same boot, login and logout are
  // utx.log's records 79, 80 and 82, which its last(1) output confirms ("root pts/0 host.net Fri Feb 2 15:48").
  const active = (await read(join(BSD13, "utx.active"))).records.map((u) => u.toJSON());
  const log = (await read(join(BSD13, "utx.log"))).records.map((u) => u.toJSON());
  const strip = ({ offset: _o, index: _i, layout: _l, ...rest }: ReturnType<UtmpRecord["toJSON"]>) => rest;
  assert.deepEqual(active.map(strip), [log[79]!, log[80]!, log[82]!].map(strip));
  assert.deepEqual(active.map((u) => [u.ut_type, u.ut_type_raw, u.ut_pid]), [
    ["BOOT_TIME", 1, 0],
    ["USER_PROCESS", 4, 855],
    ["DEAD_PROCESS", 7, 2275],
  ]);
});

const INPUTS = [
  { ut_type: "BOOT_TIME", tv_sec: 1700000000, tv_usec: 1 },
  {
    ut_type: "USER_PROCESS",
    ut_pid: 900,
    ut_id: "pts/0",
    ut_user: "ann",
    ut_line: "pts/0",
    ut_host: "h",
    tv_sec: 1700000100,
  },
  { ut_type: "DEAD_PROCESS", ut_pid: 900, ut_id: "pts/0", tv_sec: 1700000200, tv_usec: 3 },
] as const;

test("UtmpFile reads utx.log records behind their length prefixes, with the prefix offsets", async () => {
  using tmp = tempDir();
  const bytes = encodeRecords(LAYOUTS["freebsd-log"], INPUTS);
  // pututxline cuts each futx after its last non-zero byte: type + time = 9 bytes for the boot record.
  assert.deepEqual([...bytes.subarray(0, 3)], [0, 9, 1]);
  const { records, file } = await read(tmp.file("utx.log", bytes));
  assert.equal(file.layout?.name, "freebsd-log");
  assert.deepEqual(records.map((u) => [u.index, u.offset, u.ut_type, u.ut_user, u.ut_id, u.ut_tv.tv_usec]), [
    [0, 0, "BOOT_TIME", "", "", 1],
    [1, 11, "USER_PROCESS", "ann", "pts/0", 0],
    [2, 11 + 2 + (69 + 1), "DEAD_PROCESS", "", "pts/0", 3],
  ]);
});

test("UtmpFile steps over zero lengths and long records as getutxent does, and reports a cut tail", async () => {
  using tmp = tempDir();
  const [boot, user, dead] = INPUTS.map((i) => encodeRecords(LAYOUTS["freebsd-log"], [i]));
  // A record announcing 200 bytes: the first 197 are the futx, the 3 more are skipped (forward compatibility).
  const long = new Uint8Array(2 + 200);
  long.set([0, 200]);
  long.set(user!.subarray(2), 2);
  long.set([0xee, 0xee, 0xee], 2 + 197);
  const parts = [boot!, new Uint8Array([0, 0, 0]), long, dead!, new Uint8Array([0, 50, 4])];
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) bytes.set(p, at), at += p.length;
  const path = tmp.file("utx.log", bytes);
  const { records, file } = await read(path, "freebsd-log");
  assert.deepEqual(records.map((u) => [u.index, u.offset, u.ut_type, u.ut_user]), [
    [0, 0, "BOOT_TIME", ""],
    [1, 14, "USER_PROCESS", "ann"],
    [2, 216, "DEAD_PROCESS", ""],
  ]);
  assert.deepEqual(file.warnings, [
    {
      kind: "zero-length",
      offset: 11,
      recordIndex: 1,
      reason: "zero record length: skipped 3 bytes to the next length",
    },
    {
      kind: "partial-record",
      offset: 216 + dead!.length,
      recordIndex: 3,
      reason: "file ends 3 bytes into a length-prefixed record",
    },
  ]);
  const strict = new UtmpFile(path, { layout: "freebsd-log", strict: true });
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const u of strict) seen.push(u.ut_type);
  }, (e) => e instanceof UtmpFormatError && e.offset === 11 && e.recordIndex === 1);
  assert.deepEqual(seen, ["BOOT_TIME"]);
});

test("UtmpFile reads a large utx.log across many reads without losing a record", async () => {
  using tmp = tempDir();
  const inputs = Array.from({ length: 20000 }, (_, i) => ({ ...INPUTS[1], ut_pid: i, tv_sec: 1700000000 + i }));
  const bytes = encodeRecords(LAYOUTS["freebsd-log"], inputs);
  assert.ok(bytes.length > 1 << 20);
  const { records, file } = await read(tmp.file("utx.log", bytes));
  assert.equal(records.length, inputs.length);
  assert.ok(
    records.every((u, i) => u.ut_pid === i && u.index === i && u.offset === i * (bytes.length / inputs.length)),
  );
  assert.deepEqual(file.warnings, []);
});

test("UtmpFile reads utx.log's shortest records in chunks of at most CHUNK_BYTES once zero-filled", async () => {
  using tmp = tempDir();
  // 400 000 records of 3 bytes (length 1: a BOOT_TIME type byte, time 0) would be 79 MB as 197-byte records.
  const count = 400000;
  const bytes = new Uint8Array(3 * count);
  for (let i = 0; i < count; i++) bytes.set([0, 1, 1], 3 * i);
  const file = new UtmpFile(tmp.file("utx.log", bytes), { layout: "freebsd-log" });
  let seen = 0;
  for await (const batch of file.batches()) {
    assert.ok(batch.length <= Math.floor(CHUNK_BYTES / 197), `${batch.length} records in one read`);
    assert.ok(batch.every((u, i) => u.ut_type === "BOOT_TIME" && u.offset === 3 * (seen + i)));
    seen += batch.length;
  }
  assert.equal(seen, count);
  assert.deepEqual(file.warnings, []);
});
