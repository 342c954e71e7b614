/**
 * Opening a file to read, the same in Deno, Node and Bun and the same for
 * the synchronous and asynchronous readers: the flags (never blocking on a
 * FIFO, `O_NOFOLLOW` on request), the type check on the open descriptor,
 * and every error's wording. Failures become {@link UtmpFileError} with the
 * system's code and a message that names the path and what to do; runtime
 * permission denials (Deno's `--allow-read`) pass through untouched.
 *
 * @module
 */

import { closeSync, constants, fstatSync, openSync, statSync } from "node:fs";
import { type FileHandle, lstat, open, stat } from "node:fs/promises";
import { UtmpFileError } from "../errors.ts";
import { isPermissionDenial } from "../_internal/runtime.ts";
import { quotePath } from "../_internal/escape/terminal.ts";

/**
 * Why a path holding U+FFFD may be missing: a name whose bytes are not
 * UTF-8 reaches JavaScript as text with U+FFFD in their place (command-line
 * arguments, `readdir`), and no text encodes back to those bytes.
 */
const NOT_UTF8 = "if the name holds bytes that are not UTF-8 (shown as \ufffd), it cannot be passed as text: " +
  "link or rename it to a UTF-8 name";

/** What to tell the user per error code. */
function describe(code: string, path: string, hint?: string): string {
  const q = quotePath(path);
  switch (code) {
    case "ENOENT":
      return `Cannot open ${q}: no such file (ENOENT)${
        hint !== undefined ? `; ${hint}` : path.includes("\ufffd") ? `; ${NOT_UTF8}` : "; check the path"
      }`;
    case "EACCES":
    case "EPERM":
      return `Cannot open ${q}: permission denied (${code}); run as a user allowed to read it (btmp is usually readable by root only)`;
    case "ELOOP":
      return `Cannot open ${q}: too many levels of symbolic links (ELOOP); the path contains a symlink loop`;
    case "EISDIR":
      return `Cannot read ${q}: it is a directory (EISDIR); pass the path of a login-record file`;
    case "ENOTDIR":
      return `Cannot open ${q}: a component of the path is not a directory (ENOTDIR)`;
    default:
      return `Cannot read ${q}: ${code}`;
  }
}

/** What `stat` says a file is, for the answers that are no regular file. */
interface FileType {
  isFile(): boolean;
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}

function kindOf(stats: FileType): string {
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}

function notRegular(path: string, stats: FileType): UtmpFileError {
  return new UtmpFileError(
    `Cannot read ${quotePath(path)}: it is ${
      kindOf(stats)
    }, not a regular file (EFTYPE); login records are read from regular files`,
    "EFTYPE",
    path,
  );
}

/**
 * Wraps a runtime error as {@link UtmpFileError}; permission-model denials
 * and errors without a system code are returned unchanged.
 *
 * @param error The error thrown by `node:fs`.
 * @param path The path.
 * @param hint What to do when the file is missing.
 * @returns The error to throw.
 */
export function fileError(error: unknown, path: string, hint?: string): unknown {
  if (isPermissionDenial(error)) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") return error;
  // node:fs's own refusal of a path holding NUL (ERR_INVALID_ARG_VALUE): the system's word for it.
  if (path.includes("\0")) return nulPath(path);
  return new UtmpFileError(describe(code, path, hint), code, path, error);
}

/** The error for a path holding a NUL byte, which no system call takes. */
function nulPath(path: string): UtmpFileError {
  return new UtmpFileError(
    `Cannot open ${quotePath(path.replaceAll("\0", "\\0"))}: the path contains a NUL byte (EINVAL)`,
    "EINVAL",
    path,
  );
}

/**
 * A {@link UtmpFileError} for a system error code found by the library
 * itself (a link chain too long to resolve under a root, a link where none
 * may be), with the same message the code gets from the system.
 *
 * @param code The code ("ELOOP", "EISDIR", ...).
 * @param path The path.
 * @param hint For "ENOENT", what to do; for "ELOOP", why.
 * @returns The error.
 */
export function codeError(code: string, path: string, hint?: string): UtmpFileError {
  if (code === "ELOOP" && hint !== undefined) {
    return new UtmpFileError(`Cannot open ${quotePath(path)}: ${hint} (ELOOP)`, code, path);
  }
  return new UtmpFileError(describe(code, path, hint), code, path);
}

/** `O_RDONLY | O_NONBLOCK` (a FIFO does not block the open), and `O_NOFOLLOW` on request. */
function flags(noFollow: boolean): number {
  return constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (noFollow ? constants.O_NOFOLLOW ?? 0 : 0);
}

/**
 * The error for an open that failed: a link refused by `O_NOFOLLOW` said
 * so, a socket (or a device without a driver, ENXIO: it cannot be opened
 * at all) said what it is, as for a FIFO.
 */
