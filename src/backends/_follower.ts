/**
 * Following a file as it grows (`watch()`): the last whole record read is
 * kept, so that a file truncated and written again (`> wtmp`, logrotate's
 * `copytruncate`) is noticed even when it has grown back past where reading
 * was.
 *
 * @module
 */

import { sameBytes } from "../layouts/_engine.ts";
import type { ByteSource } from "./_byte_source.ts";

/** The last record read forward, and what it tells of the file since. */
export class Follower {
  #last: Uint8Array | undefined;

  /**
   * Keeps the last record of a read (a copy).
   *
   * @param bytes The records read.
   * @param whole How many bytes of whole records they hold.
   * @param size Record size.
   */
  took(bytes: Uint8Array, whole: number, size: number): void {
    this.#last = bytes.slice(whole - size, whole);
  }

  /**
   * Reading goes on from `position` (a record boundary): keeps the record before it, if the file holds it.
   *
   * @param file The open file.
   * @param position Where reading goes on.
   * @param size Record size.
   */
  skippedTo(file: ByteSource, position: number, size: number): void {
    this.#last = undefined;
    if (position < size) return;
    const last = new Uint8Array(size);
    if (file.readNow(last, position - size) === size) this.#last = last;
  }

  /**
   * Whether the file was truncated since the last read: it is shorter than
   * `position`, or no longer holds the last record read where it was.
   *
   * @param file The open file.
   * @param position Where reading is.
   * @param size Record size.
   * @returns True when it was (the record kept is then forgotten).
   */
  truncated(file: ByteSource, position: number, size: number): boolean {
    const last = this.#last;
    let cut = file.statNow().size < position;
    if (!cut && last !== undefined && position >= size) {
      const now = new Uint8Array(size);
      cut = file.readNow(now, position - size) !== size || !sameBytes(now, 0, last, 0, size);
    }
    if (cut) this.#last = undefined;
    return cut;
  }

  /** Forgets the record kept (reading starts again from the start). */
  forget(): void {
    this.#last = undefined;
  }
}
