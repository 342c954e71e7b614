/**
 * What the record readers read bytes from. A {@link ByteSource} is bytes by
 * position and a size; a {@link LiveFile} is an open regular file, which a
 * writer may change under the reader (the settled reads of `_settled.ts`
 * guard against that); {@link memorySource} holds bytes already in memory
 * (a decompressed file), which nothing changes.
 *
 * @module
 */

import { fstatSync, readSync } from "node:fs";
import { type FileHandle, lstat, stat } from "node:fs/promises";
import { isPermissionDenial } from "../_internal/runtime.ts";
import { fileError, openHandle } from "./_open.ts";

/** What {@link ByteSource.stat} tells about the source now. */
export interface SourceStatus {
  /** Size in bytes. */
  size: number;
  /** The later of the status change and modification times, in ms since the epoch: every write moves both. */
  changed: number;
  /** The modification time alone, in ms since the epoch: writes move it, links and renames of the file do not. */
  modified: number;
  /** Bytes the file system has allocated to it (`st_blocks` × 512): far less than `size` for a sparse file. */
  allocated: number;
}

/** Bytes read by position. */
export interface ByteSource {
  /** The path it was opened by. */
  readonly path: string;
  /** Size when opened. */
  readonly size: number;
  /** Identity (device:inode) of the file it was opened from, to notice replacement. */
  readonly identity: string;
  /** Whether a writer may change it while it is read: a {@link LiveFile}. */
  readonly live: boolean;
  /**
   * Reads up to `into.length` bytes at `position`.
   *
   * @returns The number of bytes read (0 at the end).
   */
  read(into: Uint8Array, position: number): Promise<number>;
  /**
   * Reads up to `into.length` bytes at `position` now, with a synchronous
   * `pread`: from the page cache it takes microseconds, far less than the
   * round trip of an asynchronous read. A read that takes longer than
   * {@link SLOW_READ_MS} (a network or a failing disk) marks the file
   * {@link slow}, and callers read it asynchronously from then on.
   *
   * @returns The number of bytes read (0 at the end).
   */
  readNow(into: Uint8Array, position: number): number;
  /** A synchronous read took longer than {@link SLOW_READ_MS}: read this source asynchronously. */
  readonly slow: boolean;
  /** Current size, change time and allocation. */
  stat(): Promise<SourceStatus>;
  /** {@link stat}, synchronously (`fstat` touches no data). */
  statNow(): SourceStatus;
  /** Whether the path now names another file than the one opened (renamed over, or removed). */
  replaced(): Promise<boolean>;
  /** Closes it (idempotent). */
  close(): Promise<void>;
}

/** An open regular file, which a writer may change while it is read. */
export interface LiveFile extends ByteSource {
  readonly live: true;
  /** Device and inode as Linux's `/proc/locks` writes them ("fe:00:2187333"). */
  readonly lockKey: string;
  /**
   * Reads the file's first bytes for the compression sniff every opening
   * makes (see `_decompress.ts`): not reported to {@link readProbe}, which
   * counts what a reader reads of the records.
   *
   * @returns The number of bytes read.
   */
  sniff(into: Uint8Array): number;
  /**
   * The change time `readSettled` saw after its last quiet read, so that
   * the next read of the file needs one `fstat`, not two; undefined until
   * then, or after a read that was not quiet.
   */
  settledAt: number | undefined;
}

/**
 * Whether a source is a {@link LiveFile}.
 *
 * @param source A source.
 * @returns True for an open file a writer may change.
 */
export function isLive(source: ByteSource): source is LiveFile {
  return source.live;
}

/**
 * Called with every read a {@link LiveFile} makes (where, how much was
 * asked, how much came): the test suite's way to check that a reader reads
 * no more than it should. Nothing is called when unset.
 */
export const readProbe: { onRead: ((position: number, length: number, bytesRead: number) => void) | undefined } = {
  onRead: undefined,
};

/** A synchronous read slower than this (ms) makes a file read asynchronously (see `ByteSource.readNow`). */
export const SLOW_READ_MS = 5;

/**
 * A file's identity, device and inode, as {@link ByteSource.identity} has it.
 *
 * @param stats The file's `stat`.
 * @returns "dev:ino".
 */
export function fileIdentity(stats: { dev: number; ino: number }): string {
  return `${stats.dev}:${stats.ino}`;
}

/**
 * Opens a regular file for reading without blocking (see `_open.ts`).
 *
 * @param path File path.
 * @param hint What to tell the user when the file is missing.
 * @param noFollow Open with `O_NOFOLLOW`: a symbolic link as the last component is an error ("ELOOP").
 * @returns The open file.
 * @throws {UtmpFileError} When the path cannot be opened or is not a regular file.
 */
