/**
 * The libc backend's per-libc logic (FORMATS.md §15): how each C library
 * selects a file, what it refuses, that `endutxent()` always runs, and
 * records read through stand-ins for macOS, FreeBSD and NetBSD built from
 * real files of those systems (the conversion each libc does, at the
 * documented offsets), checked against the values their own tools showed.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LibcUnavailableError } from "../../mod.ts";
import { libcCandidates } from "../../src/ffi/libc_path.ts";
import { FfiSource } from "../../src/backends/ffi.ts";
import { LIBC_SYMBOLS, linkName, UTXDB } from "../../src/ffi/symbols.ts";
import { openFirst, readUtmpx } from "../../src/ffi/utmpx.ts";
import { libcProfile } from "../../src/backends/_libc_profile.ts";
import { LAYOUTS } from "../../src/layouts/mod.ts";
import { test } from "../_harness.ts";
import { FIXTURES, tempDir } from "../_util.ts";
import { collect } from "../_collect.ts";
import { drain, fakeFfi, fakeLibc } from "./_fake.ts";
import type { UtmpRecordObject } from "../../mod.ts";

/** Records without the fields a converting libc cannot keep (the layout name; offsets of unframed records). */
function except(records: UtmpRecordObject[], ...keys: (keyof UtmpRecordObject)[]): Partial<UtmpRecordObject>[] {
  return records.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !keys.includes(k as never))));
}

const encoder = new TextEncoder();
const glibc = libcProfile("linux", "x64")!;
const macos = libcProfile("darwin", "arm64")!;
const freebsd = libcProfile("freebsd", "x64")!;
const netbsd = libcProfile("netbsd", "x64")!;
const illumos = libcProfile("illumos", "x64")!;

/** A struct of `size` bytes whose first byte is `n`. */
function rec(size: number, n: number): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes[0] = n;
  return bytes;
}

const NO_HEAD = new Uint8Array(0);

test(
  "libcProfile() gives each system's in-memory struct and file record size, none where there is no utmpx API",
  () => {
    const sizes = (os: string, arch: string) => {
      const p = libcProfile(os, arch);
      return p === undefined ? undefined : [p.libc, p.layout.size, p.fileRecordSize];
    };
    // FORMATS.md §15.1 sizeof and §0 file records.
    assert.deepEqual(sizes("linux", "x64"), ["glibc", 384, 384]);
    assert.deepEqual(sizes("linux", "arm64"), ["glibc", 400, 400]);
    assert.deepEqual(sizes("darwin", "arm64"), ["macos", 640, 628]);
    assert.deepEqual(sizes("darwin", "x64"), ["macos", 640, 628]);
    assert.deepEqual(sizes("freebsd", "x64"), ["freebsd", 280, 197]);
    assert.deepEqual(sizes("netbsd", "x64"), ["netbsd", 520, 520]);
    assert.deepEqual(sizes("illumos", "x64"), ["illumos", 384, 372]);
    assert.deepEqual(sizes("sunos", "x64"), ["illumos", 384, 372]);
    assert.equal(libcProfile("linux", "x64")!.layout, LAYOUTS.linux);
    // No utmpx functions (OpenBSD), no libc backend (Windows), or a struct not tabled (32-bit BSD).
    for (const [os, arch] of [["openbsd", "x64"], ["win32", "x64"], ["freebsd", "ia32"], ["netbsd", "ia32"]]) {
      assert.equal(libcProfile(os!, arch!), undefined, `${os} ${arch}`);
    }
  },
  { permissions: "none" },
);

test("LIBC_SYMBOLS binds getutxent as __getutxent50 on NetBSD and selects files with utmpxname or setutxdb", () => {
  assert.deepEqual(Object.keys(LIBC_SYMBOLS), ["setutxent", "getutxent", "endutxent", "utmpxname", "setutxdb"]);
  assert.equal(linkName("netbsd", "getutxent"), "__getutxent50");
  for (const os of ["linux", "darwin", "freebsd", "illumos"]) assert.equal(linkName(os, "getutxent"), "getutxent");
  for (const name of ["setutxent", "endutxent", "utmpxname"] as const) assert.equal(linkName("netbsd", name), name);
  // One of the two selectors exists in each libc, so both are optional; the rest must bind.
  assert.deepEqual(
    Object.entries(LIBC_SYMBOLS).filter(([, d]) => "optional" in d).map(([n]) => n),
    ["utmpxname", "setutxdb"],
  );
  assert.deepEqual(LIBC_SYMBOLS.setutxdb.parameters, ["i32", "buffer"]);
  assert.deepEqual(UTXDB, { ACTIVE: 0, LASTLOGIN: 1, LOG: 2 });
}, { permissions: "none" });

