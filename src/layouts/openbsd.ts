/**
 * OpenBSD >= 5.5 `struct utmp` and `struct lastlog` (64-bit `time_t`), the same
 * on i386 and amd64 (FORMATS.md §5).
 *
 * Sources: openbsd/src `include/utmp.h` (rev. 1.5, via the file index);
 * rust-lang/libc @ 2eda1e52fe2e `src/unix/bsd/netbsdlike/openbsd/mod.rs`;
 * offsetof dumps captured on OpenBSD 7.2 i386 and 7.4 amd64
 * (super-speedy-syslog-searcher `logs/OpenBSD7.*`). Verified: the real files of
 * those two machines against their native `last` output, and
 * utmp-classic-openbsd's `basic.utmp` against its crate's test values.
 *
 * No `ut_type`: it is derived from line and user (see `deriveType`). utmp is
 * indexed by tty slot (ttys(5) line), so unused slots are all zero; wtmp is
 * append-only; lastlog is indexed by uid.
 *
 * @module
 */

import { NO_TYPES } from "../types.ts";
import { defineLayout, type Layout } from "./schema.ts";
import { deriveType } from "./bsd.ts";

/** OpenBSD `struct utmp`: line[8], name[32], host[256], int64 `ut_time`; 304 bytes. */
export const OPENBSD: Layout<"openbsd", "utmp"> = defineLayout({
  name: "openbsd",
  kind: "utmp",
  size: 304,
  endian: "le",
  description: "OpenBSD >= 5.5 utmp/wtmp: 304 bytes, little-endian (i386, amd64, arm64), no type",
  source: "openbsd/src include/utmp.h; rust-lang/libc openbsd/mod.rs; offsetof dumps from OpenBSD 7.2 i386, 7.4 amd64",
  fields: {
    ut_line: { offset: 0, type: "char", size: 8 },
    ut_user: { offset: 8, type: "char", size: 32 },
    ut_host: { offset: 40, type: "char", size: 256 },
    tv_sec: { offset: 296, type: "i64" },
  },
  types: NO_TYPES,
  deriveType,
  paths: ["/var/run/utmp", "/var/log/wtmp"],
});

/** OpenBSD `struct lastlog`: int64 `ll_time`, line[8], host[256]; 272 bytes, indexed by uid. */
export const LASTLOG_OPENBSD: Layout<"lastlog-openbsd", "lastlog"> = defineLayout({
  name: "lastlog-openbsd",
  kind: "lastlog",
  size: 272,
  endian: "le",
  description: "OpenBSD >= 5.5 lastlog: 272 bytes, little-endian",
  source: "openbsd/src include/utmp.h (struct lastlog); offsetof dumps from OpenBSD 7.2 i386, 7.4 amd64",
  fields: {
    tv_sec: { offset: 0, type: "i64" },
    ut_line: { offset: 8, type: "char", size: 8 },
    ut_host: { offset: 16, type: "char", size: 256 },
  },
  types: NO_TYPES,
  paths: ["/var/log/lastlog"],
});
