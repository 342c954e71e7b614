/**
 * Paths under another root: a container reading the host's files mounted at
 * e.g. `/host` (what gopsutil calls `HOST_VAR`); {@link Root}, the one value
 * that says whether a root confines and opens every file under it.
 *
 * @module
 */

import { lstatSync, readlinkSync } from "node:fs";
import { readlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { isPermissionDenial } from "../_internal/runtime.ts";
import { codeError, openDirectory } from "../backends/_open.ts";
import { type LiveFile, openLiveFile } from "../backends/_byte_source.ts";
import { readRegularFile, type ReadRegularFileOptions, readRegularFileSync } from "../backends/_whole.ts";
import { quotePath } from "../_internal/escape/terminal.ts";
import { PASSWD_PATH } from "../paths.ts";

/**
 * Whether `root` is another system's root, one that confines what is read
 * (the one place this is decided, through {@link Root.of}): anything but
 * `undefined`, "" and a path that resolves to "/".
 */
function confines(root: string | undefined): root is string {
  return root !== undefined && root !== "" && resolve(root) !== "/";
}

export { PASSWD_PATH };

/** Options of {@link Root.read}: a size limit, or the first bytes only. */
export type RootReadOptions = Pick<ReadRegularFileOptions, "maxBytes" | "head" | "hint">;

/**
 * The system whose files are read, and how each is opened: this one (paths
 * as they are, links followed), or another one's `/` at a directory (a
 * host's tree mounted in a container), under which every system path is
 * resolved inside the directory ({@link rootPath}) and every open refuses
 * a symbolic link at its last component (`O_NOFOLLOW`, "ELOOP"): no link is
 * followed at any component, so nothing outside the directory is opened.
 * Every open is of a regular file only (a FIFO or a device is refused at
 * once, never waited on) and every whole-file read is bounded.
 *
 * The chooser hands it out with each source (`ChosenSource.root`); the
 * readers of logind, /proc and /dev (`Machine`), the password file and
 * login.defs open through it.
 */
export class Root {
  /** This system: paths as they are, links followed. */
  static readonly here: Root = new Root(undefined, false);
  /** Paths already resolved under some root (a reader's `noFollow` option): opened as given, no final link followed. */
  static readonly resolved: Root = new Root(undefined, true);

  /** The directory the system's `/` is at (resolved), or undefined when paths are not resolved here. */
  readonly dir: string | undefined;
  /** Whether an open refuses a symbolic link at the last component (`O_NOFOLLOW`). */
  readonly noFollow: boolean;

  private constructor(dir: string | undefined, noFollow: boolean) {
    this.dir = dir;
    this.noFollow = noFollow;
  }

  /**
   * The system at `dir`: a real root for any directory but "/" (and "" or
   * undefined, this system's).
   *
   * @param dir The `root` option.
   * @returns Its root.
   */
  static of(dir: string | undefined): Root {
    return confines(dir) ? new Root(resolve(dir), true) : Root.here;
  }

  /**
   * The opens of a reader given only whether its path was resolved under a
   * root (its `noFollow` option).
   *
   * @param noFollow The reader's option.
   * @returns {@link Root.resolved} or {@link Root.here}.
   */
  static opening(noFollow: boolean | undefined): Root {
    return noFollow === true ? Root.resolved : Root.here;
  }

  /** Whether paths are confined to a directory (another system's root). */
  get confines(): boolean {
    return this.dir !== undefined;
  }

  /**
   * Where a system path is (see {@link rootPath}).
   *
   * @param system An absolute system path ("/var/run/utmp").
   * @returns The path to open.
   */
  path(system: string): Promise<string> {
    return rootPath(this.dir, system);
  }

  /**
   * {@link Root.path}, synchronously.
   *
   * @param system An absolute system path ("/proc/1/stat").
   * @returns The path to open.
   */
  pathSync(system: string): string {
    return rootPathSync(this.dir, system);
  }

  /**
   * Opens a record file or database for reading at a path this root gave
   * (or a chosen source's path): a regular file, without blocking.
   *
   * For the library's readers (not in the documentation).
   *
   * @param path The path to open.
   * @param hint What to tell the user when it is missing.
   * @returns The open file.
   * @ignore
   */
  open(path: string, hint?: string): Promise<LiveFile> {
    return openLiveFile(path, hint, this.noFollow);
  }

  /**
   * A directory to list and read the files of (logind's sessions): under a
   * root opened without following a link, and used by its descriptor.
   *
   * For the library's readers (not in the documentation).
   *
   * @param path The directory.
   * @param hint What to tell the user when it is missing.
   * @returns The path to list and read by, and how to close what was opened.
   * @ignore
   */
  openDirectory(path: string, hint?: string): Promise<{ path: string; close(): Promise<void> }> {
    return openDirectory(path, this.noFollow, hint);
  }

  /**
   * A whole regular file, within `maxBytes` (64 MiB by default; "EFBIG"
   * beyond, or with `head` its first bytes).
   *
   * For the library's readers (not in the documentation).
   *
   * @param path The path to read.
   * @param options The size limit.
   * @returns Its bytes.
   * @ignore
   */
  read(path: string, options: RootReadOptions = {}): Promise<Uint8Array> {
    return readRegularFile(path, { ...options, noFollow: this.noFollow });
  }

  /**
   * {@link Root.read}, synchronously.
   *
   * For the library's readers (not in the documentation).
   *
   * @param path The path to read.
   * @param options The size limit.
   * @returns Its bytes.
   * @ignore
   */
  readSync(path: string, options: RootReadOptions = {}): Uint8Array {
    return readRegularFileSync(path, { ...options, noFollow: this.noFollow });
  }

  /**
   * A small system file (login.defs), resolved under the root: its bytes
   * within `maxBytes`, or undefined when it cannot be read (missing, not a
   * regular file, larger, a link under a root). A permission denial is
   * thrown (Deno's `--allow-read` is wanted).
   *
   * @param system An absolute system path.
   * @param maxBytes Bytes it may hold at most.
   * @returns Its bytes, or undefined.
   */
  async readSmall(system: string, maxBytes: number): Promise<Uint8Array | undefined> {
    try {
      return await this.read(await this.path(system), { maxBytes });
    } catch (error) {
      if (isPermissionDenial(error)) throw error;
      return undefined;
    }
  }

  /**
   * The password file's bytes, the one reader of it (`lastlog`'s users,
   * `last`'s, lastlog2's and `w`'s uids): the root's /etc/passwd, or the
   * file at `path`. A file that cannot be read (missing, not a regular
   * file, past 64 MiB, a link under a root) is empty, as getpwent finds no
   * one in it; a permission denial is thrown (Deno's `--allow-read` is
   * wanted).
   *
   * @param path The password file to read instead of the root's.
   * @returns Its bytes.
   */
  async passwd(path?: string): Promise<Uint8Array> {
    try {
      return await this.read(path ?? await this.path(PASSWD_PATH));
    } catch (error) {
      if (isPermissionDenial(error)) throw error;
      return new Uint8Array(0);
    }
  }

  /**
   * {@link Root.passwd}, synchronously (`w`'s and `who`'s uid lookups).
   *
   * @returns Its bytes.
   */
  passwdSync(): Uint8Array {
    return unlessUnreadable(() => this.readSync(this.pathSync(PASSWD_PATH))) ?? new Uint8Array(0);
  }
}

/** What `read` returns, or undefined when it throws anything but a permission denial. */
function unlessUnreadable<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (isPermissionDenial(error)) throw error;
    return undefined;
  }
}

