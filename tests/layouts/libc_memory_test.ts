/**
 * The `struct utmpx` tables the libc backend uses on macOS, FreeBSD, NetBSD
 * (its file layout, the struct being the file record) and illumos, which
 * cannot run on this machine: checked against real `offsetof` dumps from
 * FreeBSD 14.0 and NetBSD 9.3 amd64, against replica structs compiled here
 * (LP64 alignment is the same on every amd64 system), and on hand-built
 * structs.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import type { Layout } from "../../src/layouts/schema.ts";
import { FREEBSD_MEMORY, ILLUMOS_MEMORY, MACOS_MEMORY } from "../../src/layouts/libc_memory.ts";
import { NETBSD_UTMPX } from "../../src/layouts/netbsd.ts";
import { decodeRecord } from "../../src/layouts/mod.ts";
import { test } from "../_harness.ts";
import { tempDir } from "../_util.ts";

const MEMORY = [MACOS_MEMORY, FREEBSD_MEMORY, NETBSD_UTMPX, ILLUMOS_MEMORY];
const WIDTH = { u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, i64: 8, u64: 8 } as const;

/** [offset, size] of each field of a table, by contract name. */
function spans(layout: Layout): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const [name, field] of Object.entries(layout.fields)) {
    if (field === undefined) continue;
    out[name] = [field.offset, "size" in field ? field.size : WIDTH[field.type as keyof typeof WIDTH]];
  }
  return out;
}

test(
  "MACOS_MEMORY, FREEBSD_MEMORY, NETBSD_UTMPX, ILLUMOS_MEMORY have FORMATS.md §15.3 sizes and disjoint fields",
  () => {
    assert.deepEqual(MEMORY.map((l) => l.size), [640, 280, 520, 384]);
    for (const layout of MEMORY) {
      const sorted = Object.entries(spans(layout)).sort((a, b) => a[1][0] - b[1][0]);
      for (let i = 1; i < sorted.length; i++) {
        const [prev, [at, size]] = sorted[i - 1]!;
        assert.ok(at + size <= sorted[i]![1][0], `${layout.name}: ${prev} overlaps ${sorted[i]![0]}`);
      }
      const [last, [at, size]] = sorted.at(-1)!;
      assert.ok(at + size <= layout.size, `${layout.name}: ${last} overflows`);
    }
  },
  { permissions: "none" },
);

test("FREEBSD_MEMORY and NETBSD_UTMPX match offsetof dumps made on FreeBSD 14.0 and NetBSD 9.3 amd64", () => {
  // super-speedy-syslog-searcher logs/FreeBSD14.0/x86_64/utmp-offsets_amd64_FreeBSD14.0.out.txt @ 2e13b007376c.
  assert.deepEqual(spans(FREEBSD_MEMORY), {
    ut_type: [0, 2],
    tv_sec: [8, 8],
    tv_usec: [16, 8],
    ut_id: [24, 8],
    ut_pid: [32, 4],
    ut_user: [36, 32],
    ut_line: [68, 16],
    ut_host: [84, 128],
  });
  assert.equal(FREEBSD_MEMORY.size, 280);
  // logs/NetBSD9.3/x86_64/utmp-offsets_x86_64_NetBSD_9.3_.out.txt @ 1aed86246f06 (ut_exit @332 sizeof 4 is
  // two uint16).
  assert.deepEqual(spans(NETBSD_UTMPX), {
    ut_user: [0, 32],
    ut_id: [32, 4],
    ut_line: [36, 32],
    ut_host: [68, 256],
    ut_session: [324, 2],
    ut_type: [326, 2],
    ut_pid: [328, 4],
    e_termination: [332, 2],
    e_exit: [334, 2],
    ut_addr: [336, 128],
    tv_sec: [464, 8],
    tv_usec: [472, 4],
  });
  assert.equal(NETBSD_UTMPX.size, 520);
  // The same dump's type constants, and FreeBSD's from its <utmpx.h> (USER_PROCESS 4, DEAD_PROCESS 7).
  assert.deepEqual(Object.values(NETBSD_UTMPX.types).slice(10), ["SIGNATURE", "DOWN_TIME"]);
  assert.deepEqual(
    [1, 4, 7, 8].map((n) => FREEBSD_MEMORY.types[n]),
    ["BOOT_TIME", "USER_PROCESS", "DEAD_PROCESS", "SHUTDOWN_TIME"],
  );
}, { permissions: "none" });