test("libcCandidates() tries UTMP_LIBC_PATH first, then each system's libc", () => {
  assert.deepEqual(libcCandidates({ os: "linux", env: {} }), ["libc.so.6"]);
  assert.deepEqual(libcCandidates({ os: "darwin", env: {} }), ["/usr/lib/libSystem.B.dylib"]);
  assert.deepEqual(libcCandidates({ os: "freebsd", env: {} }), ["libc.so.7", "/lib/libc.so.7"]);
  assert.deepEqual(libcCandidates({ os: "netbsd", env: {} }), ["libc.so.12", "/usr/lib/libc.so.12"]);
  assert.deepEqual(libcCandidates({ os: "illumos", env: {} }), ["libc.so.1"]);
  assert.deepEqual(libcCandidates({ os: "openbsd", env: {} }), []);
  assert.deepEqual(libcCandidates({ os: "linux", env: { UTMP_LIBC_PATH: "libc.so.6" } }), ["libc.so.6"]);
  assert.deepEqual(libcCandidates({ os: "linux", env: { UTMP_LIBC_PATH: "" } }), ["libc.so.6"]);
  assert.deepEqual(libcCandidates({ os: "darwin", env: { UTMP_LIBC_PATH: "/x/libc.dylib" } }), [
    "/x/libc.dylib",
    "/usr/lib/libSystem.B.dylib",
  ]);
}, { permissions: "none" });

test("openFirst() lists every candidate tried, and passes a permission denial through", () => {
  const fail = (path: string): never => {
    throw new Error(`${path}: cannot open shared object file`);
  };
  assert.throws(() => openFirst(["/a/libc.so", "/b/libc.so"], fail), (e) => {
    assert.ok(e instanceof LibcUnavailableError);
    assert.deepEqual(e.candidates, ["/a/libc.so", "/b/libc.so"]);
    assert.equal(
      e.message,
      'Cannot load the C library: tried "/a/libc.so", "/b/libc.so": /b/libc.so: cannot open shared object file; set UTMP_LIBC_PATH to the library or use backend "file"',
    );
    assert.ok(e.cause instanceof Error);
    return true;
  });
  const denied = Object.assign(new Error('Requires ffi access to "libc.so.6", run again with the --allow-ffi flag'), {
    name: "NotCapable",
  });
  assert.throws(() =>
    openFirst(["libc.so.6"], () => {
      throw denied;
    }), (e) => e === denied);
  const { lib } = fakeLibc({ records: () => [] });
  assert.equal(openFirst(["/a", "/b"], (p) => p === "/b" ? lib : fail(p)), lib);
}, { permissions: "none" });

test(
  "readUtmpx() on glibc selects the file, rewinds, copies every record, then ends and selects the default again",
  () => {
    const records = [rec(384, 1), rec(384, 2), rec(384, 3)];
    const { lib, calls } = fakeLibc({ records: () => records.map((r) => r.slice()), utmpxname: () => 0 });
    const snap = readUtmpx(lib, glibc, { path: "/tmp/wtmp", head: NO_HEAD, defaultPath: "/var/run/utmp" });
    assert.deepEqual(calls, [
      "utmpxname /tmp/wtmp",
      "setutxent",
      "getutxent",
      "getutxent",
      "getutxent",
      "getutxent",
      "endutxent",
      "utmpxname /var/run/utmp",
    ]);
    assert.deepEqual([snap.count, snap.firstIndex, snap.fileStride, snap.bytes.length], [3, 0, 384, 3 * 384]);
    assert.deepEqual([snap.bytes[0], snap.bytes[384], snap.bytes[768]], [1, 2, 3]);
  },
  { permissions: "none" },
);