/** Symbolic links followed in one path at most, as Linux's `MAXSYMLINKS`. */
const MAX_LINKS = 40;

/**
 * Where a system path is under `root`, following symbolic links the way the
 * system under `root` would: an absolute link target starts again at `root`
 * (the host's `/var/run -> /run` must lead to `/host/run`, not to the
 * container's `/run`), and `..` never climbs above `root`. The path it
 * returns holds no symbolic link (as the tree was when it looked), so opening
 * it stays inside `root`; a chain of more than 40 links (Linux's
 * `MAXSYMLINKS`) is refused, as the kernel refuses it.
 *
 * What is left to a race: a link put in place of a directory between the
 * resolution and the open. A link at the last component is refused by
 * `Root`'s opens (`O_NOFOLLOW`); a tree that changes while it is read
 * under `root` is not otherwise guarded against (Linux's
 * `openat2(RESOLVE_IN_ROOT)` would be, but no runtime offers it).
 *
 * @example The host's utmp from a container
 * ```ts
 * import { rootPath } from "@utmp/utmp/sources";
 * import assert from "node:assert/strict";
 * import { mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 *
 * const host = mkdtempSync(join(tmpdir(), "host-"));
 * mkdirSync(join(host, "var"));
 * symlinkSync("/run", join(host, "var/run")); // as on the host itself
 * assert.equal(await rootPath(host, "/var/run/utmp"), join(host, "run/utmp"));
 * assert.equal(await rootPath(undefined, "/var/run/utmp"), "/var/run/utmp");
 * ```
 *
 * @param root The directory the system's `/` is at; `undefined`, "" or "/" for this system.
 * @param path An absolute system path ("/var/run/utmp").
 * @returns The path to open.
 * @throws {UtmpFileError} With code "ELOOP" when resolving takes more than 40 symbolic links.
 */
