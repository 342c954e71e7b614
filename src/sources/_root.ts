/**
 * Paths under another root: a container reading the host's files mounted at
 * e.g. `/host` (what gopsutil calls `HOST_VAR`).
 *
 * @module
 */

import { lstatSync, readlinkSync } from "node:fs";
import { readlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { isPermissionDenial } from "../_internal/runtime.ts";
import { codeError } from "../backends/_open.ts";
import { quotePath } from "../_internal/escape/terminal.ts";

/**
 * Whether `root` is another system's root, one that confines what is read
 * (the one place this is decided): anything but `undefined`, "" and a path
 * that resolves to "/". Under such a root every path is resolved by
 * {@link rootPath} and opened without following a link at its last component.
 *
 * @param root The `root` option.
 * @returns Whether paths are confined to it.
 */
export function confines(root: string | undefined): root is string {
  return root !== undefined && root !== "" && resolve(root) !== "/";
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
 * resolution and the open. Readers that can open with `O_NOFOLLOW` do so for
 * the last component (logind's session files; `utmp lastlog`'s password
 * file and login.defs); a tree
 * that changes while it is read under `root` is not otherwise guarded against
 * (Linux's `openat2(RESOLVE_IN_ROOT)` would be, but no runtime offers it).
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