test("readUtmpx() grows its buffer past 16 records without losing any", () => {
  const records = Array.from({ length: 40 }, (_, i) => rec(384, i));
  const { lib } = fakeLibc({ records: () => records.map((r) => r.slice()), utmpxname: () => 0 });
  const snap = readUtmpx(lib, glibc, { path: "/var/run/utmp", head: NO_HEAD, defaultPath: "/var/run/utmp" });
  assert.equal(snap.count, 40);
  assert.deepEqual(Array.from({ length: 40 }, (_, i) => snap.bytes[i * 384]), records.map((r) => r[0]));
}, { permissions: "none" });

test("readUtmpx() calls endutxent() when getutxent() throws", () => {
  const { lib, calls } = fakeLibc({ records: () => [rec(384, 1), rec(384, 2)], utmpxname: () => 0, throwAt: 1 });
  assert.throws(
    () => readUtmpx(lib, glibc, { path: "/tmp/x", head: NO_HEAD, defaultPath: "/var/run/utmp" }),
    /getutxent failed/,
  );
  assert.deepEqual(calls.slice(-2), ["endutxent", "utmpxname /var/run/utmp"]);
}, { permissions: "none" });

test("readUtmpx() tells musl's stub utmpxname() (-1) apart from glibc's and reports it as LibcUnavailableError", () => {
  // musl src/legacy/utmpx.c: utmpxname returns -1 (ENOTSUP); getutxent returns NULL.
  const { lib, calls } = fakeLibc({ records: () => [], utmpxname: () => -1 });
  assert.throws(
    () => readUtmpx(lib, glibc, { path: "/var/run/utmp", head: NO_HEAD, defaultPath: "/var/run/utmp" }),
    (e) => e instanceof LibcUnavailableError && /as musl's stubs do/.test(e.message) && e.candidates[0] === lib.path,
  );
  assert.deepEqual(calls, ["utmpxname /var/run/utmp", "endutxent"]);
}, { permissions: "none" });

test("readUtmpx() on macOS, NetBSD and illumos reports a name utmpxname() rejects (returns 0)", () => {
  for (const profile of [macos, netbsd, illumos]) {
    // The name must end in "x" (FORMATS.md §15.4); the stand-in answers as those libcs do.
    const { lib, calls } = fakeLibc({ records: () => [], utmpxname: (p) => Number(p.endsWith("x")) });
    const head = profile === macos ? signature(628, 296) : profile === netbsd ? signature(520, 326) : NO_HEAD;
    assert.throws(
      () => readUtmpx(lib, profile, { path: "/var/log/wtmp", head, defaultPath: "/var/run/utmpx" }),
      (e) =>
        e instanceof LibcUnavailableError &&
        e.message ===
          `Cannot read login records through "libfake.so.1": utmpxname() rejected "/var/log/wtmp" (this C library accepts only names ending in "x" and shorter than its limit); use backend "file"`,
      profile.libc,
    );
    assert.ok(!calls.includes("setutxent") && !calls.includes("getutxent"), profile.libc);
    assert.equal(calls.at(-2), "endutxent");
  }
}, { permissions: "none" });

/** A file's first record holding the utmpx signature ("utmpx-1.00", type 10 at `typeOffset`). */
function signature(size: number, typeOffset: number): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set(encoder.encode("utmpx-1.00"));
  bytes[typeOffset] = 10;
  return bytes;
}

test("readUtmpx() on macOS and NetBSD refuses a file without a signature record before touching libc", () => {
  // NetBSD's getutxent fcloses without clearing its FILE * on a bad signature; macOS returns NULL (EINVAL).
  for (const profile of [macos, netbsd]) {
    const { lib, calls } = fakeLibc({ records: () => [rec(profile.layout.size, 1)], utmpxname: () => 1 });
    const rotated = new Uint8Array(profile.fileRecordSize); // a wtmpx re-created by log rotation
    rotated[profile.signatureTypeOffset!] = 2;
    assert.throws(
      () => readUtmpx(lib, profile, { path: "/var/log/wtmpx", head: rotated, defaultPath: "/var/run/utmpx" }),
      (e) => e instanceof LibcUnavailableError && /does not start with the utmpx signature record/.test(e.message),
    );
    assert.deepEqual(calls, [], profile.libc);
    const ok = readUtmpx(lib, profile, {
      path: "/var/log/wtmpx",
      head: signature(profile.fileRecordSize, profile.signatureTypeOffset!),
      defaultPath: "/var/run/utmpx",
    });
    assert.deepEqual([ok.count, ok.firstIndex], [1, 1], profile.libc);
  }
}, { permissions: "none" });

