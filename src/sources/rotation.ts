/**
 * Rotated sets: a history file and the copies logrotate (or `wtmpdb rotate`)
 * moved out beside it — `wtmp`, `wtmp.1`, `wtmp.2.gz`, …, `wtmp-20240101.gz`
 * (`dateext`), `btmp*` alike, and `wtmp_*.db` beside a wtmpdb's `wtmp.db`.
 *
 * @module
 */

import { readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileError } from "../backends/_open.ts";

/** The suffixes of a compressed member (logrotate's `compressext`). */
const COMPRESSED = "(?:\\.gz|\\.xz|\\.zst|\\.bz2)?";

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The members of the rotated set `path` heads, oldest first, `path` itself
 * last: `NAME.N` (compressed or not) by N, highest (oldest) first; then
 * `NAME-DATE` (logrotate's `dateext`) by date; for a wtmpdb `NAME.db`, the
 * `NAME_*.db` files `wtmpdb rotate` writes, by name. A member that is not a
 * file of the set (a directory, `wtmp.lock`, `wtmp.1.old`) is not one.
 *
 * @example A set logrotate left
 * ```ts
 * import { rotatedSet } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 * import { mkdtempSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const dir = mkdtempSync(join(tmpdir(), "log-"));
 * for (const name of ["wtmp", "wtmp.1", "wtmp.2.gz", "wtmp.10.gz", "btmp", "wtmp.lock"]) {
 *   writeFileSync(join(dir, name), "");
 * }
 * const members = await rotatedSet(join(dir, "wtmp"));
 * assert.deepEqual(members.map((p) => p.slice(dir.length + 1)), ["wtmp.10.gz", "wtmp.2.gz", "wtmp.1", "wtmp"]);
 * ```
 *
 * @param path The current file of the set (`/var/log/wtmp`).
 * @returns The members' paths, oldest first (`path` last, whether or not it exists).
 * @throws {UtmpFileError} When the directory cannot be listed.
 */
export async function rotatedSet(path: string): Promise<string[]> {
  const dir = dirname(path);
  const base = basename(path);
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() || e.isSymbolicLink()).map((e) =>
      e.name
    );
  } catch (error) {
    throw fileError(error, dir);
  }
  const numbered: [number, string][] = [];
  const dated: string[] = [];
  const numberedRe = new RegExp(`^${escapeRegExp(base)}\\.(\\d+)${COMPRESSED}$`);
  const datedRe = new RegExp(`^${escapeRegExp(base)}-\\d{8,}${COMPRESSED}$`);
  const db = base.endsWith(".db") ? new RegExp(`^${escapeRegExp(base.slice(0, -3))}_.+\\.db$`) : undefined;
  for (const name of names) {
    const n = numberedRe.exec(name);
    if (n !== null) numbered.push([Number(n[1]), name]);
    else if (datedRe.test(name) || db?.test(name)) dated.push(name);
  }
  numbered.sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? -1 : 1));
  dated.sort();
  return [...numbered.map(([, name]) => name), ...dated].map((name) => join(dir, name)).concat(path);
}
