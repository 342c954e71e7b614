/**
 * The login history (and the failed logins), whatever keeps it: wtmp or
 * wtmpdb (btmp or the journal), one file or a rotated set, as the chooser
 * picks them and the reader table reads them.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import type { UtmpRecord } from "../record.ts";
import { chooseSource, type ChosenSource, type RootOptions, type SourceNames } from "./choose.ts";
import { readerOf } from "./_readers.ts";
import { rotatedSet } from "./rotation.ts";

/** Options of {@link history}. */
export interface HistoryOptions extends RootOptions {
  /**
   * "auto" (default): wtmp where it exists and holds records (unless a
   * wtmpdb was written after it: a system that moved to wtmpdb and kept its
   * old wtmp), else wtmpdb (with a `path`: wtmpdb for an SQLite file, else
   * wtmp); or "wtmp" or "wtmpdb"; or "btmp" or "journal", the failed logins
   * (see `chooseSource("failures")`).
   */
  source?: "auto" | SourceNames["history"] | SourceNames["failures"];
  /** The file to read instead of the source's system path. */
  path?: string;
  /**
   * Several files read as one history, oldest first (`["wtmp.1", "wtmp"]`):
   * a login in one is paired with its logout in the next. Instead of `path`.
   */
  paths?: readonly string[];
  /**
   * Read the rotated set the file (`path`, each of `paths`, or the system's)
   * heads, in time order: `wtmp.2.gz`, `wtmp.1`, `wtmp` (see `rotatedSet()`).
   */
  rotated?: boolean;
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
  for (const chosen of await historySources(options)) yield* (await readerOf(chosen)).records!(chosen, {});
}

/**
 * The files a history is read from, oldest first: the one {@link chooseSource}
 * chooses (or each of `paths`), each expanded to its rotated set with
 * `rotated` (`rotatedSet()`: every member read as the file heading it is,
 * named beside the name it is known by).
 *
 * @example A rotated wtmp
 * ```ts
 * import { historySources } from "@utmp/utmp/sources";
 * import { encodeRecord, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const dir = mkdtempSync(join(tmpdir(), "log-"));
 * for (const name of ["wtmp", "wtmp.1"]) {
 *   writeFileSync(join(dir, name), encodeRecord(LAYOUTS.linux, { ut_type: "BOOT_TIME", ut_user: "reboot" }));
 * }
 * const files = await historySources({ path: join(dir, "wtmp"), rotated: true });
 * assert.deepEqual(files.map((f) => `${f.source} ${f.name.slice(dir.length + 1)}`), ["wtmp wtmp.1", "wtmp wtmp"]);
 * ```
 *
 * @param options Source, path or paths, root, and whether to read rotated sets.
 * @returns The chosen sources, oldest first.
 * @throws {UtmpFileError} As {@link chooseSource} throws, or when a set's directory cannot be listed.
 */
export async function historySources(options: HistoryOptions = {}): Promise<ChosenSource[]> {
  const choose = (path: string | undefined): Promise<ChosenSource> => {
    const given = { ...options, ...(path !== undefined ? { path } : {}) };
    return options.source === "btmp" || options.source === "journal"
      ? chooseSource("failures", given)
      : chooseSource("history", given);
  };
  const heads = options.paths === undefined
    ? [await choose(options.path)]
    : await Promise.all(options.paths.map((p) => choose(p)));
  if (!options.rotated) return heads;
  const all: ChosenSource[] = [];
  for (const head of heads) {
    for (const member of await rotatedSet(head.path)) {
      const name = member === head.path ? head.name : join(dirname(head.name), basename(member));
      all.push({ ...head, path: member, name });
    }
  }
  return all;
}