export async function rootPath(root: string | undefined, path: string): Promise<string> {
  if (!confines(root)) return path;
  const steps = resolution(resolve(root), path);
  for (let step = steps.next();; step = steps.next(await linkTarget(step.value))) {
    if (step.done) return step.value;
  }
}

/**
 * {@link rootPath} with synchronous reads, for the few readers that are
 * synchronous (a root's /proc and /dev, looked at per process and terminal).
 *
 * @param root The directory the system's `/` is at; `undefined`, "" or "/" for this system.
 * @param path An absolute system path ("/proc/1/stat").
 * @returns The path to open.
 * @throws {UtmpFileError} With code "ELOOP" when resolving takes more than 40 symbolic links.
 */
export function rootPathSync(root: string | undefined, path: string): string {
  if (!confines(root)) return path;
  const steps = resolution(resolve(root), path);
  for (let step = steps.next();; step = steps.next(linkTargetSync(step.value))) {
    if (step.done) return step.value;
  }
}

/**
 * The one walk both resolve with: it yields each path whose link target it
 * needs, is given the target back (undefined: not a link), and returns the
 * resolved path.
 */
function* resolution(top: string, path: string): Generator<string, string, string | undefined> {
  const rest = path.split("/").filter((p) => p !== "" && p !== ".");
  let at = top;
  let links = 0;
  while (rest.length > 0) {
    const part = rest.shift()!;
    if (part === "..") {
      if (at !== top) at = join(at, "..");
      continue;
    }
    const next = join(at, part);
    const target = yield next;
    if (target === undefined) {
      at = next;
      continue;
    }
    // Past the limit a link is not kept as a plain name (the kernel would follow it, out of the root): refused.
    if (++links > MAX_LINKS) {
      throw codeError(
        "ELOOP",
        join(next, ...rest),
        `more than ${MAX_LINKS} symbolic links to follow under ${quotePath(top)}`,
      );
    }
    rest.unshift(...target.split("/").filter((p) => p !== "" && p !== "."));
    if (target.startsWith("/")) at = top;
  }
  return at;
}

/** The target of a symbolic link; undefined when `path` is not one (or cannot be read). */
async function linkTarget(path: string): Promise<string | undefined> {
  try {
    return await readlink(path);
  } catch (error) {
    if (isPermissionDenial(error)) throw error;
    return undefined;
  }
}

/**
 * {@link linkTarget}, synchronously: an `lstat` first, which throws nothing
 * for a path that is no link or not there (a root's /proc is resolved a
 * path at a time, per process and file: an exception per component cost
 * most of `w`'s time).
 */
function linkTargetSync(path: string): string | undefined {
  try {
    if (lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() !== true) return undefined;
    return readlinkSync(path);
  } catch (error) {
    if (isPermissionDenial(error)) throw error;
    return undefined;
  }
}