export async function openLiveFile(path: string, hint?: string, noFollow = false): Promise<LiveFile> {
  const { handle, stats } = await openHandle(path, hint, noFollow);
  return liveFile(handle, path, stats.size, stats.dev, stats.ino, noFollow);
}

function liveFile(
  handle: FileHandle,
  path: string,
  size: number,
  dev: number,
  ino: number,
  noFollow: boolean,
): LiveFile {
  let closed = false;
  let slow = false;
  const identity = fileIdentity({ dev, ino });
  // glibc's major() and minor() of the device number, as /proc/locks prints them ("%02x:%02x:%lu").
  const high = Math.floor(dev / 2 ** 32);
  const major = ((dev >>> 8) & 0xfff) | (high & ~0xfff);
  const minor = (dev & 0xff) | ((dev >>> 12) & ~0xff);
  const hex = (n: number) => n.toString(16).padStart(2, "0");
  return {
    path,
    size,
    identity,
    live: true,
    lockKey: `${hex(major)}:${hex(minor)}:${ino}`,
    settledAt: undefined,
    get slow(): boolean {
      return slow;
    },
    async read(into: Uint8Array, position: number): Promise<number> {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(into, 0, into.length, position));
      } catch (error) {
        throw fileError(error, path);
      }
      readProbe.onRead?.(position, into.length, bytesRead);
      return bytesRead;
    },
    sniff(into: Uint8Array): number {
      try {
        return readSync(handle.fd, into, 0, into.length, 0);
      } catch (error) {
        throw fileError(error, path);
      }
    },
    readNow(into: Uint8Array, position: number): number {
      const started = performance.now();
      let n: number;
      try {
        n = readSync(handle.fd, into, 0, into.length, position);
      } catch (error) {
        throw fileError(error, path);
      }
      if (performance.now() - started > SLOW_READ_MS) slow = true;
      readProbe.onRead?.(position, into.length, n);
      return n;
    },
    stat(): Promise<SourceStatus> {
      try {
        return Promise.resolve(this.statNow());
      } catch (error) {
        return Promise.reject(error);
      }
    },
    statNow(): SourceStatus {
      // fstat on the open descriptor: it touches no data.
      let s;
      try {
        s = fstatSync(handle.fd);
      } catch (error) {
        throw fileError(error, path);
      }
      // Deno gives ctime to the second only, mtime to the millisecond: every write moves both.
      return {
        size: s.size,
        changed: Math.max(s.ctimeMs, s.mtimeMs),
        modified: s.mtimeMs,
        // A file system that reports no blocks counts as fully allocated.
        allocated: typeof s.blocks === "number" && s.blocks >= 0 ? s.blocks * 512 : s.size,
      };
    },
    async replaced(): Promise<boolean> {
      try {
        // A link put at the path is another file (it is not followed where the file was opened without).
        const s = await (noFollow ? lstat : stat)(path);
        return fileIdentity(s) !== identity;
      } catch (error) {
        if (isPermissionDenial(error)) throw error;
        return true;
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}

/** Where an in-memory source came from: its path, identity and change time, and whether it was replaced since. */
export interface MemoryOrigin {
  readonly path: string;
  readonly identity: string;
  readonly changed: number;
  replaced(): Promise<boolean>;
}

/**
 * Bytes held in memory as a {@link ByteSource}, in blocks of one size (the
 * last may be shorter): nothing writes them, so they are read as they are.
 *
 * @param origin What the bytes are of (a compressed file: its path, identity, change time).
 * @param blocks The bytes.
 * @param blockSize The size of every block but the last.
 * @returns The source.
 */
export function memorySource(origin: MemoryOrigin, blocks: readonly Uint8Array[], blockSize: number): ByteSource {
  const size = blocks.reduce((n, b) => n + b.length, 0);
  const status: SourceStatus = { size, changed: origin.changed, modified: origin.changed, allocated: size };
  const readNow = (into: Uint8Array, position: number): number => {
    let got = 0;
    while (got < into.length && position + got < size) {
      const at = position + got;
      const block = blocks[Math.floor(at / blockSize)]!;
      const from = at % blockSize;
      const take = Math.min(block.length - from, into.length - got);
      into.set(block.subarray(from, from + take), got);
      got += take;
    }
    return got;
  };
  return {
    path: origin.path,
    size,
    identity: origin.identity,
    live: false,
    slow: false,
    read: (into, position) => Promise.resolve(readNow(into, position)),
    readNow,
    stat: () => Promise.resolve({ ...status }),
    statNow: () => ({ ...status }),
    replaced: () => origin.replaced(),
    close: () => Promise.resolve(),
  };
}
