/**
 * wtmpdb's SQLite login history, `/var/lib/wtmpdb/wtmp.db` (FORMATS.md §14.2;
 * `thkukuk/wtmpdb` `lib/sqlite.c`, `include/wtmpdb.h`), read as wtmp-style
 * login records.
 *
 * wtmpdb keeps one row per session: `Login` when it began and `Logout` when
 * it ended (NULL while open), both in µs. A row becomes a login record at
 * `Login` and, once closed, a logout record at `Logout`, the two in time
 * order with every other row's, as wtmp would hold them: a USER_PROCESS row
 * gives "USER_PROCESS" then "DEAD_PROCESS" (user and host blank, as glibc's
 * `logout()` writes them), a BOOT_TIME row gives "BOOT_TIME" then the
 * "shutdown" RUN_LVL record systemd writes.
 *
 * @module
 */

import type { Session } from "../session.ts";
import { devicePath, type UtmpRecord } from "../record.ts";
import type { UtTypeName } from "../types.ts";
import type { UtmpWarning } from "../errors.ts";
import { addressOctets, PlainRecord, whole } from "./_plain.ts";
import {
  copyRows,
  type Database,
  type ExpectedTable,
  identifier,
  numberValue,
  openDatabase,
  orderRows,
  pages,
  TEXT_CUT,
  textCut,
  textValue,
} from "./_sqlite.ts";
import { Root } from "./_root.ts";

import { WTMPDB_PATH } from "../paths.ts";

export { WTMPDB_PATH };

/**
 * wtmpdb's row types (`include/wtmpdb.h`): not utmp's numbers. A record's
 * `ut_type_raw` holds its row's type.
 *
 * @example
 * ```ts
 * import { WtmpdbType } from "@utmp/utmp/sources";
 * import { UtType } from "@utmp/utmp";
 * import assert from "node:assert/strict";
 *
 * assert.equal(WtmpdbType.USER_PROCESS, 3);
 * assert.equal(UtType.USER_PROCESS, 7);
 * ```
 */
export const WtmpdbType = {
  /** No valid entry. */
  EMPTY: 0,
  /** A boot: User "reboot", TTY "~", RemoteHost the kernel release, Logout the shutdown. */
  BOOT_TIME: 1,
  /** A run level change (unused with systemd). */
  RUNLEVEL: 2,
  /** A login session. */
  USER_PROCESS: 3,
} as const;

/** A row of the `wtmp` table, as {@link copyWtmp} keeps it. */
interface WtmpRow {
  /** The row's rowid, in decimal (it may be beyond what a number holds). */
  rowid: string;
  /** ID in decimal (or its text, when it is no integer); null for NULL. */
  ID: string | null;
  Type: number;
  User: string;
  Login: number | null;
  Logout: number | null;
  TTY: string | null;
  RemoteHost: string | null;
  /** The PAM service; null for NULL, or in a table without the column (wtmpdb before 0.9). */
  Service: string | null;
  /** What was wrong with the row's values (bits of {@link BAD}). */
  bad: number;
}

/** The kinds of bad value {@link copyWtmp} notes in a row's `bad`. */
const BAD = { ID: 1, LOGIN: 2, TEXT: 4 } as const;

const TYPE_NAMES: Readonly<Record<number, UtTypeName>> = {
  [WtmpdbType.EMPTY]: "EMPTY",
  [WtmpdbType.BOOT_TIME]: "BOOT_TIME",
  [WtmpdbType.RUNLEVEL]: "RUN_LVL",
  [WtmpdbType.USER_PROCESS]: "USER_PROCESS",
};

/**
 * TTY values that name no device: OpenSSH sets PAM_TTY to "ssh" until a pty
 * exists (pam_systemd treats it the same way), cron to "cron".
 */
const NOT_DEVICES = new Set(["ssh", "cron"]);

/** Rows copied per query (the read lock is released between them), and records handed out per batch. */
const PAGE = 1000;

/** The table and the columns the reader needs (and Service, where the table has it). */
const TABLE: ExpectedTable = { name: "wtmp", columns: ["ID", "Type", "User", "Login", "Logout", "TTY", "RemoteHost"] };

