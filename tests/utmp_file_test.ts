/**
 * UtmpFile: iteration, position, release, warnings, strict mode, errors and
 * layout detection, on real fixtures and files written by `utmpdump -r`.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import process from "node:process";
import { UtmpFile, UtmpFileError, UtmpFormatError } from "../mod.ts";
import { encodeRecord, encodeRecords, LAYOUTS } from "../src/layouts/mod.ts";
import { all, collect } from "./_collect.ts";
import { test } from "./_harness.ts";
import { FIXTURES, parseDumpLine, readableCopy, tempDir, TESTS_DIR, utmpdump, utmpdumpReverse } from "./_util.ts";

const plaso = (name: string) => join(FIXTURES, "plaso", name);

/** How many of this process's file descriptors are open on `path` (Linux). */
function fdsOn(path: string): number {
  let n = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

/** A private copy of a fixture, so counting descriptors on it is not disturbed by tests running in parallel. */
function privateCopy(tmp: ReturnType<typeof tempDir>, path: string): string {
  return tmp.file("copy", readFileSync(path));
}

const onLinux = { ignore: process.platform !== "linux" };

test("UtmpFile yields every record of a fixture in file order, as utmpdump does", async () => {
  const path = plaso("utmp");
  const { records, warnings, layout } = await collect(path);
  const oracle = utmpdump(path).map(parseDumpLine);
  assert.equal(layout, "linux");
  assert.deepEqual(warnings, []);
  assert.deepEqual(
    records.map((r) => [r.ut_pid, r.ut_user, r.ut_tv.tv_sec]),
    oracle.map((o) => [o.pid, o.user, o.tv_sec]),
  );
  // plaso tests/parsers/utmp.py: event 12 is "moxilo" at 2013-12-18T22:46:56.305504Z.
  assert.equal(records[12]!.ut_user, "moxilo");
  assert.deepEqual(records[12]!.ut_tv, { tv_sec: Date.UTC(2013, 11, 18, 22, 46, 56) / 1000, tv_usec: 305504 });
});

test("UtmpFile reports a trailing partial record as a warning after every whole record", async () => {
  // plaso wtmp.1: 4 records + 1 stray byte; plaso expects 4 events, event 0 "userA" on pts/32.
  const { records, warnings } = await collect(plaso("wtmp.1"));
  assert.equal(records.length, 4);
  assert.equal(records[0]!.ut_user, "userA");
  assert.equal(records[0]!.ut_line, "/dev/pts/32");
  assert.equal(records[0]!.ut_addr_text, "10.10.122.1");
  assert.deepEqual(warnings, [
    { kind: "partial-record", offset: 1536, recordIndex: 4, reason: "file ends 1 byte into a 384-byte record" },
  ]);
});

test("UtmpFile skips records with an impossible type and records a warning for each", async () => {
  // plaso utmp_corrupted: records 1 and 2 have ut_type 99 (plaso warns at 0x180 and 0x300); 50 bytes of tail.
  const { records, warnings, layout } = await collect(plaso("utmp_corrupted"));
  assert.equal(layout, "linux");
  assert.deepEqual(records.map((r) => r.ut_user), ["alice", "bob"]);
  assert.equal(records[1]!.offset, 1152);
  assert.equal(records[1]!.ut_addr_text, "10.0.0.5");
  assert.deepEqual(warnings.map((w) => [w.offset, w.recordIndex]), [[0x180, 1], [0x300, 2], [1536, 4]]);
  assert.match(warnings[0]!.reason, /impossible ut_type 99/);
});

test("UtmpFile with keepInvalid yields impossible records as UNKNOWN, as utmpdump shows them", async () => {
  const path = plaso("utmp_corrupted");
  const { records } = await collect(path, { keepInvalid: true });
  const oracle = utmpdump(path).map(parseDumpLine);
  assert.deepEqual(records.map((r) => r.ut_type_raw), oracle.map((o) => o.type));
  assert.deepEqual(records.map((r) => r.ut_type), ["USER_PROCESS", "UNKNOWN", "UNKNOWN", "USER_PROCESS"]);
});

test("UtmpFile in strict mode throws UtmpFormatError at the first bad record, after the good ones", async () => {
  const file = new UtmpFile(plaso("utmp_corrupted"), { strict: true });
  const seen: string[] = [];
  await assert.rejects(
    async () => {
      for await (const u of file) seen.push(u.ut_user);
    },
    (e) => {
      assert.ok(e instanceof UtmpFormatError);
      assert.equal(e.offset, 384);
      assert.equal(e.recordIndex, 1);
      assert.equal(e.layout, "linux");
      assert.match(
        e.message,
        /^Cannot decode record 1 of ".*utmp_corrupted" at byte offset 384: impossible ut_type 99/,
      );
      return true;
    },
  );
  assert.deepEqual(seen, ["alice"]);
});

test("UtmpFile in strict mode throws at a partial tail", async () => {
  const file = new UtmpFile(plaso("wtmp.1"), { strict: true });
  let n = 0;
  await assert.rejects(async () => {
    for await (const _ of file) n++;
  }, (e) => e instanceof UtmpFormatError && e.offset === 1536 && e.recordIndex === 4);
  assert.equal(n, 4);
});

test("UtmpFile releases the file when a loop breaks, and the next loop continues after it", async () => {
  using tmp = tempDir();
  const path = privateCopy(tmp, plaso("utmp"));
  const file = new UtmpFile(path);
  const first: number[] = [];
  for await (const u of file) {
    first.push(u.index);
    assert.equal(fdsOn(path), 1);
    if (first.length === 3) break;
  }
  assert.equal(fdsOn(path), 0);
  const rest: number[] = await all(file, (u) => u.index);
  assert.deepEqual(first, [0, 1, 2]);
  assert.deepEqual(rest, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  assert.equal(fdsOn(path), 0);
}, onLinux);

test("UtmpFile releases the file when the loop body throws", async () => {
  using tmp = tempDir();
  const path = privateCopy(tmp, plaso("utmp"));
  await assert.rejects(async () => {
    for await (const _ of new UtmpFile(path)) {
      assert.equal(fdsOn(path), 1);
      throw new Error("boom");
    }
  }, /boom/);
  assert.equal(fdsOn(path), 0);
}, onLinux);

test("UtmpFile.rewind() starts again from the top and clears the warnings", async () => {
  const file = new UtmpFile(plaso("wtmp.1"));
  const a: number[] = await all(file, (u) => u.ut_pid);
  assert.equal(file.warnings.length, 1);
  const again: number[] = await all(file, (u) => u.ut_pid);
  assert.deepEqual(again, [], "a finished file yields nothing more until rewound");
  file.rewind();
  assert.deepEqual(file.warnings, []);
  const b: number[] = await all(file, (u) => u.ut_pid);
  assert.deepEqual(b, a);
  assert.equal(file.warnings.length, 1);
});

test("UtmpFile.close() is idempotent and await using releases the file", async () => {
  using tmp = tempDir();
  const path = privateCopy(tmp, plaso("utmp"));
  {
    await using file = new UtmpFile(path);
    const it = file[Symbol.asyncIterator]();
    assert.equal((await it.next()).value?.index, 0);
    assert.equal(fdsOn(path), 1);
    await file.close();
    await file.close();
    assert.equal(fdsOn(path), 0);
    assert.equal((await it.next()).value?.index, 1, "a closed file continues where it stopped");
  }
  assert.equal(fdsOn(path), 0);
}, onLinux);

test("UtmpFile.detect() leaves nothing open outside a loop, and keeps a running loop's file open", async () => {
  using tmp = tempDir();
  const path = privateCopy(tmp, plaso("utmp"));
  const file = new UtmpFile(path);
  assert.equal((await file.detect()).layout.name, "linux");
  assert.equal(fdsOn(path), 0);
  for await (const u of file) {
    assert.equal(u.index, 0, "detecting does not move the position");
    await file.detect();
    assert.equal(fdsOn(path), 1);
    break;
  }
  assert.equal(fdsOn(path), 0);
}, onLinux);

test("UtmpFile.batches() yields the records in arrays, continuing where for await stopped", async () => {
  const file = new UtmpFile(plaso("utmp"));
  for await (const u of file) if (u.index === 4) break;
  const rest: number[] = (await all(file.batches(), (batch) => batch.map((u) => u.index))).flat();
  assert.deepEqual(rest, [5, 6, 7, 8, 9, 10, 11, 12, 13]);
});

test("UtmpFile in two interleaved loops gives each record to exactly one of them", async () => {
  const file = new UtmpFile(plaso("utmp"));
  const a = file[Symbol.asyncIterator]();
  const b = file[Symbol.asyncIterator]();
  const seen: number[] = [];
  for (;;) {
    const [x, y] = await Promise.all([a.next(), b.next()]);
    if (!x.done) seen.push(x.value.index);
    if (!y.done) seen.push(y.value.index);
    if (x.done && y.done) break;
  }
  assert.deepEqual(seen.sort((p, q) => p - q), [...Array(14).keys()]);
});

test("UtmpFile detects the 400-byte and big-endian layouts by content", async () => {
  // plaso utmp_aarch64 (400 LE) and utmp_s390 (400 BE) hold the same record set; MANIFEST.md states
  // record 1: DEAD_PROCESS, tty2, id "t2"; aarch64 pid 18, 4.3.2.1; s390 pid 32, 1.2.3.4.
  const arm = new UtmpFile(plaso("utmp_aarch64"));
  const s390 = new UtmpFile(plaso("utmp_s390"));
  const a = (await collect(plaso("utmp_aarch64"))).records;
  const s = (await collect(plaso("utmp_s390"))).records;
  assert.equal((await arm.detect()).layout.name, "linux64");
  assert.equal((await s390.detect()).layout.name, "linux64-be");
  assert.equal(arm.detection?.confidence, 1);
  assert.deepEqual([a[1]!.ut_type, a[1]!.ut_pid, a[1]!.ut_line, a[1]!.ut_id, a[1]!.ut_addr_text], [
    "DEAD_PROCESS",
    18,
    "/dev/tty2",
    "t2",
    "4.3.2.1",
  ]);
  assert.equal(a[1]!.ut_time.toISOString(), "2026-07-03T14:57:58.000Z");
  assert.deepEqual([s[1]!.ut_type, s[1]!.ut_pid, s[1]!.ut_line, s[1]!.ut_id, s[1]!.ut_addr_text], [
    "DEAD_PROCESS",
    32,
    "/dev/tty2",
    "t2",
    "1.2.3.4",
  ]);
  assert.equal(s[1]!.ut_time.toISOString(), "2026-07-04T05:00:25.000Z");
  // The utmpdump-derived twin shows record 2's stored line is the text "system boot": not a device.
  assert.deepEqual([a[2]!.ut_user, a[2]!.ut_line, a[2]!.ut_id, a[2]!.ut_host], [
    "reboot",
    "system boot",
    "~",
    "0.0.0.0",
  ]);
  assert.deepEqual([a[5]!.ut_type, a[5]!.ut_line, a[5]!.ut_id, a[5]!.ut_user], ["NEW_TIME", "}", "~~", "date"]);
});

test("UtmpFile reads the same records from one set written in all four Linux layouts", async () => {
  using tmp = tempDir();
  const inputs = [
    {
      ut_type: "BOOT_TIME",
      ut_line: "~",
      ut_id: "~~",
      ut_user: "reboot",
      ut_host: "6.1.0",
      tv_sec: 1700000000,
      tv_usec: 1,
    },
    {
      ut_type: "USER_PROCESS",
      ut_pid: 77,
      ut_line: "pts/7",
      ut_id: "ts/7",
      ut_user: "frank",
      ut_host: "2001:db8::7",
      ut_session: 77,
      tv_sec: 4000000000,
      tv_usec: 999999,
      ut_addr: [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7],
    },
    {
      ut_type: "DEAD_PROCESS",
      ut_pid: 77,
      ut_line: "pts/7",
      ut_id: "ts/7",
      e_termination: 1,
      e_exit: 2,
      tv_sec: 4000000100,
    },
  ] as const;
  const results = [];
  for (const name of ["linux", "linux-be", "linux64", "linux64-be"] as const) {
    const path = tmp.file(name, encodeRecords(LAYOUTS[name], inputs));
    const { records, layout } = await collect(path);
    assert.equal(layout, name);
    results.push(records.map(({ layout: _l, offset: _o, ...rest }) => rest));
  }
  for (const r of results.slice(1)) assert.deepEqual(r, results[0]);
  assert.equal(results[0]![1]!.ut_addr_text, "2001:db8::7");
  assert.equal(results[0]![1]!.ut_time.toISOString(), "2096-10-02T07:06:40.999Z");
});

test("UtmpFile asks for the layout option when two layouts fit a file equally", async () => {
  using tmp = tempDir();
  // One record with only strings set: type 0 reads the same in both byte orders.
  const path = tmp.file("ambiguous", encodeRecord(LAYOUTS.linux, { ut_line: "tty1", ut_user: "x" }));
  await assert.rejects(
    () => new UtmpFile(path).detect(),
    (e) =>
      e instanceof UtmpFormatError &&
      /Cannot tell the layout of .*"linux" and "linux-be" fit equally; pass the layout option/.test(e.message),
  );
  assert.equal((await collect(path, { layout: "linux-be" })).records[0]!.ut_user, "x");
});

test("UtmpFile refuses to guess the layout of garbage", async () => {
  // s4 host-entry1_all_0xFF: one record of 0xFF bytes (type -1 in every layout).
  const path = join(FIXTURES, "s4", "programs", "utmp", "host-entry1_all_0xFF.wtmp");
  await assert.rejects(
    () => collect(path),
    (e) => e instanceof UtmpFormatError && /pass the layout option/.test(e.message),
  );
  const { records, warnings } = await collect(path, { layout: "linux" });
  assert.deepEqual(records, []);
  assert.deepEqual(warnings, [
    { kind: "impossible-type", offset: 0, recordIndex: 0, reason: 'impossible ut_type -1 for layout "linux"' },
  ]);
});

test("UtmpFile reads an empty file and a one-byte file as no records", async () => {
  const empty = await collect(join(FIXTURES, "utmp-rs", "empty.utmp"));
  assert.deepEqual([empty.records, empty.warnings], [[], []]);
  const one = await collect(join(FIXTURES, "s4", "programs", "utmp", "one-byte.wtmp"));
  assert.deepEqual(one.records, []);
  assert.deepEqual(one.warnings, [
    { kind: "partial-record", offset: 0, recordIndex: 0, reason: "file ends 1 byte into a 384-byte record" },
  ]);
});

test("UtmpFile streams: the first record of a 16 GiB sparse file arrives without reading the file", async () => {
  using tmp = tempDir();
  const path = tmp.file("huge");
  const fd = openSync(path, "w");
  writeSync(
    fd,
    encodeRecord(LAYOUTS.linux, { ut_type: "BOOT_TIME", ut_user: "reboot", ut_line: "~", tv_sec: 1 }),
    0,
    384,
    0,
  );
  writeSync(fd, new Uint8Array(1), 0, 1, 16 * 2 ** 30 - 1); // apparent size 16 GiB, nothing allocated
  closeSync(fd);
  const rss = process.memoryUsage().rss;
  // One record cannot tell 384 from 400 bytes, so the layout is given.
  for await (const u of new UtmpFile(path, { layout: "linux" })) {
    assert.equal(u.ut_type, "BOOT_TIME");
    break;
  }
  assert.ok(process.memoryUsage().rss - rss < 64 * 2 ** 20, "reading one record must not load the file");
});

test("UtmpFile fails on a missing file with ENOENT naming the path", async () => {
  await assert.rejects(() => collect("/nonexistent/dir/wtmp"), (e) => {
    assert.ok(e instanceof UtmpFileError);
    assert.equal(e.code, "ENOENT");
    assert.equal(e.path, "/nonexistent/dir/wtmp");
    assert.equal(e.message, 'Cannot open "/nonexistent/dir/wtmp": no such file (ENOENT); check the path');
    return true;
  });
});

test("UtmpFile fails on a path holding a NUL byte with EINVAL, as the system would", async () => {
  await assert.rejects(() => collect("/var/log/wtmp\0.old"), (e) => {
    assert.ok(e instanceof UtmpFileError);
    assert.equal(e.code, "EINVAL");
    assert.equal(e.path, "/var/log/wtmp\0.old");
    assert.equal(e.message, 'Cannot open "/var/log/wtmp\\0.old": the path contains a NUL byte (EINVAL)');
    return true;
  });
});

test("UtmpFile() says plainly when the system keeps no utmp", async () => {
  await assert.rejects(() => collect(undefined as unknown as string), (e) => {
    assert.ok(e instanceof UtmpFileError);
    assert.equal(e.code, "ENOENT");
    assert.match(e.message, /^Cannot open "\/var\/run\/utmp": no such file \(ENOENT\); this system keeps no utmp file/);
    return true;
  });
}, { ignore: process.platform !== "linux" || existsSync("/var/run/utmp") });

test("UtmpFile fails on a directory with EISDIR and on a FIFO with EFTYPE, without blocking", async () => {
  using tmp = tempDir();
  await assert.rejects(
    () => collect(tmp.dir),
    (e) => e instanceof UtmpFileError && e.code === "EISDIR" && e.path === tmp.dir,
  );
  const fifo = join(tmp.dir, "fifo");
  spawnSync("mkfifo", [fifo]);
  await assert.rejects(
    () => collect(fifo),
    (e) => e instanceof UtmpFileError && e.code === "EFTYPE" && /a FIFO/.test(e.message),
  );
  await assert.rejects(() => collect("/dev/zero"), (e) => e instanceof UtmpFileError && e.code === "EFTYPE");
}, onLinux);

/** How to run a script file in this runtime. */
function runtimeArgs(script: string): string[] {
  if ("Deno" in globalThis) return ["run", "-A", "--no-lock", script];
  return [script];
}

test("UtmpFile fails on a file it may not read with EACCES naming the path", () => {
  using tmp = tempDir();
  chmodSync(tmp.dir, 0o755);
  const btmp = utmpdumpReverse(
    "[6] [00001] [    ] [root    ] [ssh:notty   ] [10.0.0.9            ] [10.0.0.9       ] [2023-01-01T00:00:00,000000+00:00]\n",
    tmp.file("btmp"),
  );
  chmodSync(btmp, 0o600); // as btmp is on real systems
  // nobody imports a copy it can read: the checkout may be in a directory only its owner enters.
  using copy = readableCopy();
  const modUrl = pathToFileURL(join(copy.root, "mod." + (import.meta.url.endsWith(".ts") ? "ts" : "js"))).href;
  const script = tmp.file(
    "probe.mjs",
    `const { UtmpFile } = await import(${JSON.stringify(modUrl)});
       try { for await (const _ of new UtmpFile(${JSON.stringify(btmp)})) {} console.log("read"); }
       catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, path: e.path, message: e.message })); }`,
  );
  chmodSync(tmp.dir, 0o777);
  const out = spawnSync(
    "setpriv",
    ["--reuid=nobody", "--regid=nogroup", "--clear-groups", process.execPath, ...runtimeArgs(script)],
    { encoding: "utf8", env: { ...process.env, DENO_DIR: join(tmp.dir, "deno-cache"), HOME: tmp.dir } },
  );
  const result = JSON.parse(out.stdout.trim().split("\n").at(-1)!);
  assert.deepEqual(result, {
    name: "UtmpFileError",
    code: "EACCES",
    path: btmp,
    message:
      `Cannot open "${btmp}": permission denied (EACCES); run as a user allowed to read it (btmp is usually readable by root only)`,
  });
  assert.equal(readFileSync(btmp).length, 384, "root still reads it");
}, { ignore: process.platform !== "linux" || process.getuid?.() !== 0 });

test("UtmpFile iterated a second time goes on where the first loop stopped: nothing after a whole pass, all after rewind(), as the README says", async () => {
  const path = join(FIXTURES, "utmp-rs", "with_host_32.utmp");
  const expected = utmpdump(path).length;
  const file = new UtmpFile(path);
  let first = 0, second = 0, again = 0;
  for await (const _ of file) first++;
  for await (const _ of file) second++;
  file.rewind();
  for await (const _ of file) again++;
  await file.close();
  assert.deepEqual([first, second, again], [expected, 0, expected]);
  const readme = readFileSync(join(TESTS_DIR, "..", "README.md"), "utf8");
  assert.match(readme, /a second loop goes on where the last stopped: after a whole pass, nothing/);
});
