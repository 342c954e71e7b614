/**
 * Every user's last login, from the lastlog file or the lastlog2 database,
 * named from the password file: the lastlog-passwd join in one place.
 *
 * @module
 */

import type { RootOptions, SourceNames } from "./choose.ts";
import type { LastLogin } from "./lastlog2.ts";
import { openSource } from "./_readers.ts";
import { Root } from "./_root.ts";

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
  const { chosen, reader } = await openSource("lastlog", options);
  // The password file of the system's root, whatever path was given.
  yield* reader.lastLogins!(chosen, { system: Root.of(options.root) });
}
