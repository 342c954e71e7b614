/**
 * Opening and reading login-record files, the same in Deno, Node and Bun
 * (`node:fs/promises`). Failures become {@link UtmpFileError} with the
 * system's code and a message that names the path and what to do; runtime
 * permission denials (Deno's `--allow-read`) pass through untouched.
 *
 * @module
 */

import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { UtmpFileError } from "./errors.ts";
import { isPermissionDenial } from "./_runtime.ts";

/** An open regular file, read by position. */
export interface RecordFile {
  /** Size when opened. */
  readonly size: number;
  /** Identity (device:inode) when opened, to notice replacement. */
  readonly identity: string;
  /**
   * Reads up to `into.length` bytes at `position`.
   *
   * @returns The number of bytes read (0 at the end).
   */
  read(into: Uint8Array, position: number): Promise<number>;
  /** Current size and identity of the path's open file. */
  stat(): Promise<{ size: number; identity: string }>;
  /** Closes the file (idempotent). */
  close(): Promise<void>;
}

/** What to tell the user per error code. */
function describe(code: string, path: string, hint?: string): string {
  const q = `"${path}"`;
  switch (code) {
    case "ENOENT":
      return `Cannot open ${q}: no such file (ENOENT)${hint === undefined ? "; check the path" : `; ${hint}`}`;
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

function kindOf(
  stats: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean },
): string {
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
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
  return new UtmpFileError(describe(code, path, hint), code, path, error);
}

/**
 * Opens a regular file for reading without blocking: `O_NONBLOCK` keeps a
 * FIFO from blocking the open, and the type is checked on the open
 * descriptor (no race with a path swapped after a `stat`).
 *
 * @param path File path.
 * @param hint What to tell the user when the file is missing.
 * @returns The open file.
 * @throws {UtmpFileError} When the path cannot be opened or is not a regular file.
 */
export async function openRecordFile(path: string, hint?: string): Promise<RecordFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw fileError(error, path, hint);
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw new UtmpFileError(describe("EISDIR", path), "EISDIR", path);
    if (!stats.isFile()) {
      throw new UtmpFileError(
        `Cannot read "${path}": it is ${
          kindOf(stats)
        }, not a regular file (EFTYPE); login records are read from regular files`,
        "EFTYPE",
        path,
      );
    }
    return wrap(handle, path, stats.size, `${stats.dev}:${stats.ino}`);
  } catch (error) {
    await handle.close();
    throw error instanceof UtmpFileError ? error : fileError(error, path, hint);
  }
}

function wrap(handle: FileHandle, path: string, size: number, identity: string): RecordFile {
  let closed = false;
  return {
    size,
    identity,
    async read(into: Uint8Array, position: number): Promise<number> {
      try {
        const { bytesRead } = await handle.read(into, 0, into.length, position);
        return bytesRead;
      } catch (error) {
        throw fileError(error, path);
      }
    },
    async stat(): Promise<{ size: number; identity: string }> {
      const s = await handle.stat();
      return { size: s.size, identity: `${s.dev}:${s.ino}` };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}
