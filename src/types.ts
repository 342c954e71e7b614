/**
 * Record type names shared by every layout.
 *
 * @module
 */

/**
 * `ut_type` values by name, with their Linux (glibc, musl) numbers. Other
 * systems number some of them differently (FreeBSD's USER_PROCESS is 4,
 * macOS swaps OLD_TIME and NEW_TIME); records always carry the name, and each
 * layout maps its own numbers to these names.
 *
 * @example Comparing by name
 * ```ts
 * import { UtType } from "@utmp/utmp";
 * import assert from "node:assert/strict";
 *
 * assert.equal(UtType.USER_PROCESS, 7);
 * ```
 */
export const UtType = {
  /** Unused slot. */
  EMPTY: 0,
  /** Run level change (user "runlevel", or "shutdown" at shutdown). */
  RUN_LVL: 1,
  /** System boot (user "reboot", line "~"). */
  BOOT_TIME: 2,
  /** Clock changed: the new time. */
  NEW_TIME: 3,
  /** Clock changed: the old time. */
  OLD_TIME: 4,
  /** Process spawned by init. */
  INIT_PROCESS: 5,
  /** getty waiting for a login; every btmp record. */
  LOGIN_PROCESS: 6,
  /** A logged-in user. */
  USER_PROCESS: 7,
  /** A session that ended. */
  DEAD_PROCESS: 8,
  /** Accounting (never written on Linux). */
  ACCOUNTING: 9,
} as const;

/**
 * The name of a record type. The first ten are the Linux ones; the others
 * exist on other systems only: SIGNATURE (macOS, NetBSD file header record),
 * SHUTDOWN_TIME (macOS, FreeBSD), DOWN_TIME (NetBSD, Solaris). "UNKNOWN" is
 * only seen with `keepInvalid: true`, for a stored number no layout defines.
 */
export type UtTypeName =
  | keyof typeof UtType
  | "SIGNATURE"
  | "SHUTDOWN_TIME"
  | "DOWN_TIME"
  | "UNKNOWN";

/** The Linux numbering (glibc `bits/utmp.h`), as a layout type table. */
export const LINUX_TYPES: Readonly<Record<number, UtTypeName>> = Object.freeze(
  Object.fromEntries(Object.entries(UtType).map(([name, n]) => [n, name as UtTypeName])),
);

/**
 * The System V numbering, with OLD_TIME 3 and NEW_TIME 4 (the reverse of
 * Linux): SVR2-R4, UnixWare, Solaris, AIX, HP-UX, DOMAIN/IX, and the base of
 * the macOS and NetBSD tables (FORMATS.md §15.2).
 */
export const SYSV_TYPES: Readonly<Record<number, UtTypeName>> = Object.freeze({
  ...LINUX_TYPES,
  3: "OLD_TIME",
  4: "NEW_TIME",
});

/** The type table of layouts without a stored type (BSD, V7, lastlog). */
export const NO_TYPES: Readonly<Record<number, UtTypeName>> = Object.freeze({});
