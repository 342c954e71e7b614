/**
 * {@link loggedIn}: who is logged in right now, what each session runs and
 * how long it has been idle — procps `w` as data, for monitoring agents,
 * dashboards and bots.
 *
 * @module
 */

import { byteString, rawFields, stringBytes, utf8String } from "./_internal/bytes.ts";
import type { LayoutName } from "./layouts/registry.ts";
import type { UtmpRecord } from "./record.ts";
import { isUserSession, readLogindSessions, sessionRecord } from "./sources/logind.ts";
import { type SessionsOptions, type SessionSource, sessionSource } from "./sources/mod.ts";
import { wtmpdbSessions } from "./sources/wtmpdb.ts";
import { commandOf, Machine, type SessionProcesses, whatOf } from "./sources/_proc.ts";
import { UtmpFile } from "./utmp_file.ts";

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

/** What `w` knows of one session, before it is shown or made a {@link LoggedInUser}. */
export interface Activity {
  /** The session's record. */
  record: UtmpRecord;
  /** The source it was read from. */
  source: SessionSource;
  /** The line as `w` cleans it (up to the first byte that is not a letter, a digit or "/"), a byte string. */
  tty: string;
  /** Whether the stored line starts with ":" (an X display: `w` shows "?xdm?"). */
  display: boolean;
  /** Now less the terminal's access time, in seconds; null when it cannot be statted. */
  idle: number | null;
  /** The session's processes, or null when /proc cannot be read. */
  processes: SessionProcesses | null;
}

/** Everything `w` prints, read once. */
export interface ActivityReport {
  /** The live sessions, in the source's order. */
  sessions: Activity[];
  /** See {@link LoggedInUsers.userCount}. */
  userCount: number;
  /** See {@link LoggedInUsers.uptime}. */
  uptime: number | null;
  /** See {@link LoggedInUsers.loadAverage}. */
  loadAverage: [number, number, number] | null;
  /** Clock ticks per second. */
  hertz: number;
  /** When it was read, whole seconds since the epoch. */
  now: number;
  /** See {@link LoggedInUsers.notes}. */
  notes: string[];
  /** The machine read. */
  machine: Machine;
}

/** Options of {@link readActivity}: those of {@link loggedIn}, and how `w` itself differs. */
export interface ActivityOptions extends LoggedInOptions {
  /** The layout of a utmp file ("auto" by default). */
  layout?: "auto" | LayoutName;
  /**
   * Leave out, as `w` does, a session whose user has no uid (not in the
   * password file, or a logind session without UID), unless `anyUser`.
   * Without it such a session is kept, its command chosen as with `anyUser`.
   */
  passwdOnly?: boolean;
}

/** A candidate session: its record, and the uid logind gives (utmp's comes from the password file). */
interface Candidate {
  record: UtmpRecord;
  uid: number | undefined;
}

/** `strncmp(a, b, UT_NAMESIZE) == 0` over byte strings. */
const sameName = (a: string, b: string): boolean => a.slice(0, 32) === b.slice(0, 32);

/**
 * The sessions `w` looks at, with the user count of `w`'s first line.
 *
 * @param options Source, path, root, user, layout.
 * @returns The USER_PROCESS records with a user name (of that user), their uids where known, and the count.
 */
async function candidates(
  options: ActivityOptions,
): Promise<{ source: SessionSource; list: Candidate[]; userCount: number }> {
  const { source, path } = await sessionSource(options);
  const want = options.user === undefined ? undefined : utf8String(options.user);
  const list: Candidate[] = [];
  let userCount = 0;
  const consider = (record: UtmpRecord, uid: number | undefined): void => {
    if (record.ut_type !== "USER_PROCESS") return;
    const name = byteString(rawFields(record).ut_user);
    if (name === "") return;
    userCount++;
    if (want === undefined || sameName(name, want)) list.push({ record, uid });
  };
  if (source === "logind") {
    let index = 0;
    for (const session of await readLogindSessions(path)) {
      if (!isUserSession(session)) continue;
      const uid = Number(session.values.UID ?? "");
      consider(sessionRecord(session, index++), /^\d+$/.test(session.values.UID ?? "") ? uid : undefined);
    }
  } else if (source === "wtmpdb") {
    for await (const u of wtmpdbSessions(path)) consider(u, undefined);
  } else {
    for await (const u of new UtmpFile(path, { layout: options.layout ?? "auto" })) consider(u, undefined);
  }
  return { source, list, userCount };
}

