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

import { devicePath, type UtmpRecord } from "../record.ts";
import type { UtTypeName } from "../types.ts";
import { PlainRecord, whole } from "./_plain.ts";
import { openDatabase } from "./_sqlite.ts";

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

/** A row of the `wtmp` table. */
interface WtmpRow {
  ID: number;
  Type: number;
  User: string;
  Login: number | null;
  Logout: number | null;
  TTY: string | null;
  RemoteHost: string | null;
}

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

/** Rows read per query: the read lock is released between pages. */
const PAGE = 1000;

/**
 * The columns, each converted by SQLite itself as wtmpdb's C reads them
 * (`sqlite3_column_int64`, `sqlite3_column_text`): a damaged or hostile
 * database may hold text, a blob or a real where a number belongs, and an
 * integer beyond what a JavaScript number holds (which `node:sqlite` refuses
 * to return). Numbers come as reals, made whole by {@link whole}.
 */
const COLUMNS = "ID, CAST(Type AS REAL) AS Type, CAST(User AS TEXT) AS User, CAST(Login AS REAL) AS Login, " +
  "CAST(Logout AS REAL) AS Logout, CAST(TTY AS TEXT) AS TTY, CAST(RemoteHost AS TEXT) AS RemoteHost";

/** A row as {@link COLUMNS} gives it, with whole numbers and a user. */
function wtmpRow(row: WtmpRow): WtmpRow {
  return {
    ...row,
    Type: whole(row.Type) ?? 0,
    User: row.User ?? "",
    Login: whole(row.Login),
    Logout: whole(row.Logout),
  };
}

function line(tty: string | null): string {
  if (tty === null) return "";
  return NOT_DEVICES.has(tty) ? tty : devicePath(tty);
}

/** The login record of a row. */
function loginRecord(row: WtmpRow, index: number): UtmpRecord {
  const boot = row.Type === WtmpdbType.BOOT_TIME;
  return new PlainRecord({
    ut_type: TYPE_NAMES[row.Type] ?? "UNKNOWN",
    ut_type_raw: row.Type,
    ut_user: row.User,
    ut_line: line(row.TTY),
    ut_id: boot ? "~~" : String(row.ID),
    ut_host: row.RemoteHost ?? "",
    ut_pid: 0,
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
    ut_id: boot ? "~~" : String(row.ID),
    ut_host: boot ? row.RemoteHost ?? "" : "",
    ut_pid: 0,
    usec: row.Logout ?? 0,
    layout: "wtmpdb",
    index,
  });
}

/** Rows whose end becomes a record: sessions and boots. */
function hasLogout(row: WtmpRow): boolean {
  return row.Logout !== null && (row.Type === WtmpdbType.USER_PROCESS || row.Type === WtmpdbType.BOOT_TIME);
}

/** Orders a pending logout before a login: by time, then row ID. */
function before(a: WtmpRow, aTime: number, b: WtmpRow, bTime: number): boolean {
  return aTime < bTime || (aTime === bTime && a.ID < b.ID);
}

/** A min-heap of open rows by logout time (then ID). */
class LogoutQueue {
  readonly #heap: WtmpRow[] = [];

  get size(): number {
    return this.#heap.length;
  }

  peek(): WtmpRow | undefined {
    return this.#heap[0];
  }

  push(row: WtmpRow): void {
    const h = this.#heap;
    h.push(row);
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  pop(): WtmpRow | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      for (let i = 0;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.#less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.#less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }

  #less(a: WtmpRow, b: WtmpRow): boolean {
    return before(a, a.Logout!, b, b.Logout!);
  }
}

/**
 * The history in a wtmpdb database as wtmp-style records, in time order:
 * each row's login record at its `Login` time and, for a closed session or
 * boot, its logout record at its `Logout` time (see the module notes).
 *
 * Fields: `ut_type_raw` is the row's wtmpdb type (1 BOOT_TIME, 2 RUNLEVEL,
 * 3 USER_PROCESS); User → `ut_user`; TTY → `ut_line` as a device path
 * (generic values such as "ssh" stay as they are); RemoteHost → `ut_host`;
 * `ut_id` is the row ID in decimal, the same on a login and its logout, so
 * they pair exactly even when TTY is a generic "ssh" ("~~" on boot and
 * shutdown records, as in wtmp); Login/Logout µs → `ut_tv`/`ut_time`.
 * wtmpdb keeps no pid, exit status, session or address: those are 0.
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
export async function* wtmpdbRecords(path: string = WTMPDB_PATH): AsyncGenerator<UtmpRecord> {
  const db = await openDatabase(path, "wtmpdb");
  try {
    const pending = new LogoutQueue();
    let index = 0;
    let lastId = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const rows = db.all<WtmpRow>(`SELECT ${COLUMNS} FROM wtmp WHERE ID > ? ORDER BY ID LIMIT ${PAGE}`, [
        lastId,
      ]).map(wtmpRow);
      for (const row of rows) {
        const at = row.Login ?? 0;
        for (let p = pending.peek(); p !== undefined && before(p, p.Logout!, row, at); p = pending.peek()) {
          yield logoutRecord(pending.pop()!, index++);
        }
        yield loginRecord(row, index++);
        if (hasLogout(row)) pending.push(row);
        lastId = row.ID;
      }
      if (rows.length < PAGE) break;
    }
    while (pending.size > 0) yield logoutRecord(pending.pop()!, index++);
  } finally {
    db.close();
  }
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
 * @returns The records.
 * @throws {UtmpFileError} When the file cannot be opened, or with code "ENOSYS" when the runtime has no SQLite.
 * @throws {UtmpFormatError} When the file is not a wtmpdb database.
 */
export async function* wtmpdbSessions(path: string = WTMPDB_PATH): AsyncGenerator<UtmpRecord> {
  const db = await openDatabase(path, "wtmpdb");
  let rows: WtmpRow[];
  try {
    const boot = db.all<WtmpRow>(
      `SELECT ${COLUMNS} FROM wtmp WHERE Type = ${WtmpdbType.BOOT_TIME} ORDER BY Login DESC, ID DESC LIMIT 1`,
    ).map(wtmpRow);
    const since = boot[0]?.Login ?? Number.MIN_SAFE_INTEGER;
    const open = db.all<WtmpRow>(
      `SELECT ${COLUMNS} FROM wtmp WHERE Type = ${WtmpdbType.USER_PROCESS} AND Logout IS NULL AND Login >= ? ORDER BY Login, ID`,
      [since],
    ).map(wtmpRow);
    rows = [...boot, ...open];
  } finally {
    db.close();
  }
  let index = 0;
  for (const row of rows) yield loginRecord(row, index++);
}
