/**
 * Linux glibc `struct utmp` == `struct utmpx`, as written to /var/run/utmp,
 * /var/log/wtmp and /var/log/btmp (FORMATS.md §1), including m68k's packed
 * variant (§1c), and glibc's `struct lastlog` in /var/log/lastlog (§1f).
 *
 * Sources: bminor/glibc @ 04e750e75b73 `bits/utmp.h`, `sysdeps/gnu/bits/utmpx.h`,
 * `sysdeps/generic/utmp-size.h` (UTMP_SIZE 400) and `sysdeps/*\/utmp-size.h`
 * (384), `sysdeps/unix/sysv/linux/s390/bits/utmp.h`; glibc commit 5361ad3910
 * (2.40: `ut_tv.tv_sec` unsigned in the 384-byte layout); for lastlog the
 * `LASTLOG_SIZE` of each `sysdeps/*\/utmp-size.h` (292 on x86, arm, riscv,
 * powerpc, mips, sparc, hppa, m68k, sh, microblaze, csky; 296 from
 * `sysdeps/generic`) and the s390 `bits/utmp.h` (`int64_t ll_time` on s390).
 * Verified: the 384-byte offsets with `offsetof` against Debian 12's installed
 * glibc 2.36 headers on x86_64; the 400-byte ones against real aarch64 and
 * s390x files (plaso `utmp_aarch64`, `utmp_s390`, utmp-rs `basic64.utmp`) and
 * super-speedy-syslog-searcher's offsetof dump from Debian 12 aarch64. The
 * m68k table against gcc's layout of the same struct with 2-byte alignment
 * (tests/layouts/replica_test.ts), and hand-written big-endian bytes.
 *
 * @module
 */

import { LINUX_TYPES, NO_TYPES } from "../types.ts";
import { defineLayout, type Layout, type LayoutFields } from "./schema.ts";

/** Fields at the same offsets in both glibc layouts (offsets 0..335). */
const COMMON = {
  ut_type: { offset: 0, type: "i16" },
  // 2..3: padding, zero in files written by glibc.
  ut_pid: { offset: 4, type: "i32" },
  ut_line: { offset: 8, type: "char", size: 32 },
  ut_id: { offset: 40, type: "char", size: 4 },
  ut_user: { offset: 44, type: "char", size: 32 },
  ut_host: { offset: 76, type: "char", size: 256 },
  e_termination: { offset: 332, type: "i16" },
  e_exit: { offset: 334, type: "i16" },
} as const satisfies LayoutFields;

/**
 * 384 bytes, `__WORDSIZE_TIME64_COMPAT32 = 1`: int32 session, uint32 tv_sec
 * (unsigned since glibc 2.40, so times run to 2106), int32 tv_usec.
 */
const FIELDS_384: LayoutFields = {
  ...COMMON,
  ut_session: { offset: 336, type: "i32" },
  tv_sec: { offset: 340, type: "u32" },
  tv_usec: { offset: 344, type: "i32" },
  ut_addr: { offset: 348, type: "in6", size: 16 },
  // 364..383: __glibc_reserved[20].
};

/**
 * 400 bytes, `__WORDSIZE_TIME64_COMPAT32 = 0`: int64 session, tv_sec and
 * tv_usec; 396..399 is tail padding.
 */
const FIELDS_400: LayoutFields = {
  ...COMMON,
  ut_session: { offset: 336, type: "i64" },
  tv_sec: { offset: 344, type: "i64" },
  tv_usec: { offset: 352, type: "i64" },
  ut_addr: { offset: 360, type: "in6", size: 16 },
  // 376..395: __glibc_reserved[20]; 396..399: tail padding.
};

const SOURCE_384 =
  "glibc bits/utmp.h, sysdeps/gnu/bits/utmpx.h, utmp-size.h (UTMP_SIZE 384); offsetof on Debian 12 glibc 2.36 x86_64";
const SOURCE_400 =
  "glibc bits/utmp.h, sysdeps/generic/utmp-size.h (UTMP_SIZE 400); real aarch64/s390x files and offsetof dumps";