/** Whether the table has wtmpdb's Service column (every wtmpdb since 0.9 writes it). */
function hasService(db: Database): boolean {
  return db.all<{ name: string }>(`PRAGMA main.table_xinfo(${identifier(TABLE.name)})`).some((c) =>
    String(c.name).toLowerCase() === "service"
  );
}

/**
 * The columns, each converted by SQLite itself as wtmpdb's C reads them
 * (`sqlite3_column_int64`, `sqlite3_column_text`): a damaged or hostile
 * database may hold text, a blob or a real where a number belongs, and an
 * integer beyond what a JavaScript number holds (which `node:sqlite` refuses
 * to return). Numbers come as reals, made whole by {@link whole}; the ID as
 * its decimal text, exact; text within {@link textValue}'s bounds.
 */
const columns = (service: boolean): string =>
  [
    `CASE typeof(ID) WHEN 'integer' THEN CAST(ID AS TEXT) ELSE ${textValue("ID")} END AS ID`,
    `${numberValue("Type")} AS Type`,
    `${textValue("User")} AS User`,
    `${numberValue("Login")} AS Login`,
    `${numberValue("Logout")} AS Logout`,
    `${textValue("TTY")} AS TTY`,
    `${textValue("RemoteHost")} AS RemoteHost`,
    `${service ? textValue("Service") : "NULL"} AS Service`,
    `(typeof(ID) <> 'integer') * ${BAD.ID} + (typeof(Login) NOT IN ('integer', 'real')) * ${BAD.LOGIN} + ` +
    `(${textCut("User")} OR ${textCut("TTY")} OR ${textCut("RemoteHost")}${
      service ? ` OR ${textCut("Service")}` : ""
    }) * ${BAD.TEXT} AS bad`,
  ].join(", ");

/** The columns of `temp.rows` that {@link COLUMNS} fills. */
const DEFINITION =
  "ID TEXT, Type REAL, User TEXT, Login REAL, Logout REAL, TTY TEXT, RemoteHost TEXT, Service TEXT, bad INTEGER";

/** Every row of `wtmp` into `temp.rows` (see `copyRows`): what every query then reads, never the file's columns. */
function copyWtmp(db: Database): void {
  copyRows(db, { table: "wtmp", definition: DEFINITION, columns: columns(hasService(db)) });
}

/**
 * Orders the copied rows' records in `temp.events`: each row's login record
 * at `Login` and, where `logouts`, the logout record of a closed session or
 * boot at `Logout`; by time, then row, a login before its own logout.
 *
 * @returns How many records there are.
 */
function orderEvents(db: Database, logouts: boolean): number {
  const ends = logouts
    ? ` UNION ALL SELECT Logout, rid, 1 FROM temp.rows WHERE Logout IS NOT NULL AND CAST(Type AS INTEGER) IN (${WtmpdbType.BOOT_TIME}, ${WtmpdbType.USER_PROCESS})`
    : "";
  return orderRows(
    db,
    "t REAL, rid INTEGER, k INTEGER",
    `SELECT coalesce(Login, 0), rid, 0 FROM temp.rows${ends} ORDER BY 1, 2, 3`,
  );
}

/** The records {@link orderEvents} put in order, a page at a time, oldest or newest first. */
function* eventPages(db: Database, count: number, newestFirst: boolean): Generator<(WtmpRow & { k: number })[]> {
  const select = "SELECT e.k AS k, CAST(r.rid AS TEXT) AS rowid, r.ID, r.Type, r.User, r.Login, r.Logout, r.TTY, " +
    "r.RemoteHost, r.Service, r.bad FROM temp.events e JOIN temp.rows r ON r.rid = e.rid WHERE e.seq BETWEEN ? AND ?";
  for (const page of pages<WtmpRow & { k: number }>(db, count, select, newestFirst, PAGE)) yield page.map(wtmpRow);
}

/** A row as {@link copyWtmp} gives it, with whole numbers and a user. */
function wtmpRow<T extends WtmpRow>(row: T): T {
  return {
    ...row,
    Type: whole(row.Type) ?? 0,
    User: row.User ?? "",
    Login: whole(row.Login),
    Logout: whole(row.Logout),
    bad: Number(row.bad),
  };
}

