/**
 * 4.2/4.3BSD `struct utmp` and `struct lastlog`, also written by 4.4BSD,
 * Ultrix, SunOS 4, NeXTSTEP and Mac OS X up to 10.4 (FORMATS.md §3, §10), and
 * the type derivation shared by every layout without `ut_type`.
 *
 * Sources: dspinellis/unix-history-repo `usr/src/include/utmp.h`
 * ("@(#)utmp.h 5.1 (Berkeley) 5/30/85") and `lastlog.h` 5.1; Apple Libc @
 * 55b54c0a0c37 `include/utmp.h` (`struct utmp32`, `struct lastlog32`: int32
 * times on disk). Verified: replica structs compiled with gcc for ILP32 and
 * LP64 give 36 and 28 bytes at these offsets. No real sample was found.
 *
 * The 36-byte record has the size of the System V one (`svr4`) and no type
 * field or magic to tell them apart, so `layout: "auto"` never chooses it.
 *
 * @module
 */

import { NO_TYPES, type UtTypeName } from "../types.ts";
import { defineLayout, type Layout } from "./schema.ts";

/**
 * The record type of a layout without `ut_type`, derived from the line and the
 * user as BSD `last` and python-utmp read them: line "~" is a boot or shutdown
 * record (BOOT_TIME; the user tells "reboot" from "shutdown"), an empty user on
 * a line is a logout (DEAD_PROCESS), any other user a login (USER_PROCESS).
 * Two refinements: the clock-change markers "|" (old time) and "{" or "}"
 * (new time) give OLD_TIME and NEW_TIME, and a record with neither line nor
 * user (an unused slot of a slot-indexed utmp) is EMPTY.
 *
 * @example Derived types
 * ```ts
 * import { deriveType } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(deriveType("~", "reboot"), "BOOT_TIME");
 * assert.equal(deriveType("ttyp0", ""), "DEAD_PROCESS");
 * assert.equal(deriveType("ttyp0", "root"), "USER_PROCESS");
 * assert.equal(deriveType("", ""), "EMPTY");
 * ```
 *
 * @param line The stored line (no "/dev/").
 * @param user The stored user name.
 * @returns The type name.
 */
export function deriveType(line: string, user: string): UtTypeName {
  switch (line) {
    case "~":
      return "BOOT_TIME";
    case "|":
      return "OLD_TIME";
    case "{":
    case "}":
      return "NEW_TIME";
  }
  if (user !== "") return "USER_PROCESS";
  return line === "" ? "EMPTY" : "DEAD_PROCESS";
}

/** 4.3BSD `struct utmp`: line[8], name[8], host[16], 32-bit `ut_time`; 36 bytes, little-endian (VAX, x86). */
export const BSD: Layout<"bsd", "utmp"> = defineLayout({
  name: "bsd",
  kind: "utmp",
  size: 36,
  endian: "le",
  description: "4.3BSD, 4.4BSD, SunOS 4 on x86, Mac OS X <= 10.4 on Intel: 36 bytes, little-endian, no type",
  source: "unix-history-repo usr/src/include/utmp.h 5.1 (Berkeley) 5/30/85; Apple Libc include/utmp.h (utmp32)",
  fields: {
    ut_line: { offset: 0, type: "char", size: 8 },
    ut_user: { offset: 8, type: "char", size: 8 },
    ut_host: { offset: 16, type: "char", size: 16 },
    tv_sec: { offset: 32, type: "i32" },
  },
  types: NO_TYPES,
  deriveType,
  paths: ["/var/run/utmp", "/var/log/wtmp", "/etc/utmp", "/usr/adm/wtmp"],
  autodetect: false,
});

/** 4.3BSD `struct lastlog`: 32-bit `ll_time`, line[8], host[16]; 28 bytes, little-endian, indexed by uid. */
export const LASTLOG_BSD: Layout<"lastlog-bsd", "lastlog"> = defineLayout({
  name: "lastlog-bsd",
  kind: "lastlog",
  size: 28,
  endian: "le",
  description: "4.3BSD, Mac OS X <= 10.4 on Intel, Solaris/illumos on x86 lastlog: 28 bytes, little-endian",
  source: "unix-history-repo usr/src/include/lastlog.h 5.1; Apple Libc include/utmp.h (lastlog32); illumos lastlog.h",
  fields: {
    tv_sec: { offset: 0, type: "i32" },
    ut_line: { offset: 4, type: "char", size: 8 },
    ut_host: { offset: 12, type: "char", size: 16 },
  },
  types: NO_TYPES,
  paths: ["/var/log/lastlog", "/usr/adm/lastlog", "/var/adm/lastlog"],
});
