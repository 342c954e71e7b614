/**
 * NetBSD >= 6: the old `struct utmp` and `struct lastlog` (64-bit `time_t`),
 * and `struct utmpx`, which libc writes to utmpx/wtmpx verbatim, so its size
 * follows the ABI: 520 bytes on LP64 (amd64, aarch64), 516 on ILP32 (i386)
 * (FORMATS.md §6).
 *
 * Sources: NetBSD/src `include/utmp.h` 1.13 and `include/utmpx.h` 1.18 (via the
 * file index); rust-lang/libc @ 2eda1e52fe2e `src/new/netbsd/utmpx_.rs`;
 * offsetof dumps captured on NetBSD 9.3 i386 and amd64
 * (super-speedy-syslog-searcher `logs/NetBSD9.3/*`); `lib/libc/gen/utmpx.c`
 * rev. 1.30 for the signature record. Verified: the real NetBSD 9.3 i386 and
 * amd64 files against their native `last` and `lastlogin` output.
 *
 * utmpx: the file made by `getutxent`/`pututxline` starts with a SIGNATURE
 * record (type 10, `ut_name` "utmpx-2.00"); a wtmpx re-created by log
 * rotation starts directly with data. Types are the System V numbers plus
 * SIGNATURE 10 and DOWN_TIME 11. `ut_ss` is a `struct sockaddr_storage`
 * (`ss_len`, family 2 = IPv4 at +4, 24 = IPv6 at +8). Version-1 files
 * ("utmpx-1.00", NetBSD <= 5) store a `long` timeval: on amd64 its tv_usec low
 * word is where the version-2 tv_usec is, so they read the same; the 512-byte
 * i386 version-1 record is not supported.
 *
 * utmp/wtmp/lastlog: no `ut_type` (derived, see `deriveType`); utmp is
 * indexed by tty slot and lastlog by uid. `/var/log/lastlogx` is a Berkeley DB
 * hash file, not a record file.
 *
 * @module
 */

import { NO_TYPES, SYSV_TYPES } from "../types.ts";
import { defineLayout, type Layout, type LayoutFields } from "./schema.ts";
import { deriveType } from "./bsd.ts";

/** NetBSD `struct utmp`: line[8], name[8], host[16], int64 `ut_time`; 40 bytes. */
export const NETBSD: Layout<"netbsd", "utmp"> = defineLayout({
  name: "netbsd",
  kind: "utmp",
  size: 40,
  endian: "le",
  description: "NetBSD >= 6 utmp/wtmp: 40 bytes, little-endian (i386, amd64), no type",
  source: "NetBSD/src include/utmp.h 1.13; offsetof dumps from NetBSD 9.3 i386 and amd64",
  fields: {
    ut_line: { offset: 0, type: "char", size: 8 },
    ut_user: { offset: 8, type: "char", size: 8 },
    ut_host: { offset: 16, type: "char", size: 16 },
    tv_sec: { offset: 32, type: "i64" },
  },
  types: NO_TYPES,
  deriveType,
  paths: ["/var/run/utmp", "/var/log/wtmp"],
});

/** `struct utmpx` fields, the same on i386 and amd64 up to tv_usec. */
const UTMPX_FIELDS: LayoutFields = {
  ut_user: { offset: 0, type: "char", size: 32 },
  ut_id: { offset: 32, type: "char", size: 4 },
  ut_line: { offset: 36, type: "char", size: 32 },
  ut_host: { offset: 68, type: "char", size: 256 },
  ut_session: { offset: 324, type: "u16" },
  ut_type: { offset: 326, type: "u16" },
  ut_pid: { offset: 328, type: "i32" },
  e_termination: { offset: 332, type: "u16" },
  e_exit: { offset: 334, type: "u16" },
  ut_addr: { offset: 336, type: "sockaddr", size: 128 },
  tv_sec: { offset: 464, type: "i64" },
  tv_usec: { offset: 472, type: "i32" },
  // 476..: ut_pad (i386: 476..515; amd64: 4 bytes timeval padding, then 480..515, then 4 bytes tail padding).
};

/** NetBSD utmpx types: System V numbers plus SIGNATURE 10 and DOWN_TIME 11. */
const NETBSD_TYPES = Object.freeze({ ...SYSV_TYPES, 10: "SIGNATURE", 11: "DOWN_TIME" } as const);

/** NetBSD `struct utmpx` on LP64 (amd64, aarch64): 520 bytes. */
export const NETBSD_UTMPX: Layout<"netbsd-utmpx", "utmp"> = defineLayout({
  name: "netbsd-utmpx",
  kind: "utmp",
  size: 520,
  endian: "le",
  description: "NetBSD >= 6 utmpx/wtmpx on amd64 and aarch64: 520 bytes, little-endian",
  source: "NetBSD/src include/utmpx.h 1.18; rust-lang/libc netbsd/utmpx_.rs; offsetof dump from NetBSD 9.3 amd64",
  fields: UTMPX_FIELDS,
  types: NETBSD_TYPES,
  paths: ["/var/run/utmpx", "/var/log/wtmpx"],
  signature: "utmpx-2.00",
});

/** NetBSD `struct utmpx` on ILP32 (i386): 516 bytes. */
export const NETBSD_UTMPX32: Layout<"netbsd-utmpx32", "utmp"> = defineLayout({
  ...NETBSD_UTMPX,
  name: "netbsd-utmpx32",
  size: 516,
  description: "NetBSD >= 6 utmpx/wtmpx on i386: 516 bytes, little-endian",
  source: "NetBSD/src include/utmpx.h 1.18; offsetof dump from NetBSD 9.3 i386",
});

/** NetBSD `struct lastlog`: int64 `ll_time`, line[8], host[16]; 32 bytes, indexed by uid. */
export const LASTLOG_NETBSD: Layout<"lastlog-netbsd", "lastlog"> = defineLayout({
  name: "lastlog-netbsd",
  kind: "lastlog",
  size: 32,
  endian: "le",
  description: "NetBSD >= 6 lastlog: 32 bytes, little-endian",
  source: "NetBSD/src include/utmp.h 1.13 (struct lastlog); offsetof dumps from NetBSD 9.3 i386 and amd64",
  fields: {
    tv_sec: { offset: 0, type: "i64" },
    ut_line: { offset: 8, type: "char", size: 8 },
    ut_host: { offset: 16, type: "char", size: 16 },
  },
  types: NO_TYPES,
  paths: ["/var/log/lastlog"],
});