function line(tty: string | null): string {
  if (tty === null) return "";
  return NOT_DEVICES.has(tty) ? tty : devicePath(tty);
}

/** RemoteHost as `ut_addr`, when it is an IP address literal (as logind's REMOTE_HOST is read). */
function addressOf(host: string | null): { ut_addr?: number[] } {
  const addr = host === null ? undefined : addressOctets(host);
  return addr === undefined ? {} : { ut_addr: addr };
}

/** The login record of a row. */
function loginRecord(row: WtmpRow, index: number): UtmpRecord {
  const boot = row.Type === WtmpdbType.BOOT_TIME;
  return new PlainRecord({
    ut_type: TYPE_NAMES[row.Type] ?? "UNKNOWN",
    ut_type_raw: row.Type,
    ut_user: row.User,
    ut_line: line(row.TTY),
    ut_id: boot ? "~~" : row.ID ?? "",
    ut_host: row.RemoteHost ?? "",
    ut_service: row.Service ?? "",
    ut_pid: 0,
    ...(boot ? {} : addressOf(row.RemoteHost)),
    usec: row.Login ?? 0,
    layout: "wtmpdb",
    index,
  });
}

/** The logout record of a closed row: a shutdown for a boot row, else a DEAD_PROCESS. */
function logoutRecord(row: WtmpRow, index: number): UtmpRecord {
  const boot = row.Type === WtmpdbType.BOOT_TIME;
  return new PlainRecord({
    ut_type: boot ? "RUN_LVL" : "DEAD_PROCESS",
    ut_type_raw: row.Type,
    ut_user: boot ? "shutdown" : "",
    ut_line: line(row.TTY),
    ut_id: boot ? "~~" : row.ID ?? "",
    ut_host: boot ? row.RemoteHost ?? "" : "",
    ut_service: row.Service ?? "",
    ut_pid: 0,
    usec: row.Logout ?? 0,
    layout: "wtmpdb",
    index,
  });
}

/** What was wrong with a row's values, in words, for its warning. */
function badValues(row: WtmpRow): string {
  const what: string[] = [];
  if (row.bad & BAD.ID) {
    what.push(
      `its ID is ${row.ID === null ? "NULL" : `not an integer ("${row.ID}")`}, taken as ut_id "${row.ID ?? ""}"`,
    );
  }
  if (row.bad & BAD.LOGIN) {
    what.push(`its Login is ${row.Login === null ? "NULL" : "not a number"}, read as ${row.Login ?? 0} µs`);
  }
  if (row.bad & BAD.TEXT) {
    what.push(TEXT_CUT);
  }
  return `wtmpdb row ${row.rowid}: ${what.join("; ")}`;
}

/** Options of {@link wtmpdbRecords} and {@link wtmpdbBatches}. */
export interface WtmpdbOptions {
  /**
   * Newest record first: exactly the records of the default order,
   * reversed (what `last` reads).
   */
  newestFirst?: boolean | undefined;
  /**
   * Open the database without following a symbolic link at its last
   * component, and read it from a copy taken through that descriptor (SQLite
   * never opens it by name): for a path resolved under a root.
   */
  noFollow?: boolean | undefined;
  /**
   * Called for each row holding a value its column cannot hold as read
   * (kind "bad-value": an ID that is no integer, a Login that is no number,
   * a text cut to its first 256 characters), with the index of the row's
   * login record. The row is read all the same.
   */
  onWarning?: ((warning: UtmpWarning) => void) | undefined;
}