const PATHS = ["/var/run/utmp", "/var/log/wtmp", "/var/log/btmp"] as const;

/** glibc 384-byte little-endian: x86_64, i386, x32, arm, riscv32/64. */
export const LINUX: Layout<"linux", "utmp"> = defineLayout({
  name: "linux",
  kind: "utmp",
  size: 384,
  endian: "le",
  description: "Linux glibc, 384 bytes, little-endian (x86_64, i386, arm, riscv)",
  source: SOURCE_384,
  fields: FIELDS_384,
  types: LINUX_TYPES,
  paths: PATHS,
});

/** glibc 384-byte big-endian: ppc, ppc64, sparc, mips, hppa. */
export const LINUX_BE: Layout<"linux-be", "utmp"> = defineLayout({
  ...LINUX,
  name: "linux-be",
  endian: "be",
  description: "Linux glibc, 384 bytes, big-endian (ppc, sparc, mips, hppa)",
});

/** glibc 400-byte little-endian: aarch64, loongarch64, alpha, ia64. */
export const LINUX64: Layout<"linux64", "utmp"> = defineLayout({
  name: "linux64",
  kind: "utmp",
  size: 400,
  endian: "le",
  description: "Linux glibc, 400 bytes, little-endian (aarch64, loongarch64)",
  source: SOURCE_400,
  fields: FIELDS_400,
  types: LINUX_TYPES,
  paths: PATHS,
});

/** glibc 400-byte big-endian: s390x (and s390 31-bit). */
export const LINUX64_BE: Layout<"linux64-be", "utmp"> = defineLayout({
  ...LINUX64,
  name: "linux64-be",
  endian: "be",
  description: "Linux glibc, 400 bytes, big-endian (s390x)",
});

/**
 * glibc on m68k: the 384-byte fields packed with 2-byte alignment, so there is
 * no padding after `ut_type` and everything from `ut_pid` on sits 2 bytes
 * earlier (FORMATS.md §1c). Source: glibc `sysdeps/m68k/utmp-size.h`
 * (UTMP_SIZE 382); verified with a replica struct under `#pragma pack(2)`.
 */
export const LINUX_M68K: Layout<"linux-m68k", "utmp"> = defineLayout({
  name: "linux-m68k",
  kind: "utmp",
  size: 382,
  endian: "be",
  description: "Linux glibc on m68k, 382 bytes, big-endian",
  source: "glibc sysdeps/m68k/utmp-size.h (UTMP_SIZE 382); replica struct with 2-byte alignment (gcc)",
  fields: {
    ut_type: { offset: 0, type: "i16" },
    ut_pid: { offset: 2, type: "i32" },
    ut_line: { offset: 6, type: "char", size: 32 },
    ut_id: { offset: 38, type: "char", size: 4 },
    ut_user: { offset: 42, type: "char", size: 32 },
    ut_host: { offset: 74, type: "char", size: 256 },
    e_termination: { offset: 330, type: "i16" },
    e_exit: { offset: 332, type: "i16" },
    ut_session: { offset: 334, type: "i32" },
    tv_sec: { offset: 338, type: "u32" },
    tv_usec: { offset: 342, type: "i32" },
    ut_addr: { offset: 346, type: "in6", size: 16 },
    // 362..381: __glibc_reserved[20].
  },
  types: LINUX_TYPES,
  paths: PATHS,
});

/**
 * glibc `struct lastlog`, 292 bytes (`__WORDSIZE_TIME64_COMPAT32 = 1`, and
 * m68k): uint32 `ll_time` (unsigned since glibc 2.40), `ll_line[32]`,
 * `ll_host[256]` (FORMATS.md §1f). A sparse array indexed by uid.
 * Verified: `offsetof` against Debian 12's `<lastlog.h>` on x86_64; real
 * x86_64, i386, armhf and riscv64 files (s4) against their `lastlog` output.
 */