test("readUtmpx() on FreeBSD selects with setutxdb() by file name and never calls setutxent()", () => {
  const cases = [
    ["/var/run/utx.active", UTXDB.ACTIVE, 197],
    ["/var/log/utx.lastlogin", UTXDB.LASTLOGIN, 197],
    ["/backup/utx.log.0", UTXDB.LOG, undefined],
  ] as const;
  for (const [path, type, stride] of cases) {
    const { lib, calls } = fakeLibc({ records: () => [rec(280, 4)], setutxdb: () => 0 });
    const snap = readUtmpx(lib, freebsd, { path, head: NO_HEAD, defaultPath: "/var/run/utx.active" });
    // setutxent() would reopen utx.active (it is setutxdb(UTXDB_ACTIVE, NULL)), so it is never called.
    assert.deepEqual(calls, [`setutxdb ${type} ${path}`, "getutxent", "getutxent", "endutxent"]);
    assert.deepEqual([snap.count, snap.fileStride], [1, stride]);
  }
  const { lib, calls } = fakeLibc({ records: () => [], setutxdb: () => -1 });
  assert.throws(
    () => readUtmpx(lib, freebsd, { path: "/tmp/utx.active", head: NO_HEAD, defaultPath: "/var/run/utx.active" }),
    (e) => e instanceof LibcUnavailableError && /setutxdb\(\) refused "\/tmp\/utx.active"/.test(e.message),
  );
  assert.deepEqual(calls, ["setutxdb 0 /tmp/utx.active", "endutxent"]);
}, { permissions: "none" });

// --- Records through stand-ins made from real files -------------------------------------------------------------

/** macOS `_utmpx32_64`: a 628-byte file record (§3) into the zeroed 640-byte struct (§15.3). */
function macosStruct(file: Uint8Array, at: number): Uint8Array {
  const f = new DataView(file.buffer, file.byteOffset + at, 628);
  const bytes = new Uint8Array(640);
  const v = new DataView(bytes.buffer);
  bytes.set(file.subarray(at, at + 292), 0); // ut_user[256], ut_id[4], ut_line[32]
  v.setInt32(292, f.getInt32(292, true), true);
  v.setInt16(296, f.getInt16(296, true), true);
  v.setBigInt64(304, BigInt(f.getInt32(300, true)), true);
  v.setInt32(312, f.getInt32(304, true), true);
  bytes.set(file.subarray(at + 308, at + 564), 320);
  return bytes;
}

/** FreeBSD `futx_to_utx`: a 197-byte big-endian futx (§4) into the zeroed 280-byte struct, strings cut to size - 1. */
function freebsdStruct(fu: Uint8Array): Uint8Array {
  const f = new DataView(fu.buffer, fu.byteOffset, 197);
  const bytes = new Uint8Array(280);
  const v = new DataView(bytes.buffer);
  const us = f.getBigUint64(1, false);
  v.setInt16(0, fu[0]!, true);
  v.setBigInt64(8, us / 1000000n, true);
  v.setBigInt64(16, us % 1000000n, true);
  bytes.set(fu.subarray(9, 17), 24);
  v.setInt32(32, f.getUint32(17, false), true);
  bytes.set(fu.subarray(21, 21 + 31), 36);
  bytes.set(fu.subarray(53, 53 + 15), 68);
  bytes.set(fu.subarray(69, 69 + 127), 84);
  return bytes;
}

/** FreeBSD utx.log: uint16 BE length, then the futx cut after its last non-zero byte (zero-filled back to 197). */
function freebsdLog(file: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at + 2 <= file.length;) {
    const len = file[at]! * 256 + file[at + 1]!;
    const fu = new Uint8Array(197);
    fu.set(file.subarray(at + 2, at + 2 + Math.min(len, 197)));
    out.push(fu);
    at += 2 + len;
  }
  return out;
}