/**
 * {@link wtmpdbRecords} a batch at a time ({@link PAGE} records): for
 * `last`, which reads newest first.
 *
 * @example The history newest first, as `last` reads it
 * ```ts
 * import { wtmpdbBatches } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const { DatabaseSync } = await import("node:sqlite" as string); // Deno; Node >= 22.5
 * const path = join(mkdtempSync(join(tmpdir(), "wtmpdb-")), "wtmp.db");
 * const db = new DatabaseSync(path);
 * db.exec(`CREATE TABLE wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT NOT NULL, Login INTEGER,
 *   Logout INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT) STRICT`);
 * db.exec(`INSERT INTO wtmp (Type, User, Login, Logout, TTY) VALUES
 *   (1, 'reboot', 1700000000000000, NULL, '~'), (3, 'alice', 1700000060000000, 1700003600000000, 'pts/0')`);
 * db.close();
 *
 * const seen = []; // the system's: wtmpdbBatches()
 * for await (const batch of wtmpdbBatches(path, { newestFirst: true })) {
 *   for (const u of batch) seen.push(`${u.ut_type} ${u.ut_user}`);
 * }
 * assert.deepEqual(seen, ["DEAD_PROCESS ", "USER_PROCESS alice", "BOOT_TIME reboot"]);
 * ```
 *
 * @param path The database (default {@link WTMPDB_PATH}).
 * @param options Newest first, and where warnings go.
 * @returns Batches of records, in the order asked for.
 * @throws {UtmpFileError} When the file cannot be opened, or with code "ENOSYS" when the runtime has no SQLite.
 * @throws {UtmpFormatError} When the file is not a wtmpdb database.
 */
export async function* wtmpdbBatches(
  path: string = WTMPDB_PATH,
  options: WtmpdbOptions = {},
): AsyncGenerator<UtmpRecord[], void, undefined> {
  const db = await openDatabase(path, "wtmpdb", TABLE, Root.opening(options.noFollow));
  try {
    copyWtmp(db);
    const count = orderEvents(db, true);
    const newestFirst = options.newestFirst ?? false;
    let n = 0;
    for (const page of eventPages(db, count, newestFirst)) {
      const batch: UtmpRecord[] = [];
      for (const row of page) {
        const index = newestFirst ? count - 1 - n++ : n++;
        if (row.k === 1) batch.push(logoutRecord(row, index));
        else {
          batch.push(loginRecord(row, index));
          if (row.bad !== 0) {
            options.onWarning?.({ kind: "bad-value", offset: -1, recordIndex: index, reason: badValues(row) });
          }
        }
      }
      yield batch;
    }
  } finally {
    await db.close();
  }
}

/**
 * The history in a wtmpdb database as wtmp-style records, in time order:
 * each row's login record at its `Login` time and, for a closed session or
 * boot, its logout record at its `Logout` time (see the module notes).
 *
 * Fields: `ut_type_raw` is the row's wtmpdb type (1 BOOT_TIME, 2 RUNLEVEL,
 * 3 USER_PROCESS); User → `ut_user`; TTY → `ut_line` as a device path
 * (generic values such as "ssh" stay as they are); RemoteHost → `ut_host`
 * (and `ut_addr`/`ut_addr_text` when it is an IPv4 or IPv6 address literal,
 * as logind's REMOTE_HOST is read); Service → `ut_service`;
 * `ut_id` is the row ID in decimal, the same on a login and its logout, so
 * they pair exactly even when TTY is a generic "ssh" ("~~" on boot and
 * shutdown records, as in wtmp); Login/Logout µs → `ut_tv`/`ut_time`.
 * wtmpdb keeps no pid, exit status or session: those are 0.
 *
 * Rows are read a page at a time and no read lock is held between pages,
 * so a slow loop never blocks wtmpdb's writers. Rows are taken in ID order,
 * the order wtmpdb wrote them; logouts are merged in by time.
 *
 * @example A session, as its login and logout records
 * ```ts
 * import { wtmpdbRecords } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * // A database as wtmpdb writes it: one row per session, times in µs.
 * const { DatabaseSync } = await import("node:sqlite" as string); // Deno; Node >= 22.5
 * const path = join(mkdtempSync(join(tmpdir(), "wtmpdb-")), "wtmp.db");
 * const db = new DatabaseSync(path);
 * db.exec(`CREATE TABLE wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT NOT NULL, Login INTEGER,
 *   Logout INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT) STRICT`);
 * db.exec(`INSERT INTO wtmp (Type, User, Login, Logout, TTY, RemoteHost, Service)
 *   VALUES (3, 'alice', 1700000000000000, 1700003600000000, 'pts/0', '192.0.2.7', 'sshd')`);
 * db.close();
 *
 * const seen = []; // the system's: wtmpdbRecords()
 * for await (const u of wtmpdbRecords(path)) seen.push(`${u.ut_type} ${u.ut_user} ${u.ut_line} ${u.ut_time.toISOString()}`);
 * assert.deepEqual(seen, [
 *   "USER_PROCESS alice /dev/pts/0 2023-11-14T22:13:20.000Z",
 *   "DEAD_PROCESS  /dev/pts/0 2023-11-14T23:13:20.000Z",
 * ]);
 * ```
 *
 * @param path The database (default {@link WTMPDB_PATH}).
 * @returns The records.
 * @throws {UtmpFileError} When the file cannot be opened, or with code "ENOSYS" when the runtime has no SQLite.
 * @throws {UtmpFormatError} When the file is not a wtmpdb database.
 */
