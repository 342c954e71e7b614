/**
 * The Debian 13 root as an oracle: coreutils 9.7 (`who`, `users`, through
 * sd-login), procps 4.0.4 (`w`), util-linux 2.41, wtmpdb, lastlog2 and
 * systemd, run with `chroot` inside a private mount namespace whose `/run`
 * holds crafted files (logind's sessions), with this machine's `/proc` and
 * `/dev` (so live processes and real ptys are what the tools see).
 *
 * The root is `$UTMP_DEBIAN13_ROOT` or `/var/cache/utmp/debian13`, built by
 * `scripts/debian13_root.sh` when missing (`.ci/run` builds it before the
 * tests). Nothing here ever changes the root itself: every mount is made in
 * a namespace of its own, gone with it. Where the root cannot be had (not
 * Linux, not root, no network to build it), {@link debian13Root} throws,
 * so a test that needs the oracle fails saying why, never passes unseen.
 *
 * Two ways to use it:
 * - {@link debian13}: one command line in the root, in a namespace of its
 *   own, with the given files under `/run` (and anywhere else in the root);
 * - {@link inDebian13Namespace}: a script run inside a namespace where the
 *   root is mounted ({@link mountDebian13}), for scenes that compare the
 *   tools with ours at the same moment (`chroot` through {@link inRoot}).
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { tempDir } from "./_util.ts";

/** Where the root is looked for: `$UTMP_DEBIAN13_ROOT`, else the cache of `scripts/debian13_root.sh`. */
export const DEBIAN13_ROOT: string = process.env.UTMP_DEBIAN13_ROOT || "/var/cache/utmp/debian13";

/** The stable environment the oracles run with (no caller's locale, zone, terminal or shell). */
export const ROOT_ENV: Readonly<Record<string, string>> = {
  PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
  TZ: "UTC",
  LC_ALL: "C",
  HOME: "/root",
};

let found: { root: string } | { error: string } | undefined;

/** Why this machine cannot host the namespace, or undefined. */
function cannotHost(): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "not root (chroot and a mount namespace need it)";
  for (const tool of ["unshare", "chroot", "mount"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `no ${tool} on this machine`;
  }
  return undefined;
}

/**
 * The Debian 13 root: found, or built once by `scripts/debian13_root.sh`.
 *
 * @returns Its path.
 * @throws {Error} Saying why when it cannot be had (the test needing it fails).
 */
export function debian13Root(): string {
  if (found === undefined) {
    const why = cannotHost();
    if (why !== undefined) found = { error: why };
    else if (existsSync(join(DEBIAN13_ROOT, ".utmp-oracle"))) found = { root: DEBIAN13_ROOT };
    else {
      // Beside the tests in the repository; from the npm build's copy of the tests, the checkout's own.
      const beside = fileURLToPath(new URL("../scripts/debian13_root.sh", import.meta.url));
      const here = [beside, join(process.cwd(), "scripts/debian13_root.sh")].find((p) => existsSync(p)) ?? beside;
      const r = spawnSync("bash", [here, DEBIAN13_ROOT], { encoding: "utf8", timeout: 40 * 60_000 });
      found = r.status === 0 && existsSync(join(DEBIAN13_ROOT, ".utmp-oracle"))
        ? { root: DEBIAN13_ROOT }
        : { error: `scripts/debian13_root.sh failed (exit ${r.status}): ${(r.stderr ?? "").trim().slice(-400)}` };
    }
  }
  if ("error" in found) {
    throw new Error(`Cannot run the Debian 13 oracle (root ${DEBIAN13_ROOT}): ${found.error}`);
  }
  return found.root;
}

/** Files to put in the root for one run: path in the root → content. */
export type RootFiles = Readonly<Record<string, string | Uint8Array>>;

/**
 * Mounts the root for use, in the current (private) mount namespace: this
 * machine's `/proc` and `/dev` (with `/dev/pts`), a tmpfs over `/run`
 * holding `systemd/system/` (sd-login's sign that systemd runs) and
 * `systemd/sessions/`, then the given files.
 *
 * @param root The root ({@link debian13Root}).
 * @param files Files to write, by their path in the root (under `/run`, or
 *   anywhere: a path elsewhere gets a tmpfs over its directory first).
 */
