/**
 * Opening and reading login-record files, the same in Deno, Node and Bun
 * (`node:fs/promises`). Failures become {@link UtmpFileError} with the
 * system's code and a message that names the path and what to do; runtime
 * permission denials (Deno's `--allow-read`) pass through untouched.
 *
 * @module
 */

import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { type FileHandle, lstat, open, readFile, stat } from "node:fs/promises";
import { UtmpFileError } from "../errors.ts";
import { isPermissionDenial, platform } from "../_internal/runtime.ts";
import { sameBytes } from "../layouts/_engine.ts";
import { quotePath } from "../_internal/escape/terminal.ts";

/** What {@link RecordFile.stat} tells about the open file now. */
export interface RecordFileStatus {
  /** Size in bytes. */
  size: number;
  /** The later of the status change and modification times, in ms since the epoch: every write moves both. */
  changed: number;
  /** The modification time alone, in ms since the epoch: writes move it, links and renames of the file do not. */
  modified: number;
  /** Bytes the file system has allocated to it (`st_blocks` × 512): far less than `size` for a sparse file. */
  allocated: number;
}

/** An open regular file, read by position. */
export interface RecordFile {
  /** The path it was opened by. */
  readonly path: string;
  /** Size when opened. */
  readonly size: number;
  /** Identity (device:inode) when opened, to notice replacement. */
  readonly identity: string;
  /** Device and inode as Linux's `/proc/locks` writes them ("fe:00:2187333"). */
  readonly lockKey: string;
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
  /** A synchronous read took longer than {@link SLOW_READ_MS}: read this file asynchronously. */
  readonly slow: boolean;
  /** Nothing writes it (a compressed file's decompressed content): read as it is, with no guard against a writer. */
  readonly stable?: boolean;
  /**
   * Reads the file's first bytes for the compression sniff every opening
   * makes (see `_decompress.ts`): not reported to {@link readProbe}, which
   * counts what a reader reads of the records.
   *
   * @returns The number of bytes read.
   */
  sniff?(into: Uint8Array): number;
  /** Current size, change time and allocation of the open file. */
  stat(): Promise<RecordFileStatus>;
  /** {@link stat}, synchronously (`fstat` touches no data). */
  statNow(): RecordFileStatus;
  /**
   * The change time {@link readSettled} saw after its last quiet read, so
   * that the next read of the file needs one `fstat`, not two; undefined
   * until then, or after a read that was not quiet.
   */
  settledAt: number | undefined;
  /** Whether the path now names another file than the open one (renamed over, or removed). */
  replaced(): Promise<boolean>;
  /** Closes the file (idempotent). */
  close(): Promise<void>;
}

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

function kindOf(
  stats: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean },
): string {
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}

