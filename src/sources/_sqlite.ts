/**
 * The SQLite edge for wtmpdb and lastlog2: the runtime's built-in SQLite
 * (`node:sqlite` in Deno, Node >= 22.5 and Bun; `bun:sqlite` in a Bun
 * without it), taken with `process.getBuiltinModule` on first use, never at
 * import, so the library still loads on Node 20.
 *
 * A database may be hostile (a mounted root, a copied file), so it is read
 * within bounds:
 *
 * - **Nothing is written beside it, nothing else is opened.** SQLite never
 *   opens the file, nor anything beside it, by name: the database and its
 *   journal or write-ahead log are opened here first (without blocking, a
 *   regular file only, under a root without following a final link), copied
 *   through those descriptors into a private temporary directory (taken
 *   again when a writer changed them meanwhile), and SQLite reads the copy.
 *   A path reopened by name could be a FIFO by then (SQLite's blocking open
 *   hung the thread for good), a WAL database renamed over a rollback one
 *   (SQLite made `-wal` and `-shm` beside it), or a link out of a root. A
 *   journal's super-journal record (a path SQLite would read and delete) is
 *   erased in the copy. A side file (`-journal`, `-wal`, `-shm`) that is not
 *   a regular file (a FIFO, a link, ...) is refused at once.
 * - **Only the expected table, as a real table**: not a view (a recursive
 *   one never returns), not a virtual table, no generated or hidden column
 *   (computed on every read), a rowid to page by. Indexes are never used
 *   (`NOT INDEXED`: a forged index could hide rows).
 * - **Every value is read within a size**: text cut to {@link TEXT_CAP}
 *   characters and a value of more than {@link VALUE_LIMIT} bytes not read
 *   at all (`octet_length` reads only its header), so a page of rows stays
 *   small whatever the file claims.
 * - **Bounded time**: with those checks every query is a scan of the
 *   table's own b-tree (or a rowid range), and sorting happens in SQLite's
 *   temporary storage (a file, bounded memory): time linear in the size of
 *   the file, up to a logarithm. (SQLite in these runtimes offers no progress
 *   handler to cut a query short; there is nothing left that would need one.)
 *
 * Each query runs to its end at once, and rows are copied out of the
 * database a page at a time: no read lock is held while the caller works,
 * so a slow loop never makes a login wait for the database.
 *
 * @module
 */