export function mountDebian13(root: string, files: RootFiles = {}): void {
  const sh = (...args: string[]): void => {
    const r = spawnSync(args[0]!, args.slice(1), { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`Cannot prepare the Debian 13 root: ${args.join(" ")}: ${r.stderr}`);
  };
  sh("mount", "--make-rprivate", "/");
  sh("mount", "--bind", "/proc", join(root, "proc"));
  sh("mount", "--rbind", "/dev", join(root, "dev"));
  sh("mount", "-t", "tmpfs", "tmpfs", join(root, "run"));
  mkdirSync(join(root, "run/systemd/system"), { recursive: true });
  mkdirSync(join(root, "run/systemd/sessions"), { recursive: true });
  const covered = new Set<string>(["/run"]);
  for (const [path, content] of Object.entries(files)) {
    const dir = dirname(path);
    if (![...covered].some((c) => dir === c || dir.startsWith(c + "/"))) {
      mkdirSync(join(root, dir), { recursive: true });
      sh("mount", "-t", "tmpfs", "tmpfs", join(root, dir));
      covered.add(dir);
    }
    mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/** What a command printed. */
export interface RootRan {
  /** Exit code (-1 when killed). */
  code: number;
  /** Standard output, a byte string (one char per byte). */
  out: string;
  /** Standard error. */
  err: string;
}

const latin1 = (b: Uint8Array | string): string =>
  typeof b === "string" ? b : Array.from(b, (c) => String.fromCharCode(c)).join("");

/**
 * Runs a command line in the mounted root ({@link mountDebian13}, in this
 * namespace), with {@link ROOT_ENV} and more.
 *
 * @param root The root.
 * @param argv The command and its arguments (`["who", "-a"]`).
 * @param env More environment.
 * @returns What it printed.
 */
export function inRoot(root: string, argv: string[], env: Record<string, string> = {}): RootRan {
  const r = spawnSync("chroot", [root, ...argv], {
    env: { ...ROOT_ENV, ...env },
    input: new Uint8Array(0),
    maxBuffer: 1 << 26,
  });
  if (r.error !== undefined) throw r.error;
  return { code: r.status ?? -1, out: latin1(r.stdout), err: latin1(r.stderr) };
}

/**
 * Runs one command line of the Debian 13 root in a namespace of its own,
 * with the given files in its `/run` (logind's sessions, ...) or elsewhere
 * in it (a wtmpdb at `/var/lib/wtmpdb/wtmp.db`), and this machine's `/proc`
 * and `/dev`.
 *
 * @param argv The command and its arguments (`["last", "-f", "/run/wtmp.db"]`).
 * @param options Files to place, more environment.
 * @returns What it printed.
 * @throws {Error} When the root cannot be had.
 */
export function debian13(
  argv: string[],
  options: { files?: RootFiles; env?: Record<string, string> } = {},
): RootRan {
  const root = debian13Root();
  using t = tempDir("debian13-");
  const stage = t.dir;
  const spec = join(stage, "spec.json");
  const files: Record<string, string> = {};
  let n = 0;
  for (const [path, content] of Object.entries(options.files ?? {})) {
    const at = join(stage, `f${n++}`);
    writeFileSync(at, content);
    files[path] = at;
  }
  writeFileSync(spec, JSON.stringify({ root, files, argv, env: options.env ?? {} }));
  const self = fileURLToPath(import.meta.url);
  const runtime = "Deno" in globalThis ? [process.execPath, "run", "-A", "--no-lock", self] : [process.execPath, self];
  const r = spawnSync("unshare", ["-m", "--", ...runtime, "--debian13-spec", spec], {
    env: { ...ROOT_ENV },
    maxBuffer: 1 << 26,
    timeout: 120_000,
  });
  if (r.status !== 0 || !existsSync(join(stage, "out.json"))) {
    throw new Error(`Cannot run ${argv.join(" ")} in the Debian 13 root: ${latin1(r.stderr).trim()}`);
  }
  return JSON.parse(readFileSync(join(stage, "out.json"), "utf8"));
}

/**
 * Runs a script inside a private mount namespace (`unshare -m`), in this
 * runtime, with the root's path in `UTMP_DEBIAN13_ROOT`; the script mounts
 * it ({@link mountDebian13}) and prints one JSON line last.
 *
 * @param script The script's URL (`new URL("./_scene.ts", import.meta.url)`; its `.js` twin in Node and Bun).
 * @returns The script's last line, parsed.
 * @throws {Error} When the root cannot be had, or the script fails.
 */
export function inDebian13Namespace<T>(script: URL): T {
  const root = debian13Root();
  const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
  const path = fileURLToPath(script).replace(/\.(ts|js)$/, `.${ext}`);
  const runtime = "Deno" in globalThis ? [process.execPath, "run", "-A", "--no-lock", path] : [process.execPath, path];
  const r = spawnSync("unshare", ["-m", "--", ...runtime], {
    encoding: "utf8",
    env: { ...ROOT_ENV, UTMP_DEBIAN13_ROOT: root },
    timeout: 300_000,
    maxBuffer: 1 << 26,
  });
  const last = r.stdout.trim().split("\n").at(-1) ?? "";
  if (r.status !== 0 || !(last.startsWith("[") || last.startsWith("{"))) {
    throw new Error(`Cannot run the Debian 13 scene ${path} (exit ${r.status}): ${r.stderr.trim().slice(-2000)}`);
  }
  return JSON.parse(last) as T;
}

// Run as the namespace's process of debian13(): mount, run, write what came out beside the spec.
const at = process.argv.indexOf("--debian13-spec");
if (at !== -1) {
  const specPath = process.argv[at + 1]!;
  const spec = JSON.parse(readFileSync(specPath, "utf8")) as {
    root: string;
    files: Record<string, string>;
    argv: string[];
    env: Record<string, string>;
  };
  const files: Record<string, Uint8Array> = {};
  for (const [path, from] of Object.entries(spec.files)) files[path] = readFileSync(from);
  mountDebian13(spec.root, files);
  const ran = inRoot(spec.root, spec.argv, spec.env);
  writeFileSync(join(dirname(specPath), "out.json"), JSON.stringify(ran));
  process.exit(0);
}