function notRegular(path: string, stats: Parameters<typeof kindOf>[0]): UtmpFileError {
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
 * Opens a regular file for reading without blocking: `O_NONBLOCK` keeps a
 * FIFO from blocking the open, and the type is checked on the open
 * descriptor (no race with a path swapped after a `stat`).
 *
 * @param path File path.
 * @param hint What to tell the user when the file is missing.
 * @param noFollow Open with `O_NOFOLLOW`: a symbolic link as the last component is an error ("ELOOP").
 * @returns The open file.
 * @throws {UtmpFileError} When the path cannot be opened or is not a regular file.
 */
export async function openRecordFile(path: string, hint?: string, noFollow = false): Promise<RecordFile> {
  if (path.includes("\0")) {
    // node:fs would throw its own ERR_INVALID_ARG_VALUE; no system call takes such a path.
    throw nulPath(path);
  }
  let handle: FileHandle;
  try {
    handle = await open(
      path,
      constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (noFollow ? constants.O_NOFOLLOW ?? 0 : 0),
    );
  } catch (error) {
    if (noFollow && (error as { code?: unknown }).code === "ELOOP") {
      throw codeError("ELOOP", path, "it is a symbolic link");
    }
    // A socket (or a device without a driver) cannot be opened at all: say what it is, as for a FIFO.
    const stats = (error as { code?: unknown }).code === "ENXIO" ? await stat(path).catch(() => undefined) : undefined;
    throw stats !== undefined && !stats.isFile() ? notRegular(path, stats) : fileError(error, path, hint);
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw new UtmpFileError(describe("EISDIR", path), "EISDIR", path);
    if (!stats.isFile()) throw notRegular(path, stats);
    return wrap(handle, path, stats.size, stats.dev, stats.ino, noFollow);
  } catch (error) {
    await handle.close();
    throw error instanceof UtmpFileError ? error : fileError(error, path, hint);
  }
}

/**
 * Called with every read a {@link RecordFile} makes (where, how much was
 * asked, how much came): the test suite's way to check that a reader reads
 * no more than it should. Nothing is called when unset.
 */
export const readProbe: { onRead: ((position: number, length: number, bytesRead: number) => void) | undefined } = {
  onRead: undefined,
};

/** A synchronous read slower than this (ms) makes a file read asynchronously (see `RecordFile.readNow`). */
export const SLOW_READ_MS = 5;

/**
 * A file's identity, device and inode, as {@link RecordFile.identity} has it.
 *
 * @param stats The file's `stat`.
 * @returns "dev:ino".
 */
export function fileIdentity(stats: { dev: number; ino: number }): string {
  return `${stats.dev}:${stats.ino}`;
}

function wrap(
  handle: FileHandle,
  path: string,
  size: number,
  dev: number,
  ino: number,
  noFollow: boolean,
): RecordFile {
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
    stat(): Promise<RecordFileStatus> {
      try {
        return Promise.resolve(this.statNow());
      } catch (error) {
        return Promise.reject(error);
      }
    },
    statNow(): RecordFileStatus {
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

/** What {@link readRegularFile} reads at most unless told otherwise: 64 MiB (a password file of a million users). */
export const READ_LIMIT: number = 64 << 20;

/** Options of {@link readRegularFile}. */
export interface ReadRegularFileOptions {
  /** What to tell the user when the file is missing. */
  hint?: string;
  /** Bytes the file may hold at most (default {@link READ_LIMIT}): a larger one is refused with code "EFBIG". */
  maxBytes?: number;
  /**
   * Refuse a symbolic link as the last component (`O_NOFOLLOW`, code
   * "ELOOP"): for a path already resolved (under a root), so that a link put
   * there since is not followed out of it.
   */
  noFollow?: boolean;
  /**
   * Read the first `maxBytes` bytes and leave the rest unread, instead of
   * refusing a larger file (/proc/PID/cmdline, of which procps keeps 128 KiB).
   */
  head?: boolean;
}

/**
 * Reads a whole small file (a session file, a password file, a utmp to
 * compare) without blocking and within a size: a FIFO, a device or a socket
 * at the path is an error at once instead of a blocked or endless read, and
 * a file larger than `maxBytes` (a sparse one of gigabytes, `/proc/self/pagemap`
 * behind a link) is refused before anything is allocated, or as soon as a
 * read passes the limit (a file that grows while it is read).
 *
 * @param path File path.
 * @param options The limit, whether to follow a final symbolic link, what to say for a missing file.
 * @returns Its bytes.
 * @throws {UtmpFileError} When the path cannot be opened, is not a regular file ("EFTYPE"), is a symbolic link
 *   with `noFollow` ("ELOOP"), or holds more than `maxBytes` ("EFBIG").
 */
export async function readRegularFile(path: string, options: ReadRegularFileOptions = {}): Promise<Uint8Array> {
  const { hint, maxBytes = READ_LIMIT, noFollow = false } = options;
  const file = await openRecordFile(path, hint, noFollow);
  try {
    if (file.size > maxBytes) throw tooLarge(path, file.size, maxBytes);
    // One byte more than the limit: a read that gets it tells the file grew past it.
    let bytes = new Uint8Array(Math.min(Math.max(file.size, 4096), maxBytes + 1));
    let got = 0;
    for (;;) {
      bytes = room(bytes, got, maxBytes, path);
      const n = await file.read(bytes.subarray(got), got);
      if (n === 0) return bytes.subarray(0, got);
      got += n;
    }
  } finally {
    await file.close();
  }
}

/**
 * {@link readRegularFile}, synchronously, for the few readers that are
 * (a root's /proc files, its password file for `last` and `w`): the same
 * rules, a file that reports no size (/proc) read to its end up to the limit.
 *
 * @param path File path.
 * @param options The limit and whether to follow a final symbolic link.
 * @returns Its bytes.
 * @throws {UtmpFileError} As {@link readRegularFile} throws.
 */
export function readRegularFileSync(path: string, options: ReadRegularFileOptions = {}): Uint8Array {
  const { hint, maxBytes = READ_LIMIT, noFollow = false, head = false } = options;
  if (path.includes("\0")) throw codeError("ENOENT", path, hint);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (noFollow ? constants.O_NOFOLLOW ?? 0 : 0));
  } catch (error) {
    if (noFollow && (error as { code?: unknown }).code === "ELOOP") {
      throw codeError("ELOOP", path, "it is a symbolic link");
    }
    throw fileError(error, path, hint);
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw codeError("EISDIR", path);
    if (!stats.isFile()) throw notRegular(path, stats);
    if (stats.size > maxBytes && !head) throw tooLarge(path, stats.size, maxBytes);
    let bytes = new Uint8Array(Math.min(Math.max(stats.size, 4096), maxBytes + 1));
    let got = 0;
    for (;;) {
      if (head && got >= maxBytes) return bytes.subarray(0, maxBytes);
      bytes = room(bytes, got, maxBytes, path);
      const n = readSync(fd, bytes, got, Math.min(bytes.length, head ? maxBytes : Infinity) - got, got);
      if (n === 0) return bytes.subarray(0, got);
      got += n;
    }
  } catch (error) {
    throw error instanceof UtmpFileError ? error : fileError(error, path, hint);
  } finally {
    closeSync(fd);
  }
}

/** The buffer a whole-file read goes on in: `bytes`, or once full a larger one (never past one byte more than the limit). */
function room(bytes: Uint8Array<ArrayBuffer>, got: number, maxBytes: number, path: string): Uint8Array<ArrayBuffer> {
  if (got < bytes.length) return bytes;
  if (got > maxBytes) throw tooLarge(path, got, maxBytes);
  const grown = new Uint8Array(Math.min(bytes.length * 2, maxBytes + 1));
  grown.set(bytes);
  return grown;
}

function tooLarge(path: string, size: number, limit: number): UtmpFileError {
  return new UtmpFileError(
    `Cannot read ${quotePath(path)}: it holds ${size} bytes or more, more than the ${limit} read here (EFBIG)`,
    "EFBIG",
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

/**
 * What to say when a file turns out shorter than it was while being read.
 *
 * @param from The size it had (or the offset reading had reached).
 * @param to Its size now.
 * @returns The warning's reason.
 */
export function shrankReason(from: number, to: number): string {
  return `file shrank from ${from} to ${to} bytes while being read (truncated or rewritten): what was past byte ${to} is gone`;
}

/**
 * A file whose status changed less than this long ago (ms) may still be in
 * the middle of a write: a write moves the change time when it starts, to a
 * clock that may run up to a scheduler tick (10 ms) behind, and copies a
 * record in microseconds.
 */
const QUIET_MS = 100;

/** Rounds of reading a busy file before giving up (about a millisecond apart). */
const SETTLE_TRIES = 1000;

/**
 * Reads records at `position` as {@link RecordFile.read} does, but never
 * returns a record torn by a concurrent writer.
 *
 * Linux does not make a read atomic against a `write()` to the same bytes:
 * glibc's `pututxline()` rewrites a utmp slot in place under an `fcntl`
 * write lock, which glibc's own readers wait for, but a plain read may see
 * half the old record and half the new. So when the file changed just
 * before the read, or during it, it is read (again) until a read is clean: no
 * write lock is held on the file just before it (Linux lists the locks in
 * `/proc/locks`), nor between it and a second read of the records holding
 * data, which agrees with it record for record (a record that differs is
 * read until two reads agree, with no lock held between them), and still no
 * write lock is held after. A writer stalled half-way through a record holds
 * its lock, so two reads agreeing on its half-written record are refused;
 * a write the first read caught half-way has ended before the second. A record read as all zeros is what a slot is either side of
 * a write that fills or clears it, so it needs no second read (sparse files
 * are mostly that). A quiet file costs one `fstat` call and one synchronous
 * read (see `RecordFile.readNow`): the number comes back at once, not as a
 * promise; reading a slow file, or one being written, returns a promise.
 *
 * @param file The open file.
 * @param into Where to read.
 * @param position File offset.
 * @param recordSize Record size in bytes.
 * @returns The number of bytes read: whole records agreed on, then any partial tail.
 * @throws {UtmpFileError} With code "EAGAIN" when the file never stopped changing for long enough to read it.
 */
export function readSettled(
  file: RecordFile,
  into: Uint8Array,
  position: number,
  recordSize: number,
): number | Promise<number> {
  if (file.stable) return file.readNow(into, position);
  if (!file.slow) {
    // The change time after the last quiet read stands for the one before this read: a change since moves it.
    const before = file.settledAt ?? file.statNow().changed;
    file.settledAt = undefined;
    if (quiet(before)) {
      const n = file.readNow(into, position);
      const after = file.statNow().changed;
      if (after === before) file.settledAt = after;
      if (n < recordSize || after === before) return n;
    }
  }
  return readSettledSlowly(file, into, position, recordSize);
}

/** Whether a file last changed at `changed` (ms) is past the window in which a write may still be going on. */
function quiet(changed: number): boolean {
  // A time to the whole second may be one cut to the second (Deno's ctime): it may be up to a second later.
  const slack = changed % 1000 === 0 ? 1000 : 0;
  return Date.now() - changed > QUIET_MS + slack;
}

/** {@link readSettled} for a file being written, or a slow one: asynchronous reads, each checked. */
async function readSettledSlowly(
  file: RecordFile,
  into: Uint8Array,
  position: number,
  recordSize: number,
): Promise<number> {
  const before = await file.stat();
  // Nothing there (yet): no need to wait for a writer to read it.
  if (position >= before.size) return 0;
  if (quiet(before.changed)) {
    const n = await file.read(into, position);
    if (n < recordSize || (await file.stat()).changed === before.changed) return n;
  }
  for (let round = 0; round < SETTLE_TRIES; round++) {
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    if (await writeLocked(file)) continue;
    const read = await file.read(into, position);
    if (read < recordSize) return read;
    // Unlocked between the two reads: a write the first read caught half-way has ended before the second.
    if (await writeLocked(file)) continue;
    const agreed = await readAgain(file, into, read, position, recordSize);
    if (agreed !== undefined && !await writeLocked(file)) return agreed;
  }
  throw new UtmpFileError(
    `Cannot read ${quotePath(file.path)}: it was being written without pause (EAGAIN); try again`,
    "EAGAIN",
    file.path,
  );
}

/**
 * Reads the records holding data in `into[0, n)` again; each that differs is
 * read until two reads in a row agree.
 *
 * @returns The bytes agreed on (fewer when the file shrank), or `undefined` when a record kept changing.
 */
async function readAgain(
  file: RecordFile,
  into: Uint8Array,
  n: number,
  position: number,
  size: number,
): Promise<number | undefined> {
  const whole = n - n % size;
  let first = 0;
  while (first < whole && into[first] === 0) first++;
  if (first === whole) return n;
  let last = whole - 1;
  while (into[last] === 0) last--;
  const from = first - first % size;
  const to = last - last % size + size;
  const again = new Uint8Array(to - from);
  const m = await file.read(again, position + from);
  const both = from + Math.min(to - from, m - m % size);
  for (let at = from; at < both; at += size) {
    if (sameBytes(into, at, again, at - from, size)) continue;
    const record = await settleRecord(file, position + at, size);
    if (record === undefined) return undefined;
    // A record the file no longer holds whole (it shrank): only the records before it.
    if (record === null) return at;
    into.set(record, at);
  }
  // The file shrank between the two reads: only the records both saw.
  return both < to ? both : n;
}

/**
 * Reads one record until two reads in a row agree with no write lock held
 * between them (a writer stalled half-way through the record would give two
 * equal torn reads): the record, `null` when the file no longer holds it
 * whole, `undefined` when it kept changing.
 */
async function settleRecord(file: RecordFile, offset: number, size: number): Promise<Uint8Array | null | undefined> {
  const seen = [new Uint8Array(size), new Uint8Array(size)];
  if (await file.read(seen[0]!, offset) < size) return null;
  for (let i = 1; i <= 10; i++) {
    const locked = await writeLocked(file);
    const now = seen[i % 2]!;
    if (await file.read(now, offset) < size) return null;
    if (!locked && sameBytes(now, 0, seen[(i + 1) % 2]!, 0, size)) return now;
  }
  return undefined;
}

/** Whether `/proc/locks` can be read here: not where there is none, nor in Deno without `--allow-all`. */
let locksReadable = platform === "linux";

/**
 * Whether a process holds a POSIX write lock on the file (glibc's utmp
 * writers take one around each write), from Linux's `/proc/locks`; false
 * where that list cannot be read (tried once: a denial is not asked again).
 */
async function writeLocked(file: RecordFile): Promise<boolean> {
  if (!locksReadable) return false;
  let locks: string;
  try {
    locks = await readFile("/proc/locks", "latin1");
  } catch {
    locksReadable = false;
    return false;
  }
  // "7: POSIX  ADVISORY  WRITE 13442 fe:00:2187333 0 EOF"; waiters ("7: -> POSIX ...") hold nothing yet.
  const held = new RegExp(`^\\d+: +POSIX +ADVISORY +WRITE +\\d+ +${file.lockKey} `, "m");
  return held.test(locks);
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
