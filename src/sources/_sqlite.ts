/**
 * The SQLite edge for wtmpdb and lastlog2: the runtime's built-in SQLite
 * (`node:sqlite` in Deno and Node >= 22.5; `bun:sqlite` in Bun without
 * `node:sqlite`), loaded on first use, never at import, so the library still
 * loads on Node 20. Databases are opened read-only and each query runs to its
 * end at once: no read lock is held while the caller works, so a slow loop
 * never makes a login wait for the database.
 *
 * @module
 */

import { UtmpFileError, UtmpFormatError } from "../errors.ts";
import { openRecordFile } from "../backends/_record_file.ts";
import { isPermissionDenial, runtime } from "../_internal/runtime.ts";

/** A row as SQLite returns it: column name to value. */
export type Row = Record<string, unknown>;

/** The part of `node:sqlite`'s `DatabaseSync` (and `bun:sqlite`'s `Database`) used here. */
interface Connection {
  prepare(sql: string): { all(...params: unknown[]): Row[] };
  exec(sql: string): void;
  close(): void;
}

type Opener = (path: string) => Connection;

let opener: Promise<Opener | undefined> | undefined;

/** What the error says when the runtime has no SQLite. */
const SQLITE_REQUIREMENT =
  "needs the runtime's built-in SQLite: Deno, Node >= 22.5 (node:sqlite; before 22.13 with --experimental-sqlite) or Bun";

async function loadOpener(): Promise<Opener | undefined> {
  try {
    const { DatabaseSync } = await import("node:sqlite" as string) as {
      DatabaseSync: new (path: string, options: { readOnly: boolean }) => Connection;
    };
    return (path) => new DatabaseSync(path, { readOnly: true });
  } catch (error) {
    if (isPermissionDenial(error)) throw error;
  }
  if (runtime === "bun") {
    const { Database } = await import("bun:sqlite" as string) as {
      Database: new (path: string, options: { readonly: boolean }) => Connection;
    };
    return (path) => new Database(path, { readonly: true });
  }
  return undefined;
}

/** A database opened read-only. */
export interface Database {
  /**
   * Runs a query to its end (releasing SQLite's read lock) and returns its rows.
   *
   * @throws {UtmpFormatError} When the file is not an SQLite database or lacks the expected table.
   */
  all<T extends object = Row>(sql: string, params?: readonly unknown[]): T[];
  /** Closes the database. */
  close(): void;
}

/**
 * Opens a database file read-only.
 *
 * @param path The database file.
 * @param what What the file is, for messages ("wtmpdb", "lastlog2").
 * @returns The database.
 * @throws {UtmpFileError} When the file cannot be opened ("ENOENT", "EACCES", ...), or with code "ENOSYS" when the
 * runtime has no SQLite.
 */
export async function openDatabase(path: string, what: string): Promise<Database> {
  // Opened as the record readers open files first (without blocking, a regular file only): SQLite's own open
  // would block on a FIFO, and on the JavaScript thread, since node:sqlite is synchronous.
  await (await openRecordFile(path)).close();
  opener ??= loadOpener();
  const open = await opener;
  if (open === undefined) {
    throw new UtmpFileError(
      `Cannot read "${path}": this runtime has no SQLite (ENOSYS); ${what} ${SQLITE_REQUIREMENT}`,
      "ENOSYS",
      path,
    );
  }
  let db: Connection;
  try {
    db = open(path);
    // Wait for a writer's short transaction instead of failing at once (wtmpdb's own writers wait 5 s).
    db.exec("PRAGMA busy_timeout = 5000");
  } catch (error) {
    throw sqliteError(error, path, what);
  }
  return {
    all<T extends object = Row>(sql: string, params: readonly unknown[] = []): T[] {
      try {
        return db.prepare(sql).all(...params) as T[];
      } catch (error) {
        throw sqliteError(error, path, what);
      }
    },
    close: () => db.close(),
  };
}

/** Maps SQLite's errors to the library's: an unreadable file, or not the expected database. */
function sqliteError(error: unknown, path: string, what: string): unknown {
  if (isPermissionDenial(error) || !(error instanceof Error)) return error;
  const message = error.message;
  if (/unable to open|permission denied|access/i.test(message)) {
    return new UtmpFileError(
      `Cannot open "${path}": ${message} (EACCES); run as a user allowed to read it`,
      "EACCES",
      path,
      error,
    );
  }
  return new UtmpFormatError(`Cannot read "${path}" as a ${what} database: ${message}`, {
    offset: 0,
    recordIndex: 0,
    layout: what,
    cause: error,
  });
}
