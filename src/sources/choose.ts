/**
 * Where each kind of login data is read from: one policy per kind (its
 * sources, how a path given is told apart, what the system keeps), the
 * library's one chooser. It imports no reader: what reads a chosen source
 * is `_readers.ts`'s table.
 *
 * @module
 */

import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { openLiveFile } from "../backends/_byte_source.ts";
import { fileError } from "../backends/_open.ts";
import { UtmpFileError } from "../errors.ts";
import { platform } from "../_internal/runtime.ts";
import {
  JOURNAL_DIR,
  JOURNAL_RUNTIME_DIR,
  LASTLOG2_PATH,
  LOGIND_SESSIONS_DIR,
  systemPaths,
  WTMPDB_PATH,
} from "../paths.ts";
import { Root } from "./_root.ts";
import { quotePath } from "../_internal/escape/terminal.ts";
import { contentRefusal, fileContent } from "../layouts/_refusal.ts";

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

/** Makes the chosen source of a source name and path (`name`: the system path it was resolved from). */
type Choose<K extends SourceKind> = (source: SourceNames[K], path: string, name?: string) => ChosenSource<K>;

/** A source's system path, and where it is under the root. */
type InRoot = (source: string) => Promise<{ path: string; name: string }>;

/**
 * How one kind of data is chosen: its sources (the first the file, the
 * second what is taken where the file is not), what a path given is, and
 * what the system's own is.
 */
interface Policy<K extends SourceKind> {
  /** What the kind is, for messages. */
  what: string;
  /** The kind's sources, the one "auto" prefers first. */
  sources: readonly [SourceNames[K], ...SourceNames[K][]];
  /** The source of a path given with "auto". */
  fromPath(path: string, chosen: Choose<K>): Promise<ChosenSource<K>>;
  /** The system's source with "auto". */
  fromSystem(inRoot: InRoot, chosen: Choose<K>): Promise<ChosenSource<K>>;
}

/**
 * The record file given, or the database it is by its first page; a file
 * whose first page shows another database's table is refused in words that
 * name what reads it.
 */
async function fileOrDatabase<K extends "history" | "lastlog">(
  kind: K,
  path: string,
  chosen: Choose<K>,
): Promise<ChosenSource<K>> {
  const [file, database] = POLICIES[kind].sources as readonly SourceNames[K][];
  const content = await sqliteContent(path);
  if (content === undefined) return chosen(file!, path);
  if (content !== "sqlite" && content !== database) {
    throw contentRefusal(content, path, kind === "lastlog" ? "a lastlog" : "login records");
  }
  return chosen(database!, path);
}

/**
 * The file where it exists and holds records, unless the database was
 * written after it (a system that moved to wtmpdb or lastlog2 and kept its
 * old file), else the database.
 */
async function newerOf<K extends "history" | "lastlog">(
  kind: K,
  inRoot: InRoot,
  chosen: Choose<K>,
): Promise<ChosenSource<K>> {
  const { what, sources: [file, other] } = POLICIES[kind] as Policy<K>;
  const { path: filePath, name: fileName } = await inRoot(file);
  const f = await probe(filePath);
  const { path: dbPath, name: dbName } = await inRoot(other!);
  const d = await probe(dbPath);
  if (f !== undefined && (d === undefined || (f.size > 0 && f.mtimeMs >= d.mtimeMs))) {
    return chosen(file, filePath, fileName);
  }
  if (d !== undefined) return chosen(other!, dbPath, dbName);
  throw new UtmpFileError(
    `Cannot find ${what}: no ${file} at ${quotePath(filePath)} and no ${other} at ${quotePath(dbPath)}; pass a path`,
    "ENOENT",
    filePath,
    undefined,
    [filePath, dbPath],
  );
}

