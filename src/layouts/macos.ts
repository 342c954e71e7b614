/**
 * macOS >= 10.5 (and iOS) `/var/run/utmpx`: `struct utmpx32`, which libc
 * writes whatever the process ABI, with a 32-bit timeval (FORMATS.md §3).
 *
 * Sources: apple-oss-distributions/Libc @ 55b54c0a0c37 (Libc-1725.0.11):
 * `include/NetBSD/utmpx.h`, `gen/utmpx-darwin.h` (`struct utmpx32`),
 * `gen/NetBSD/utmpx.c` (`_utmpx32_64` conversion, the "utmpx-1.00" signature
 * record `_utmpx_vers`). Verified: replica struct compiled with gcc for ILP32
 * and LP64 (628 bytes both); plaso's real Mac OS X 10.5 file against plaso's
 * test values.
 *
 * The file starts with a SIGNATURE record: all zero but `ut_type` 10 and
 * `ut_user` "utmpx-1.00". Types are the System V numbers (OLD_TIME 3, NEW_TIME
 * 4, the reverse of Linux) plus SIGNATURE 10 and SHUTDOWN_TIME 11. EMPTY slots
 * may keep stale pid, id and time. Since 10.5 there is no wtmp or lastlog file
 * (history goes to ASL and the unified log). PowerPC Macs (10.5) wrote the same
 * record big-endian.
 *
 * @module
 */

import { SYSV_TYPES } from "../types.ts";
import { defineLayout, type Layout } from "./schema.ts";

/** macOS `struct utmpx32`: 628 bytes, little-endian (Intel, Apple silicon). */
export const MACOS: Layout<"macos", "utmp"> = defineLayout({
  name: "macos",
  kind: "utmp",
  size: 628,
  endian: "le",
  description: "macOS >= 10.5 utmpx: 628 bytes, little-endian (Intel, Apple silicon)",
  source: "Apple Libc-1725.0.11 gen/utmpx-darwin.h (struct utmpx32), gen/NetBSD/utmpx.c; replica struct (gcc)",
  fields: {
    ut_user: { offset: 0, type: "char", size: 256 },
    ut_id: { offset: 256, type: "char", size: 4 },
    ut_line: { offset: 260, type: "char", size: 32 },
    ut_pid: { offset: 292, type: "i32" },
    ut_type: { offset: 296, type: "i16" },
    // 298..299: padding.
    tv_sec: { offset: 300, type: "i32" },
    tv_usec: { offset: 304, type: "i32" },
    ut_host: { offset: 308, type: "char", size: 256 },
    // 564..627: ut_pad[16].
  },
  types: Object.freeze({ ...SYSV_TYPES, 10: "SIGNATURE", 11: "SHUTDOWN_TIME" }),
  paths: ["/var/run/utmpx"],
  signature: "utmpx-1.00",
});

/** The same record big-endian: Mac OS X 10.5 on PowerPC. */
export const MACOS_BE: Layout<"macos-be", "utmp"> = defineLayout({
  ...MACOS,
  name: "macos-be",
  endian: "be",
  description: "Mac OS X 10.5 utmpx on PowerPC: 628 bytes, big-endian",
});