export async function* wtmpdbRecords(
  path: string = WTMPDB_PATH,
  options: WtmpdbOptions = {},
): AsyncGenerator<UtmpRecord> {
  for await (const batch of wtmpdbBatches(path, options)) yield* batch;
}

/**
 * The current state in a wtmpdb database, as `who` would see it: the last
 * boot (a "BOOT_TIME" record), then the sessions still open since it
 * ("USER_PROCESS" records, fields as in {@link wtmpdbRecords}).
 *
 * @example The boot and who is still logged in
 * ```ts
 * import { wtmpdbSessions } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const { DatabaseSync } = await import("node:sqlite" as string); // Deno; Node >= 22.5
 * const path = join(mkdtempSync(join(tmpdir(), "wtmpdb-")), "wtmp.db");
 * const db = new DatabaseSync(path);
 * db.exec(`CREATE TABLE wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT NOT NULL, Login INTEGER,
 *   Logout INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT) STRICT`);
 * db.exec(`INSERT INTO wtmp (Type, User, Login, Logout, TTY, RemoteHost) VALUES
 *   (1, 'reboot', 1700000000000000, NULL, '~', '6.12.0'),
 *   (3, 'alice', 1700000100000000, 1700000200000000, 'pts/0', '192.0.2.7'),
 *   (3, 'bob', 1700000300000000, NULL, 'tty1', NULL)`);
 * db.close();
 *
 * const now = [];
 * for await (const u of wtmpdbSessions(path)) now.push(`${u.ut_type} ${u.ut_user}`);
 * assert.deepEqual(now, ["BOOT_TIME reboot", "USER_PROCESS bob"]);
 * ```
 *
 * @param path The database (default {@link WTMPDB_PATH}).
 * @param options Whether to follow a link at the path's last component.
 * @returns The records.
 * @throws {UtmpFileError} When the file cannot be opened, or with code "ENOSYS" when the runtime has no SQLite.
 * @throws {UtmpFormatError} When the file is not a wtmpdb database.
 */
export async function* wtmpdbSessions(
  path: string = WTMPDB_PATH,
  options: Pick<WtmpdbOptions, "noFollow"> = {},
): AsyncGenerator<UtmpRecord> {
  const db = await openDatabase(path, "wtmpdb", TABLE, Root.opening(options.noFollow));
  try {
    // Every row converted first, then chosen in the copy, as `last` reads them: the file's own columns are never
    // compared, so a collation, affinity or type the file declares (an unknown collation failed every query)
    // neither fails nor steers the choice.
    copyWtmp(db);
    // The last boot: one scan, keeping one row.
    const boot = db.all<WtmpRow>(
      "SELECT CAST(rid AS TEXT) AS rowid, ID, Type, User, Login, Logout, TTY, RemoteHost, Service, bad " +
        `FROM temp.rows WHERE Type = ${WtmpdbType.BOOT_TIME} ORDER BY Login DESC, rid DESC LIMIT 1`,
    ).map(wtmpRow);
    if (boot[0] !== undefined) yield loginRecord(boot[0], 0);
    // The sessions open since, ordered however many there are.
    db.run(`DELETE FROM temp.rows WHERE NOT (Type = ${WtmpdbType.USER_PROCESS} AND Logout IS NULL AND Login >= ?)`, [
      boot[0]?.Login ?? Number.MIN_SAFE_INTEGER,
    ]);
    const count = orderEvents(db, false);
    let index = boot.length;
    for (const page of eventPages(db, count, false)) for (const row of page) yield loginRecord(row, index++);
  } finally {
    await db.close();
  }
}

