/**
 * One entry point whatever the system keeps: who is logged in from utmp or
 * systemd-logind (or wtmpdb), the login history from wtmp or wtmpdb, and the
 * last logins from lastlog or lastlog2 — in the same record contract, with a `root`
 * option to read another system's files (a container reading the host's at
 * `/host`).
 *
 * @module
 */

import { stat } from "node:fs/promises";
import { openLiveFile } from "../backends/_byte_source.ts";
import { fileError } from "../backends/_open.ts";
import { UtmpFileError } from "../errors.ts";
import { platform } from "../_internal/runtime.ts";
import { systemPaths } from "../paths.ts";
import type { UtmpRecord } from "../record.ts";
import { UtmpFile } from "../utmp_file.ts";
import { LOGIND_SESSIONS_DIR, logindBootRecord, logindRecords } from "./logind.ts";
import { WTMPDB_PATH, wtmpdbRecords, wtmpdbSessions } from "./wtmpdb.ts";
import { LASTLOG2_PATH, lastlog2Entries, type LastLogin, PASSWD_PATH } from "./lastlog2.ts";
import { type LastlogEntry, LastlogFile } from "../lastlog_file.ts";
import { holdsJournal, isJournalFile, JOURNAL_DIR, JOURNAL_RUNTIME_DIR, journalRecords } from "./journal.ts";
import type { LastlogLayoutName } from "../layouts/registry.ts";
import { namesByUid } from "../_internal/passwd.ts";
import { Root, rootPath } from "./_root.ts";
import { isStale, Machine } from "./_proc.ts";
import { quotePath } from "../_internal/escape/terminal.ts";
import { contentRefusal, fileContent } from "../layouts/_refusal.ts";
import { rotatedSet } from "./rotation.ts";
import { basename, dirname, join } from "node:path";

export { type Root, rootPath };
export { rotatedSet } from "./rotation.ts";
export { type SystemPaths, systemPaths } from "../paths.ts";
export {
  cunescape,
  isUserSession,
  LOGIND_SESSIONS_DIR,
  logindBootRecord,
  type LogindEntry,
  type LogindOptions,
  logindRecords,
  type LogindSession,
  logindSessions,
  type LogindSessionsOptions,
  parseSessionFile,
  readLogindSessions,
  sessionRecord,
} from "./logind.ts";
export {
  WTMPDB_PATH,
  wtmpdbBatches,
  type WtmpdbLastOptions,
  wtmpdbLastSessions,
  type WtmpdbOptions,
  wtmpdbRecords,
  type WtmpdbRow,
  type WtmpdbSession,
  wtmpdbSessions,
  WtmpdbType,
} from "./wtmpdb.ts";
export {
  JOURNAL_DIR,
  JOURNAL_FIELD_LIMIT,
  journalBegins,
  journalEntries,
  type JournalEntry,
  type JournalOptions,
  journalRecords,
} from "./journal.ts";
export { LASTLOG2_PATH, lastlog2Entries, type Lastlog2Options, type LastLogin, PASSWD_PATH } from "./lastlog2.ts";

/** Where each kind of login data comes from, by kind (see {@link chooseSource}). */
export interface SourceNames {
  /** Who is logged in now: a utmp file, systemd-logind's session files, or a wtmpdb's open sessions. */
  sessions: "utmp" | "logind" | "wtmpdb";
  /** Who logged in before: a wtmp file or a wtmpdb database. */
  history: "wtmp" | "wtmpdb";
  /** Failed logins: a btmp file, or the systemd journal's sshd and PAM lines (see `journalRecords`). */
  failures: "btmp" | "journal";
  /** The last login of each user: a lastlog file or a lastlog2 database. */
  lastlog: "lastlog" | "lastlog2";
}

/** See {@link sessionTools}. */
export type SessionTools = "debian-12" | "debian-13";

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
  return source === "logind" ? "debian-13" : "debian-12";
}

/** A kind of login data (see {@link SourceNames}). */
export type SourceKind = keyof SourceNames;

/** Options of {@link chooseSource}, and of every reader that chooses its source. */
export interface RootOptions {
  /**
   * The directory the system's `/` is at, prefixed to every system path the
   * library chooses (symbolic links inside it resolved within it), e.g.
   * "/host" in a container with the host's `/` mounted there. A `path` you
   * pass is used as given.
   */
  root?: string;
}

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

