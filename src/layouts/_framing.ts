/**
 * Length-prefixed records (FreeBSD utx.log, layout `freebsd-log`): a
 * big-endian uint16 length, then that many bytes of the record with its
 * trailing zero bytes cut. Shared by detection and the file reader, so both
 * read the framing the same way as FreeBSD's `getutxent`.
 *
 * @module
 */

/** One framed record in a buffer. */
export interface Frame {
  /** Offset of its length prefix. */
  readonly start: number;
  /** How many record bytes to copy (the stored length, at most the record size). */
  readonly length: number;
}

/** What {@link scanFrames} found. */
export interface FrameScan {
  /** Whole records, in order. */
  readonly frames: Frame[];
  /** Runs of bytes stepped over one at a time because they started a zero length, as libc does. */
  readonly skipped: { start: number; length: number }[];
  /** Offset of the first byte not consumed: the start of a record cut off by the end of `bytes`, or `bytes.length`. */
  readonly end: number;
}

/**
 * Splits `bytes` into framed records. A zero length is skipped one byte at a
 * time (getutxent.c: "Zero-size records indicate file corruption. Seek one
 * byte forward"); a length beyond `size` keeps the first `size` bytes and
 * skips the rest (forward compatibility). Lengths never make it read or
 * allocate beyond `bytes`: a record whose bytes run past the end stops the
 * scan there.
 *
 * @param bytes Bytes starting at a length prefix.
 * @param size The record size to normalise to.
 * @param limit Stop after this many records.
 * @returns The records, the zero lengths skipped, and where the scan stopped.
 */
export function scanFrames(bytes: Uint8Array, size: number, limit = Infinity): FrameScan {
  const frames: Frame[] = [];
  const skipped: { start: number; length: number }[] = [];
  let at = 0;
  while (at + 2 <= bytes.length && frames.length < limit) {
    const length = bytes[at]! * 256 + bytes[at + 1]!;
    if (length === 0) {
      const last = skipped.at(-1);
      if (last !== undefined && last.start + last.length === at) last.length++;
      else skipped.push({ start: at, length: 1 });
      at += 1;
      continue;
    }
    if (at + 2 + length > bytes.length) break;
    frames.push({ start: at, length: Math.min(length, size) });
    at += 2 + length;
  }
  return { frames, skipped, end: at };
}

/**
 * Copies framed records into fixed `size`-byte slots, zero-filled, so the one
 * decode engine reads them at a fixed stride.
 *
 * @param bytes The bytes {@link scanFrames} read.
 * @param frames Its frames.
 * @param size The record size.
 * @returns `frames.length * size` bytes.
 */
export function unframe(bytes: Uint8Array, frames: readonly Frame[], size: number): Uint8Array {
  const out = new Uint8Array(frames.length * size);
  frames.forEach((f, i) => out.set(bytes.subarray(f.start + 2, f.start + 2 + f.length), i * size));
  return out;
}
