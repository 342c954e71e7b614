/**
 * Where each system keeps its login records (FORMATS.md §1e, §3–§8).
 *
 * @module
 */

/** The files of one system. `undefined` where the system has no such file. */
export interface SystemPaths {
  /** Who is logged in now. */
  utmp: string;
  /** Login history. */
  wtmp?: string;
  /** Failed logins. */
  btmp?: string;
  /** Last login per user. */
  lastlog?: string;
}

const PATHS: Record<string, SystemPaths> = {
  linux: { utmp: "/var/run/utmp", wtmp: "/var/log/wtmp", btmp: "/var/log/btmp", lastlog: "/var/log/lastlog" },
  android: { utmp: "/var/run/utmp", wtmp: "/var/log/wtmp" },
  darwin: { utmp: "/var/run/utmpx" },
  freebsd: { utmp: "/var/run/utx.active", wtmp: "/var/log/utx.log", lastlog: "/var/log/utx.lastlogin" },
  openbsd: { utmp: "/var/run/utmp", wtmp: "/var/log/wtmp", lastlog: "/var/log/lastlog" },
  netbsd: { utmp: "/var/run/utmpx", wtmp: "/var/log/wtmpx", lastlog: "/var/log/lastlog" },
  sunos: { utmp: "/var/adm/utmpx", wtmp: "/var/adm/wtmpx", lastlog: "/var/adm/lastlog" },
  solaris: { utmp: "/var/adm/utmpx", wtmp: "/var/adm/wtmpx", lastlog: "/var/adm/lastlog" },
  illumos: { utmp: "/var/adm/utmpx", wtmp: "/var/adm/wtmpx", lastlog: "/var/adm/lastlog" },
  aix: { utmp: "/etc/utmp", wtmp: "/var/adm/wtmp", btmp: "/etc/security/failedlogin" },
};

/**
 * The login-record paths of an operating system (as `process.platform` or
 * `Deno.build.os` names it). Unknown systems get the Linux paths.
 *
 * @example Linux and macOS
 * ```ts
 * import { systemPaths } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 *
 * assert.equal(systemPaths("linux").utmp, "/var/run/utmp");
 * assert.equal(systemPaths("linux").wtmp, "/var/log/wtmp");
 * assert.equal(systemPaths("darwin").utmp, "/var/run/utmpx");
 * ```
 *
 * @param os Operating system name.
 * @returns Its paths.
 */
export function systemPaths(os: string): SystemPaths {
  return PATHS[os] ?? PATHS.linux!;
}

/**
 * Where journald keeps its files on a system with persistent logging.
 *
 * @example
 * ```ts
 * import { JOURNAL_DIR } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 *
 * assert.equal(JOURNAL_DIR, "/var/log/journal");
 * ```
 */
export const JOURNAL_DIR = "/var/log/journal";

/** Where journald keeps its files without persistent logging (volatile, in memory). */
export const JOURNAL_RUNTIME_DIR = "/run/log/journal";

/**
 * lastlog2's default database.
 *
 * @example
 * ```ts
 * import { LASTLOG2_PATH } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 *
 * assert.equal(LASTLOG2_PATH, "/var/lib/lastlog/lastlog2.db");
 * ```
 */
export const LASTLOG2_PATH = "/var/lib/lastlog/lastlog2.db";

/**
 * The password file the user names are looked up in.
 *
 * @example
 * ```ts
 * import { PASSWD_PATH } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 *
 * assert.equal(PASSWD_PATH, "/etc/passwd");
 * ```
 */
export const PASSWD_PATH = "/etc/passwd";

/**
 * Where logind keeps its session files.
 *
 * @example
 * ```ts
 * import { LOGIND_SESSIONS_DIR } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 *
 * assert.equal(LOGIND_SESSIONS_DIR, "/run/systemd/sessions");
 * ```
 */
export const LOGIND_SESSIONS_DIR = "/run/systemd/sessions";

/**
 * wtmpdb's default database (`_PATH_WTMPDB`).
 *
 * @example
 * ```ts
 * import { WTMPDB_PATH } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 *
 * assert.equal(WTMPDB_PATH, "/var/lib/wtmpdb/wtmp.db");
 * ```
 */
export const WTMPDB_PATH = "/var/lib/wtmpdb/wtmp.db";