/** Replica structs of each libc's <utmpx.h>, compiled for this (LP64) machine. */
const REPLICAS_C = `
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
struct macos { char ut_user[256]; char ut_id[4]; char ut_line[32]; int ut_pid; short ut_type;
  struct { long tv_sec; int tv_usec; } ut_tv; char ut_host[256]; unsigned ut_pad[16]; };
struct freebsd { short ut_type; struct { long tv_sec; long tv_usec; } ut_tv; char ut_id[8]; int ut_pid;
  char ut_user[32]; char ut_line[16]; char ut_host[128]; char ut_spare[64]; };
struct netbsd { char ut_user[32]; char ut_id[4]; char ut_line[32]; char ut_host[256]; unsigned short ut_session;
  unsigned short ut_type; int ut_pid; struct { unsigned short e_termination, e_exit; } ut_exit;
  struct sockaddr_storage ut_addr; struct { long long tv_sec; int tv_usec; } ut_tv; unsigned char ut_pad[36]; };
struct illumos { char ut_user[32]; char ut_id[4]; char ut_line[32]; int ut_pid; short ut_type;
  struct { short e_termination, e_exit; } ut_exit; struct { long tv_sec; long tv_usec; } ut_tv; int ut_session;
  int pad[5]; short ut_syslen; char ut_host[257]; };
#define F(s, m, name) printf("%s %s %zu %zu\\n", #s, name, offsetof(struct s, m), sizeof(((struct s *)0)->m))
#define ALL(s) printf("%s size %zu 0\\n", #s, sizeof(struct s)); F(s, ut_user, "ut_user"); F(s, ut_id, "ut_id"); \\
  F(s, ut_line, "ut_line"); F(s, ut_host, "ut_host"); F(s, ut_pid, "ut_pid"); F(s, ut_type, "ut_type"); \\
  F(s, ut_tv.tv_sec, "tv_sec"); F(s, ut_tv.tv_usec, "tv_usec")
int main(void) {
  ALL(macos); ALL(freebsd); ALL(netbsd); ALL(illumos);
  F(netbsd, ut_session, "ut_session"); F(netbsd, ut_exit.e_termination, "e_termination");
  F(netbsd, ut_exit.e_exit, "e_exit"); F(netbsd, ut_addr, "ut_addr");
  F(illumos, ut_session, "ut_session"); F(illumos, ut_exit.e_termination, "e_termination");
  F(illumos, ut_exit.e_exit, "e_exit");
  return 0;
}
`;

const hasCc = spawnSync("cc", ["--version"]).status === 0;
const lp64 = process.arch === "x64" || process.arch === "arm64";

test("MACOS_MEMORY, FREEBSD_MEMORY, NETBSD_UTMPX, ILLUMOS_MEMORY match replica structs compiled with cc", () => {
  using tmp = tempDir();
  const exe = tmp.file("replicas");
  const cc = spawnSync("cc", ["-o", exe, tmp.file("replicas.c", REPLICAS_C)], { encoding: "utf8" });
  assert.equal(cc.status, 0, cc.stderr);
  const compiled: Record<string, Record<string, [number, number]>> = {};
  for (const line of spawnSync(exe, [], { encoding: "utf8" }).stdout.trim().split("\n")) {
    const [struct, field, offset, size] = line.split(" ");
    (compiled[struct!] ??= {})[field!] = [Number(offset), Number(size)];
  }
  const tables = { macos: MACOS_MEMORY, freebsd: FREEBSD_MEMORY, netbsd: NETBSD_UTMPX, illumos: ILLUMOS_MEMORY };
  for (const [struct, layout] of Object.entries(tables)) {
    const { size, ...fields } = compiled[struct]!;
    assert.equal(layout.size, size![0], `${struct} size`);
    assert.deepEqual(spans(layout), fields, struct);
  }
}, { ignore: !hasCc || !lp64 });

const encoder = new TextEncoder();

/** A zeroed struct with fields written at literal offsets, as libc's conversion code fills it. */
function struct(size: number, fill: (bytes: Uint8Array, view: DataView) => void): Uint8Array {
  const bytes = new Uint8Array(size);
  fill(bytes, new DataView(bytes.buffer));
  return bytes;
}

