/**
 * Builders for the successor stores, as their writers lay them out:
 * logind session files (systemd `session_save()`, FORMATS.md §14.1), and
 * wtmpdb / lastlog2 databases made by the `sqlite3` command with the
 * writers' own CREATE TABLE statements (§14.2, §14.3).
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { Buffer } from "node:buffer";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { UtmpRecordObject } from "../../mod.ts";
import { encodeRecords, LAYOUTS } from "../../src/layouts/mod.ts";

/** wtmpdb's `lib/sqlite.c` `add_entry()` table, verbatim. */
export const WTMPDB_SCHEMA =
  "CREATE TABLE IF NOT EXISTS wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT NOT NULL, Login INTEGER, Logout INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT) STRICT;";

/** util-linux `liblastlog2/src/lastlog2.c` table, verbatim. */
export const LASTLOG2_SCHEMA =
  "CREATE TABLE IF NOT EXISTS Lastlog2(Name TEXT PRIMARY KEY, Time INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT);";

/** Whether this runtime has the SQLite the library uses (no `node:sqlite` on Node 20). */
export const HAS_SQLITE: boolean = await import("node:sqlite" as string).then(() => true, () => "Bun" in globalThis);

/** Keys in the order `session_save()` writes them. */
const KEY_ORDER = [
  "UID",
  "USER",
  "ACTIVE",
  "IS_DISPLAY",
  "STATE",
  "REMOTE",
  "LEADER_FD_SAVED",
  "TYPE",
  "ORIGINAL_TYPE",
  "CLASS",
  "SCOPE",
  "SCOPE_JOB",
  "FIFO",
  "SEAT",
  "TTY",
  "TTY_VALIDITY",
  "DISPLAY",
  "REMOTE_HOST",
  "REMOTE_USER",
  "SERVICE",
  "DESKTOP",
  "VTNR",
  "POSITION",
  "LEADER",
  "AUDIT",
  "REALTIME",
  "MONOTONIC",
  "CONTROLLER",
  "DEVICES",
];

/**
 * Writes `/run/systemd/sessions/<id>` as `session_save()` does: the comment
 * line, then the keys in its order (values already C-escaped where it escapes).
 */
export function writeSession(dir: string, id: string, values: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  const keys = Object.keys(values).sort((a, b) => KEY_ORDER.indexOf(a) - KEY_ORDER.indexOf(b));
  const text = "# This is private data. Do not parse.\n" + keys.map((k) => `${k}=${values[k]}\n`).join("");
  writeFileSync(join(dir, id), text, { mode: 0o644 });
}

/** Runs SQL on a database file with the `sqlite3` command (creating it). */
export function sqlite(path: string, sql: string): void {
  execFileSync("sqlite3", [path], { input: sql, stdio: ["pipe", "pipe", "pipe"] });
}

/** SQL text of a value: NULL, a number, or a quoted string. */
export function sqlValue(v: string | number | null): string {
  if (v === null) return "NULL";
  if (typeof v === "number") return String(v);
  return `'${v.replaceAll("'", "''")}'`;
}

/** A wtmpdb row as `wtmpdb_login()` + `wtmpdb_logout()` leave it. */
export interface WtmpdbRow {
  Type: number;
  User: string;
  Login: number;
  Logout: number | null;
  TTY: string | null;
  RemoteHost: string | null;
  Service: string | null;
}

/** Creates a wtmpdb database holding `rows` (IDs 1, 2, ... in order). */
export function writeWtmpdb(path: string, rows: readonly WtmpdbRow[]): void {
  const inserts = rows.map((r) =>
    `INSERT INTO wtmp (Type,User,Login,Logout,TTY,RemoteHost,Service) VALUES(${
      [r.Type, r.User, r.Login, r.Logout, r.TTY, r.RemoteHost, r.Service].map(sqlValue).join(",")
    });`
  );
  sqlite(path, [WTMPDB_SCHEMA, "BEGIN;", ...inserts, "COMMIT;"].join("\n"));
}

/** The 8 bytes that begin a rollback journal and end its super-journal record (SQLite's `aJournalMagic`). */
const JOURNAL_MAGIC = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];

/**
 * Writes a hot rollback journal beside a database, as SQLite's pager lays
 * one out (`writeJournalHdr`, `writeSuperJournal`): a header of one 512-byte
 * sector with no page records and the database's own size (rolling it back
 * changes nothing), then a super-journal record naming `superJournal`, the
 * file SQLite reads and then deletes once the journal is rolled back.
 *
 * @param db The database.
 * @param superJournal Any path.
 */
export function writeHotJournal(db: string, superJournal: string): void {
  const bytes = readFileSync(db);
  const raw = bytes.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  const header = Buffer.alloc(512);
  Buffer.from(JOURNAL_MAGIC).copy(header, 0);
  header.writeUInt32BE(0, 8); // nRec
  header.writeUInt32BE(0, 12); // the checksum's seed
  header.writeUInt32BE(bytes.length / pageSize, 16); // the database's size before the transaction, in pages
  header.writeUInt32BE(512, 20); // sector size
  header.writeUInt32BE(pageSize, 24);
  const name = Buffer.from(superJournal);
  const record = Buffer.alloc(4 + name.length + 16);
  record.writeUInt32BE(Math.floor(0x40000000 / pageSize) + 1, 0); // PAGER_SJ_PGNO: the lock-byte page
  name.copy(record, 4);
  record.writeUInt32BE(name.length, 4 + name.length);
  record.writeUInt32BE(name.reduce((sum, b) => (sum + b) >>> 0, 0), 8 + name.length);
  Buffer.from(JOURNAL_MAGIC).copy(record, 12 + name.length);
  writeFileSync(db + "-journal", Buffer.concat([header, record]));
}

/** Also here for the tests that take it with the builders; it lives in tests/_collect.ts. */
export { all } from "../_collect.ts";

/** Records encoded as a glibc (x86_64) utmp/wtmp file, to show them to coreutils and util-linux. */
export function asUtmpFile(records: readonly UtmpRecordObject[]): Uint8Array {
  return encodeRecords(
    LAYOUTS.linux,
    records.map((u) => ({
      ut_type: u.ut_type,
      ut_pid: u.ut_pid,
      ut_line: u.ut_line.startsWith("/dev/") ? u.ut_line.slice(5) : u.ut_line,
      ut_id: u.ut_id,
      ut_user: u.ut_user,
      ut_host: u.ut_host,
      tv_sec: u.ut_tv.tv_sec,
      tv_usec: u.ut_tv.tv_usec,
    })),
  );
}

/**
 * A chosen source without its kind: what the chooser tests compare.
 *
 * @param chosen What `chooseSource()` returned.
 * @returns Its source and path.
 */
export function where(chosen: { source: string; path: string }): { source: string; path: string } {
  return { source: chosen.source, path: chosen.path };
}
