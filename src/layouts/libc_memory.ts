/**
 * The in-memory `struct utmpx` that `getutxent()` returns on macOS, FreeBSD
 * and illumos, LP64 (amd64 and arm64 give the same offsets), for the libc
 * backend (FORMATS.md §15.3). These are not file layouts: those C libraries
 * convert each file record into this struct, so these tables are used only
 * on bytes the C library hands out and are not in `LAYOUTS`. Their type
 * numbers are those of the system's file layout. On Linux (glibc) and NetBSD
 * the in-memory struct is the file record, so the backend uses the file
 * layouts there (`linux.ts`, `netbsd.ts`).
 *
 * Sources: apple-oss-distributions/Libc @ 55b54c0a0c37 (Libc-1725.0.11)
 * `include/NetBSD/utmpx.h`; freebsd/freebsd-src `include/utmpx.h` @ 38356acf56bc;
 * illumos-gate `usr/src/head/utmpx.h` @ 0ceaf3833319; rust-lang/libc @
 * 2eda1e52fe2e (apple, freebsd, illumos structs).
 * Verified: replica structs compiled with gcc on x86_64 give these sizes and
 * offsets (tests/layouts/libc_memory_test.ts); the FreeBSD one agrees with
 * super-speedy-syslog-searcher's offsetof dump from FreeBSD 14.0 amd64.
 *
 * @module
 */

import type { Layout, LayoutFields } from "./schema.ts";
import { FREEBSD } from "./freebsd.ts";
import { MACOS } from "./macos.ts";
import { SOLARIS } from "./solaris.ts";

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
  types: MACOS.types,
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
  types: FREEBSD.types,
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
  types: SOLARIS.types,
});