import { closeSync, openSync, writeSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { UtmpFileError, UtmpFormatError } from "../errors.ts";
import type { LiveFile } from "../backends/_byte_source.ts";
import { fileError } from "../backends/_open.ts";
import { quotePath } from "../_internal/escape/terminal.ts";
import { isPermissionDenial } from "../_internal/runtime.ts";
import { Root } from "./_root.ts";

/** A row as SQLite returns it: column name to value. */
export type Row = Record<string, unknown>;

/** A prepared statement, as both runtimes' SQLite make them. */
interface Statement {
  all(...params: unknown[]): Row[];
  run(...params: unknown[]): { changes: number | bigint };
}

/** The part of `node:sqlite`'s `DatabaseSync` (and `bun:sqlite`'s `Database`) used here. */
interface Connection {
  prepare(sql: string): Statement;
  exec(sql: string): void;
  close(): void;
  /** `node:sqlite`'s `sqlite3_limit()`s, where it has them. */
  limits?: { length?: number };
}

/** How the runtime's SQLite opens a file (a private copy: for writing, as SQLite may roll a journal back). */
interface Opener {
  open(path: string): Connection;
}

let opener: Opener | null | undefined;

/** What the error says when the runtime has no SQLite. */
const SQLITE_REQUIREMENT =
  "needs the runtime's built-in SQLite: Deno, Node >= 22.5 (node:sqlite; before 22.13 with --experimental-sqlite) or Bun";

/** Characters a text value is cut to: a utmp's longest field (ut_host) holds 256 bytes. */
export const TEXT_CAP = 256;

/** Bytes past which a value is not read at all (its length comes from the record header). */
export const VALUE_LIMIT = 64 * 1024;

/** What a row's warning says of a text that {@link textCut} found cut. */
export const TEXT_CUT =
  `a text longer than ${TEXT_CAP} characters is cut to them (one past ${VALUE_LIMIT} bytes is left out)`;

/** Bytes the files of a database may hold together to be read from a private copy (see the module notes). */
export const COPY_LIMIT = 1 << 30;

type Builtin = (id: string) => unknown;

function loadOpener(): Opener | null {
  const builtin = (process as { getBuiltinModule?: Builtin }).getBuiltinModule;
  const get = (id: string): unknown => {
    try {
      return builtin?.(id);
    } catch (error) {
      if (isPermissionDenial(error)) throw error;
      return undefined;
    }
  };
  const node = get("node:sqlite") as
    | { DatabaseSync: new (location: string, options: { readOnly: boolean }) => Connection }
    | undefined;
  if (node !== undefined) return { open: (path) => new node.DatabaseSync(path, { readOnly: false }) };
  const bun = get("bun:sqlite") as
    | { Database: new (location: string, options: { readonly: boolean }) => Connection }
    | undefined;
  if (bun !== undefined) return { open: (path) => new bun.Database(path, { readonly: false }) };
  return null;
}

/** What a query of {@link Database.run} changed. */
export interface Changes {
  /** Rows inserted, updated or deleted. */
  changes: number;
}

/** A database opened read-only (with a temporary schema of its own, for sorting). */
export interface Database {
  /**
   * Runs a query to its end (releasing SQLite's read lock) and returns its rows.
   *
   * @throws {UtmpFormatError} When the file is not an SQLite database or lacks the expected table.
   */
  all<T extends object = Row>(sql: string, params?: readonly unknown[]): T[];
  /** Runs a statement that writes (to the temporary schema only: the file is read-only). */
  run(sql: string, params?: readonly unknown[]): Changes;
  /** The name the table's rowid goes by (`rowid`, unless a column has that name). */
  rowid: string;
  /** Closes the database (and removes a private copy). */
  close(): Promise<void>;
}

/** The table a reader expects: its name and the columns it reads. */
export interface ExpectedTable {
  /** Table name ("wtmp", "Lastlog2"). */
  name: string;
  /** Columns that must be there. */
  columns: readonly string[];
}

/** The side files SQLite looks for beside a database, in the order {@link openDatabase} opens them. */
const SIDES = ["-journal", "-wal", "-shm"] as const;

/** The 8 bytes that begin a rollback journal's header and end its super-journal record (SQLite's aJournalMagic). */
const JOURNAL_MAGIC = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];

/** Tries at copying a database whose files change while they are copied (a writer at work), then EBUSY. */
const COPY_TRIES = 20;

/**
 * Opens a database file read-only, refusing what could make reading it
 * unbounded or write beside it (see the module notes).
 *
 * SQLite reads a private copy taken through the descriptors opened here
 * (see the module notes), checked unchanged while it was taken; a
 * journal's super-journal record is erased in the copy, so that rolling it
 * back never opens or deletes the file it names.
 *
 * @param path The database file.
 * @param what What the file is, for messages ("wtmpdb", "lastlog2").
 * @param table The table the reader expects: checked to be a real table with those columns.
 * @param opens How to open it: under a root (its path resolved there), no symbolic link followed at its last
 *   component (nor at a side file's, ever).
 * @returns The database.
 * @throws {UtmpFileError} When the file or a side file cannot be opened or is not a regular file ("ENOENT",
 *   "EACCES", "EFTYPE", "ELOOP" for a link under a root, ...), "EBUSY" when it kept changing while copied, or
 *   "ENOSYS" when the runtime has no SQLite.
 * @throws {UtmpFormatError} When the file is not an SQLite database, or its table is not one the reader can read.
 */
