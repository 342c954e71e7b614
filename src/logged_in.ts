/**
 * {@link loggedIn}: who is logged in right now, what each session runs and
 * how long it has been idle — procps `w` as data, for monitoring agents,
 * dashboards and bots.
 *
 * @module
 */

import { type Activity, type ActivityReport, readActivity } from "./_activity.ts";
import { storedString, stringBytes } from "./_internal/bytes.ts";
import type { SessionsOptions } from "./sources/sessions.ts";
import { commandOf } from "./_internal/escape/procps.ts";

/** One live session, as `w` shows it. */
export interface LoggedInUser {
  /** User name. */
  user: string;
  /** The line as stored, without "/dev/": "pts/0", "tty1", or ":0" for an X display, "seat0" for a seat. */
  line: string;
  /** The terminal's device path ("/dev/pts/0"), or null when the line names none (a display, a seat). */
  tty: string | null;
  /** Remote host (or X display) as recorded, "" for a local login. */
  host: string;
  /** The remote address as text ("192.0.2.7", "2001:db8::1"), "" when none is recorded. */
  addr: string;
  /** When the session began. */
  loginTime: Date;
  /**
   * Seconds since the terminal was last used (`w`'s IDLE: now less the
   * device's access time), or null when it cannot be known: an X display or
   * a seat, a terminal that cannot be statted, no /dev (under a `root`
   * without one), a clock set back.
   */
  idle: number | null;
  /** The session's process (`ut_pid`, logind's LEADER). */
  pid: number;
  /**
   * What the session runs (`w`'s WHAT): the arguments of the newest process
   * leading its terminal's foreground process group and owned by the user
   * (else the session's own process), control characters as "?"; "-" when
   * there is none; null when the processes cannot be read.
   */
  command: string | null;
  /** CPU seconds used by every process on the terminal (`w`'s JCPU), or null when it cannot be read. */
  jcpu: number | null;
  /** CPU seconds used by the process of {@link LoggedInUser.command} (`w`'s PCPU), or null when it cannot be read. */
  pcpu: number | null;
  /** Where the session was read from: the utmp, systemd-logind's session files, or a wtmpdb's open sessions. */
  source: "utmp" | "logind" | "wtmpdb";
}

/**
 * What {@link loggedIn} resolves to: an array of {@link LoggedInUser}, one
 * per live session in the order of the source, carrying the figures of
 * `w`'s first line. `JSON.stringify` gives the array alone.
 */
export interface LoggedInUsers extends Array<LoggedInUser> {
  /** Seconds since the system booted (/proc/uptime), or null where /proc cannot be read. */
  uptime: number | null;
  /**
   * The number of users `w` and `uptime` print: the source's user sessions,
   * the stale ones included (the array holds the live ones).
   */
  userCount: number;
  /** The load averages over 1, 5 and 15 minutes (/proc/loadavg), or null where /proc cannot be read. */
  loadAverage: [number, number, number] | null;
  /**
   * What could not be had, in words: under a `root` without a proc file
   * system at `<root>/proc`, sessions are not checked for being live and
   * `command`, `jcpu`, `pcpu` and the uptime are null; without terminals at
   * `<root>/dev`, `idle` and `jcpu` are null. Empty when everything was read.
   */
  notes: string[];
}

/** Options of {@link loggedIn}. */
export interface LoggedInOptions extends SessionsOptions {
  /** Only this user's sessions (`w USER`). */
  user?: string;
  /**
   * Choose what a session runs among every user's processes on its terminal,
   * not only the session user's (`w -u`).
   */
  anyUser?: boolean;
}