/** Options of {@link history}. */
export interface HistoryOptions extends RootOptions {
  /**
   * "auto" (default): wtmp where it exists and holds records (unless a
   * wtmpdb was written after it: a system that moved to wtmpdb and kept its
   * old wtmp), else wtmpdb (with a `path`: wtmpdb for an SQLite file, else
   * wtmp); or "wtmp" or "wtmpdb"; or "btmp" or "journal", the failed logins
   * (see `chooseSource("failures")`).
   */
  source?: "auto" | SourceNames["history"] | SourceNames["failures"];
  /** The file to read instead of the source's system path. */
  path?: string;
  /**
   * Several files read as one history, oldest first (`["wtmp.1", "wtmp"]`):
   * a login in one is paired with its logout in the next. Instead of `path`.
   */
  paths?: readonly string[];
  /**
   * Read the rotated set the file (`path`, each of `paths`, or the system's)
   * heads, in time order: `wtmp.2.gz`, `wtmp.1`, `wtmp` (see `rotatedSet()`).
   */
  rotated?: boolean;
}

/** Options of {@link lastlogs}. */
export interface LastlogsOptions extends RootOptions {
  /**
   * "auto" (default): the lastlog file (`/var/log/lastlog`) where it exists
   * and holds slots, unless a lastlog2 database was written after it; else
   * lastlog2 (with a `path`: lastlog2 for an SQLite file, else lastlog); or
   * "lastlog" or "lastlog2".
   */
  source?: "auto" | SourceNames["lastlog"];
  /** The file to read instead of the source's system path. */
  path?: string;
}

/** A source {@link chooseSource} chose. */
export interface ChosenSource<K extends SourceKind = SourceKind> {
  /** The kind of data. */
  kind: K;
  /** The source. */
  source: SourceNames[K];
  /** The file or directory it is read from. */
  path: string;
  /**
   * The path as the caller knows it: the one given, or the system's own
   * before `root` and its links (what `last` names in its closing line).
   */
  name: string;
  /**
   * What its path is opened through: the `root` option's {@link Root} for
   * a system path resolved there (no symbolic link followed at its last
   * component, `root.noFollow` for every reader's `noFollow` option, so that
   * a link renamed over it since leads nowhere outside the root); this
   * system's (`Root.here`) for a path given, opened as given.
   */
  root: Root;
}

/** The system path of each source (a database's, logind's, or this system's file from `systemPaths`). */
function systemPath(source: string): string | undefined {
  const paths = systemPaths(platform);
  switch (source) {
    case "utmp":
      return paths.utmp;
    case "logind":
      return LOGIND_SESSIONS_DIR;
    case "wtmpdb":
      return WTMPDB_PATH;
    case "wtmp":
      return paths.wtmp;
    case "btmp":
      return paths.btmp;
    case "journal":
      return JOURNAL_DIR;
    case "lastlog":
      return paths.lastlog;
    case "lastlog2":
      return LASTLOG2_PATH;
    case "journal-runtime":
      return JOURNAL_RUNTIME_DIR;
  }
  return undefined;
}

/**
 * The sources of each kind. "auto" chooses between the first two: a file,
 * and the database (or, for the sessions, logind's directory) taken where
 * the file is not.
 */
const SOURCES: { readonly [K in SourceKind]: readonly [SourceNames[K], ...SourceNames[K][]] } = {
  sessions: ["utmp", "logind", "wtmpdb"],
  history: ["wtmp", "wtmpdb"],
  failures: ["btmp", "journal"],
  lastlog: ["lastlog", "lastlog2"],
};

/** What each kind is, for messages. */
const WHAT: Readonly<Record<SourceKind, string>> = {
  sessions: "who is logged in",
  history: "login history",
  failures: "failed logins",
  lastlog: "last logins",
};

/** Size, mtime and kind of a path, or undefined when it does not exist. */
async function probe(path: string): Promise<{ size: number; mtimeMs: number; dir: boolean } | undefined> {
  try {
    const s = await stat(path);
    return { size: s.size, mtimeMs: s.mtimeMs, dir: s.isDirectory() };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw fileError(error, path);
  }
}

/** Bytes of a file's start read to tell an SQLite database's kind: its first page holds the schema. */
const SQLITE_HEAD = 1 << 16;

/**
 * What an SQLite database given as a path is, by its first page
 * ({@link fileContent}): "wtmpdb", "lastlog2", "sqlite" (neither's table
 * found there), or undefined for anything that is not an SQLite database
 * (or not a regular file).
 */