function openFailed(
  error: unknown,
  path: string,
  hint: string | undefined,
  noFollow: boolean,
  stats?: FileType,
): unknown {
  const code = (error as { code?: unknown }).code;
  if (noFollow && code === "ELOOP") return codeError("ELOOP", path, "it is a symbolic link");
  return stats !== undefined && !stats.isFile() ? notRegular(path, stats) : fileError(error, path, hint);
}

/** Whether an open failed with ENXIO: only then is the path statted, to say what it is. */
const isNoDevice = (error: unknown): boolean => (error as { code?: unknown }).code === "ENXIO";

/** The one type rule, checked on the open descriptor (no race with a path swapped after a `stat`): a regular file. */
function checkType(stats: FileType, path: string): void {
  if (stats.isDirectory()) throw codeError("EISDIR", path);
  if (!stats.isFile()) throw notRegular(path, stats);
}

/** An open file's `stat`, as far as the readers use it. */
export interface OpenedStats {
  size: number;
  dev: number;
  ino: number;
}

/**
 * Opens a regular file for reading without blocking, asynchronously.
 *
 * @param path File path.
 * @param hint What to tell the user when the file is missing.
 * @param noFollow Open with `O_NOFOLLOW`: a symbolic link as the last component is an error ("ELOOP").
 * @returns The handle and the file's `stat`.
 * @throws {UtmpFileError} When the path cannot be opened or is not a regular file.
 */
export async function openHandle(
  path: string,
  hint: string | undefined,
  noFollow: boolean,
): Promise<{ handle: FileHandle; stats: OpenedStats }> {
  // node:fs would throw its own ERR_INVALID_ARG_VALUE; no system call takes such a path.
  if (path.includes("\0")) throw nulPath(path);
  let handle: FileHandle;
  try {
    handle = await open(path, flags(noFollow));
  } catch (error) {
    throw openFailed(
      error,
      path,
      hint,
      noFollow,
      isNoDevice(error) ? await stat(path).catch(() => undefined) : undefined,
    );
  }
  try {
    const stats = await handle.stat();
    checkType(stats, path);
    return { handle, stats };
  } catch (error) {
    await handle.close();
    throw error instanceof UtmpFileError ? error : fileError(error, path, hint);
  }
}

/**
 * {@link openHandle}, synchronously: the same flags, type check and errors.
 *
 * @param path File path.
 * @param hint What to tell the user when the file is missing.
 * @param noFollow Open with `O_NOFOLLOW`.
 * @returns The descriptor (the caller closes it) and the file's `stat`.
 * @throws {UtmpFileError} As {@link openHandle} throws.
 */
export function openFdSync(
  path: string,
  hint: string | undefined,
  noFollow: boolean,
): { fd: number; stats: OpenedStats } {
  if (path.includes("\0")) throw nulPath(path);
  let fd: number;
  try {
    fd = openSync(path, flags(noFollow));
  } catch (error) {
    throw openFailed(error, path, hint, noFollow, isNoDevice(error) ? statOrUndefined(path) : undefined);
  }
  try {
    const stats = fstatSync(fd);
    checkType(stats, path);
    return { fd, stats };
  } catch (error) {
    closeSync(fd);
    throw error instanceof UtmpFileError ? error : fileError(error, path, hint);
  }
}

function statOrUndefined(path: string): FileType | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * A directory to list and read by: the directory itself, or with `noFollow`
 * the directory opened without following a link (`O_NOFOLLOW`: "ELOOP"), by
 * its descriptor (`/proc/self/fd/N`: the kernel's link to the open
 * directory, which no rename can redirect; Linux's `openat` for runtimes
 * without it).
 *
 * @param dir The directory.
 * @param noFollow Whether `dir` was resolved under a root.
 * @param hint What to tell the user when it is missing.
 * @returns The path to use, and how to close what was opened.
 * @throws {UtmpFileError} When it cannot be opened ("ELOOP" for a link, "ENOTDIR" for another file).
 */
export async function openDirectory(
  dir: string,
  noFollow: boolean,
  hint?: string,
): Promise<{ path: string; close(): Promise<void> }> {
  if (!noFollow) return { path: dir, close: () => Promise.resolve() };
  let handle: FileHandle;
  try {
    handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // O_DIRECTORY is checked first: a link there is ENOTDIR.
    const link = code === "ENOTDIR" && (await lstat(dir).catch(() => undefined))?.isSymbolicLink();
    if (code === "ELOOP" || link) throw codeError("ELOOP", dir, "it is a symbolic link");
    if (code === "ENOTDIR") throw codeError("ENOTDIR", dir);
    throw fileError(error, dir, hint);
  }
  return { path: `/proc/self/fd/${handle.fd}`, close: () => handle.close() };
}