/** The libc backend over a stand-in libc, as `backend: "ffi"` builds it. */
function source(path: string, os: string, lib: ReturnType<typeof fakeLibc>["lib"]): FfiSource {
  return new FfiSource(path, {
    os,
    arch: "x64",
    ffi: fakeFfi(lib),
    candidates: () => ["libfake.so.1"],
    hint: undefined,
    onProblem: (p) => assert.fail(`unexpected problem ${JSON.stringify(p)}`),
  });
}

test("FfiSource on macOS yields plaso's utmpx_mac records at their file offsets, past the signature", async () => {
  using tmp = tempDir();
  const file = new Uint8Array(readFileSync(join(FIXTURES, "plaso", "utmpx_mac")));
  const path = tmp.file("utmpx", file); // utmpxname accepts only names ending in "x"
  const { lib, calls } = fakeLibc({
    utmpxname: (p) => Number(p.endsWith("x") && p.length < 1024),
    // libc reads the signature record on open and never returns it.
    records: (p) => p === path ? Array.from({ length: 6 }, (_, i) => macosStruct(file, (i + 1) * 628)) : [],
  });
  const records = await drain(source(path, "darwin", lib));
  assert.deepEqual(calls.slice(0, 2), [`utmpxname ${path}`, "setutxent"]);
  assert.deepEqual(calls.slice(-3), ["endutxent", "utmpxname /var/run/utmpx", "close"]);
  assert.deepEqual(
    records.map((r) => [r.index, r.offset, r.layout]),
    [1, 2, 3, 4, 5, 6].map((i) => [i, i * 628, "macos-memory"]),
  );
  // plaso tests: event 1 is type 7, pid 67, "console", "moxilo", 2013-11-13T17:52:41.736713Z (MANIFEST.md).
  const login = records[1]!;
  assert.deepEqual(
    [login.ut_type, login.ut_pid, login.ut_line, login.ut_user, login.ut_tv],
    ["USER_PROCESS", 67, "/dev/console", "moxilo", {
      tv_sec: Date.UTC(2013, 10, 13, 17, 52, 41) / 1000,
      tv_usec: 736713,
    }],
  );
  // Record 1 BOOT_TIME at 17:52:34 with pid 1; record 4 EMPTY with stale "s001" and pid 6802; 5-6 DEAD_PROCESS.
  assert.deepEqual([records[0]!.ut_type, records[0]!.ut_pid, records[0]!.ut_tv.tv_sec], [
    "BOOT_TIME",
    1,
    Date.UTC(2013, 10, 13, 17, 52, 34) / 1000,
  ]);
  assert.deepEqual([records[3]!.ut_type, records[3]!.ut_id, records[3]!.ut_pid, records[3]!.ut_tv.tv_usec], [
    "EMPTY",
    "s001",
    6802,
    116231,
  ]);
  assert.deepEqual(records.slice(4).map((r) => r.ut_type), ["DEAD_PROCESS", "DEAD_PROCESS"]);
  // The decoder reads the same file record for record (the signature record aside).
  const byFile = (await collect(path, { backend: "file" })).records;
  assert.equal(byFile[0]!.ut_type, "SIGNATURE");
  assert.deepEqual(except(records, "layout"), except(byFile.slice(1), "layout"));
});

