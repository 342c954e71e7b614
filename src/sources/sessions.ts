/**
 * Who is logged in, whatever keeps it: the utmp, systemd-logind's sessions
 * or a wtmpdb's open sessions, as the chooser picks them and the reader
 * table reads them.
 *
 * @module
 */

import type { UtmpRecord } from "../record.ts";
import type { RootOptions, SourceNames } from "./choose.ts";
import { factsOf, openSource, type SessionTools } from "./_readers.ts";
import { isStale, Machine } from "./_proc.ts";

export type { SessionTools };

/** Options of {@link sessions} and {@link who}. */
export interface SessionsOptions extends RootOptions {
  /**
   * "auto" (default): utmp where it exists and holds records, else logind's
   * session files (with a `path`: logind for a directory, wtmpdb for an
   * SQLite file, else utmp); or one of "utmp", "logind", "wtmpdb".
   */
  source?: "auto" | SourceNames["sessions"];
  /** The file (utmp, wtmpdb) or directory (logind) to read instead of the source's system path. */
  path?: string;
}

/** Options of {@link who}. */
export interface WhoOptions extends SessionsOptions {
  /**
   * Every user session the source holds. By default, reading the system's
   * own sessions (no `path`), sessions whose process is gone are left out,
   * as coreutils `who` leaves them out of the system's utmp (its
   * READ_UTMP_CHECK_PIDS: `kill(pid, 0)` failing with ESRCH); under a `root`
   * they are looked for in `<root>/proc`, and not checked where no proc file
   * system is mounted there. With a `path` nothing is checked (those
   * processes may belong to another machine).
   */
  all?: boolean;
}

/**
 * Whose tools the sessions of a source are shown as, the one place this is
 * decided: a utmp's (and a wtmpdb's open sessions) as Debian 12's coreutils
 * 9.1 and procps 4.0.2 show a utmp; logind's as Debian 13's coreutils 9.7
 * and procps 4.0.4 show them through sd-login (`logindSessions`: a seat's
 * and a terminal's line per session, TTY-less sessions, the boot time found
 * without a utmp, fields never cut to utmp's widths; `w`'s rows one per
 * session of a `user` class, its terminal found among the leader's
 * children).
 *
 * @example
 * ```ts
 * import { sessionTools } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 *
 * assert.equal(sessionTools("logind"), "debian-13");
 * assert.equal(sessionTools("utmp"), "debian-12");
 * ```
 *
 * @param source The source of the sessions.
 * @returns "debian-13" for logind's sessions, else "debian-12".
 */
export function sessionTools(source: SourceNames["sessions"]): SessionTools {
  return factsOf(source).tools;
}

/**
 * Every record of the current state, whatever keeps it: utmp's records (boot
 * time, run level, getty and user processes), logind's sessions as
 * coreutils 9.7 reads them (its boot time, `logindBootRecord`, then
 * `logindRecords`), or wtmpdb's last boot and open sessions (see
 * `wtmpdbSessions`). See {@link who} for just the logged-in users.
 *
 * @example Who is logged in, on any Linux
 * ```ts ignore
 * import { sessions } from "@utmp/utmp";
 *
 * for await (const u of sessions()) if (u.ut_user_process) console.log(u.ut_user, u.ut_line, u.layout);
 * ```
 *
 * @example Every record of a utmp
 * ```ts
 * import { sessions } from "@utmp/utmp";
 * import { encodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const path = join(mkdtempSync(join(tmpdir(), "utmp-")), "utmp");
 * writeFileSync(path, encodeRecords(LAYOUTS.linux, [
 *   { ut_type: "BOOT_TIME", ut_user: "reboot", ut_line: "~" },
 *   { ut_type: "LOGIN_PROCESS", ut_user: "LOGIN", ut_line: "tty1" },
 *   { ut_type: "USER_PROCESS", ut_user: "alice", ut_line: "pts/0" },
 * ]));
 * const types = [];
 * for await (const u of sessions({ source: "utmp", path })) types.push(u.ut_type);
 * assert.deepEqual(types, ["BOOT_TIME", "LOGIN_PROCESS", "USER_PROCESS"]);
 * ```
 *
 * @param options Source, path and root.
 * @returns The records.
 * @throws {UtmpFileError} When the source cannot be read.
 * @throws {RangeError} For an unknown source.
 */
export async function* sessions(options: SessionsOptions = {}): AsyncGenerator<UtmpRecord> {
  const { chosen, reader } = await openSource("sessions", options);
  yield* reader.records!(chosen, { root: options.root });
}

/**
 * The logged-in users: the USER_PROCESS records with a user name from
 * {@link sessions}, what `who` lists: for the system's own sessions, only
 * the live ones (see {@link WhoOptions.all}). For an array, what they run,
 * and their idle times, see `loggedIn()`.
 *
 * @example Logged-in users
 * ```ts
 * import { who } from "@utmp/utmp";
 * import assert from "node:assert/strict";
 * import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * // A system root with no utmp, and one logind session.
 * const root = mkdtempSync(join(tmpdir(), "utmp-root-"));
 * mkdirSync(join(root, "run/systemd/sessions"), { recursive: true });
 * writeFileSync(
 *   join(root, "run/systemd/sessions/3"),
 *   "# This is private data. Do not parse.\nUID=1000\nUSER=alice\nCLASS=user\nTTY=pts/0\nLEADER=812\nREALTIME=1700000000000000\n",
 * );
 * const users = [];
 * for await (const u of who({ root })) users.push(`${u.ut_user} ${u.ut_line} ${u.layout}`);
 * assert.deepEqual(users, ["alice /dev/pts/0 logind"]);
 * ```
 *
 * @param options Source, path, root, and whether to keep the sessions whose process is gone.
 * @returns The records.
 * @throws {UtmpFileError} When the source cannot be read.
 * @throws {RangeError} For an unknown source.
 * @throws In Deno without `--allow-all`, checking the processes (/proc) is refused (`NotCapable`, naming the
 *   flag): run with it, or pass `all: true`.
 */
export async function* who(options: WhoOptions = {}): AsyncGenerator<UtmpRecord> {
  const machine = options.all || options.path !== undefined ? undefined : new Machine(options.root);
  const alive = (pid: number): boolean | undefined => machine?.pidAlive(pid);
  for await (const u of sessions(options)) if (u.ut_user_process && u.ut_user !== "" && !isStale(u, alive)) yield u;
}
