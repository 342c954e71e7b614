/**
 * The in-memory `struct utmpx` that `getutxent()` returns on macOS, FreeBSD,
 * NetBSD and illumos, LP64 (amd64 and arm64 give the same offsets), for the
 * libc backend (FORMATS.md §15.3). These are not file layouts: macOS,
 * FreeBSD and illumos convert each file record into this struct, so these
 * tables are used only on bytes the C library hands out and are not in
 * `LAYOUTS`. On Linux the in-memory struct is the file record, so the
 * backend uses the glibc tables of `linux.ts` there.
 *
 * Sources: apple-oss-distributions/Libc @ 55b54c0a0c37 (Libc-1725.0.11)
 * `include/NetBSD/utmpx.h`; freebsd/freebsd-src `include/utmpx.h` @ 38356acf56bc;
 * NetBSD `include/utmpx.h` rev 1.18; illumos-gate `usr/src/head/utmpx.h` @ 0ceaf3833319;
 * rust-lang/libc @ 2eda1e52fe2e (apple, freebsd, netbsd, illumos structs).
 * Verified: replica structs compiled with gcc on x86_64 give these sizes and
 * offsets (tests/layouts/libc_memory_test.ts); the FreeBSD and NetBSD ones
 * agree with super-speedy-syslog-searcher's offsetof dumps from FreeBSD 14.0
 * and NetBSD 9.3 amd64, and a real NetBSD amd64 utmpx file decodes with the
 * NetBSD table (the struct is written verbatim).
 *
 * @module
 */

import type { UtTypeName } from "../types.ts";
import type { Layout, LayoutFields } from "./_engine.ts";

/** macOS numbering: OLD_TIME 3 and NEW_TIME 4 (the reverse of Linux), SIGNATURE 10, SHUTDOWN_TIME 11. */
const MACOS_TYPES: Readonly<Record<number, UtTypeName>> = Object.freeze({
  0: "EMPTY",
  1: "RUN_LVL",
  2: "BOOT_TIME",
  3: "OLD_TIME",
  4: "NEW_TIME",
  5: "INIT_PROCESS",
  6: "LOGIN_PROCESS",
  7: "USER_PROCESS",
  8: "DEAD_PROCESS",
  9: "ACCOUNTING",
  10: "SIGNATURE",
  11: "SHUTDOWN_TIME",
});

/** FreeBSD numbering (`include/utmpx.h`): BOOT_TIME 1, USER_PROCESS 4, DEAD_PROCESS 7, SHUTDOWN_TIME 8; no RUN_LVL. */
const FREEBSD_TYPES: Readonly<Record<number, UtTypeName>> = Object.freeze({
  0: "EMPTY",
  1: "BOOT_TIME",
  2: "OLD_TIME",
  3: "NEW_TIME",
  4: "USER_PROCESS",
  5: "INIT_PROCESS",
  6: "LOGIN_PROCESS",
  7: "DEAD_PROCESS",
  8: "SHUTDOWN_TIME",
});

/** NetBSD numbering: as macOS, but 11 is DOWN_TIME. */
const NETBSD_TYPES: Readonly<Record<number, UtTypeName>> = Object.freeze({ ...MACOS_TYPES, 11: "DOWN_TIME" });

/** illumos numbering: OLD_TIME 3, NEW_TIME 4, DOWN_TIME 10 (UTMAXTYPE). */
const ILLUMOS_TYPES: Readonly<Record<number, UtTypeName>> = Object.freeze({
  ...Object.fromEntries(Object.entries(MACOS_TYPES).filter(([n]) => Number(n) < 10)),
  10: "DOWN_TIME",
});

/**
 * macOS `struct utmpx`, 640 bytes: a 16-byte `struct timeval` (long
 * tv_sec, 32-bit `__darwin_suseconds_t` tv_usec) where the file has a
 * 32-bit one. `_utmpx32_64` zeroes the struct before filling it.
 */