/**
 * procps `w`'s clean-up of a line: up to the first byte that is not an
 * ASCII letter or digit or "/".
 */
function cleanLine(stored: string): string {
  const m = /^[A-Za-z0-9/]*/.exec(stored.slice(0, 32));
  return m![0];
}

/**
 * Reads what `w` shows: the live sessions with their terminals and
 * processes, and the figures of its first line. Shared by {@link loggedIn}
 * and `utmp w`.
 *
 * @param options See {@link ActivityOptions}.
 * @returns The report.
 * @throws {UtmpFileError} When the source cannot be read.
 */
export async function readActivity(options: ActivityOptions = {}): Promise<ActivityReport> {
  const machine = new Machine(options.root);
  const { source, list, userCount } = await candidates(options);
  const notes: string[] = [];
  const processes = machine.processes();
  if (processes === undefined) {
    notes.push(
      machine.root === undefined
        ? "no /proc on this system: sessions are not checked for being live, and command, jcpu, pcpu and the uptime are unknown"
        : `no proc file system at "${
          machine.path("/proc")
        }" (not mounted there): sessions are not checked for being live, and command, jcpu, pcpu and the uptime are unknown`,
    );
  }
  if (!machine.hasDev) {
    notes.push(`no terminals at "${machine.path("/dev")}" (not mounted there): idle and jcpu are unknown`);
  }
  const now = Math.floor(Date.now() / 1000);
  const sessions: Activity[] = [];
  for (const { record, uid: given } of list) {
    const raw = rawFields(record);
    const stored = byteString(raw.ut_line);
    const tty = cleanLine(stored);
    let found: SessionProcesses | null = null;
    if (processes !== undefined) {
      const uid = options.anyUser ? undefined : given ?? machine.uidOf(byteString(raw.ut_user).slice(0, 32));
      if (uid === undefined && !options.anyUser && options.passwdOnly) continue;
      found = whatOf(processes, record.ut_pid, machine.hasDev ? machine.ttyDevice(tty) : -1, uid, machine);
      if (!found.found) continue;
    }
    const stat = machine.statTty("/dev/" + tty);
    sessions.push({
      record,
      source,
      tty,
      display: stored.startsWith(":"),
      idle: stat === undefined ? null : now - stat.atime,
      processes: found,
    });
  }
  return {
    sessions,
    userCount,
    uptime: machine.uptime() ?? null,
    loadAverage: machine.loadAverage() ?? null,
    hertz: processes === undefined ? 100 : machine.hertz(),
    now,
    notes,
    machine,
  };
}

/** A byte string of UTF-8 as text. */
const text = (s: string): string => new TextDecoder().decode(stringBytes(s));

/**
 * One session as a {@link LoggedInUser}.
 *
 * @param a The session.
 * @param report The report it is part of.
 * @returns The plain object.
 */
export function loggedInUser(a: Activity, report: ActivityReport): LoggedInUser {
  const u = a.record;
  const stored = byteString(rawFields(u).ut_line);
  const p = a.processes;
  const hasDev = report.machine.hasDev;
  const terminal = a.tty !== "" && !a.display;
  return {
    user: u.ut_user,
    line: text(stored),
    tty: terminal ? "/dev/" + a.tty : null,
    host: u.ut_host,
    addr: u.ut_addr.every((b) => b === 0) ? "" : u.ut_addr_text,
    loginTime: u.ut_time,
    idle: !terminal || a.idle === null || a.idle < 0 ? null : a.idle,
    pid: u.ut_pid,
    command: p === null
      ? null
      : p.what === undefined
      ? "-"
      : text(commandOf(p.what, report.machine.cmdline(p.what.pid), true).slice(0, 512)),
    jcpu: p === null || !hasDev ? null : p.jcpu / report.hertz,
    pcpu: p === null ? null : p.pcpu / report.hertz,
    source: a.source,
  };
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
 * @throws {UtmpFileError} When the source cannot be read.
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
