/**
 * Settled reads of a live file: records read while a writer may be
 * rewriting them, never returned torn ({@link readSettled}), and the
 * warning for a file that shrank under the reader.
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { UtmpFileError } from "../errors.ts";
import { platform } from "../_internal/runtime.ts";
import { sameBytes } from "../layouts/_engine.ts";
import { quotePath } from "../_internal/escape/terminal.ts";
import { type ByteSource, isLive, type LiveFile } from "./_byte_source.ts";

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
 * Reads records at `position` as {@link ByteSource.read} does, but never
 * returns a record torn by a concurrent writer (glibc's `pututxline()`
 * rewrites a slot in place under an `fcntl` write lock, and Linux does not
 * make a plain read atomic against that `write()`).
 *
 * The invariant: a record is returned only when read with no write lock
 * held on the file just before, between and after two reads that agree on
 * it, or from a file whose change time stood still for {@link QUIET_MS}
 * around one read. An all-zero record needs no second read (a slot is all
 * zeros either side of a write that fills or clears it). A quiet file
 * costs one `fstat` and one synchronous read, and the count comes back at
 * once; a slow or busy file is read asynchronously.
 *
 * @param file The source (one that is not live is read as it is).
 * @param into Where to read.
 * @param position File offset.
 * @param recordSize Record size in bytes.
 * @returns The number of bytes read: whole records agreed on, then any partial tail.
 * @throws {UtmpFileError} With code "EAGAIN" when the file never stopped changing for long enough to read it.
 */
export function readSettled(
  file: ByteSource,
  into: Uint8Array,
  position: number,
  recordSize: number,
): number | Promise<number> {
  if (!isLive(file)) return file.readNow(into, position);
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
  file: LiveFile,
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
  file: LiveFile,
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
async function settleRecord(file: LiveFile, offset: number, size: number): Promise<Uint8Array | null | undefined> {
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
async function writeLocked(file: LiveFile): Promise<boolean> {
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