async function sqliteContent(path: string): Promise<"wtmpdb" | "lastlog2" | "sqlite" | undefined> {
  let file;
  try {
    file = await openLiveFile(path);
    const head = new Uint8Array(SQLITE_HEAD);
    const content = fileContent(head.subarray(0, await file.read(head, 0)));
    return content === "wtmpdb" || content === "lastlog2" || content === "sqlite" ? content : undefined;
  } catch {
    return undefined;
  } finally {
    await file?.close();
  }
}

/**
 * The one place the library decides where each kind of login data is read
 * from (every reader and the command line ask it):
 *
 * - `source` named: that source, at `path` or its system path under `root`;
 * - `path` given ("auto"): by what it is — a directory is logind's sessions,
 *   an SQLite file a wtmpdb (lastlog2 for last logins), anything else the
 *   record file (utmp, wtmp, btmp, lastlog);
 * - neither: the system's own. Current sessions: the utmp where it exists
 *   and holds records, else logind's session directory, else an empty utmp.
 *   History and last logins: the file where it exists and holds records,
 *   unless the database was written after it (a system that moved to
 *   wtmpdb or lastlog2 and kept its old file), else the database. Failed
 *   logins: the btmp.
 *
 * @example A system without utmp
 * ```ts
 * import { chooseSource } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 * import { mkdirSync, mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const root = mkdtempSync(join(tmpdir(), "root-"));
 * mkdirSync(join(root, "run/systemd/sessions"), { recursive: true });
 * const { root: opens, ...chosen } = await chooseSource("sessions", { root });
 * assert.deepEqual(chosen, {
 *   kind: "sessions",
 *   source: "logind",
 *   path: join(root, "run/systemd/sessions"),
 *   name: "/run/systemd/sessions",
 * });
 * assert.equal(opens.noFollow, true); // resolved under the root: no link followed at the last component
 * ```
 *
 * @example A system with a wtmp
 * ```ts
 * import { chooseSource } from "@utmp/utmp/sources";
 * import { encodeRecord, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 * import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const root = mkdtempSync(join(tmpdir(), "root-"));
 * mkdirSync(join(root, "var/log"), { recursive: true });
 * writeFileSync(join(root, "var/log/wtmp"), encodeRecord(LAYOUTS.linux, { ut_type: "BOOT_TIME", ut_user: "reboot" }));
 * assert.equal((await chooseSource("history", { root })).source, "wtmp");
 * ```
 *
 * @param kind What data: "sessions", "history", "failures" or "lastlog".
 * @param options The source ("auto" by default), a path, and the root.
 * @returns The source and its path.
 * @throws {UtmpFileError} "ENOENT", naming every path looked at, when the system keeps none of the kind's sources.
 * @throws {RangeError} For a source that is not one of the kind's.
 */
