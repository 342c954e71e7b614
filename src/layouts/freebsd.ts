/**
 * FreeBSD >= 9 `struct futx`, the on-disk record of the utmpx database: packed,
 * 197 bytes, big-endian on every architecture (FORMATS.md §4). The in-memory
 * `struct utmpx` (280 bytes on amd64) is never written to disk.
 *
 * Sources: freebsd/freebsd-src `lib/libc/gen/utxdb.h` (struct futx, paths),
 * `utxdb.c` @ 3d497e17ebd3 (utx_to_futx, futx_to_utx), `pututxline.c`,
 * `getutxent.c` @ ba0fe1ddeff5 (the utx.log framing), `include/utmpx.h`
 * (types). Verified: replica struct with `__attribute__((packed))` (197 bytes);
 * the real FreeBSD 13.1 and 14.0 files against their native `last` and
 * `lastlogin` output.
 *
 * - `fu_tv` is one uint64: microseconds since the epoch.
 * - Which fields a record stores depends on its type (the rest is zero):
 *   BOOT_TIME, OLD_TIME, NEW_TIME and SHUTDOWN_TIME store type and time only;
 *   USER_PROCESS id, user, line, host and pid; LOGIN_PROCESS id, user, line and
 *   pid; INIT_PROCESS and DEAD_PROCESS id and pid.
 * - `fu_id` is 8 opaque bytes (random for console logins, "pts/N" for sshd),
 *   so detection does not require it to be text.
 * - Types are FreeBSD's own numbers: EMPTY 0, BOOT_TIME 1, OLD_TIME 2,
 *   NEW_TIME 3, USER_PROCESS 4, INIT_PROCESS 5, LOGIN_PROCESS 6, DEAD_PROCESS
 *   7, SHUTDOWN_TIME 8. There is no RUN_LVL.
 * - `/var/run/utx.active` (like utmp) and `/var/log/utx.lastlogin` (one
 *   USER_PROCESS per user) hold fixed 197-byte records: layout `freebsd`.
 * - `/var/log/utx.log` (like wtmp) frames each record as a big-endian uint16
 *   length and the futx with its trailing zero bytes cut: layout
 *   `freebsd-log`. The reader zero-fills each record back to 197 bytes, reads
 *   only the first 197 bytes of a longer one (libc's forward compatibility),
 *   and, like libc, steps one byte forward over a zero length (a sign of
 *   corruption). A record's `offset` is the offset of its length prefix.
 *
 * @module
 */

import type { UtTypeName } from "../types.ts";
import { defineLayout, type Layout } from "./schema.ts";

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

/** FreeBSD `struct futx` in utx.active and utx.lastlogin: 197 bytes, big-endian. */
export const FREEBSD: Layout<"freebsd", "utmp"> = defineLayout({
  name: "freebsd",
  kind: "utmp",
  size: 197,
  endian: "be",
  description: "FreeBSD >= 9 utx.active and utx.lastlogin: 197-byte packed futx, big-endian on every architecture",
  source: "freebsd-src lib/libc/gen/utxdb.h (struct futx), utxdb.c; replica packed struct (gcc); real 13.1/14.0 files",
  fields: {
    ut_type: { offset: 0, type: "u8" },
    tv_us: { offset: 1, type: "u64" },
    ut_id: { offset: 9, type: "char", size: 8 },
    ut_pid: { offset: 17, type: "i32" },
    ut_user: { offset: 21, type: "char", size: 32 },
    ut_line: { offset: 53, type: "char", size: 16 },
    ut_host: { offset: 69, type: "char", size: 128 },
  },
  types: FREEBSD_TYPES,
  paths: ["/var/run/utx.active", "/var/log/utx.lastlogin"],
  opaqueId: true,
  storedFields: Object.freeze({
    EMPTY: [],
    BOOT_TIME: ["tv_us"],
    OLD_TIME: ["tv_us"],
    NEW_TIME: ["tv_us"],
    SHUTDOWN_TIME: ["tv_us"],
    USER_PROCESS: ["tv_us", "ut_id", "ut_user", "ut_line", "ut_host", "ut_pid"],
    LOGIN_PROCESS: ["tv_us", "ut_id", "ut_user", "ut_line", "ut_pid"],
    INIT_PROCESS: ["tv_us", "ut_id", "ut_pid"],
    DEAD_PROCESS: ["tv_us", "ut_id", "ut_pid"],
  }),
});

/** FreeBSD utx.log: each futx behind a big-endian uint16 length, trailing zero bytes cut. */
export const FREEBSD_LOG: Layout<"freebsd-log", "utmp"> = defineLayout({
  ...FREEBSD,
  name: "freebsd-log",
  framing: "u16be",
  description: "FreeBSD >= 9 utx.log: futx records behind a big-endian uint16 length, trailing zeros cut",
  source: "freebsd-src lib/libc/gen/pututxline.c (utx_log_add), getutxent.c (getfutxent); real 13.1/14.0 files",
  paths: ["/var/log/utx.log"],
});
