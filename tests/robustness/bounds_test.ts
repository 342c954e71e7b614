/**
 * Rule 4 of issue 9: length and offset fields from the file — FreeBSD
 * utx.log record lengths, lastlog uids, wtmpdb values — never make a reader
 * allocate or read beyond what the file holds. Proven by counting, in this
 * process, every read a `FileHandle` is asked for (where, how much) and
 * the size of the buffers records live in, on crafted files.
 */

import { CHUNK_BYTES } from "../../src/layouts/decode.ts";
import assert from "node:assert/strict";
import { mkdirSync, truncateSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LastlogFile, UtmpFile, UtmpFormatError, type UtmpRecordObject, watch } from "../../mod.ts";
import { wtmpdbRecords, wtmpdbSessions } from "../../src/sources/mod.ts";
import { lastlog2Entries } from "../../src/sources/lastlog2.ts";
import { decodeRecords, encodeRecord, encodeRecords, LAYOUTS } from "../../src/layouts/mod.ts";
import { test } from "../_harness.ts";
import { HAS_SQLITE, sqlite } from "../sources/_build.ts";
import { ours } from "../cli/_run.ts";
import { tempDir } from "../_util.ts";
import { concat, fc, params } from "./_fuzz.ts";
import { bytesRead, countingReads, type Read } from "./_reads.ts";

/** The largest record of any layout: a read may ask for one record past the end, to see the file grow. */
const LARGEST = Math.max(...Object.values(LAYOUTS).map((l) => l.size));

/** No read asked for more than the file holds from its position, plus a length prefix and a record. */
function assertWithin(reads: readonly Read[], fileSize: number): void {
  assert.ok(reads.length > 0, "the file was read");
  for (const r of reads) {
    assert.ok(r.position <= fileSize, `read at ${r.position} of a ${fileSize}-byte file`);
    assert.ok(r.length <= Math.max(0, fileSize - r.position) + 2 + LARGEST, `read of ${r.length} at ${r.position}`);
  }
}

/** A utx.log frame: a big-endian uint16 length, then that many bytes. */
function frame(length: number, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(2 + body.length);
  out[0] = length >> 8;
  out[1] = length & 0xff;
  out.set(body, 2);
  return out;
}

const FREEBSD_LOG = { layout: "freebsd-log", backend: "file" } as const;

test("UtmpFile reads a utx.log whose last length says 65535 bytes without reading or allocating past the file", async () => {
  using tmp = tempDir();
  const boot = encodeRecords(LAYOUTS["freebsd-log"], [{ ut_type: "BOOT_TIME", tv_sec: 1700000000 }]);
  const bytes = concat(boot, frame(0xffff, new Uint8Array(10).fill(7)));
  const path = tmp.file("utx.log", bytes);
  const file = new UtmpFile(path, FREEBSD_LOG);
  const types: string[] = [];
  const reads = await countingReads(async () => {
    for await (const u of file) types.push(u.ut_type);
  });
  assert.deepEqual(types, ["BOOT_TIME"]);
  assert.deepEqual(file.warnings.map((w) => [w.offset, w.reason]), [
    [boot.length, "file ends 12 bytes into a length-prefixed record"],
  ]);
  assertWithin(reads, bytes.length);
  assert.ok(bytesRead(reads) <= 3 * bytes.length);
});

test("UtmpFile and decodeRecords() read a megabyte of 3-byte utx.log frames a chunk at a time, never 197 bytes per frame at once", async () => {
  using tmp = tempDir();
  // 349 525 one-byte records (type 7): each becomes a 197-byte slot; all at once would be 68 MiB.
  const count = Math.floor((1 << 20) / 3);
  const bytes = new Uint8Array(count * 3);
  for (let i = 0; i < count; i++) bytes.set([0, 1, 7], i * 3);
  const path = tmp.file("utx.log", bytes);
  let records = 0;
  const buffers = new Set<ArrayBufferLike>();
  const reads = await countingReads(async () => {
    for await (const batch of new UtmpFile(path, FREEBSD_LOG).batches()) {
      for (const u of batch) {
        records++;
        buffers.add(u.raw!.record.buffer);
      }
    }
  });
  assert.equal(records, count);
  assertWithin(reads, bytes.length);
  for (const b of buffers) assert.ok(b.byteLength <= CHUNK_BYTES + 197, `a ${b.byteLength}-byte chunk`);
  // The in-memory decoder: the same records, a chunk of slots at a time.
  const held = new Set<ArrayBufferLike>();
  let decoded = 0;
  for (const u of decodeRecords(bytes, LAYOUTS["freebsd-log"])) {
    assert.equal(u.offset, decoded * 3);
    assert.equal(u.ut_type, "DEAD_PROCESS");
    held.add(u.raw!.record.buffer);
    decoded++;
  }
  assert.equal(decoded, count);
  for (const b of held) assert.ok(b.byteLength <= CHUNK_BYTES + 197, `a ${b.byteLength}-byte chunk`);
});

