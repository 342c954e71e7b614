/**
 * lastlog2's SQLite database, `/var/lib/lastlog/lastlog2.db` (FORMATS.md
 * §14.3; util-linux `liblastlog2/src/lastlog2.c`): the last login of each
 * user, where lastlog2 replaced the uid-indexed `/var/log/lastlog`.
 *
 * @module
 */

import { uidsByName } from "../_internal/passwd.ts";
import { Root } from "./_root.ts";
import type { LastlogEntry } from "../lastlog_file.ts";
import type { UtmpWarning } from "../errors.ts";
import { whole } from "./_plain.ts";
import {
  copyRows,
  type ExpectedTable,
  numberValue,
  openDatabase,
  orderRows,
  pages,
  TEXT_CUT,
  textCut,
  textValue,
} from "./_sqlite.ts";

import { LASTLOG2_PATH, PASSWD_PATH } from "../paths.ts";

export { LASTLOG2_PATH, PASSWD_PATH };

/**
 * A user's last login: the lastlog reader's entry (`{ uid, time, line, host }`)
 * plus what lastlog2 adds. `uid` comes from the password file (lastlog2 keys
 * by name), -1 for a name not in it; `line` is without "/dev/".
 */
export interface LastLogin extends LastlogEntry {
  /** User name (lastlog2's key). */
  user: string;
  /** PAM service that recorded the login ("sshd", "login", ...); "" when not recorded. */
  service: string;
}

/** Options of {@link lastlog2Entries}. */
export interface Lastlog2Options {
  /** Password file for name → uid (default {@link PASSWD_PATH}); a missing or unreadable one gives uid -1. */
  passwd?: string;
  /**
   * Open the database and the password file without following a symbolic link at its last
   * component, and read it from a copy taken through that descriptor (SQLite
   * never opens it by name): for a path resolved under a root.
   */
  noFollow?: boolean | undefined;
  /**
   * Called for each row holding a value its column cannot hold as read
   * (kind "bad-value": a Time that is no number, a text cut to 256
   * characters), with the index of the row's entry. The row is read all the
   * same.
   */
  onWarning?: (warning: UtmpWarning) => void;
}

interface Lastlog2Row {
  rowid: string;
  Name: string | null;
  Time: number | null;
  TTY: string | null;
  RemoteHost: string | null;
  Service: string | null;
  bad: number;
}

/** The table and the columns read from it. */
const TABLE: ExpectedTable = { name: "Lastlog2", columns: ["Name", "Time", "TTY", "RemoteHost", "Service"] };

/** Entries per page out of the sorted copy. */
const PAGE = 1000;

/** The kinds of bad value noted in a row's `bad`. */
const BAD = { TIME: 1, TEXT: 2 } as const;

/**
 * Every user's last login in a lastlog2 database, by user name (the order of
 * `lastlog2` itself): Name → `user` (and `uid` through the password file),
 * Time (s) → `time`, TTY → `line` (without "/dev/"), RemoteHost → `host`,
 * Service → `service`.
 *
 * @example Last logins
 * ```ts
 * import { lastlog2Entries } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const { DatabaseSync } = await import("node:sqlite" as string); // Deno; Node >= 22.5
 * const dir = mkdtempSync(join(tmpdir(), "lastlog2-"));
 * const db = new DatabaseSync(join(dir, "lastlog2.db"));
 * db.exec("CREATE TABLE Lastlog2(Name TEXT PRIMARY KEY, Time INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT)");
 * db.exec("REPLACE INTO Lastlog2 VALUES ('alice', 1700000000, 'pts/0', '192.0.2.7', 'sshd')");
 * db.close();
 * writeFileSync(join(dir, "passwd"), "alice:x:1000:1000::/home/alice:/bin/sh\n");
 *
 * const last = []; // the system's: lastlog2Entries()
 * for await (const e of lastlog2Entries(join(dir, "lastlog2.db"), { passwd: join(dir, "passwd") })) last.push(e);
 * assert.deepEqual(last, [{
 *   uid: 1000,
 *   user: "alice",
 *   time: new Date("2023-11-14T22:13:20Z"),
 *   line: "pts/0",
 *   host: "192.0.2.7",
 *   service: "sshd",
 * }]);
 * ```
 *
 * @param path The database (default {@link LASTLOG2_PATH}).
 * @param options Where the password file is.
 * @returns The entries.
 * @throws {UtmpFileError} When the file cannot be opened, or with code "ENOSYS" when the runtime has no SQLite.
 * @throws {UtmpFormatError} When the file is not a lastlog2 database.
 */
export async function* lastlog2Entries(
  path: string = LASTLOG2_PATH,
  options: Lastlog2Options = {},
): AsyncGenerator<LastLogin> {
  const opens = Root.opening(options.noFollow);
  const db = await openDatabase(path, "lastlog2", TABLE, opens);
  try {
    // Converted by SQLite as lastlog2's C reads them (text, a blob or a real may stand where the schema says
    // otherwise), bounded, copied out a page at a time, then put in lastlog2's order (by name) in SQLite's
    // temporary storage: bounded memory however many users.
    copyRows(db, {
      table: "Lastlog2",
      definition: "Name TEXT, Time REAL, TTY TEXT, RemoteHost TEXT, Service TEXT, bad INTEGER",
      columns: [
        textValue("Name"),
        numberValue("Time"),
        textValue("TTY"),
        textValue("RemoteHost"),
        textValue("Service"),
        `(Time IS NOT NULL AND typeof(Time) NOT IN ('integer', 'real')) * ${BAD.TIME} + ` +
        `(${textCut("Name")} OR ${textCut("TTY")} OR ${textCut("RemoteHost")} OR ${textCut("Service")}) * ${BAD.TEXT}`,
      ].join(", "),
    });
    const count = orderRows(db, "rid INTEGER", "SELECT rid FROM temp.rows ORDER BY Name, rid");
    const uids = uidsByName(new TextDecoder().decode(await opens.passwd(options.passwd ?? PASSWD_PATH)));
    const select = "SELECT CAST(r.rid AS TEXT) AS rowid, r.Name, r.Time, r.TTY, r.RemoteHost, r.Service, r.bad " +
      "FROM temp.events e JOIN temp.rows r ON r.rid = e.rid WHERE e.seq BETWEEN ? AND ?";
    let index = 0;
    for (const page of pages<Lastlog2Row>(db, count, select, false, PAGE)) {
      for (const row of page) {
        const name = row.Name ?? "";
        if (Number(row.bad) !== 0) {
          options.onWarning?.({ kind: "bad-value", offset: -1, recordIndex: index, reason: badValues(row) });
        }
        index++;
        yield {
          uid: uids.get(name) ?? -1,
          user: name,
          time: new Date((whole(row.Time) ?? 0) * 1000),
          line: row.TTY?.startsWith("/dev/") ? row.TTY.slice(5) : row.TTY ?? "",
          host: row.RemoteHost ?? "",
          service: row.Service ?? "",
        };
      }
    }
  } finally {
    await db.close();
  }
}

/** What was wrong with a row's values, in words, for its warning. */
function badValues(row: Lastlog2Row): string {
  const what: string[] = [];
  if (Number(row.bad) & BAD.TIME) what.push(`its Time is not a number, read as ${whole(row.Time) ?? 0} s`);
  if (Number(row.bad) & BAD.TEXT) {
    what.push(TEXT_CUT);
  }
  return `lastlog2 row ${row.rowid}: ${what.join("; ")}`;
}