/** A row of wtmpdb's table as read: times in µs, text cut to 256 characters (see {@link wtmpdbRecords}). */
export interface WtmpdbRow {
  /** The row's ID in decimal (its text when it is no integer); null for NULL. */
  id: string | null;
  /** wtmpdb's type of the row ({@link WtmpdbType}): 1 a boot, 3 a session. */
  type: number;
  /** User ("reboot" for a boot). */
  user: string;
  /** When it began, in µs since the epoch; null for NULL. */
  login: number | null;
  /** When it ended, in µs; null while it is open. */
  logout: number | null;
  /** TTY as stored ("pts/0", "tty1", "ssh", "~" for a boot); null for NULL. */
  tty: string | null;
  /** RemoteHost as stored (a host name or address; the kernel release for a boot); null for NULL. */
  remoteHost: string | null;
  /** The PAM service ("sshd", "login"); null for NULL or where the table has no Service column. */
  service: string | null;
}

/** One line of `wtmpdb last`: a {@link Session} and the row it was made from. */
export interface WtmpdbSession extends Session {
  /** The row (for a "shutdown" session: the boot row whose Logout began it). */
  row: WtmpdbRow;
}

/** Options of {@link wtmpdbLastSessions}. */
export interface WtmpdbLastOptions {
  /** Leave out rows whose Login is before this time (as `wtmpdb last --since`). */
  since?: Date | undefined;
  /** Leave out rows whose Login is after this time (as `wtmpdb last --until`). */
  until?: Date | undefined;
  /** As {@link WtmpdbOptions.onWarning}. */
  onWarning?: ((warning: UtmpWarning) => void) | undefined;
}

/**
 * The sessions of a wtmpdb database as `wtmpdb last -x` lists them, each
 * row one session (no pairing: wtmpdb keeps Login and Logout in one row),
 * in wtmpdb's order: `ORDER BY Login DESC, Logout ASC` (an open row first
 * among rows that began together), then the order the rows were written.
 *
 * - a session row (type 3) is a "login", a boot row (type 1) a "reboot", a
 *   run level row (type 2) a "runlevel"; any other row a "login";
 * - `end` "logout" for a closed row (its `logout` the DEAD_PROCESS, or for
 *   a boot the "shutdown" record, at Logout); for an open row "crash" when
 *   a boot comes before it in that order (`logout` that boot), else "still
 *   logged in" (a session), "still running" (a boot) or "none" (another
 *   type): as wtmpdb decides, from the boots in the database, not from the
 *   running system;
 * - after a closed boot row that a newer boot followed, a "shutdown"
 *   session from its Logout to that boot (`wtmpdb last -x`'s "system down").
 *
 * The records are those of {@link wtmpdbRecords} (`ut_service` the row's
 * Service, `ut_addr` its RemoteHost when that is an IP address); `row` is
 * the row as read.
 *
 * @example A boot, a session that ended and one still open
 * ```ts
 * import { wtmpdbLastSessions } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const { DatabaseSync } = await import("node:sqlite" as string); // Deno; Node >= 22.5
 * const path = join(mkdtempSync(join(tmpdir(), "wtmpdb-")), "wtmp.db");
 * const db = new DatabaseSync(path);
 * db.exec(`CREATE TABLE wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT NOT NULL, Login INTEGER,
 *   Logout INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT) STRICT`);
 * db.exec(`INSERT INTO wtmp (Type, User, Login, Logout, TTY, RemoteHost, Service) VALUES
 *   (1, 'reboot', 1700000000000000, NULL, '~', '6.12.0', NULL),
 *   (3, 'alice', 1700000060000000, 1700003600000000, 'pts/0', '192.0.2.7', 'sshd'),
 *   (3, 'bob', 1700000100000000, NULL, 'tty1', NULL, 'login')`);
 * db.close();
 *
 * const seen = []; // the system's: wtmpdbLastSessions()
 * for await (const s of wtmpdbLastSessions(path)) {
 *   seen.push(`${s.kind} ${s.login.ut_user} ${s.login.ut_service} ${s.end} ${s.duration}`);
 * }
 * assert.deepEqual(seen, [
 *   "login bob login still logged in null",
 *   "login alice sshd logout 3540",
 *   "reboot reboot  still running null",
 * ]);
 * ```
 *
 * @param path The database (default {@link WTMPDB_PATH}).
 * @param options A time window, and where warnings go.
 * @returns The sessions, newest first.
 * @throws {UtmpFileError} When the file cannot be opened, or with code "ENOSYS" when the runtime has no SQLite.
 * @throws {UtmpFormatError} When the file is not a wtmpdb database.
 */
