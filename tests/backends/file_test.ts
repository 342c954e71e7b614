/**
 * The record cursor (src/backends/file.ts), through the readers built on it:
 * what it does once for all of them — FreeBSD utx.log zero lengths stepped
 * over in one pass, warnings kept up to a cap and counted past it, framed
 * files read backward, and a long loop over quiet local reads still letting
 * the event loop turn. The oracles are the bytes the encoder wrote and the
 * reads the library made.
 */

import assert from "node:assert/strict";
import { UtmpFile, type UtmpWarning } from "../../mod.ts";
import { readBackward } from "../../src/last.ts";
import { FileHistory } from "../../src/sources/_history.ts";
import { encodeRecords, LAYOUTS } from "../../src/layouts/mod.ts";
import { WARNINGS_KEPT } from "../../src/utmp_file.ts";
import { test } from "../_harness.ts";
import { tempDir } from "../_util.ts";
import { bytesRead, countingReads } from "../robustness/_reads.ts";
import { concat } from "../robustness/_fuzz.ts";
import { all } from "../_collect.ts";

const LOG = { layout: "freebsd-log" } as const;

test("UtmpFile steps over 62,500 zero lengths between one-byte records of a utx.log in one pass, counting every one", async () => {
  using tmp = tempDir();
  const good = encodeRecords(LAYOUTS["freebsd-log"], [{ ut_type: "USER_PROCESS", ut_user: "ann", tv_sec: 1 }]);
  // "00 00 01 04": a zero length (one byte stepped over), then a one-byte record (type 4, USER_PROCESS).
  const runs = 62_500;
  const noise = new Uint8Array(4 * runs);
  for (let i = 0; i < runs; i++) noise.set([0, 0, 1, 4], 4 * i);
  const bytes = concat(good, noise, good);
  const file = new UtmpFile(tmp.file("utx.log", bytes), LOG);
  let records = 0;
  const reads = await countingReads(async () => {
    for await (const _ of file) records++;
  });
  // The one-byte records are whole records (the rest zero-filled, as FreeBSD's getutxent does).
  assert.equal(records, 2 + runs);
  assert.equal(file.warningCount, runs);
  assert.equal(file.warnings.length, WARNINGS_KEPT);
  assert.ok(
    file.warnings.every((w) =>
      w.kind === "zero-length" && w.reason === "zero record length: skipped 1 byte to the next length"
    ),
  );
  assert.deepEqual(file.warnings.slice(0, 2).map((w) => w.offset), [good.length, good.length + 4]);
  // One pass over the file: what detection reads, then each byte once (the chunks' ends read again, a frame each).
  assert.ok(bytesRead(reads) < 2 * bytes.length, `${bytesRead(reads)} bytes read of a ${bytes.length}-byte file`);
  assert.ok(reads.length < 40, `${reads.length} reads`);
});

test("UtmpFile keeps the first thousand warnings and counts the rest; rewind() clears both", async () => {
  using tmp = tempDir();
  const count = 3000;
  const records = Array.from(
    { length: count + 2 },
    (_, i) =>
      i === 0 || i === count + 1
        ? { ut_type: "BOOT_TIME" as const, ut_line: "~", ut_user: "reboot", tv_sec: 1700000000 + i }
        : { ut_type_raw: 99, ut_line: "pts/0", ut_user: "x", tv_sec: 1700000000 + i },
  );
  const file = new UtmpFile(tmp.file("wtmp", encodeRecords(LAYOUTS.linux, records)), { layout: "linux" });
  const types: string[] = await all(file, (u) => u.ut_type);
  assert.deepEqual(types, ["BOOT_TIME", "BOOT_TIME"]);
  assert.equal(file.warningCount, count);
  assert.equal(file.warnings.length, WARNINGS_KEPT);
  assert.deepEqual(file.warnings.slice(0, 2).map((w) => w.recordIndex), [1, 2]);
  assert.equal(file.warnings.at(-1)!.recordIndex, WARNINGS_KEPT);
  file.rewind();
  assert.equal(file.warningCount, 0);
  assert.equal(file.warnings.length, 0);
});

test("readBackward() reads a FreeBSD utx.log of many chunks from its last record to its first, as UtmpFile reads it forward, with the same warnings", async () => {
  using tmp = tempDir();
  const layout = LAYOUTS["freebsd-log"];
  // Short frames (a few bytes past the length), so that one read holds several chunks' worth of records;
  // zero lengths between some of them, and a partial record at the end.
  const one = (i: number) =>
    encodeRecords(layout, [{ ut_type: "USER_PROCESS", ut_user: `u${i}`, ut_line: `pts/${i % 9}`, tv_sec: 1e9 + i }]);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < 20000; i++) parts.push(one(i), ...(i % 3001 === 0 ? [new Uint8Array(3)] : []));
  parts.push(Uint8Array.of(0, 90, 7, 1));
  const path = tmp.file("utx.log", concat(...parts));
  const file = new UtmpFile(path, LOG);
  const forward: string[] = await all(file, (u) => `${u.offset} ${u.ut_user}`);
  const warnings: UtmpWarning[] = [];
  const backward: string[] = (await all(
    readBackward(path, { ...LOG, onWarning: (w) => warnings.push(w) }),
    (batch) => batch.map((u) => `${u.offset} ${u.ut_user}`),
  )).flat();
  assert.equal(forward.length, 20000);
  assert.deepEqual(backward, forward.toReversed());
  assert.deepEqual(warnings.map((w) => w.kind), ["zero-length", ...Array(6).fill("zero-length"), "partial-record"]);
  assert.deepEqual(warnings, file.warnings);
  // What last says the file begins with: its first record's time, read through the framing.
  const reader = new FileHistory(path, LOG);
  try {
    assert.equal(await reader.begins(), 1e9);
  } finally {
    await reader.close();
  }
});

test("UtmpFile lets the event loop turn during a long loop over a file read synchronously from the page cache", async () => {
  using tmp = tempDir();
  const records = Array.from({ length: 3000 }, (_, i) => ({
    ut_type: "USER_PROCESS" as const,
    ut_line: "pts/0",
    ut_user: "ann",
    tv_sec: 1700000000 + i,
  }));
  const path = tmp.file("wtmp", encodeRecords(LAYOUTS.linux, records));
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  let seen = 0;
  try {
    for await (const _ of new UtmpFile(path, { layout: "linux" })) {
      // 20 µs of work a record: 60 ms in all, several times what a run of reads may hold the loop for.
      const until = performance.now() + 0.02;
      while (performance.now() < until);
      seen++;
    }
  } finally {
    clearInterval(timer);
  }
  assert.equal(seen, 3000);
  assert.ok(ticks > 0, "a timer ran while the loop went on");
});