export const LASTLOG_LINUX: Layout<"lastlog-linux", "lastlog"> = defineLayout({
  name: "lastlog-linux",
  kind: "lastlog",
  size: 292,
  endian: "le",
  description: "Linux glibc lastlog, 292 bytes, little-endian (x86_64, i386, arm, riscv)",
  source: "glibc bits/utmp.h struct lastlog, utmp-size.h (LASTLOG_SIZE 292); offsetof on Debian 12 glibc 2.36 x86_64",
  fields: {
    tv_sec: { offset: 0, type: "u32" },
    ut_line: { offset: 4, type: "char", size: 32 },
    ut_host: { offset: 36, type: "char", size: 256 },
  },
  types: NO_TYPES,
  paths: ["/var/log/lastlog"],
});

/**
 * glibc `struct lastlog`, 296 bytes (`__WORDSIZE_TIME64_COMPAT32 = 0`:
 * aarch64, loongarch64): int64 `ll_time`, `ll_line[32]`, `ll_host[256]`.
 * Verified: a real aarch64 file (s4 Debian 11) against its `lastlog` output.
 */
export const LASTLOG_LINUX64: Layout<"lastlog-linux64", "lastlog"> = defineLayout({
  name: "lastlog-linux64",
  kind: "lastlog",
  size: 296,
  endian: "le",
  description: "Linux glibc lastlog, 296 bytes, little-endian (aarch64, loongarch64)",
  source: "glibc bits/utmp.h struct lastlog, sysdeps/generic/utmp-size.h (LASTLOG_SIZE 296); real aarch64 file",
  fields: {
    tv_sec: { offset: 0, type: "i64" },
    ut_line: { offset: 8, type: "char", size: 32 },
    ut_host: { offset: 40, type: "char", size: 256 },
  },
  types: NO_TYPES,
  paths: ["/var/log/lastlog"],
});

/**
 * glibc `struct lastlog`, 292 bytes, big-endian: the same fields as
 * {@link LASTLOG_LINUX} on the big-endian CPUs whose `utmp-size.h` says
 * `LASTLOG_SIZE 292` (`__WORDSIZE_TIME64_COMPAT32 = 1`): powerpc and
 * powerpc64 (`sysdeps/powerpc`), mips and mips64, sparc and sparc64, hppa,
 * m68k (its 2-byte alignment moves nothing after a 4-byte time), sh and
 * microblaze built big-endian.
 * Verified: the offsets are those of the little-endian table (one struct in
 * `bits/utmp.h`, byte order aside); files written by `encodeRecord`, the
 * byte-for-byte swap of the x86_64 ones (tests/layouts/lastlog_be_test.ts).
 */
export const LASTLOG_LINUX_BE: Layout<"lastlog-linux-be", "lastlog"> = defineLayout({
  ...LASTLOG_LINUX,
  name: "lastlog-linux-be",
  endian: "be",
  description: "Linux glibc lastlog, 292 bytes, big-endian (ppc, ppc64, mips, sparc, hppa, m68k)",
  source: "glibc bits/utmp.h struct lastlog; sysdeps/{powerpc,mips,sparc,hppa,m68k}/utmp-size.h (LASTLOG_SIZE 292)",
});

/**
 * glibc `struct lastlog`, 296 bytes, big-endian: int64 `ll_time` on s390x
 * (`sysdeps/generic/utmp-size.h`, `LASTLOG_SIZE 296`) and on 31-bit s390,
 * whose `sysdeps/unix/sysv/linux/s390/bits/utmp.h` makes `ll_time` an
 * `int64_t` so that both share one file; also aarch64 built big-endian.
 * Verified: the offsets of {@link LASTLOG_LINUX64} (the same struct, byte
 * order aside); files written by `encodeRecord` (tests/layouts/lastlog_be_test.ts).
 */
export const LASTLOG_LINUX64_BE: Layout<"lastlog-linux64-be", "lastlog"> = defineLayout({
  ...LASTLOG_LINUX64,
  name: "lastlog-linux64-be",
  endian: "be",
  description: "Linux glibc lastlog, 296 bytes, big-endian (s390x, s390)",
  source:
    "glibc bits/utmp.h and sysdeps/unix/sysv/linux/s390/bits/utmp.h struct lastlog, sysdeps/generic/utmp-size.h (LASTLOG_SIZE 296)",
});