test("FfiSource on FreeBSD yields utx.active at 197-byte offsets and utx.log records as last(1) shows them", async () => {
  const dir = join(FIXTURES, "s4", "FreeBSD14.0", "x86_64");
  const { lib, calls } = fakeLibc({
    setutxdb: () => 0,
    records: (p) => {
      const file = new Uint8Array(readFileSync(p));
      const futx = p.endsWith("utx.log")
        ? freebsdLog(file)
        : Array.from({ length: file.length / 197 }, (_, i) => file.subarray(i * 197, (i + 1) * 197));
      return futx.map(freebsdStruct);
    },
  });
  const active = await drain(source(join(dir, "utx.active"), "freebsd", lib));
  assert.equal(calls[0], `setutxdb 0 ${join(dir, "utx.active")}`);
  assert.deepEqual(active.map((r) => r.offset), [0, 197, 394, 591]);
  // last(1), EST: "root ttyv0 Fri Feb 2 13:07:09 2024", "root pts/0 host.net Fri Feb 2 21:08:37 2024".
  assert.deepEqual(active.slice(1, 3).map((r) => [r.ut_type, r.ut_user, r.ut_line, r.ut_host, r.ut_tv.tv_sec]), [
    ["USER_PROCESS", "root", "/dev/ttyv0", "", Date.UTC(2024, 1, 2, 18, 7, 9) / 1000],
    ["USER_PROCESS", "root", "/dev/pts/0", "host.net", Date.UTC(2024, 1, 3, 2, 8, 37) / 1000],
  ]);
  const log = await drain(source(join(dir, "utx.log"), "freebsd", lib));
  assert.deepEqual(calls.filter((c) => c.startsWith("setutxdb")).at(-1), `setutxdb 2 ${join(dir, "utx.log")}`);
  // Length-prefixed records have no fixed offset.
  assert.deepEqual(log.map((r) => [r.index, r.offset]), [0, 1, 2, 3, 4, 5, 6].map((i) => [i, -1]));
  // last(1): boot 13:05, root ttyv0 13:05 - 21:05, shutdown 21:05, boot 13:07, root ttyv0 13:07, root pts/0 21:08 (EST).
  assert.deepEqual(log.map((r) => [r.ut_type, r.ut_user, Math.floor(r.ut_tv.tv_sec / 60) * 60]), [
    ["BOOT_TIME", "", Date.UTC(2024, 1, 2, 18, 5) / 1000],
    ["USER_PROCESS", "root", Date.UTC(2024, 1, 2, 18, 5) / 1000],
    ["DEAD_PROCESS", "", Date.UTC(2024, 1, 3, 2, 5) / 1000],
    ["SHUTDOWN_TIME", "", Date.UTC(2024, 1, 3, 2, 5) / 1000],
    ["BOOT_TIME", "", Date.UTC(2024, 1, 2, 18, 7) / 1000],
    ["USER_PROCESS", "root", Date.UTC(2024, 1, 2, 18, 7) / 1000],
    ["USER_PROCESS", "root", Date.UTC(2024, 1, 3, 2, 8) / 1000],
  ]);
  // The decoder reads the same records from the 197-byte futx and the length-prefixed log.
  assert.deepEqual(except(active, "layout"), except((await collect(join(dir, "utx.active"))).records, "layout"));
  assert.deepEqual(
    except(log, "layout", "offset"),
    except((await collect(join(dir, "utx.log"))).records, "layout", "offset"),
  );
});

test("FfiSource on NetBSD loads libc.so.12 and yields utmpx records 1..9 at their offsets, past the signature", async () => {
  const path = join(FIXTURES, "s4", "NetBSD9.3", "x86_64", "utmpx");
  const file = new Uint8Array(readFileSync(path));
  const { lib } = fakeLibc({
    utmpxname: (p) => Number(p.endsWith("x")),
    records: () => Array.from({ length: 9 }, (_, i) => file.slice((i + 1) * 520, (i + 2) * 520)), // fread verbatim
  });
  const ffi = fakeFfi(lib);
  const src = new FfiSource(path, {
    os: "netbsd",
    arch: "x64",
    ffi,
    candidates: () => ["libc.so.12", "/usr/lib/libc.so.12"],
    hint: undefined,
    onProblem: (p) => assert.fail(JSON.stringify(p)),
  });
  const records = await drain(src);
  assert.deepEqual(ffi.opened, [["libc.so.12", "/usr/lib/libc.so.12", "netbsd"]]);
  assert.deepEqual(records.map((r) => r.offset), [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => i * 520));
  // last(1), EST: "root pts/2 192.168.100.254 Sun Feb 25 2024 03:36:43".
  const last = records.at(-1)!;
  assert.deepEqual([last.index, last.ut_user, last.ut_line, last.ut_host, last.ut_tv.tv_sec], [
    9,
    "root",
    "/dev/pts/2",
    "192.168.100.254",
    Date.UTC(2024, 1, 25, 8, 36, 43) / 1000,
  ]);
  // The struct is the file record: the same records, offsets and layout as the decoder gives.
  assert.deepEqual(records, (await collect(path, { backend: "file" })).records.slice(1));
});
