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
import { fileError, openRecordFile } from "../backends/_record_file.ts";
import { UtmpFileError } from "../errors.ts";
import { platform } from "../_internal/runtime.ts";
import { systemPaths } from "../paths.ts";
import type { UtmpRecord } from "../record.ts";
import { UtmpFile } from "../utmp_file.ts";
import { LOGIND_SESSIONS_DIR, logindRecords } from "./logind.ts";
import { WTMPDB_PATH, wtmpdbRecords, wtmpdbSessions } from "./wtmpdb.ts";
import { LASTLOG2_PATH, lastlog2Entries, type LastLogin, PASSWD_PATH } from "./lastlog2.ts";
import { type LastlogEntry, LastlogFile } from "../lastlog_file.ts";
import type { LastlogLayoutName } from "../layouts/registry.ts";
import { namesByUid, readPasswd } from "../_internal/passwd.ts";
import { rootPath } from "./_root.ts";

export { rootPath };
export {
  cunescape,
  isUserSession,
  LOGIND_SESSIONS_DIR,
  logindRecords,
  type LogindSession,
  parseSessionFile,
  readLogindSessions,
  sessionRecord,
} from "./logind.ts";
export { WTMPDB_PATH, wtmpdbBatches, type WtmpdbOptions, wtmpdbRecords, wtmpdbSessions, WtmpdbType } from "./wtmpdb.ts";
export { LASTLOG2_PATH, lastlog2Entries, type Lastlog2Options, type LastLogin, PASSWD_PATH } from "./lastlog2.ts";

/** Where current sessions come from. */
export type SessionSource = "utmp" | "logind" | "wtmpdb";

/** Where login history comes from. */
export type HistorySource = "wtmp" | "wtmpdb";

/** Where the last login of each user comes from. */
export type LastlogSource = "lastlog" | "lastlog2";

/** Options shared by {@link sessions}, {@link who}, {@link history} and {@link lastlogs}. */
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
  source?: "auto" | SessionSource;
  /** The file (utmp, wtmpdb) or directory (logind) to read instead of the source's system path. */
  path?: string;
}

/** Options of {@link who}. */
export interface WhoOptions extends SessionsOptions {
  /**
   * Every user session the source holds. By default, reading the system's
   * own sessions (no `path`, no `root`), sessions whose process is gone are
   * left out, as coreutils `who` leaves them out; with a `path` or a `root`
   * nothing is checked (those processes belong to another machine).
   */
  all?: boolean;
}

/** Options of {@link history}. */
export interface HistoryOptions extends RootOptions {
  /**
   * "auto" (default): wtmp where it exists and holds records (unless a
   * wtmpdb was written after it: a system that moved to wtmpdb and kept its
   * old wtmp), else wtmpdb (with a `path`: wtmpdb for an SQLite file, else
   * wtmp); or "wtmp" or "wtmpdb".
   */
  source?: "auto" | HistorySource;
  /** The file to read instead of the source's system path. */
  path?: string;
}

/** A source chosen by {@link sessionSource}, {@link historySource} or {@link lastlogSource}. */
export interface ChosenSource<S extends string> {
  /** The source. */
  source: S;
  /** The file or directory it is read from. */
  path: string;
}

/** Size and mtime of a path, or undefined when it does not exist. */
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

/** The first 16 bytes of every SQLite database file. */
const SQLITE_MAGIC = "SQLite format 3\0";

/** Whether a file is an SQLite database (wtmpdb), by its header; false for anything that is not a regular file. */
async function isSqlite(path: string): Promise<boolean> {
  let file;
  try {
    file = await openRecordFile(path);
    const head = new Uint8Array(16);
    const n = await file.read(head, 0);
    return n === 16 && new TextDecoder().decode(head) === SQLITE_MAGIC;
  } catch {
    return false;
  } finally {
    await file?.close();
  }
}

function checkSource(source: string, allowed: readonly string[]): void {
  if (!allowed.includes(source)) {
    throw new RangeError(
      `Cannot use source "${source}": expected ${allowed.map((s) => `"${s}"`).join(", ")}`,
    );
  }
}

