/**
 * lastlog2's SQLite database, `/var/lib/lastlog/lastlog2.db` (FORMATS.md
 * §14.3; util-linux `liblastlog2/src/lastlog2.c`): the last login of each
 * user, where lastlog2 replaced the uid-indexed `/var/log/lastlog`.
 *
 * @module
 */

import { readPasswd, uidsByName } from "../_internal/passwd.ts";
import type { LastlogEntry } from "../lastlog_file.ts";
import { whole } from "./_plain.ts";
import { openDatabase } from "./_sqlite.ts";

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
}

interface Lastlog2Row {
  Name: string | null;
  Time: number | null;
  TTY: string | null;
  RemoteHost: string | null;
  Service: string | null;
}

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
  const db = await openDatabase(path, "lastlog2");
  let rows: Lastlog2Row[];
  try {
    // Converted by SQLite as lastlog2's C reads them: text, a blob or a real may stand where the schema says otherwise.
    rows = db.all<Lastlog2Row>(
      "SELECT CAST(Name AS TEXT) AS Name, CAST(Time AS REAL) AS Time, CAST(TTY AS TEXT) AS TTY, " +
        "CAST(RemoteHost AS TEXT) AS RemoteHost, CAST(Service AS TEXT) AS Service FROM Lastlog2 ORDER BY Name ASC",
    );
  } finally {
    db.close();
  }
  const uids = uidsByName(await readPasswd(options.passwd ?? PASSWD_PATH));
  for (const row of rows) {
    const name = row.Name ?? "";
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