/**
 * Who is logged in now, and what each session is doing: procps `w` as
 * data. Each live session of the system's utmp (or systemd-logind's
 * sessions where there is no utmp) with its terminal, idle time, the
 * command it runs and the CPU time it used, as `w` computes them; the
 * array also carries `w`'s first line: the uptime, the user count and the
 * load averages.
 *
 * A session is live when its process exists (a utmp keeps the records of
 * sessions whose process died without logging out; `w` and `who` leave
 * them out). Unlike `w`, a session whose user is not in the password file
 * is kept, its command chosen among every user's processes.
 *
 * Under a `root` (a host's `/` mounted in a container), the processes and
 * terminals are those of `<root>/proc` and `<root>/dev`: where one is not
 * mounted there, what depends on it is null, never this machine's (see
 * {@link LoggedInUsers.notes}). A `path` names the utmp (or logind
 * directory) to read; its sessions are still looked for among the
 * processes of this machine (or the root's).
 *
 * @example Who is on this machine, with idle times
 * ```ts ignore
 * import { loggedIn } from "@utmp/utmp";
 *
 * const users = await loggedIn();
 * console.log(`${users.length} sessions, load ${users.loadAverage?.[0]}`);
 * for (const u of users) console.log(u.user, u.tty, u.idle, u.command);
 * ```
 *
 * @example A host's sessions from a container without the host's /proc
 * ```ts
 * import { loggedIn } from "@utmp/utmp";
 * import assert from "node:assert/strict";
 * import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * // The host's / at a root: one logind session, no /proc or /dev mounted there.
 * const root = mkdtempSync(join(tmpdir(), "host-"));
 * mkdirSync(join(root, "run/systemd/sessions"), { recursive: true });
 * writeFileSync(
 *   join(root, "run/systemd/sessions/3"),
 *   "UID=1000\nUSER=alice\nCLASS=user\nTTY=pts/0\nREMOTE_HOST=192.0.2.7\nLEADER=812\nREALTIME=1700000000000000\n",
 * );
 * const users = await loggedIn({ root });
 * assert.equal(users.length, 1);
 * assert.deepEqual({ ...users[0] }, {
 *   user: "alice",
 *   line: "pts/0",
 *   tty: "/dev/pts/0",
 *   host: "192.0.2.7",
 *   addr: "192.0.2.7",
 *   loginTime: new Date("2023-11-14T22:13:20.000Z"),
 *   idle: null,
 *   pid: 812,
 *   command: null,
 *   jcpu: null,
 *   pcpu: null,
 *   source: "logind",
 * });
 * assert.equal(users.userCount, 1);
 * assert.equal(users.uptime, null);
 * assert.equal(users.notes.length, 2); // no proc file system, no terminals under the root
 * ```
 *
 * @param options Source, path, root; a user; `anyUser` as `w -u`.
 * @returns The live sessions, with the uptime, user count and load averages.
 * @throws {UtmpFileError} When the source cannot be read (a system that keeps neither a utmp nor logind's
 *   sessions has no one logged in: an empty list, with a note; a `path` or `source` asked for must be there).
 * @throws {RangeError} For an unknown source.
 * @throws In Deno without `--allow-all`, reading /proc is refused (`NotCapable`, naming the flag).
 */
export async function loggedIn(options: LoggedInOptions = {}): Promise<LoggedInUsers> {
  const report = await readActivity(options);
  const users = report.sessions.map((a) => loggedInUser(a, report));
  return Object.assign(users, {
    uptime: report.uptime,
    userCount: report.userCount,
    loadAverage: report.loadAverage,
    notes: report.notes,
  });
}

/** A byte string of UTF-8 as text. */
const text = (s: string): string => new TextDecoder().decode(stringBytes(s));

/**
 * One session as a `LoggedInUser`.
 *
 * @param a The session.
 * @param report The report it is part of.
 * @returns The plain object.
 */
export function loggedInUser(a: Activity, report: ActivityReport): LoggedInUser {
  const u = a.record;
  const stored = storedString(u, "ut_line");
  const p = a.processes;
  const hasDev = report.machine.hasDev;
  // A terminal line, not a display (":0") or a logind seat ("seat0", which the record keeps without "/dev/"); for
  // logind's, the terminal procps 4.0.4 finds (a TTY-less session's among its leader's children).
  const terminal = a.tools === "debian-13" ? a.tty !== "" : a.tty !== "" && !a.display && u.ut_line.startsWith("/dev/");
  return {
    user: u.ut_user,
    line: text(stored),
    tty: terminal ? "/dev/" + text(a.tty) : null,
    host: a.remoteHost ?? u.ut_host,
    addr: u.ut_addr.every((b) => b === 0) ? "" : u.ut_addr_text,
    loginTime: u.ut_time,
    idle: !terminal || a.idle === null || a.idle < 0 ? null : a.idle,
    pid: u.ut_pid,
    command: p === null ? null : p.what === undefined ? "-" : text(commandOf(p.what, p.cmdline, true).slice(0, 512)),
    jcpu: p === null || !hasDev ? null : p.jcpu / report.hertz,
    pcpu: p === null ? null : p.pcpu / report.hertz,
    source: a.source,
  };
}