export async function chooseSource<K extends SourceKind>(
  kind: K,
  options: { root?: string | undefined; source?: string | undefined; path?: string | undefined } = {},
): Promise<ChosenSource<K>> {
  const sources = SOURCES[kind] as readonly string[];
  const source = options.source ?? "auto";
  if (source !== "auto" && !sources.includes(source)) {
    throw new RangeError(
      `Cannot read ${WHAT[kind]} from source "${source}": expected ${
        ["auto", ...sources].map((s) => `"${s}"`).join(", ")
      }`,
    );
  }
  const root = Root.of(options.root);
  const chosen = (s: string, path: string, name?: string) => ({
    kind,
    source: s as SourceNames[K],
    path,
    name: name ?? path,
    // A path given is the caller's own; a system path under a root was resolved there.
    root: name === undefined ? Root.here : root,
  });
  /** A source's system path, and where it is under the root. */
  const inRoot = async (s: string): Promise<{ path: string; name: string }> => {
    const name = systemPath(s);
    if (name === undefined) {
      throw new UtmpFileError(
        `Cannot read ${WHAT[kind]}: this system ("${platform}") keeps no ${s} file; pass the path of one`,
        "ENOENT",
        "",
      );
    }
    return { path: await root.path(name), name };
  };
  if (source !== "auto") {
    if (options.path !== undefined) return chosen(source, options.path);
    const at = await inRoot(source);
    return chosen(source, at.path, at.name);
  }
  const [file, other] = SOURCES[kind];
  if (kind === "failures") return chosenFailures(options, chosen, inRoot);
  if (options.path !== undefined) {
    const path = options.path;
    if (kind === "sessions" && (await probe(path))?.dir) return chosen("logind", path);
    // A SQLite file given for the sessions is a wtmpdb (its open sessions); for the others, their database. One
    // whose first page shows the other database's table is refused in words that name what reads it.
    const content = other === undefined ? undefined : await sqliteContent(path);
    if (content !== undefined) {
      const database = kind === "sessions" ? "wtmpdb" : other!;
      if (content !== "sqlite" && content !== database) {
        throw contentRefusal(content, path, kind === "lastlog" ? "a lastlog" : "login records");
      }
      return chosen(database, path);
    }
    return chosen(file, path);
  }
  const { path: filePath, name: fileName } = await inRoot(file);
  const f = await probe(filePath);
  if (kind === "sessions") {
    if (f !== undefined && f.size > 0) return chosen(file, filePath, fileName);
    const { path: logind, name: logindName } = await inRoot("logind");
    if ((await probe(logind))?.dir) return chosen("logind", logind, logindName);
    if (f !== undefined) return chosen(file, filePath, fileName);
    throw new UtmpFileError(
      `Cannot find ${WHAT[kind]}: no utmp at ${quotePath(filePath)} and no systemd-logind sessions at ${
        quotePath(logind)
      }; pass source "wtmpdb" or a path`,
      "ENOENT",
      filePath,
      undefined,
      [filePath, logind],
    );
  }
  if (other === undefined) {
    if (f !== undefined) return chosen(file, filePath, fileName);
    throw new UtmpFileError(
      `Cannot find ${WHAT[kind]}: this system keeps no ${file} at ${quotePath(filePath)}; pass a path`,
      "ENOENT",
      filePath,
      undefined,
      [filePath],
    );
  }
  const { path: dbPath, name: dbName } = await inRoot(other);
  const d = await probe(dbPath);
  if (f !== undefined && (d === undefined || (f.size > 0 && f.mtimeMs >= d.mtimeMs))) {
    return chosen(file, filePath, fileName);
  }
  if (d !== undefined) return chosen(other, dbPath, dbName);
  throw new UtmpFileError(
    `Cannot find ${WHAT[kind]}: no ${file} at ${quotePath(filePath)} and no ${other} at ${
      quotePath(dbPath)
    }; pass a path`,
    "ENOENT",
    filePath,
    undefined,
    [filePath, dbPath],
  );
}

/**
 * The failed logins' source: a path given is the journal when it is a
 * journal file or a directory that holds them, else a btmp (a directory
 * that holds none: EISDIR, as util-linux says); the system's btmp where it
 * exists, else its journal (`/var/log/journal`, else the volatile
 * `/run/log/journal`).
 */