export async function openDatabase(
  path: string,
  what: string,
  table: ExpectedTable,
  opens: Root = Root.here,
): Promise<Database> {
  for (let attempt = 1;; attempt++) {
    // Opened as the record readers open files (without blocking, a regular file only): SQLite's own open would
    // block on a FIFO, and on the JavaScript thread, since node:sqlite is synchronous.
    const files: (LiveFile | undefined)[] = [await opens.open(path)];
    try {
      for (const suffix of SIDES) files.push(await sideFile(path, suffix));
      const [file, journal, wal] = files as [LiveFile, ...(LiveFile | undefined)[]];
      const header = new Uint8Array(100);
      await file.read(header, 0);
      if (opener === undefined) opener = loadOpener();
      if (opener === null) {
        throw new UtmpFileError(
          `Cannot read ${quotePath(path)}: this runtime has no SQLite (ENOSYS); ${what} ${SQLITE_REQUIREMENT}`,
          "ENOSYS",
          path,
        );
      }
      const walMode = header[18] === 2 || header[19] === 2;
      const db = await privateCopy(opener, path, what, [[file, ""], walMode ? [wal, "-wal"] : [journal, "-journal"]]);
      if (db !== undefined) {
        try {
          checkTable(db, path, what, table);
        } catch (error) {
          await db.close();
          throw error;
        }
        return db;
      }
    } finally {
      await Promise.all(files.map((f) => f?.close()));
    }
    if (attempt === COPY_TRIES) {
      throw new UtmpFileError(
        `Cannot read ${quotePath(path)}: it changed each of the ${COPY_TRIES} times it was copied (EBUSY); ` +
          "try again when its writer is done",
        "EBUSY",
        path,
      );
    }
    // A writer's next change is as likely any time: a short wait of its own length each time, not in step with it.
    await new Promise((done) => setTimeout(done, 2 + Math.random() * 20));
  }
}

/**
 * A side file of the database (`-journal`, `-wal`, `-shm`), opened without
 * following a link: absent, or a regular file; anything else is refused.
 */
async function sideFile(path: string, suffix: string): Promise<LiveFile | undefined> {
  const side = path + suffix;
  try {
    return await Root.resolved.open(side);
  } catch (error) {
    if (!(error instanceof UtmpFileError)) throw error;
    if (error.code === "ENOENT") return undefined;
    const kind = error.code === "ELOOP"
      ? "a symbolic link"
      : error.code === "EISDIR"
      ? "a directory"
      : error.code === "EFTYPE"
      ? /: it is (an? [^,]+), not a regular file/.exec(error.message)?.[1] ?? "not a regular file"
      : undefined;
    if (kind === undefined) throw fileError(error.cause ?? error, path);
    throw new UtmpFileError(
      `Cannot read ${quotePath(path)}: its SQLite side file ${quotePath(side)} is ${kind}, ` +
        "not a regular file (EFTYPE); SQLite would open it",
      "EFTYPE",
      path,
    );
  }
}

/**
 * Copies the database (and its log or journal) through the open descriptors
 * into a private temporary directory and opens the copy, where SQLite may
 * write what it needs; undefined when a file changed (size or change time)
 * while it was copied (a writer at work: the caller opens and copies again).
 * In a journal's copy the super-journal record is erased: SQLite would open,
 * read and delete the file it names (any path) when rolling the journal
 * back. wtmpdb and lastlog2 never write one (it belongs to a transaction over
 * attached databases); the journal is then rolled back as a plain one, to the
 * state before the interrupted transaction.
 */
async function privateCopy(
  open: Opener,
  path: string,
  what: string,
  files: readonly (readonly [LiveFile | undefined, string])[],
): Promise<Database | undefined> {
  const sources = files.filter((f): f is [LiveFile, string] => f[0] !== undefined && (f[1] === "" || f[0].size > 0));
  const before = sources.map(([f]) => f.statNow());
  const total = before.reduce((sum, s) => sum + s.size, 0);
  if (total > COPY_LIMIT) {
    throw new UtmpFileError(
      `Cannot read ${quotePath(path)}: SQLite could only read it from a private copy, and it is too large ` +
        `(${total} bytes) to copy (EFBIG); copy it${
          sources.length > 1 ? ` with its ${sources[1]![1]}` : ""
        } elsewhere and read the copy`,
      "EFBIG",
      path,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), "utmp-sqlite-"));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const copy = join(dir, "db");
    for (const [f, suffix] of sources) copyOut(f, copy + suffix, suffix === "-journal");
    const after = sources.map(([f]) => f.statNow());
    // What a writer moves: the size and the modification time (a link or rename of the file moves only its ctime).
    if (!after.every((s, i) => s.size === before[i]!.size && s.modified === before[i]!.modified)) {
      await remove();
      return undefined;
    }
    // Opened for writing (its own copy: SQLite may roll a hot journal back, or make the log's index), read only.
    return connect(open, copy, path, what, remove);
  } catch (error) {
    await remove();
    throw error instanceof UtmpFileError || error instanceof UtmpFormatError ? error : fileError(error, path);
  }
}