export async function* wtmpdbLastSessions(
  path: string = WTMPDB_PATH,
  options: WtmpdbLastOptions = {},
): AsyncGenerator<WtmpdbSession, void, undefined> {
  const db = await openDatabase(path, "wtmpdb", TABLE);
  try {
    copyWtmp(db);
    const count = orderRows(
      db,
      "rid INTEGER",
      "SELECT rid FROM temp.rows ORDER BY Login DESC, Logout ASC, rid ASC",
    );
    const select = "SELECT CAST(r.rid AS TEXT) AS rowid, r.ID, r.Type, r.User, r.Login, r.Logout, r.TTY, " +
      "r.RemoteHost, r.Service, r.bad FROM temp.events e JOIN temp.rows r ON r.rid = e.rid WHERE e.seq BETWEEN ? AND ?";
    const since = options.since === undefined ? -Infinity : options.since.getTime() * 1000;
    const until = options.until === undefined ? Infinity : options.until.getTime() * 1000;
    /** The boot row met last: the oldest boot newer than the row at hand. */
    let newerBoot: UtmpRecord | undefined;
    let index = 0;
    for (const page of pages<WtmpRow>(db, count, select, false, PAGE)) {
      for (const raw of page) {
        const row = wtmpRow(raw);
        if (row.bad !== 0) {
          options.onWarning?.({ kind: "bad-value", offset: -1, recordIndex: index, reason: badValues(row) });
        }
        const login = loginRecord(row, index++);
        const boot = row.Type === WtmpdbType.BOOT_TIME;
        const at = row.Login ?? 0;
        const shown = since <= at && at <= until;
        if (shown) {
          const logout = row.Logout !== null ? logoutRecord(row, index++) : newerBoot ?? null;
          const end: Session["end"] = row.Logout !== null
            ? "logout"
            : newerBoot !== undefined
            ? "crash"
            : row.Type === WtmpdbType.USER_PROCESS
            ? "still logged in"
            : boot
            ? "still running"
            : "none";
          yield session(kindOf(row.Type), login, logout, end, publicRow(row));
          if (boot && row.Logout !== null && newerBoot !== undefined) {
            yield session("shutdown", logoutRecord(row, index++), newerBoot, "logout", publicRow(row));
          }
        }
        if (boot) newerBoot = login;
      }
    }
  } finally {
    await db.close();
  }
}

function kindOf(type: number): Session["kind"] {
  return type === WtmpdbType.BOOT_TIME ? "reboot" : type === WtmpdbType.RUNLEVEL ? "runlevel" : "login";
}

function session(
  kind: Session["kind"],
  login: UtmpRecord,
  logout: UtmpRecord | null,
  end: Session["end"],
  row: WtmpdbRow,
): WtmpdbSession {
  const from = login.ut_tv.tv_sec * 1e6 + login.ut_tv.tv_usec;
  const to = logout === null ? null : logout.ut_tv.tv_sec * 1e6 + logout.ut_tv.tv_usec;
  return {
    kind,
    login,
    logout,
    end,
    loginTime: login.ut_time,
    logoutTime: logout?.ut_time ?? null,
    duration: to === null ? null : Math.trunc((to - from) / 1e6),
    row,
  };
}

function publicRow(row: WtmpRow): WtmpdbRow {
  return {
    id: row.ID,
    type: row.Type,
    user: row.User,
    login: row.Login,
    logout: row.Logout,
    tty: row.TTY,
    remoteHost: row.RemoteHost,
    service: row.Service,
  };
}