/** Each kind's policy: the one place each choice is made. */
const POLICIES: { readonly [K in SourceKind]: Policy<K> } = {
  sessions: {
    what: "who is logged in",
    sources: ["utmp", "logind", "wtmpdb"],
    // A directory is logind's sessions, an SQLite file a wtmpdb (its open sessions; another database's refused).
    async fromPath(path, chosen): Promise<ChosenSource<"sessions">> {
      if ((await probe(path))?.dir) return chosen("logind", path);
      const content = await sqliteContent(path);
      if (content === undefined) return chosen("utmp", path);
      if (content !== "sqlite" && content !== "wtmpdb") throw contentRefusal(content, path, "login records");
      return chosen("wtmpdb", path);
    },
    // The utmp where it exists and holds records, else logind's session directory, else an empty utmp.
    async fromSystem(inRoot, chosen): Promise<ChosenSource<"sessions">> {
      const { path: filePath, name: fileName } = await inRoot("utmp");
      const f = await probe(filePath);
      if (f !== undefined && f.size > 0) return chosen("utmp", filePath, fileName);
      const { path: logind, name: logindName } = await inRoot("logind");
      if ((await probe(logind))?.dir) return chosen("logind", logind, logindName);
      if (f !== undefined) return chosen("utmp", filePath, fileName);
      throw new UtmpFileError(
        `Cannot find who is logged in: no utmp at ${quotePath(filePath)} and no systemd-logind sessions at ${
          quotePath(logind)
        }; pass source "wtmpdb" or a path`,
        "ENOENT",
        filePath,
        undefined,
        [filePath, logind],
      );
    },
  },
  history: {
    what: "login history",
    sources: ["wtmp", "wtmpdb"],
    fromPath: (path, chosen) => fileOrDatabase("history", path, chosen),
    fromSystem: (inRoot, chosen) => newerOf("history", inRoot, chosen),
  },
  failures: {
    what: "failed logins",
    sources: ["btmp", "journal"],
    // The journal for a journal file or a directory that holds them, else a btmp (a directory that holds none:
    // EISDIR, as util-linux says).
    async fromPath(path, chosen): Promise<ChosenSource<"failures">> {
      const dir = (await probe(path))?.dir;
      const { holdsJournal, isJournalFile } = await import("./journal.ts");
      return chosen((dir ? await holdsJournal(path) : await isJournalFile(path)) ? "journal" : "btmp", path);
    },
    // The btmp where it exists, else the journal (`/var/log/journal`, else the volatile `/run/log/journal`).
    async fromSystem(inRoot, chosen): Promise<ChosenSource<"failures">> {
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
    },
  },
  lastlog: {
    what: "last logins",
    sources: ["lastlog", "lastlog2"],
    fromPath: (path, chosen) => fileOrDatabase("lastlog", path, chosen),
    fromSystem: (inRoot, chosen) => newerOf("lastlog", inRoot, chosen),
  },
};

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
  const policy = POLICIES[kind] as Policy<K>;
  const sources = policy.sources as readonly string[];
  const source = options.source ?? "auto";
  if (source !== "auto" && !sources.includes(source)) {
    throw new RangeError(
      `Cannot read ${policy.what} from source "${source}": expected ${
        ["auto", ...sources].map((s) => `"${s}"`).join(", ")
      }`,
    );
  }
  const root = Root.of(options.root);
  const chosen: Choose<K> = (s, path, name) => ({
    kind,
    source: s,
    path,
    name: name ?? path,
    // A path given is the caller's own; a system path under a root was resolved there.
    root: name === undefined ? Root.here : root,
  });
  const inRoot: InRoot = async (s) => {
    const name = systemPath(s);
    if (name === undefined) {
      throw new UtmpFileError(
        `Cannot read ${policy.what}: this system ("${platform}") keeps no ${s} file; pass the path of one`,
        "ENOENT",
        "",
      );
    }
    return { path: await root.path(name), name };
  };
  if (source !== "auto") {
    if (options.path !== undefined) return chosen(source as SourceNames[K], options.path);
    const at = await inRoot(source);
    return chosen(source as SourceNames[K], at.path, at.name);
  }
  if (options.path !== undefined) return await policy.fromPath(options.path, chosen);
  return await policy.fromSystem(inRoot, chosen);
}

/** How `watch` follows what {@link chooseFollowed} chose. */
export type FollowMode = "log" | "slots" | "logind" | "journal";

/** What {@link chooseFollowed} chose to follow. */
export interface Followed {
  /** The path, as resolved when the watch began. */
  path: string;
  /** How it is followed. */
  kind: FollowMode;
  /**
   * Under a root, where the path is now: resolved again before every opening
   * (and opened without following a link at its last component), so that a
   * link renamed over the file, or a directory swapped for one, after the
   * watch began never leads out of the root.
   */
  locate?: (() => Promise<string>) | undefined;
}

/** Names of the files `watch` follows slot by slot (a utmp rewritten in place). */
const SLOT_FILES = new Set(["utmp", "utmpx", "utx.active"]);

/** Whether a path is a directory (false when it is not there). */
async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** Undefined for a source the system does not keep; other errors stand. */
function notFound(error: unknown): undefined {
  if ((error as { code?: unknown }).code === "ENOENT") return undefined;
  throw error;
}

/**
 * What `watch` follows, and how: a path as given (its mode from its name or
 * kind), or the system's, as {@link chooseSource} says: the history where it
 * is a file; where there is none (or a wtmpdb, which cannot be followed),
 * logind's sessions; else the wtmp, waited for.
 *
 * @param path The path given, if any.
 * @param mode The mode asked for ("auto" by default).
 * @param root The system's root.
 * @returns What to follow.
 */
export async function chooseFollowed(
  path: string | undefined,
  mode: "auto" | FollowMode,
  root: string | undefined,
): Promise<Followed> {
  if (path !== undefined) {
    if (mode !== "auto") return { path, kind: mode };
    if (SLOT_FILES.has(basename(path))) return { path, kind: "slots" };
    const { holdsJournal, isJournalFile } = await import("./journal.ts");
    if (await isDirectory(path)) return { path, kind: await holdsJournal(path) ? "journal" : "logind" };
    return { path, kind: await isJournalFile(path) ? "journal" : "log" };
  }
  const chosen = (source: ChosenSource, kind: FollowMode): Followed => ({
    path: source.path,
    kind,
    locate: source.root.confines ? () => source.root.path(source.name) : undefined,
  });
  // A utmp is the system's file rewritten in place; logind's sessions, its session directory.
  if (mode === "journal") return chosen(await chooseSource("failures", { root, source: "journal" }), "journal");
  if (mode === "slots") return chosen(await chooseSource("sessions", { root, source: "utmp" }), "slots");
  if (mode === "logind") return chosen(await chooseSource("sessions", { root, source: "logind" }), "logind");
  const history = await chooseSource("history", { root }).catch(notFound);
  if (history?.source === "wtmp") return chosen(history, "log");
  if (mode === "auto") {
    const sessions = await chooseSource("sessions", { root }).catch(notFound);
    if (sessions?.source === "logind") return chosen(sessions, "logind");
  }
  // Nothing to follow yet: the wtmp, waited for.
  return chosen(await chooseSource("history", { root, source: "wtmp" }), "log");
}