/**
 * Copies an open file to `to` (created, never followed), erasing a
 * journal's super-journal record. Synchronous reads and writes, as SQLite's
 * own are: the copy takes microseconds for a database of kilobytes, so a
 * writer seldom lands inside it (and a copy it lands in is taken again).
 */
function copyOut(from: LiveFile, to: string, journal: boolean): void {
  const out = openSync(to, "wx", 0o600);
  try {
    const buffer = new Uint8Array(Math.min(Math.max(from.size, 4096), 1 << 20));
    let tail: Uint8Array = new Uint8Array(0);
    let at = 0;
    for (let n = from.readNow(buffer, at); n > 0; n = from.readNow(buffer, at)) {
      writeSync(out, buffer, 0, n, at);
      at += n;
      tail = concatTail(tail, buffer.subarray(0, n), JOURNAL_MAGIC.length);
    }
    if (journal && tail.length === JOURNAL_MAGIC.length && JOURNAL_MAGIC.every((b, i) => tail[i] === b)) {
      writeSync(out, new Uint8Array(JOURNAL_MAGIC.length), 0, JOURNAL_MAGIC.length, at - JOURNAL_MAGIC.length);
    }
  } finally {
    closeSync(out);
  }
}

/** The last `keep` bytes of `before` followed by `bytes`. */
function concatTail(before: Uint8Array, bytes: Uint8Array, keep: number): Uint8Array {
  if (bytes.length >= keep) return bytes.slice(bytes.length - keep);
  const joined = new Uint8Array(before.length + bytes.length);
  joined.set(before);
  joined.set(bytes, before.length);
  return joined.slice(Math.max(0, joined.length - keep));
}

/** Opens `location` and wraps it; errors name `path`, the file the caller asked for. */
function connect(
  open: Opener,
  location: string,
  path: string,
  what: string,
  cleanup: () => Promise<void>,
): Database {
  let db: Connection;
  try {
    db = open.open(location);
  } catch (error) {
    throw sqliteError(error, path, what);
  }
  try {
    // Wait for a writer's short transaction instead of failing at once (wtmpdb's own writers wait 5 s);
    // sort in temporary files, not in memory; run nothing the schema names with side effects.
    db.exec("PRAGMA busy_timeout = 5000; PRAGMA temp_store = FILE; PRAGMA trusted_schema = OFF");
    // No value (ours included) larger than this is ever made: where the runtime lets it be set.
    if (db.limits !== undefined && typeof db.limits.length === "number") db.limits.length = 1 << 20;
  } catch (error) {
    db.close();
    throw sqliteError(error, path, what);
  }
  // Each statement prepared once: the runtimes keep every statement until the database closes.
  const statements = new Map<string, Statement>();
  const statement = (sql: string): Statement => {
    let prepared = statements.get(sql);
    if (prepared === undefined) statements.set(sql, prepared = db.prepare(sql));
    return prepared;
  };
  return {
    rowid: "rowid",
    all<T extends object = Row>(sql: string, params: readonly unknown[] = []): T[] {
      try {
        return statement(sql).all(...params) as T[];
      } catch (error) {
        throw sqliteError(error, path, what);
      }
    },
    run(sql: string, params: readonly unknown[] = []): Changes {
      try {
        return { changes: Number(statement(sql).run(...params).changes) };
      } catch (error) {
        throw sqliteError(error, path, what);
      }
    },
    async close(): Promise<void> {
      try {
        db.close();
      } finally {
        await cleanup();
      }
    },
  };
}