async function chosenFailures<T>(
  options: { path?: string | undefined },
  chosen: (s: string, path: string, name?: string) => T,
  inRoot: (s: string) => Promise<{ path: string; name: string }>,
): Promise<T> {
  if (options.path !== undefined) {
    const path = options.path;
    const dir = (await probe(path))?.dir;
    return chosen((dir ? await holdsJournal(path) : await isJournalFile(path)) ? "journal" : "btmp", path);
  }
  const btmp = await inRoot("btmp");
  if (await probe(btmp.path) !== undefined) return chosen("btmp", btmp.path, btmp.name);
  const journal = await inRoot("journal");
  if ((await probe(journal.path))?.dir) return chosen("journal", journal.path, journal.name);
  const runtime = await inRoot("journal-runtime");
  if ((await probe(runtime.path))?.dir) return chosen("journal", runtime.path, runtime.name);
  throw new UtmpFileError(
    `Cannot find failed logins: no btmp at ${quotePath(btmp.path)} and no systemd journal at ${
      quotePath(journal.path)
    } or ${quotePath(runtime.path)}; pass a path`,
    "ENOENT",
    btmp.path,
    undefined,
    [btmp.path, journal.path, runtime.path],
  );
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
  const { source, path, root } = await chooseSource("sessions", options);
  const { noFollow } = root;
  if (source === "logind") {
    // As coreutils 9.7 reads them: the boot time it finds without a utmp, then the sessions' records.
    const boot = logindBootRecord(options.root);
    if (boot !== undefined) yield boot;
    yield* logindRecords(path, options.root === undefined ? { noFollow } : { root: options.root, noFollow });
  } else if (source === "wtmpdb") yield* wtmpdbSessions(path, { noFollow });
  else yield* new UtmpFile(path, { noFollow });
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

/**
 * The login history, oldest first, whatever keeps it: wtmp's records, or
 * wtmpdb's rows as the same login, logout, boot and shutdown records (see
 * `wtmpdbRecords`). What `last` reads.
 *
 * @example Logins, from wtmp or wtmpdb
 * ```ts ignore
 * import { history } from "@utmp/utmp";
 *
 * for await (const u of history()) if (u.ut_user_process) console.log(u.ut_user, u.ut_time);
 * ```
 *
 * @example The history of a host mounted at a root
 * ```ts
 * import { history } from "@utmp/utmp";
 * import { encodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 * import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const root = mkdtempSync(join(tmpdir(), "host-"));
 * mkdirSync(join(root, "var/log"), { recursive: true });
 * writeFileSync(join(root, "var/log/wtmp"), encodeRecords(LAYOUTS.linux, [
 *   { ut_type: "USER_PROCESS", ut_user: "alice", ut_line: "pts/0", tv_sec: 1700000000 },
 *   { ut_type: "DEAD_PROCESS", ut_line: "pts/0", tv_sec: 1700003600 },
 * ]));
 * const events = [];
 * for await (const u of history({ root })) events.push(`${u.ut_type} ${u.ut_line} ${u.layout}`);
 * assert.deepEqual(events, ["USER_PROCESS /dev/pts/0 linux", "DEAD_PROCESS /dev/pts/0 linux"]);
 * ```
 *
 * @param options Source, path and root.
 * @returns The records.
 * @throws {UtmpFileError} When the source cannot be read.
 * @throws {RangeError} For an unknown source.
 */
export async function* history(options: HistoryOptions = {}): AsyncGenerator<UtmpRecord> {
  for (const { source, path, root: { noFollow } } of await historySources(options)) {
    if (source === "wtmpdb") yield* wtmpdbRecords(path, { noFollow });
    else if (source === "journal") yield* journalRecords(path, { noFollow });
    else yield* new UtmpFile(path, { noFollow });
  }
}

/**
 * The files a history is read from, oldest first: the one {@link chooseSource}
 * chooses (or each of `paths`), each expanded to its rotated set with
 * `rotated` (`rotatedSet()`: every member read as the file heading it is,
 * named beside the name it is known by).
 *
 * @example A rotated wtmp
 * ```ts
 * import { historySources } from "@utmp/utmp/sources";
 * import { encodeRecord, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const dir = mkdtempSync(join(tmpdir(), "log-"));
 * for (const name of ["wtmp", "wtmp.1"]) {
 *   writeFileSync(join(dir, name), encodeRecord(LAYOUTS.linux, { ut_type: "BOOT_TIME", ut_user: "reboot" }));
 * }
 * const files = await historySources({ path: join(dir, "wtmp"), rotated: true });
 * assert.deepEqual(files.map((f) => `${f.source} ${f.name.slice(dir.length + 1)}`), ["wtmp wtmp.1", "wtmp wtmp"]);
 * ```
 *
 * @param options Source, path or paths, root, and whether to read rotated sets.
 * @returns The chosen sources, oldest first.
 * @throws {UtmpFileError} As {@link chooseSource} throws, or when a set's directory cannot be listed.
 */
export async function historySources(options: HistoryOptions = {}): Promise<ChosenSource[]> {
  const choose = (path: string | undefined): Promise<ChosenSource> => {
    const given = { ...options, ...(path !== undefined ? { path } : {}) };
    return options.source === "btmp" || options.source === "journal"
      ? chooseSource("failures", given)
      : chooseSource("history", given);
  };
  const heads = options.paths === undefined
    ? [await choose(options.path)]
    : await Promise.all(options.paths.map((p) => choose(p)));
  if (!options.rotated) return heads;
  const all: ChosenSource[] = [];
  for (const head of heads) {
    for (const member of await rotatedSet(head.path)) {
      const name = member === head.path ? head.name : join(dirname(head.name), basename(member));
      all.push({ ...head, path: member, name });
    }
  }
  return all;
}

/**
 * Every user's last login, from the lastlog file or the lastlog2 database
 * (see {@link chooseSource}), with names or uids from the system's password
 * file (both under `root`). lastlog2 entries come in its name order; lastlog
 * slots in uid order, each named by the first password file entry with its
 * uid (`getpwuid`), or "" when none has it (the slot is still given), with
 * `service` "". Slots are given as `LastlogFile` gives them: every slot
 * that is not all zero (one with a line but no time, which shadow's
 * `lastlog` calls never logged in, has time 0); the slots of a large sparse
 * lastlog beyond what a scan reads are looked up for the password file's
 * users.
 *
 * @example Last logins of a host mounted at a root
 * ```ts
 * import { lastlogs } from "@utmp/utmp";
 * import assert from "node:assert/strict";
 * import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const root = mkdtempSync(join(tmpdir(), "host-"));
 * mkdirSync(join(root, "var/lib/lastlog"), { recursive: true });
 * mkdirSync(join(root, "etc"));
 * writeFileSync(join(root, "etc/passwd"), "bob:x:1001:1001::/home/bob:/bin/sh\n");
 * const { DatabaseSync } = await import("node:sqlite" as string); // Deno; Node >= 22.5
 * const db = new DatabaseSync(join(root, "var/lib/lastlog/lastlog2.db"));
 * db.exec("CREATE TABLE Lastlog2(Name TEXT PRIMARY KEY, Time INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT)");
 * db.exec("REPLACE INTO Lastlog2 VALUES ('bob', 1700000000, 'tty1', NULL, 'login')");
 * db.close();
 *
 * const last = [];
 * for await (const e of lastlogs({ root })) last.push(`${e.user} ${e.uid} ${e.line} ${e.time.toISOString()}`);
 * assert.deepEqual(last, ["bob 1001 tty1 2023-11-14T22:13:20.000Z"]);
 * ```
 *
 * @example The same from a lastlog file
 * ```ts
 * import { lastlogs } from "@utmp/utmp";
 * import { encodeRecord, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 * import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const root = mkdtempSync(join(tmpdir(), "host-"));
 * mkdirSync(join(root, "var/log"), { recursive: true });
 * mkdirSync(join(root, "etc"));
 * writeFileSync(join(root, "etc/passwd"), "bob:x:1001:1001::/home/bob:/bin/sh\n");
 * const bytes = new Uint8Array(1002 * 292);
 * bytes.set(encodeRecord(LAYOUTS["lastlog-linux"], { ut_line: "tty1", tv_sec: 1700000000 }), 1001 * 292);
 * writeFileSync(join(root, "var/log/lastlog"), bytes);
 *
 * const last = [];
 * for await (const e of lastlogs({ root })) last.push(`${e.user} ${e.uid} ${e.line} ${e.time.toISOString()}`);
 * assert.deepEqual(last, ["bob 1001 tty1 2023-11-14T22:13:20.000Z"]);
 * ```
 *
 * @param options Source, path and root.
 * @returns The entries.
 * @throws {UtmpFileError} When the source cannot be read.
 * @throws {UtmpFormatError} When the file is not a lastlog (or lastlog2) one.
 * @throws {RangeError} For an unknown source.
 */
export async function* lastlogs(options: LastlogsOptions = {}): AsyncGenerator<LastLogin> {
  const { source, path, root: opens } = await chooseSource("lastlog", options);
  const system = Root.of(options.root);
  if (source === "lastlog2") {
    const passwd = await system.path(PASSWD_PATH);
    yield* lastlog2Entries(path, { passwd, noFollow: opens.noFollow || system.noFollow });
  } else yield* lastlogFileEntries(path, opens.noFollow, system);
}

/** A lastlog file's used slots as lastlog2 entries, named from the password file. */
async function* lastlogFileEntries(
  path: string,
  noFollow: boolean,
  system: Root,
): AsyncGenerator<LastLogin> {
  const names = namesByUid(new TextDecoder().decode(await system.passwd()));
  const file = new LastlogFile(path, { noFollow });
  const seen = new Set<number>();
  const named = (e: LastlogEntry): LastLogin => ({ ...e, user: names.get(e.uid) ?? "", service: "" });
  for await (const e of file) {
    seen.add(e.uid);
    yield named(e);
  }
  // A sparse file's skipped slots: the password file's users there, by direct seeks.
  if (file.warnings.some((w) => w.kind === "sparse")) {
    const rest = [...names.keys()].filter((uid) => !seen.has(uid));
    const layout = file.layout!.name as LastlogLayoutName;
    for await (const e of new LastlogFile(path, { uids: rest, layout, noFollow })) yield named(e);
  }
}