test("UtmpFile steps over a megabyte of zero lengths and says so, reading no more than the file", async () => {
  using tmp = tempDir();
  const record = encodeRecords(LAYOUTS["freebsd-log"], [{ ut_type: "USER_PROCESS", ut_user: "ann", tv_sec: 1 }]);
  const bytes = concat(record, new Uint8Array(1 << 20), record);
  const path = tmp.file("utx.log", bytes);
  const file = new UtmpFile(path, FREEBSD_LOG);
  const users: string[] = [];
  const reads = await countingReads(async () => {
    for await (const u of file) users.push(u.ut_user);
  });
  assert.deepEqual(users, ["ann", "ann"]);
  // One run of zeros, reported as stepped over (in as many warnings as chunks it spans), all of it.
  const skipped = file.warnings.map((w) =>
    /^zero record length: skipped (\d+) bytes to the next length$/.exec(w.reason)
  );
  assert.ok(skipped.every((m) => m !== null));
  assert.equal(skipped.reduce((n, m) => n + Number(m![1]), 0), 1 << 20);
  assertWithin(reads, bytes.length);
});

test("LastlogFile.get() and the uids option read nothing for a uid past the end of the file, whatever the uid", async () => {
  using tmp = tempDir();
  const layout = LAYOUTS["lastlog-linux"];
  const bytes = new Uint8Array(3 * layout.size);
  encodeRecord(layout, { ut_line: "pts/1", tv_sec: 1700000000 }, bytes, 2 * layout.size);
  const path = tmp.file("lastlog", bytes);
  const file = new LastlogFile(path, { layout: "lastlog-linux" });
  await file.detect();
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 3, max: 0xffffffff }), async (uid) => {
      const reads = await countingReads(async () => {
        assert.equal(await file.get(uid), undefined);
        assert.equal(await new LastlogFile(path, { layout: "lastlog-linux" }).get(uid), undefined);
        const found = [];
        for await (const e of new LastlogFile(path, { layout: "lastlog-linux", uids: [uid, 2, 0xffffffff] })) {
          found.push(e.uid);
        }
        assert.deepEqual(found, [2]);
      });
      // Only slot 2 was read (twice when the file had just changed: see readSettled): no uid beyond the end.
      assert.ok(reads.length > 0);
      for (const r of reads) assert.deepEqual([r.position, r.length], [2 * layout.size, layout.size]);
    }),
    params(30),
  );
});

test("main() lastlog looks up password-file uids near 2^32 in a small lastlog without reading past it", async () => {
  using tmp = tempDir();
  mkdirSync(join(tmp.dir, "etc"));
  writeFileSync(
    join(tmp.dir, "etc", "passwd"),
    "root:x:0:0::/root:/bin/sh\nnfsnobody:x:4294967294:1::/:/bin/sh\nmax:x:4294967295:1::/:/bin/sh\n",
  );
  const layout = LAYOUTS["lastlog-linux"];
  const path = tmp.file("lastlog", encodeRecord(layout, { ut_line: "tty1", tv_sec: 1700000000 }));
  let ran: Awaited<ReturnType<typeof ours>> | undefined;
  const reads = await countingReads(async () => {
    ran = await ours(["lastlog", "--root", tmp.dir, "--file", path, "--json"]);
  });
  assert.equal(ran!.code, 0);
  assert.deepEqual(JSON.parse(ran!.out).map((e: { uid: number; line: string }) => [e.uid, e.line]), [
    [0, "tty1"],
    [4294967294, ""],
    [4294967295, ""],
  ]);
  // The password file and the lastlog's one slot: nothing at a uid's offset (1.25 TB in).
  for (const r of reads) assert.ok(r.position < 4096, `read at ${r.position}`);
});

/** A value of any of SQLite's types, the extremes most of all. */
const sqlValue = fc.oneof(
  fc.constantFrom("NULL", "0", "-1", "1", "3", "9223372036854775807", "-9223372036854775808", "1e308", "-1e999"),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => String(d)),
  fc.string({ maxLength: 12 }).map((s) => `'${s.replaceAll("'", "''").replaceAll("\0", "")}'`),
  fc.uint8Array({ maxLength: 8 }).map((b) => `x'${Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")}'`),
);

/** The wtmp table without wtmpdb's STRICT, so that any value fits any column, as in a damaged or hostile file. */
const LOOSE_WTMPDB =
  "CREATE TABLE wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT, Login INTEGER, Logout INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT);";

