/**
 * The Debian 13 oracle: a minimal Debian 13 root (`scripts/debian13_root.sh`,
 * cached outside the repository) whose `wtmpdb` (0.73, Debian 13's `last`)
 * and `lastlog2` (util-linux 2.41) the tests compare with, run by `chroot`.
 * The root is shared and read-only to the tests: each test copies its inputs
 * into a directory of its own under the root's `/tmp` and removes it after;
 * `lastlog2` reads its password file through a private bind mount in a mount
 * namespace of its own (`unshare -m`), never the root's.
 *
 * The root is found from `UTMP_DEBIAN13_ROOT`, else `/var/cache/utmp/debian13`,
 * built by the script when it is missing. A test that needs it and cannot
 * have it fails, saying why: it never passes without its oracle.
 *
 * @module
 */

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { MODULE_ROOT } from "../_util.ts";

/** The environment the oracles run in: fixed zone and locale, nothing of the caller's. */
export const ORACLE13_ENV: Record<string, string> = {
  PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
  TZ: "UTC",
  LC_ALL: "C",
};

let root: string | undefined;

/** scripts/debian13_root.sh, from the tests' module root up (the compiled tests live in npm/esm/). */
function findScript(): string {
  for (let dir = MODULE_ROOT;; dir = dirname(dir)) {
    const script = join(dir, "scripts", "debian13_root.sh");
    if (existsSync(script) || dirname(dir) === dir) return script;
  }
}

/**
 * The Debian 13 root, built first when it is missing.
 *
 * @returns Its path.
 * @throws {Error} When it is not there and cannot be built.
 */
export function debian13Root(): string {
  if (root !== undefined) return root;
  const dir = process.env.UTMP_DEBIAN13_ROOT || "/var/cache/utmp/debian13";
  if (!existsSync(join(dir, ".utmp-oracle")) || !existsSync(join(dir, "usr/bin/wtmpdb"))) {
    const script = findScript();
    const r = existsSync(script)
      ? spawnSync("bash", [script, dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
      : undefined;
    if (r === undefined || r.status !== 0 || !existsSync(join(dir, "usr/bin/wtmpdb"))) {
      throw new Error(
        `Cannot run the Debian 13 oracle: no root at "${dir}" (UTMP_DEBIAN13_ROOT) and ` +
          `scripts/debian13_root.sh could not build it: ${r?.stderr.trim().split("\n").pop() ?? `no ${script}`}`,
      );
    }
  }
  return root = dir;
}

/** A directory of the test's own under the root's /tmp: `host` its path here, `inside` in the root; disposable. */
export interface OracleDir extends Disposable {
  /** The directory's path on this machine. */
  host: string;
  /** The same directory as the chroot sees it. */
  inside: string;
  /** Writes a file there; returns its path on this machine. */
  file(name: string, data: Uint8Array | string): string;
}

/**
 * A fresh directory under the root's /tmp.
 *
 * @returns The directory.
 */
export function oracleDir(): OracleDir {
  const base = debian13Root();
  const host = mkdtempSync(join(base, "tmp", "utmp-test-"));
  const inside = host.slice(base.length);
  return {
    host,
    inside,
    file(name: string, data: Uint8Array | string): string {
      const path = join(host, name);
      writeFileSync(path, data);
      return path;
    },
    [Symbol.dispose]: () => rmSync(host, { recursive: true, force: true }),
  };
}

/** What an oracle printed: standard output as a byte string (one char per byte), its error text and status. */
export interface Oracle13Ran {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs a program of the Debian 13 root in it (chroot), no standard input.
 *
 * @param argv The program and its arguments (paths as the root sees them).
 * @param env Added to {@link ORACLE13_ENV} (TZ, ...).
 * @returns What it printed.
 */
export function inDebian13(argv: string[], env: Record<string, string> = {}): Oracle13Ran {
  const r = spawnSync("chroot", [debian13Root(), ...argv], {
    env: { ...ORACLE13_ENV, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 1 << 28,
  });
  if (r.error !== undefined) throw r.error;
  return { code: r.status ?? -1, out: r.stdout.toString("latin1"), err: r.stderr.toString() };
}

/**
 * Runs a program of the root with files or directories of the test's own
 * bound over some of the root's (its `/etc/passwd`, its `/var/lib/wtmpdb`),
 * in a mount namespace of its own: the shared root's files are never changed.
 *
 * @param binds Pairs of a path on this machine and the path in the root it is bound over.
 * @param argv The program and its arguments.
 * @param env Added to {@link ORACLE13_ENV}.
 * @returns What it printed.
 */
export function inDebian13With(
  binds: readonly [string, string][],
  argv: string[],
  env: Record<string, string> = {},
): Oracle13Ran {
  const base = debian13Root();
  const quoted = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const mounts = binds.map(([from, to]) => `mount --bind ${quoted(from)} ${quoted(join(base, to))} && `).join("");
  const script = `mount --make-rprivate / && ${mounts}exec chroot ${quoted(base)} ${argv.map(quoted).join(" ")}`;
  const r = spawnSync("unshare", ["-m", "sh", "-c", script], {
    env: { ...ORACLE13_ENV, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 1 << 28,
  });
  if (r.error !== undefined) throw r.error;
  if (r.status !== 0 && /^(mount|unshare|sh):/m.test(r.stderr.toString())) {
    throw new Error(`Cannot run ${argv[0]} in the Debian 13 root with its own mounts: ${r.stderr.toString()}`);
  }
  return { code: r.status ?? -1, out: r.stdout.toString("latin1"), err: r.stderr.toString() };
}

/**
 * `wtmpdb import` of a wtmp file into a new database, both in `dir`: the
 * database Debian 13's own importer makes of those records.
 *
 * @param dir The test's directory in the root.
 * @param wtmp The wtmp file's name there.
 * @param db The database's name there.
 * @returns The database's path on this machine.
 */
export function wtmpdbImport(dir: OracleDir, wtmp: string, db: string): string {
  const r = inDebian13(["wtmpdb", "import", "-f", `${dir.inside}/${db}`, `${dir.inside}/${wtmp}`]);
  if (r.code !== 0) throw new Error(`wtmpdb import failed (${r.code}): ${r.err}`);
  return join(dir.host, db);
}

/** Runs the `sqlite3` command on a database (for rows no importer writes). */
export function sqlite3(path: string, sql: string): void {
  execFileSync("sqlite3", [path], { input: sql, stdio: ["pipe", "pipe", "pipe"] });
}
