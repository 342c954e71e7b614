/**
 * Whole small files (a session file, a password file, a /proc file, a utmp
 * to compare), read at once within a size, synchronously or not by one
 * rule: a FIFO, a device or a socket at the path is an error at once
 * instead of a blocked or endless read (see `_open.ts`), and a file larger
 * than the limit (a sparse one of gigabytes, `/proc/self/pagemap` behind a
 * link) is refused before anything is allocated, or as soon as a read
 * passes the limit (a file that grows while it is read, or that reports no
 * size, as /proc's do).
 *
 * @module
 */

import { closeSync, readSync } from "node:fs";
import { UtmpFileError } from "../errors.ts";
import { quotePath } from "../_internal/escape/terminal.ts";
import { openLiveFile } from "./_byte_source.ts";
import { fileError, openFdSync } from "./_open.ts";

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

/** The one rule of a whole-file read: where each read goes, when it is done, when it is too much. */
class Whole {
  #bytes: Uint8Array<ArrayBuffer>;
  #got = 0;
  readonly #path: string;
  readonly #maxBytes: number;
  readonly #head: boolean;

  constructor(path: string, size: number, options: ReadRegularFileOptions) {
    this.#path = path;
    this.#maxBytes = options.maxBytes ?? READ_LIMIT;
    this.#head = options.head ?? false;
    if (size > this.#maxBytes && !this.#head) throw tooLarge(path, size, this.#maxBytes);
    // One byte more than the limit: a read that gets it tells the file grew past it.
    this.#bytes = new Uint8Array(Math.min(Math.max(size, 4096), this.#maxBytes + 1));
  }

  /** Where the next read goes, or undefined when the head wanted is read. */
  next(): Uint8Array | undefined {
    if (this.#head && this.#got >= this.#maxBytes) return undefined;
    this.#grow();
    return this.#bytes.subarray(this.#got, this.#head ? Math.min(this.#bytes.length, this.#maxBytes) : undefined);
  }

  /** The position the next read is at. */
  get at(): number {
    return this.#got;
  }

  /**
   * Takes what a read gave.
   *
   * @returns True when the file ended (nothing came).
   */
  took(n: number): boolean {
    this.#got += n;
    return n === 0;
  }

  /** The bytes read. */
  bytes(): Uint8Array {
    return this.#bytes.subarray(0, this.#got);
  }

  /** Makes room for more (never past one byte more than the limit). */
  #grow(): void {
    if (this.#got < this.#bytes.length) return;
    if (this.#got > this.#maxBytes) throw tooLarge(this.#path, this.#got, this.#maxBytes);
    const grown = new Uint8Array(Math.min(this.#bytes.length * 2, this.#maxBytes + 1));
    grown.set(this.#bytes);
    this.#bytes = grown;
  }
}

/**
 * Reads a whole small file without blocking and within a size.
 *
 * @param path File path.
 * @param options The limit, whether to follow a final symbolic link, what to say for a missing file.
 * @returns Its bytes.
 * @throws {UtmpFileError} When the path cannot be opened, is not a regular file ("EFTYPE"), is a symbolic link
 *   with `noFollow` ("ELOOP"), or holds more than `maxBytes` ("EFBIG").
 */
export async function readRegularFile(path: string, options: ReadRegularFileOptions = {}): Promise<Uint8Array> {
  const file = await openLiveFile(path, options.hint, options.noFollow ?? false);
  try {
    const whole = new Whole(path, file.size, options);
    for (let into = whole.next(); into !== undefined; into = whole.next()) {
      if (whole.took(await file.read(into, whole.at))) break;
    }
    return whole.bytes();
  } finally {
    await file.close();
  }
}

/**
 * {@link readRegularFile}, synchronously, for the few readers that are
 * (a root's /proc files, its password file for `last` and `w`).
 *
 * @param path File path.
 * @param options The limit and whether to follow a final symbolic link.
 * @returns Its bytes.
 * @throws {UtmpFileError} As {@link readRegularFile} throws.
 */
export function readRegularFileSync(path: string, options: ReadRegularFileOptions = {}): Uint8Array {
  const { fd, stats } = openFdSync(path, options.hint, options.noFollow ?? false);
  try {
    const whole = new Whole(path, stats.size, options);
    for (let into = whole.next(); into !== undefined; into = whole.next()) {
      if (whole.took(readSync(fd, into, 0, into.length, whole.at))) break;
    }
    return whole.bytes();
  } catch (error) {
    throw error instanceof UtmpFileError ? error : fileError(error, path, options.hint);
  } finally {
    closeSync(fd);
  }
}

function tooLarge(path: string, size: number, limit: number): UtmpFileError {
  return new UtmpFileError(
    `Cannot read ${quotePath(path)}: it holds ${size} bytes or more, more than the ${limit} read here (EFBIG)`,
    "EFBIG",
    path,
  );
}