/**
 * Chooses where current sessions are read from (what {@link sessions} does
 * first).
 *
 * @example A system without utmp
 * ```ts
 * import { sessionSource } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 * import { mkdirSync, mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const root = mkdtempSync(join(tmpdir(), "root-"));
 * mkdirSync(join(root, "run/systemd/sessions"), { recursive: true });
 * assert.deepEqual(await sessionSource({ root }), { source: "logind", path: join(root, "run/systemd/sessions") });
 * ```
 *
 * @param options Source, path and root.
 * @returns The source and its path.
 * @throws {UtmpFileError} "ENOENT" when "auto" finds neither utmp nor logind's sessions.
 * @throws {RangeError} For an unknown source.
 */
export async function sessionSource(options: SessionsOptions = {}): Promise<ChosenSource<SessionSource>> {
  const source = options.source ?? "auto";
  checkSource(source, ["auto", "utmp", "logind", "wtmpdb"]);
  const system = (s: SessionSource) =>
    rootPath(
      options.root,
      s === "utmp" ? systemPaths(platform).utmp : s === "logind" ? LOGIND_SESSIONS_DIR : WTMPDB_PATH,
    );
  if (source !== "auto") return { source, path: options.path ?? await system(source) };
  if (options.path !== undefined) {
    const path = options.path;
    return { source: (await probe(path))?.dir ? "logind" : await isSqlite(path) ? "wtmpdb" : "utmp", path };
  }
  const utmp = await system("utmp");
  const found = await probe(utmp);
  if (found !== undefined && found.size > 0) return { source: "utmp", path: utmp };
  const logind = await system("logind");
  if ((await probe(logind))?.dir) return { source: "logind", path: logind };
  if (found !== undefined) return { source: "utmp", path: utmp };
  throw new UtmpFileError(
    `Cannot open "${utmp}": no such file (ENOENT); no systemd-logind sessions at "${logind}" either: pass source "wtmpdb" or a path`,
    "ENOENT",
    utmp,
  );
}

/**
 * Chooses where login history is read from (what {@link history} does first).
 *
 * @example A system with a wtmp
 * ```ts
 * import { historySource } from "@utmp/utmp/sources";
 * import { encodeRecord, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 * import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const root = mkdtempSync(join(tmpdir(), "root-"));
 * mkdirSync(join(root, "var/log"), { recursive: true });
 * writeFileSync(join(root, "var/log/wtmp"), encodeRecord(LAYOUTS.linux, { ut_type: "BOOT_TIME", ut_user: "reboot" }));
 * assert.deepEqual(await historySource({ root }), { source: "wtmp", path: join(root, "var/log/wtmp") });
 * ```
 *
 * @param options Source, path and root.
 * @returns The source and its path.
 * @throws {UtmpFileError} "ENOENT" when "auto" finds neither wtmp nor wtmpdb.
 * @throws {RangeError} For an unknown source.
 */
export async function historySource(options: HistoryOptions = {}): Promise<ChosenSource<HistorySource>> {
  const wtmp = systemPaths(platform).wtmp ?? "/var/log/wtmp";
  return await fileOrDatabase(options, ["wtmp", wtmp], ["wtmpdb", WTMPDB_PATH], "login history");
}

/**
 * A source that is either a record file or the SQLite database that
 * replaced it. "auto": with a path, by what the file is; else the file where
 * it exists and holds records, unless the database was written after it (a
 * system that moved on and kept its old file); else the database.
 *
 * @param options The caller's source, path and root.
 * @param file The file source's name and system path.
 * @param db The database source's name and system path.
 * @param what What the two keep, for the error when neither exists.
 * @throws {UtmpFileError} "ENOENT" naming both when neither exists.
 * @throws {RangeError} For an unknown source.
 */