/** What {@link copyRows} copies. */
export interface RowCopy {
  /** The table in the file. */
  table: string;
  /** The temporary table's columns after `rid` (`"Name TEXT, Time REAL"`). */
  definition: string;
  /** The SQL expressions that fill them, in order (see {@link textValue}, {@link numberValue}). */
  columns: string;
}

/** Rows copied per query: each copy is a short query, which writers wait for no longer than that. */
const COPY_PAGE = 10_000;

/**
 * Copies every row of a table into the connection's
 * temporary table `temp.rows` (`rid` the row's rowid, then `definition`),
 * in rowid order, {@link COPY_PAGE} at a time, each value converted and
 * bounded by the expressions in `columns`. Every row is taken, whatever its
 * key holds (NULL, repeated, beyond 2^53): the rowid is what pages. The
 * temporary schema lives in SQLite's temporary storage (a file, deleted at
 * once: bounded memory), never beside the database. Every later query reads
 * the copy, never the file's columns: a collation, affinity or type the file
 * declares (an unknown collation fails any comparison) neither fails nor
 * steers a reader.
 *
 * @param db The database.
 * @param copy What to copy.
 */
export function copyRows(db: Database, copy: RowCopy): void {
  db.run(`CREATE TEMP TABLE rows(rid INTEGER PRIMARY KEY, ${copy.definition})`);
  const r = db.rowid;
  const select = `INSERT INTO temp.rows SELECT ${r}, ${copy.columns} FROM main.${identifier(copy.table)} NOT INDEXED`;
  let copied = db.run(`${select} ORDER BY ${r} LIMIT ${COPY_PAGE}`).changes;
  while (copied === COPY_PAGE) {
    copied = db.run(`${select} WHERE ${r} > (SELECT max(rid) FROM temp.rows) ORDER BY ${r} LIMIT ${COPY_PAGE}`).changes;
  }
}

/**
 * Puts what a query over `temp.rows` selects in order in `temp.events`
 * (`seq` from 1, then the query's columns): SQLite sorts in its temporary
 * storage, not in memory.
 *
 * @param db The database.
 * @param definition The columns of `temp.events` after `seq`.
 * @param select The query, with its ORDER BY.
 * @returns How many rows `temp.events` holds.
 */
export function orderRows(db: Database, definition: string, select: string): number {
  db.run(`CREATE TEMP TABLE events(seq INTEGER PRIMARY KEY, ${definition})`);
  const names = definition.split(",").map((c) => c.trim().split(/\s+/)[0]).join(", ");
  return db.run(`INSERT INTO temp.events(${names}) ${select}`).changes;
}

/**
 * The rows of a query over `temp.events` (with `?` `?` for the first and
 * last `seq`), a page at a time, in `seq` order or its reverse.
 *
 * @param db The database.
 * @param count How many rows `temp.events` holds.
 * @param select The query: `... WHERE e.seq BETWEEN ? AND ?` (ordering added here).
 * @param newestFirst Whether to go from the last `seq` to the first.
 * @param page Rows per page.
 * @returns The pages.
 */
export function* pages<T extends object>(
  db: Database,
  count: number,
  select: string,
  newestFirst: boolean,
  page: number,
): Generator<T[]> {
  for (let done = 0; done < count; done += page) {
    const [from, to] = newestFirst ? [count - done - page + 1, count - done] : [done + 1, done + page];
    yield db.all<T>(`${select} ORDER BY e.seq ${newestFirst ? "DESC" : "ASC"}`, [Math.max(from, 1), to]);
  }
}

/** A name quoted as an SQL identifier. */
export function identifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Checks that the expected table is a real table the reader can read within
 * bounds: not a view or a virtual table, no generated or hidden column, the
 * expected columns, a rowid.
 */