test("MACOS_MEMORY decodes a struct as _utmpx32_64 fills it (64-bit tv_sec at 304)", () => {
  const u = decodeRecord(
    struct(640, (b, v) => {
      b.set(encoder.encode("moxilo"), 0);
      b.set([0x2f, 0, 1, 0], 256); // ut_id of plaso's utmpx_mac record 2
      b.set(encoder.encode("console"), 260);
      v.setInt32(292, 67, true);
      v.setInt16(296, 7, true);
      v.setBigInt64(304, 1384365161n, true);
      v.setInt32(312, 736713, true);
      b.set(encoder.encode("10.0.0.1"), 320);
    }),
    MACOS_MEMORY,
  );
  assert.deepEqual(
    [u.ut_type, u.ut_user, u.ut_id, u.ut_line, u.ut_pid, u.ut_host, u.ut_tv, u.ut_time.toISOString()],
    ["USER_PROCESS", "moxilo", "/", "/dev/console", 67, "10.0.0.1", {
      tv_sec: 1384365161,
      tv_usec: 736713,
    }, "2013-11-13T17:52:41.736Z"],
  );
  // OLD_TIME and NEW_TIME are 3 and 4 on macOS, the reverse of Linux.
  const old = decodeRecord(struct(640, (_b, v) => v.setInt16(296, 3, true)), MACOS_MEMORY);
  assert.equal(old.ut_type, "OLD_TIME");
}, { permissions: "none" });

test("FREEBSD_MEMORY decodes a struct as futx_to_utx fills it (type 4 is USER_PROCESS, 8-byte ut_id)", () => {
  // FreeBSD 14.0 utx.active record 2: root on pts/0 from host.net (last: "Fri Feb 2 21:08:37 2024" EST).
  const u = decodeRecord(
    struct(280, (b, v) => {
      v.setInt16(0, 4, true);
      v.setBigInt64(8, 1706926117n, true);
      v.setBigInt64(16, 832063n, true);
      b.set(encoder.encode("pts/0"), 24);
      v.setInt32(32, 940, true);
      b.set(encoder.encode("root"), 36);
      b.set(encoder.encode("pts/0"), 68);
      b.set(encoder.encode("host.net"), 84);
    }),
    FREEBSD_MEMORY,
  );
  assert.deepEqual(
    [u.ut_type, u.ut_user, u.ut_line, u.ut_id, u.ut_pid, u.ut_host, u.ut_time.toISOString()],
    ["USER_PROCESS", "root", "/dev/pts/0", "pts/0", 940, "host.net", "2024-02-03T02:08:37.832Z"],
  );
  assert.deepEqual(u.ut_tv, { tv_sec: 1706926117, tv_usec: 832063 });
  // futx_to_utx copies at most 31 bytes of a user name and NUL-terminates it.
  const long = decodeRecord(
    struct(280, (b, v) => {
      v.setInt16(0, 4, true);
      b.set(encoder.encode("u".repeat(31)), 36);
    }),
    FREEBSD_MEMORY,
  );
  assert.equal(long.ut_user, "u".repeat(31));
  assert.equal(decodeRecord(struct(280, (_b, v) => v.setInt16(0, 7, true)), FREEBSD_MEMORY).ut_type, "DEAD_PROCESS");
}, { permissions: "none" });

test("ILLUMOS_MEMORY decodes a struct as utmpx_frec2api fills it (host at 122, 64-bit timeval at 80)", () => {
  const u = decodeRecord(
    struct(384, (b, v) => {
      b.set(encoder.encode("alice"), 0);
      b.set(encoder.encode("ts/1"), 32);
      b.set(encoder.encode("pts/1"), 36);
      v.setInt32(68, 1234, true);
      v.setInt16(72, 7, true);
      v.setInt16(74, 0, true);
      v.setInt16(76, 2, true); // nonuserx(): e_exit 2
      v.setBigInt64(80, 1700000000n, true);
      v.setBigInt64(88, 250000n, true);
      v.setInt32(96, 77, true);
      v.setInt16(120, 12, true); // ut_syslen
      b.set(encoder.encode("192.0.2.10x"), 122); // 11 of 257 bytes
    }),
    ILLUMOS_MEMORY,
  );
  assert.deepEqual(
    [u.ut_type, u.ut_user, u.ut_id, u.ut_line, u.ut_pid, u.ut_exit, u.ut_session, u.ut_host, u.ut_tv],
    ["USER_PROCESS", "alice", "ts/1", "/dev/pts/1", 1234, { e_termination: 0, e_exit: 2 }, 77, "192.0.2.10x", {
      tv_sec: 1700000000,
      tv_usec: 250000,
    }],
  );
  // A boot record: line "system boot" is not a device; DOWN_TIME is 10 on illumos.
  const boot = decodeRecord(
    struct(384, (b, v) => {
      v.setInt16(72, 2, true);
      b.set(encoder.encode("system boot"), 36);
    }),
    ILLUMOS_MEMORY,
  );
  assert.deepEqual([boot.ut_type, boot.ut_line], ["BOOT_TIME", "system boot"]);
  assert.equal(decodeRecord(struct(384, (_b, v) => v.setInt16(72, 10, true)), ILLUMOS_MEMORY).ut_type, "DOWN_TIME");
}, { permissions: "none" });