async function fileOrDatabase<S extends string>(
  options: RootOptions & { source?: "auto" | S; path?: string },
  [fileSource, filePath]: [S, string],
  [dbSource, dbPath]: [S, string],
  what: string,
): Promise<ChosenSource<S>> {
  const source = options.source ?? "auto";
  checkSource(source, ["auto", fileSource, dbSource]);
  if (source !== "auto") {
    return { source, path: options.path ?? await rootPath(options.root, source === fileSource ? filePath : dbPath) };
  }
  if (options.path !== undefined) {
    return { source: await isSqlite(options.path) ? dbSource : fileSource, path: options.path };
  }
  const file = await rootPath(options.root, filePath);
  const db = await rootPath(options.root, dbPath);
  const f = await probe(file);
  const d = await probe(db);
  if (f !== undefined && (d === undefined || (f.size > 0 && f.mtimeMs >= d.mtimeMs))) {
    return { source: fileSource, path: file };
  }
  if (d !== undefined) return { source: dbSource, path: db };
  throw new UtmpFileError(
    `Cannot open "${file}": no such file (ENOENT); no ${dbSource} at "${db}" either: this system keeps no ${what}`,
    "ENOENT",
    file,
  );
}

/**
 * Every record of the current state, whatever keeps it: utmp's records (boot
 * time, run level, getty and user processes), logind's user sessions (see
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
  const { source, path } = await sessionSource(options);
  if (source === "logind") yield* logindRecords(path);
  else if (source === "wtmpdb") yield* wtmpdbSessions(path);
  else yield* new UtmpFile(path);
}

/**
 * The logged-in users: the USER_PROCESS records with a user name from
 * {@link sessions}, what `who` lists.
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
 * @param options Source, path and root.
 * @returns The records.
 * @throws {UtmpFileError} When the source cannot be read.
 * @throws {RangeError} For an unknown source.
 */
export async function* who(options: WhoOptions = {}): AsyncGenerator<UtmpRecord> {
  for await (const u of sessions(options)) if (u.ut_user_process && u.ut_user !== "") yield u;
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
  const { source, path } = await historySource(options);
  if (source === "wtmpdb") yield* wtmpdbRecords(path);
  else yield* new UtmpFile(path);
}

/** Options of {@link lastlogs} and {@link lastlogSource}. */
export interface LastlogsOptions extends RootOptions {
  /**
   * "auto" (default): the lastlog file (`/var/log/lastlog`) where it exists
   * and holds slots, unless a lastlog2 database was written after it; else
   * lastlog2 (with a `path`: lastlog2 for an SQLite file, else lastlog); or
   * "lastlog" or "lastlog2".
   */
  source?: "auto" | LastlogSource;
  /** The file to read instead of the source's system path. */
  path?: string;
}

/**
 * Chooses where the last logins are read from (what {@link lastlogs} does
 * first).
 *
 * @example A system that kept its lastlog
 * ```ts
 * import { lastlogSource } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 * import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const root = mkdtempSync(join(tmpdir(), "root-"));
 * mkdirSync(join(root, "var/log"), { recursive: true });
 * writeFileSync(join(root, "var/log/lastlog"), new Uint8Array(292));
 * assert.deepEqual(await lastlogSource({ root }), { source: "lastlog", path: join(root, "var/log/lastlog") });
 * ```
 *
 * @param options Source, path and root.
 * @returns The source and its path.
 * @throws {UtmpFileError} "ENOENT" when "auto" finds neither lastlog nor lastlog2.
 * @throws {RangeError} For an unknown source.
 */
export async function lastlogSource(options: LastlogsOptions = {}): Promise<ChosenSource<LastlogSource>> {
  const lastlog = systemPaths(platform).lastlog ?? "/var/log/lastlog";
  return await fileOrDatabase(options, ["lastlog", lastlog], ["lastlog2", LASTLOG2_PATH], "last logins");
}

/**
 * Every user's last login, from the lastlog file or the lastlog2 database
 * (see {@link lastlogSource}), with names or uids from the system's password
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
  const { source, path } = await lastlogSource(options);
  const passwd = await rootPath(options.root, PASSWD_PATH);
  if (source === "lastlog2") yield* lastlog2Entries(path, { passwd });
  else yield* lastlogFileEntries(path, passwd);
}

/** A lastlog file's used slots as lastlog2 entries, named from the password file. */
async function* lastlogFileEntries(path: string, passwd: string): AsyncGenerator<LastLogin> {
  const names = namesByUid(await readPasswd(passwd));
  const file = new LastlogFile(path);
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
    for await (const e of new LastlogFile(path, { uids: rest, layout })) yield named(e);
  }
}