export const MACOS_MEMORY: Layout = Object.freeze({
  name: "macos-memory",
  kind: "utmp",
  size: 640,
  endian: "le",
  description: "macOS libc in-memory struct utmpx, 640 bytes (x86_64, arm64)",
  source: "Apple Libc-1725.0.11 include/NetBSD/utmpx.h; replica struct compiled with gcc (LP64)",
  fields: {
    ut_user: { offset: 0, type: "char", size: 256 },
    ut_id: { offset: 256, type: "char", size: 4 },
    ut_line: { offset: 260, type: "char", size: 32 },
    ut_pid: { offset: 292, type: "i32" },
    ut_type: { offset: 296, type: "i16" },
    // 298..303: padding.
    tv_sec: { offset: 304, type: "i64" },
    tv_usec: { offset: 312, type: "i32" },
    // 316..319: padding.
    ut_host: { offset: 320, type: "char", size: 256 },
    // 576..639: uint32 ut_pad[16].
  } satisfies LayoutFields,
  types: MACOS_TYPES,
});

/**
 * FreeBSD ≥ 9 `struct utmpx`, 280 bytes, filled by `futx_to_utx` from the
 * 197-byte big-endian file record: strings always NUL-terminated (at most
 * 31 / 15 / 127 bytes), `ut_id` 8 raw bytes.
 */
export const FREEBSD_MEMORY: Layout = Object.freeze({
  name: "freebsd-memory",
  kind: "utmp",
  size: 280,
  endian: "le",
  description: "FreeBSD libc in-memory struct utmpx, 280 bytes (amd64, arm64)",
  source: "freebsd-src include/utmpx.h @ 38356acf56bc; offsetof dump from FreeBSD 14.0 amd64 (s4)",
  fields: {
    ut_type: { offset: 0, type: "i16" },
    // 2..7: padding.
    tv_sec: { offset: 8, type: "i64" },
    tv_usec: { offset: 16, type: "i64" },
    ut_id: { offset: 24, type: "char", size: 8 },
    ut_pid: { offset: 32, type: "i32" },
    ut_user: { offset: 36, type: "char", size: 32 },
    ut_line: { offset: 68, type: "char", size: 16 },
    ut_host: { offset: 84, type: "char", size: 128 },
    // 212..275: __ut_spare[64]; 276..279: tail padding.
  } satisfies LayoutFields,
  types: FREEBSD_TYPES,
});

/**
 * NetBSD ≥ 6 `struct utmpx`, 520 bytes on LP64: the file record itself
 * (`fread` verbatim), with a `sockaddr_storage` address.
 */
export const NETBSD_MEMORY: Layout = Object.freeze({
  name: "netbsd-memory",
  kind: "utmp",
  size: 520,
  endian: "le",
  description: "NetBSD libc struct utmpx, 520 bytes (amd64, aarch64)",
  source: "NetBSD include/utmpx.h rev 1.18; offsetof dump from NetBSD 9.3 amd64 (s4); real amd64 utmpx",
  fields: {
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
    // 476..479: padding; 480..515: ut_pad[36]; 516..519: tail padding.
  } satisfies LayoutFields,
  types: NETBSD_TYPES,
});

/**
 * illumos (and Solaris) `struct utmpx`, 384 bytes on LP64, converted by
 * `utmpx_frec2api` from the 372-byte file record. Same size as glibc's
 * x86_64 struct, unrelated offsets.
 */
export const ILLUMOS_MEMORY: Layout = Object.freeze({
  name: "illumos-memory",
  kind: "utmp",
  size: 384,
  endian: "le",
  description: "illumos libc in-memory struct utmpx, 384 bytes (amd64)",
  source: "illumos-gate usr/src/head/utmpx.h @ 0ceaf3833319; replica struct compiled with gcc (LP64)",
  fields: {
    ut_user: { offset: 0, type: "char", size: 32 },
    ut_id: { offset: 32, type: "char", size: 4 },
    ut_line: { offset: 36, type: "char", size: 32 },
    ut_pid: { offset: 68, type: "i32" },
    ut_type: { offset: 72, type: "i16" },
    e_termination: { offset: 74, type: "i16" },
    e_exit: { offset: 76, type: "i16" },
    // 78..79: padding.
    tv_sec: { offset: 80, type: "i64" },
    tv_usec: { offset: 88, type: "i64" },
    ut_session: { offset: 96, type: "i32" },
    // 100..119: int pad[5]; 120..121: short ut_syslen.
    ut_host: { offset: 122, type: "char", size: 257 },
    // 379..383: tail padding.
  } satisfies LayoutFields,
  types: ILLUMOS_TYPES,
});
