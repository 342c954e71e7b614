/**
 * Test helpers shared by every test file: temporary files, fixtures and the
 * installed util-linux/coreutils tools as oracles. Only `node:` modules, so
 * the helpers run in Deno, Node and Bun alike.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";

/** The repository's tests/ directory (also right for the compiled copy in npm/). */
export const TESTS_DIR: string = findUp(dirname(fileURLToPath(import.meta.url)), "fixtures");

function findUp(dir: string, child: string): string {
  for (let d = dir;; d = dirname(d)) {
    if (existsSync(join(d, child)) && existsSync(join(d, "_harness.ts"))) return d;
    if (existsSync(join(d, "tests", child))) return join(d, "tests");
    if (dirname(d) === d) return dir;
  }
}

/** Copied (MIT/Apache) fixtures: tests/fixtures. */
export const FIXTURES: string = join(TESTS_DIR, "fixtures");

/** The shared corpus beside the clone (../shared/fixtures), if present. */
export const SHARED_FIXTURES: string = join(TESTS_DIR, "..", "..", "shared", "fixtures");

/** Environment that makes the oracles' text stable. */
export const ORACLE_ENV: Record<string, string> = {
  ...process.env as Record<string, string>,
  TZ: "UTC",
  LC_ALL: "C",
  LANG: "C",
};

/** A temporary directory of a test's own: `using t = tempDir();` removes it when the scope ends. */
export interface TempDir extends Disposable {
  /** Its path. */
  dir: string;
  /** Its file `name` (written when `data` is given); returns the path. */
  file(name: string, data?: Uint8Array | string): string;
}

/** A fresh temporary directory (its name starting with `prefix`), removed when disposed (`using`). */
export function tempDir(prefix = "utmp-test-"): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file(name: string, data?: Uint8Array | string): string {
      const path = join(dir, name);
      if (data !== undefined) writeFileSync(path, data);
      return path;
    },
    [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs a command; returns stdout. */
export function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { env: ORACLE_ENV, encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

/** Runs a command; returns stdout as bytes. */
export function runBytes(cmd: string, args: string[], input?: string): Uint8Array {
  return new Uint8Array(execFileSync(cmd, args, { env: ORACLE_ENV, input, stdio: ["pipe", "pipe", "pipe"] }));
}

/** `utmpdump FILE` with TZ=UTC: one line per record. */
export function utmpdump(path: string): string[] {
  return run("utmpdump", [path]).split("\n").filter((l) => l !== "");
}

/** `utmpdump -r`: writes the binary file that the text describes. */
export function utmpdumpReverse(text: string, path: string): string {
  writeFileSync(path, runBytes("utmpdump", ["-r"], text));
  return path;
}

/** Reads a fixture's text twin. */
export function readText(path: string): string {
  return readFileSync(path, "utf8");
}

/** One `utmpdump` line split into its fields (strings are cleansed: non-printable bytes shown as "?"). */
export interface DumpLine {
  type: number;
  pid: number;
  /** Exactly as printed (`%-4.4s`): `utmpdump -r` keeps spaces in ut_id, so they are not trimmed. */
  id: string;
  user: string;
  line: string;
  host: string;
  addr: string;
  /** The time text as printed. */
  time: string;
  /** Seconds and microseconds parsed from the time text (UTC only). */
  tv_sec: number;
  tv_usec: number;
}

/** Parses a `utmpdump` line made with TZ=UTC (fields are right-padded with spaces; the padding is dropped). */
export function parseDumpLine(text: string): DumpLine {
  const m = /^\[(-?\d+)\] \[(-?\d+)\] \[(.*?)\] \[(.*?)\] \[(.*?)\] \[(.*?)\] \[(.*?)\] \[(.*?)\]$/.exec(text);
  if (m === null) throw new Error(`not a utmpdump line: ${text}`);
  const time = m[8]!;
  const t = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d),(-?\d+)\+00:00$/.exec(time);
  if (t === null) throw new Error(`not a UTC utmpdump time: ${time}`);
  const ms = Date.UTC(+t[1]!, +t[2]! - 1, +t[3]!, +t[4]!, +t[5]!, +t[6]!);
  const trim = (s: string) => s.replace(/ +$/, "");
  return {
    type: Number(m[1]),
    pid: Number(m[2]),
    id: m[3]!,
    user: trim(m[4]!),
    line: trim(m[5]!),
    host: trim(m[6]!),
    addr: trim(m[7]!),
    time,
    tv_sec: ms / 1000,
    tv_usec: Number(t[7]),
  };
}

/** Descriptors this process holds open on a file (Linux: /proc/self/fd). */
export function openOn(path: string): number {
  const target = realpathSync(path);
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === target;
    } catch {
      return false;
    }
  }).length;
}

/** The directory holding this build's `mod.ts` (or, compiled for Node and Bun, `mod.js`), `src/` and `tests/`. */
export const MODULE_ROOT: string = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * A copy of the project's modules (`mod`, `src/`, `tests/` without the
 * fixtures; under Node and Bun also the optional koffi) that every user may
 * read, for a child process that runs as another user (`nobody`): the
 * checkout itself may sit in a directory only its owner can enter.
 * Disposing it (`using`) removes it.
 *
 * @returns The copy's root (where `mod.ts` or `mod.js` is) and how to remove it.
 */
export function readableCopy(): { root: string } & Disposable {
  const root = mkdtempSync(join(tmpdir(), "utmp-copy-"));
  const ext = existsSync(join(MODULE_ROOT, "mod.ts")) ? "ts" : "js";
  cpSync(join(MODULE_ROOT, `mod.${ext}`), join(root, `mod.${ext}`));
  cpSync(join(MODULE_ROOT, "src"), join(root, "src"), { recursive: true });
  cpSync(join(MODULE_ROOT, "tests"), join(root, "tests"), {
    recursive: true,
    filter: (source) => source !== join(MODULE_ROOT, "tests", "fixtures"),
  });
  if (!("Deno" in globalThis)) {
    // Node and Bun load koffi from the node_modules nearest the module: the one beside the checkout.
    for (let dir = MODULE_ROOT; dirname(dir) !== dir; dir = dirname(dir)) {
      if (!existsSync(join(dir, "node_modules", "koffi"))) continue;
      for (const name of ["koffi", "@koromix"]) {
        const from = join(dir, "node_modules", name);
        if (existsSync(from)) cpSync(from, join(root, "node_modules", name), { recursive: true, dereference: true });
      }
      break;
    }
  }
  const open = (path: string): void => {
    const isDir = statSync(path).isDirectory();
    chmodSync(path, isDir ? 0o755 : statSync(path).mode & 0o111 ? 0o755 : 0o644);
    if (isDir) { for (const entry of readdirSync(path)) open(join(path, entry)); }
  };
  open(root);
  return { root, [Symbol.dispose]: () => rmSync(root, { recursive: true, force: true }) };
}