test(
  "wtmpdbRecords(), wtmpdbSessions(), lastlog2Entries() and main() last read any values as records of the contract's types, at most two per row",
  async () => {
    using tmp = tempDir();
    let n = 0;
    const rows = fc.array(fc.array(sqlValue, { minLength: 7, maxLength: 7 }), { minLength: 1, maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(rows, async (values) => {
        const run = n++;
        const path = tmp.file(`wtmp${run}.db`);
        const inserts = values.map((v) =>
          `INSERT OR IGNORE INTO wtmp (Type,User,Login,Logout,TTY,RemoteHost,Service) VALUES(${v.join(",")});`
        );
        sqlite(path, LOOSE_WTMPDB + inserts.join("\n"));
        const history = [];
        try {
          for await (const u of wtmpdbRecords(path)) history.push(checkPlain(u.toJSON()));
          for await (const u of wtmpdbSessions(path)) checkPlain(u.toJSON());
        } catch (error) {
          // A value beyond what a JavaScript number holds in the ID column (the rowid): refused as a format error.
          if (!(error instanceof UtmpFormatError)) throw error;
        }
        assert.ok(history.length <= 2 * values.length, `${history.length} records from ${values.length} rows`);
        const ran = await ours(["last", "-x", "-f", path]);
        assert.ok(ran.code === 0 || /^utmp last: Cannot /.test(ran.err), ran.err);
        assert.doesNotMatch(ran.out, /\b(undefined|NaN)\b/);
        // lastlog2: Name, Time, TTY, RemoteHost, Service from the same values.
        const lastlog2 = tmp.file(`lastlog2-${run}.db`);
        sqlite(
          lastlog2,
          "CREATE TABLE Lastlog2(Name TEXT, Time INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT);" +
            values.map((v) => `INSERT INTO Lastlog2 VALUES(${v.slice(0, 5).join(",")});`).join("\n"),
        );
        let entries = 0;
        for await (const e of lastlog2Entries(lastlog2, { passwd: "/dev/null" })) {
          for (const key of ["user", "line", "host", "service"] as const) assert.equal(typeof e[key], "string");
          assert.ok(e.time instanceof Date);
          entries++;
        }
        assert.equal(entries, values.length);
      }),
      params(40),
    );
  },
  { ignore: !HAS_SQLITE },
);

/** A record from a database: every field of its contract type. */
function checkPlain(u: UtmpRecordObject): UtmpRecordObject {
  for (const key of ["ut_user", "ut_line", "ut_id", "ut_host", "ut_type"] as const) {
    assert.equal(typeof u[key], "string", `${key}: ${JSON.stringify(u)}`);
  }
  assert.ok(Number.isInteger(u.ut_tv.tv_sec) && Number.isInteger(u.ut_tv.tv_usec), JSON.stringify(u.ut_tv));
  assert.ok(Number.isInteger(u.ut_type_raw), `ut_type_raw ${u.ut_type_raw}`);
  return u;
}

for (const future of [false, true]) {
  test(`watch() slots over a 4 GB sparse utmp ${future ? "changed in 2100 " : ""}compares its first 64 MiB once, says so, and reads nothing while it stays`, async () => {
    using t = tempDir();
    const path = t.file(
      "utmp",
      encodeRecord(LAYOUTS.linux, {
        ut_type: "USER_PROCESS",
        ut_user: "alice",
        ut_line: "pts/0",
        tv_sec: 1700000000,
      }),
    );
    truncateSync(path, 384 * 11_184_811); // 4 GB of glibc slots
    // Last changed more than a second ago (a look within the second of a change reads again: the same clock tick),
    // or set to a time to come, which no write makes (it defeated the rule: every look read the file again).
    if (future) utimesSync(path, new Date("2100-01-01"), new Date("2100-01-01"));
    else await new Promise((resolve) => setTimeout(resolve, 1100));
    const controller = new AbortController();
    const events = watch(path, { mode: "slots", interval: 20, signal: controller.signal, from: "start" });
    const users: string[] = [];
    const reads = await countingReads(async () => {
      const reading = (async () => {
        for await (const e of events) users.push(e.record.ut_user);
      })();
      await events.ready;
      // Some 20 looks: before, each compared every slot of the 4 GB (half a core, forever).
      await new Promise((resolve) => setTimeout(resolve, 400));
      controller.abort();
      await reading;
    });
    assert.deepEqual(users, ["alice"]);
    const compared = 64 * 2 ** 20;
    assert.ok(bytesRead(reads) <= compared + CHUNK_BYTES, `${bytesRead(reads)} bytes read`);
    assert.deepEqual(events.warnings.map((w) => [w.kind, w.offset]), [["sparse", Math.floor(compared / 384) * 384]]);
  });
}