function checkTable(db: Database, path: string, what: string, table: ExpectedTable): void {
  const refuse = (why: string) =>
    new UtmpFormatError(`Cannot read ${quotePath(path)} as a ${what} database: ${why}`, {
      offset: 0,
      recordIndex: 0,
      layout: what,
    });
  const entries = db.all<{ type: string; sql: string | null }>(
    "SELECT type, CAST(sql AS TEXT) AS sql FROM main.sqlite_master WHERE name = ? COLLATE NOCASE AND type IN ('table', 'view')",
    [table.name],
  );
  const entry = entries[0];
  if (entry === undefined) throw refuse(`no such table: ${table.name}`);
  if (entry.type !== "table") throw refuse(`"${table.name}" is a ${entry.type}, not a table`);
  if (/^\s*CREATE\s+VIRTUAL\b/i.test(entry.sql ?? "")) throw refuse(`"${table.name}" is a virtual table, not a table`);
  const columns = db.all<{ name: string; hidden: number }>(`PRAGMA main.table_xinfo(${identifier(table.name)})`);
  const generated = columns.find((c) => Number(c.hidden) !== 0);
  if (generated !== undefined) throw refuse(`column "${generated.name}" of "${table.name}" is generated or hidden`);
  const names = new Set(columns.map((c) => String(c.name).toLowerCase()));
  const missing = table.columns.find((c) => !names.has(c.toLowerCase()));
  if (missing !== undefined) throw refuse(`no such column: ${missing}`);
  const rowid = ["rowid", "_rowid_", "oid"].find((n) => !names.has(n));
  if (rowid === undefined) {
    throw refuse(`"${table.name}" has columns named rowid, _rowid_ and oid: no rowid to read by`);
  }
  try {
    db.all(`SELECT ${rowid} FROM main.${identifier(table.name)} NOT INDEXED LIMIT 0`);
  } catch {
    throw refuse(`"${table.name}" has no rowid (WITHOUT ROWID)`);
  }
  (db as { rowid: string }).rowid = rowid;
}

/**
 * A text column read within bounds: cut to {@link TEXT_CAP} characters, NULL
 * when it holds more than {@link VALUE_LIMIT} bytes (then never read).
 *
 * @param column The column (an SQL identifier).
 * @returns The SQL expression.
 */
export function textValue(column: string): string {
  return `CASE WHEN octet_length(${column}) > ${VALUE_LIMIT} THEN NULL ELSE substr(CAST(${column} AS TEXT), 1, ${TEXT_CAP}) END`;
}

/**
 * A number column read as wtmpdb's and lastlog2's C read it
 * (`sqlite3_column_int64`: text and blobs converted), as a real: NULL stays
 * NULL, a value of more than {@link VALUE_LIMIT} bytes reads as 0.
 *
 * @param column The column.
 * @returns The SQL expression.
 */
export function numberValue(column: string): string {
  return `CASE WHEN octet_length(${column}) > ${VALUE_LIMIT} THEN 0.0 ELSE CAST(${column} AS REAL) END`;
}

/**
 * Whether a text column's value was cut or left unread by {@link textValue}.
 *
 * @param column The column.
 * @returns The SQL expression (0 or 1).
 */
export function textCut(column: string): string {
  // CASE evaluates only the branch taken: a value too large is never read to count its characters.
  return `CASE WHEN octet_length(${column}) > ${VALUE_LIMIT} THEN 1 WHEN octet_length(${column}) > ${TEXT_CAP} ` +
    `THEN length(CAST(${column} AS TEXT)) > ${TEXT_CAP} ELSE 0 END`;
}

/** Maps SQLite's errors to the library's: an unreadable file, or not the expected database. */
function sqliteError(error: unknown, path: string, what: string): unknown {
  if (isPermissionDenial(error) || !(error instanceof Error)) return error;
  if (error instanceof UtmpFileError || error instanceof UtmpFormatError) return error;
  const message = error.message;
  if (/unable to open|permission denied|access/i.test(message)) {
    return new UtmpFileError(
      `Cannot open ${quotePath(path)}: ${message} (EACCES); run as a user allowed to read it`,
      "EACCES",
      path,
      error,
    );
  }
  return new UtmpFormatError(`Cannot read ${quotePath(path)} as a ${what} database: ${message}`, {
    offset: 0,
    recordIndex: 0,
    layout: what,
    cause: error,
  });
}
