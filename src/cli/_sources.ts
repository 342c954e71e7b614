/**
 * Where `who` and `last` read when no file is named: the system's utmp or
 * systemd-logind's sessions, its wtmp or wtmpdb (see `sessionSource` and
 * `historySource`), under the global `--root`.
 *
 * @module
 */

import { stat } from "node:fs/promises";
import { historySource, rootPath, sessionSource } from "../sources/mod.ts";
import { systemPaths } from "../paths.ts";
import type { UtmpRecord } from "../record.ts";
import { platform } from "../_internal/runtime.ts";
import { logindRecords } from "../sources/logind.ts";
import { wtmpdbRecords } from "../sources/wtmpdb.ts";
import type { Context } from "./_command.ts";

/** The global `--root`, as the library's `root` option. */
function root(ctx: Context): { root?: string } {
  return ctx.globals.root === undefined ? {} : { root: ctx.globals.root };
}

/** Where `who` reads without a FILE: a utmp file, or logind's sessions (read from `path`) as one batch. */
export interface WhoSource {
  /** The utmp file, or logind's session directory. */
  path: string;
  /** logind's sessions, when the system keeps no utmp file. */
  logind?: AsyncGenerator<UtmpRecord[]>;
}

/**
 * The current sessions' source without a FILE operand.
 *
 * @param ctx The command's context (for `--root`).
 * @returns The utmp path, or logind's records.
 */
export async function whoSource(ctx: Context): Promise<WhoSource> {
  const chosen = await sessionSource(root(ctx));
  if (chosen.source !== "logind") return { path: chosen.path };
  return { path: chosen.path, logind: allAtOnce(logindRecords(chosen.path), false) };
}

/**
 * The history file `last` (or `lastb`) reads without `-f`.
 *
 * @param ctx The command's context (for `--root`).
 * @param lastb Whether the failed logins (btmp) are meant.
 * @returns The path, and whether it is a wtmpdb database.
 */
export async function lastSource(ctx: Context, lastb: boolean): Promise<{ path: string; wtmpdb: boolean }> {
  if (lastb) {
    return { path: await rootPath(ctx.globals.root, systemPaths(platform).btmp ?? "/var/log/btmp"), wtmpdb: false };
  }
  const chosen = await historySource(root(ctx));
  return { path: chosen.path, wtmpdb: chosen.source === "wtmpdb" };
}

/**
 * Whether a file named with `-f` is a wtmpdb database (an SQLite file).
 *
 * @param path The file.
 * @returns True for an SQLite file.
 */
export async function isWtmpdb(path: string): Promise<boolean> {
  return (await historySource({ path })).source === "wtmpdb";
}

/**
 * A wtmpdb's history as `last` reads a wtmp: newest first, in one batch
 * (a row's logout can come long after the rows that follow it, so the
 * history cannot be read backward a page at a time).
 *
 * @param path The database.
 * @returns One batch, newest record first.
 */
export function wtmpdbNewestFirst(path: string): AsyncGenerator<UtmpRecord[], void, undefined> {
  return allAtOnce(wtmpdbRecords(path), true);
}

/**
 * When a history begins (for `last`'s closing line): its first record, or
 * the file's status change time when it holds none (last.c `begintime`).
 *
 * @param records The history, oldest first (a wtmp's `UtmpFile`, or a wtmpdb's records).
 * @param path Its file.
 * @returns Seconds since the epoch.
 */
export async function beginsAt(records: AsyncIterable<UtmpRecord>, path: string): Promise<number> {
  for await (const u of records) return u.ut_tv.tv_sec;
  return Math.floor((await stat(path)).ctimeMs / 1000);
}

async function* allAtOnce(
  records: AsyncIterable<UtmpRecord>,
  reverse: boolean,
): AsyncGenerator<UtmpRecord[], void, undefined> {
  const all: UtmpRecord[] = [];
  for await (const u of records) all.push(u);
  yield reverse ? all.reverse() : all;
}
