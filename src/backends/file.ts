/**
 * The file backend: {@link RecordCursor}, the one reader of record files.
 * Every entry point that reads a login-record or lastlog file reads through
 * it — `UtmpFile` forward, `last` backward, `watch()` following a growing
 * file or comparing a utmp's slots, `LastlogFile` by uid — so the rules are
 * kept in one place. The cursor is a façade over:
 *
 * - one resolved open (`_resolved.ts`): the file opened and checked once per
 *   pass, decompressed when gzip or zstd, its layout given or detected;
 * - the buffers it reads into (`_buffer_ring.ts`), new or with
 *   `reuseBuffers` a ring of two;
 * - a FreeBSD utx.log's length-prefixed records (`_frame_index.ts`), indexed
 *   by a forward scan to be read backward;
 * - what following a growing file needs (`_follower.ts`): the last record
 *   read, to notice a truncation.
 *
 * Records are read whole, a chunk (256 KiB) at a time, by position, with
 * `readSettled` (never a record torn by a concurrent writer); synchronous
 * positional reads from the page cache, asynchronous ones for a file on slow
 * storage, never holding the event loop for more than {@link HOLD_MS} at a
 * time. A partial tail, a zero length (FreeBSD utx.log), a file that shrank
 * or was replaced while being read are reported as problems, the same way
 * for every reader; a chunk's own problems travel with it (`Chunk.problems`),
 * so a strict reader stops right at them.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import type { ByteSource } from "./_byte_source.ts";
import { BufferRing } from "./_buffer_ring.ts";
import { Follower } from "./_follower.ts";
import { type FramedChunk, framedChunk, indexFrames, readFramed } from "./_frame_index.ts";
import { openResolved, resolveFile, type ResolveOpenOptions } from "./_resolved.ts";
import { readSettled, shrankReason } from "./_settled.ts";
import { type Chunk, makeChunk, recordsPerChunk } from "../layouts/decode.ts";
import type { Detection } from "../layouts/_plausible.ts";
import { scanFrames } from "../layouts/_framing.ts";
import { isFramed, type Layout } from "../layouts/schema.ts";
import { partialProblem, type ProblemSink, type RecordSource } from "./_source.ts";

/** Options of {@link RecordCursor}: how to open and resolve the file, and how to read it. */
export interface CursorOptions extends ResolveOpenOptions {
  /** Where to report problems between records (a partial tail, a shrunk or replaced file). */
  onProblem: ProblemSink;
  /**
   * Read into the same two buffers (see `UtmpFileOptions.reuseBuffers`); a
   * framed utx.log, whose records are copied out of the read, is read into
   * new ones all the same.
   */
  reuseBuffers?: boolean;
  /**
   * The file is being followed as it grows (`watch()`): a partial record at
   * the end is a write in progress, read once it is whole, not a problem; a
   * layout detected with no evidence (an empty file) is not kept.
   */
  follow?: boolean;
  /**
   * Where the file is now, asked before every opening (`watch()` under a
   * root: the system path resolved again, so that a directory swapped for a
   * link since is resolved inside the root too); else {@link RecordCursor.path}.
   */
  locate?: (() => Promise<string>) | undefined;
}

/**
 * The longest (ms) a run of synchronous reads holds the event loop: then a
 * read waits for the event loop to turn once (timers and I/O callbacks run),
 * so a loop over a multi-gigabyte file does not starve the rest of the program.
 */
export const HOLD_MS = 8;

/** Where backward reading is: the records (framed files: the chunks of `frames`) before `end` are still to be read. */
interface Backward {
  end: number;
  /** The file's size when the pass began: a smaller one since means it shrank (truncated, or copytruncated). */
  size: number;
  /** Framed files: the chunks a forward scan found, read back from the last. */
  frames?: FramedChunk[];
}

/**
 * Reads one record file: forward ({@link next}), backward
 * ({@link previous}), by record index ({@link slots}), or following it as
 * it grows (`follow`). Opens nothing until the first read; {@link release}
 * closes the file, and a later forward read reopens it and continues where
 * it stopped (noting it when the path names another file by then); a later
 * backward read starts again from the end.
 */
export class RecordCursor implements RecordSource {
  readonly backend = "file" as const;
  readonly path: string;
  readonly #options: CursorOptions;
  readonly #problem: ProblemSink;
  readonly #buffers: BufferRing;
  readonly #follower = new Follower();
  #file: ByteSource | undefined;
  #detection: Detection | undefined;
  /** File offset of the next unread record, going forward. */
  #position = 0;
  /** Index of the next unread record, going forward. */
  #index = 0;
  /** Bytes the file is believed to hold (grows as reads find more). */
  #known = 0;
  /** Identity of the file the last pass read, to notice it replaced between passes. */
  #identity: string | undefined;
  /** The end of the open file was checked for a shrink or a replacement. */
  #endChecked = false;
  #back: Backward | undefined;
  /** Framed files: the bytes the last read held past its records, and their file offset. */
  #rest: { offset: number; bytes: Uint8Array } | undefined;
  /** When the event loop last turned, for {@link HOLD_MS}. */
  #turned = performance.now();
  /** A record's worth of bytes to look past the known end with, without taking a buffer of the ring. */
  #probe: Uint8Array | undefined;
  /** The opening in flight, if any (see {@link #opened}). */
  #opening: Promise<Detection> | undefined;

  /**
   * @param path File path.
   * @param options Layout, kind, problem reporting and buffers.
   */
  constructor(path: string, options: CursorOptions) {
    this.path = path;
    this.#options = options;
    this.#problem = options.onProblem;
    this.#buffers = new BufferRing(options.reuseBuffers ?? false);
  }

  get layout(): Layout | undefined {
    return this.#detection?.layout;
  }

  get detection(): Detection | undefined {
    return this.#detection;
  }

  /** File offset of the next record going forward. */
  get position(): number {
    return this.#position;
  }

  /** The open file, if a pass holds it. */
  get file(): ByteSource | undefined {
    return this.#file;
  }

  async detect(): Promise<Detection> {
    return (await this.#opened()).detection;
  }

  /**
   * The next run of whole records going forward, or `null` at the end (for
   * now: a later call reads what was written since). Synchronous when the
   * file is open and quiet, so a loop over it costs no promise per chunk.
   */
  next(): Chunk | null | Promise<Chunk | null> {
    const file = this.#file;
    const layout = this.#detection?.layout;
    if (file === undefined || layout === undefined) {
      // Following a file that holds nothing to tell its layout from yet: nothing to read either.
      return this.#opened().then(() => this.#detection === undefined ? null : this.next());
    }
    const turning = this.#turnIfHeld();
    if (turning !== undefined) return turning.then(() => this.next());
    return isFramed(layout) ? this.#nextFramed(file, layout) : this.#nextFixed(file, layout);
  }

  #nextFixed(file: ByteSource, layout: Layout): Chunk | null | Promise<Chunk | null> {
    const size = layout.size;
    const max = recordsPerChunk(size) * size;
    const remaining = Math.max(0, this.#known - this.#position);
    if (remaining === 0 && this.#buffers.reuses && !file.slow) {
      // At the end as far as known: look for one more record before taking a buffer (and retiring its chunk).
      const probe = this.#probe ??= new Uint8Array(size);
      const n = file.readNow(probe, this.#position);
      if (n === 0) return this.#checkEnd(file, this.#position, this.#index)?.then(() => null) ?? null;
      this.#known = this.#position + n;
    }
    // What the file is believed to hold from here, and one record more to notice it grew.
    const want = Math.min(max, Math.ceil(Math.max(0, this.#known - this.#position) / size) * size + size);
    const { bytes, slot } = this.#buffers.take(want);
    const got = readSettled(file, bytes, this.#position, size);
    const fixed = (n: number): Chunk | null | Promise<Chunk | null> => {
      if (n < want) {
        const checked = this.#checkEnd(file, this.#position + n - n % size, this.#index + Math.floor(n / size));
        if (checked !== undefined) return checked.then(() => this.#took(bytes, n, want, max, slot, layout));
      }
      return this.#took(bytes, n, want, max, slot, layout);
    };
    return typeof got === "number" ? fixed(got) : got.then(fixed);
  }

  /** The chunk of `n` bytes read forward into `bytes` (`want` asked for). */
  #took(bytes: Uint8Array, n: number, want: number, max: number, slot: number, layout: Layout): Chunk | null {
    const size = layout.size;
    // A short read is where the file ends for now; a full one, that it may hold a chunk more.
    if (n < want) this.#known = this.#position + n;
    else this.#known = Math.max(this.#known, this.#position + n + max);
    if (n === 0) return null;
    const whole = n - n % size;
    if (whole === 0) {
      // The position stays at the record's start: a later pass reads it once a writer has finished it.
      if (!this.#options.follow) this.#problem(this.#partial(n, `a ${size}-byte record`));
      return null;
    }
    const chunk = this.#buffers.hold(slot, makeChunk(bytes.subarray(0, whole), layout, this.#position, this.#index));
    this.#position += whole;
    this.#index += whole / size;
    if (this.#options.follow) this.#follower.took(bytes, whole, size);
    return chunk;
  }

  /**
   * FreeBSD utx.log: length-prefixed records, copied zero-filled into
   * fixed-size slots (their file offsets in `Chunk.offsets`); see
   * layouts/_framing.ts. A run of zero lengths is stepped over inside the
   * chunk and reported where it is (`Chunk.problems`): the reader goes on
   * after it at once, so a file of zero lengths costs one pass, not one read
   * per byte.
   */
  #nextFramed(file: ByteSource, layout: Layout): Chunk | null | Promise<Chunk | null> {
    const per = recordsPerChunk(layout.size);
    // What the last read held past the records it gave: scanned first, so each byte is read once (many tiny
    // frames fill a chunk's worth of records long before they use up a read).
    const rest = this.#rest;
    this.#rest = undefined;
    if (rest !== undefined && rest.offset === this.#position) {
      const scan = scanFrames(rest.bytes, layout.size, per);
      if (scan.frames.length > 0 || scan.skipped.length > 0) return this.#framedTaken(rest.bytes, scan, layout);
    }
    // What the file holds from here, and room for one more record to notice it grew: never what a length says.
    const want = Math.min(per * layout.size, Math.max(0, this.#known - this.#position) + 2 + layout.size);
    const bytes = new Uint8Array(want);
    const got = file.slow ? file.read(bytes, this.#position) : file.readNow(bytes, this.#position);
    const framed = (n: number): Chunk | null | Promise<Chunk | null> => {
      if (this.#position + n > this.#known) this.#known = this.#position + n;
      const data = bytes.subarray(0, n);
      // At most a chunk's worth of normalised records: 3-byte frames must not make 197-byte slots by the million.
      const scan = scanFrames(data, layout.size, per);
      const done = (): Chunk | null => {
        if (n === 0) return null;
        if (scan.frames.length === 0 && scan.skipped.length === 0) {
          // No whole record: the rest of the file is shorter than the record its length announces.
          if (!this.#options.follow) this.#problem(this.#partial(n, "a length-prefixed record"));
          return null;
        }
        return this.#framedTaken(data, scan, layout);
      };
      if (n < bytes.length) {
        const checked = this.#checkEnd(file, this.#position + scan.end, this.#index + scan.frames.length);
        if (checked !== undefined) return checked.then(done);
      }
      return done();
    };
    return typeof got === "number" ? framed(got) : got.then(framed);
  }

  /** The chunk of a framed scan of `data` (at the current position); what it left is kept for the next. */
  #framedTaken(data: Uint8Array, scan: ReturnType<typeof scanFrames>, layout: Layout): Chunk {
    const chunk = framedChunk(data, scan, layout, this.#position, this.#index);
    this.#position += scan.end;
    this.#index += scan.frames.length;
    if (scan.end < data.length) this.#rest = { offset: this.#position, bytes: data.subarray(scan.end) };
    return chunk;
  }

  #partial(n: number, what: string): Parameters<ProblemSink>[0] {
    return partialProblem(this.#position, this.#index, n, what);
  }

  /**
   * The run of whole records before the last one read going backward (the
   * first call: the end of the file), in file order; `null` once the first
   * record was read. A trailing partial record is reported first; records of
   * a framed file are found by a forward scan that remembers where each chunk
   * starts (memory: one entry per chunk).
   */
  async previous(): Promise<Chunk | null> {
    await this.#turnIfHeld();
    const { file, detection: { layout } } = await this.#opened();
    const size = layout.size;
    if (this.#back === undefined) {
      if (isFramed(layout)) {
        const frames = await this.#frameIndex();
        this.#back = { end: frames.length, frames, size: file.statNow().size };
      } else {
        const count = Math.floor(file.size / size);
        if (file.size % size !== 0) {
          this.#problem(partialProblem(count * size, count, file.size % size, `a ${size}-byte record`));
        }
        this.#back = { end: count, size: file.size };
      }
    }
    const back = this.#back;
    if (back.frames !== undefined) {
      if (back.end === 0) return null;
      return await this.#framedAt(file, layout, back.frames[--back.end]!);
    }
    if (back.end === 0) return null;
    const start = Math.max(0, back.end - recordsPerChunk(size));
    const want = (back.end - start) * size;
    const { bytes, slot } = this.#buffers.take(want);
    let n = readSettled(file, bytes, start * size, size);
    if (typeof n !== "number") n = await n;
    const now = file.statNow().size;
    if (n < want || now < back.size) {
      // Shrank while being read (truncated; logrotate's copytruncate then writes the new file's records from its
      // start): what is there now before this chunk may be another file's. The pass stops, as last.c stops at
      // the failed read, never joining two files' records.
      this.#problem({
        kind: "shrank",
        offset: start * size,
        recordIndex: start,
        reason: `${shrankReason(back.size, now)}; the records before byte ${start * size} are not read ` +
          "(the file may hold another's since: copytruncate)",
      });
      back.end = 0;
      return null;
    }
    back.end = start;
    return this.#buffers.hold(slot, makeChunk(bytes.subarray(0, n - n % size), layout, start * size, start));
  }

  /** Where each chunk of a framed file is, by a forward scan from its start (see `indexFrames`). */
  #frameIndex(): Promise<FramedChunk[]> {
    this.#seek(0, 0);
    const at = () => ({ position: this.#position, index: this.#index });
    return indexFrames({ at, next: () => this.next() }, this.#problem);
  }

  /** A chunk of a framed file {@link #frameIndex} found, read again; reading forward goes on from it. */
  async #framedAt(file: ByteSource, layout: Layout, at: FramedChunk): Promise<Chunk> {
    const chunk = await readFramed(file, layout, at);
    this.#seek(at.position, at.index);
    return chunk;
  }

  /**
   * A chunk that starts with the file's first record, or `null` when it
   * holds none: what `last` says the file begins with.
   */
  async first(): Promise<Chunk | null> {
    const { file, detection: { layout } } = await this.#opened();
    if (!isFramed(layout)) return await this.slots(0, 1);
    if (this.#back?.frames === undefined) {
      const frames = await this.#frameIndex();
      this.#back = { end: frames.length, frames, size: file.statNow().size };
    }
    const at = this.#back.frames![0];
    if (at === undefined) return null;
    const chunk = await this.#framedAt(file, layout, at);
    return chunk.bytes.length === 0 ? null : chunk;
  }

  /**
   * `count` records from record index `first` (fixed-size layouts), or fewer
   * where the file ends; `null` when it holds none of them.
   */
  async slots(first: number, count: number): Promise<Chunk | null> {
    await this.#turnIfHeld();
    const { file, detection: { layout } } = await this.#opened();
    const size = layout.size;
    const offset = first * size;
    const want = Math.max(0, Math.min(count * size, file.size - offset));
    if (want < size) return null;
    const { bytes, slot } = this.#buffers.take(want - want % size);
    let n = readSettled(file, bytes, offset, size);
    if (typeof n !== "number") n = await n;
    if (n < size) return null;
    return this.#buffers.hold(slot, makeChunk(bytes.subarray(0, n - n % size), layout, offset, first));
  }

  /**
   * Goes forward from the record boundary at or before `offset` (`watch()`
   * from the end: the size the file had when watching began), remembering
   * the record before it to notice a truncation. Needs the layout known.
   *
   * @param offset A file offset.
   */
  skipTo(offset: number): void {
    const file = this.#file;
    const size = this.#detection?.layout.size;
    if (file === undefined || size === undefined) throw new Error("Cannot skip: the file is not open with a layout");
    this.#seek(offset - offset % size, (offset - offset % size) / size);
    this.#follower.skippedTo(file, this.#position, size);
  }

  /**
   * Whether the followed file was truncated since the last read (`> wtmp`,
   * logrotate's `copytruncate`): it is shorter than what was read, or no
   * longer holds the last record read where it was (truncated and written
   * again). Then reading goes on from its start.
   */
  truncated(): boolean {
    const file = this.#file;
    const layout = this.#detection?.layout;
    if (file === undefined || layout === undefined) return false;
    if (!this.#follower.truncated(file, this.#position, layout.size)) return false;
    this.#seek(0, 0);
    this.#known = 0;
    return true;
  }

  /** Whether the path now names another file than the open one (renamed over, or removed). */
  async replaced(): Promise<boolean> {
    return this.#file !== undefined && await this.#file.replaced();
  }

  rewind(): void {
    this.#seek(0, 0);
    this.#follower.forget();
    this.#identity = undefined;
    this.#back = undefined;
  }

  /**
   * Forgets the file and where reading was: the next read opens the path
   * anew from its start (a rotated file), and detects its layout again
   * unless one was given (the new file may be anything).
   */
  async restart(): Promise<void> {
    await this.release();
    this.rewind();
    this.#known = 0;
    if (this.#options.layout === "auto") this.#detection = undefined;
  }

  release(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    this.#back = undefined;
    this.#rest = undefined;
    return file?.close() ?? Promise.resolve();
  }

  /** Where reading forward goes on: the one place the position moves other than by reading. */
  #seek(position: number, index: number): void {
    this.#position = position;
    this.#index = index;
    this.#rest = undefined;
  }

  /**
   * At the end of the data, once per opening: says so when the file shrank
   * below what was read or the size it had when opened, or the path now names
   * another file (rotated away: this pass read the old file to its end). The
   * warning is at the end of the whole records read.
   */
  #checkEnd(file: ByteSource, offset: number, recordIndex: number): Promise<void> | undefined {
    if (this.#endChecked || this.#options.follow) return undefined;
    this.#endChecked = true;
    const { size } = file.statNow();
    const was = Math.max(file.size, this.#position);
    const at = { offset, recordIndex };
    if (size < was) this.#problem({ kind: "shrank", ...at, reason: shrankReason(was, size) });
    return file.replaced().then((replaced) => {
      if (!replaced) return;
      this.#problem({
        kind: "replaced",
        ...at,
        reason:
          `file was replaced while being read (renamed over or removed): read to the end of the file as it was opened`,
      });
    });
  }

  /**
   * The open file and its layout: opened and resolved now if no pass holds
   * it (one opening at a time, however many ask), or its layout resolved
   * again (a followed file that could not tell it yet).
   */
  async #opened(): Promise<{ file: ByteSource; detection: Detection }> {
    if (this.#file === undefined) {
      const detection = await (this.#opening ??= this.#openNow().finally(() => this.#opening = undefined));
      if (this.#detection === undefined) return { file: this.#file!, detection };
    }
    const file = this.#file!;
    if (this.#detection !== undefined) return { file, detection: this.#detection };
    let detection: Detection;
    try {
      detection = await resolveFile(file, this.#options, this.path);
    } catch (error) {
      await this.release();
      throw error;
    }
    return { file, detection: this.#keep(detection) };
  }

  /** Opens the file and resolves its layout; the layout kept when sure. */
  async #openNow(): Promise<Detection> {
    const path = this.#options.locate === undefined ? this.path : await this.#options.locate();
    const { file, detection } = await openResolved(path, this.#options, (file) => this.#reopened(file), this.path);
    this.#file = file;
    return this.#keep(detection);
  }

  /** A file just opened: what changed since the last pass is noted; the layout known, unless it may not hold. */
  #reopened(file: ByteSource): Detection | undefined {
    this.#endChecked = false;
    // A followed file replaced between looks (a utmp watched slot by slot) may be anything: detected again.
    if (this.#options.follow && this.#options.layout === "auto" && this.#identity !== file.identity) {
      this.#detection = undefined;
    }
    if (this.#identity !== undefined && this.#identity !== file.identity && this.#position > 0) {
      this.#problem({
        kind: "replaced",
        offset: this.#position,
        recordIndex: this.#index,
        reason:
          `file was replaced since the last pass: reading the new file from byte ${this.#position}; rewind() to read it from the start`,
      });
    }
    this.#identity = file.identity;
    this.#known = Math.max(this.#known, file.size);
    return this.#detection;
  }

  /** Keeps a detection (the one place a file's layout is kept): following a file that holds nothing yet, not. */
  #keep(detection: Detection): Detection {
    if (!this.#options.follow || detection.confidence > 0) this.#detection = detection;
    return detection;
  }

  /**
   * When synchronous reads have held the event loop for {@link HOLD_MS}: a
   * promise of its next turn (timers and I/O callbacks run first); else
   * undefined, and reading goes on at once.
   */
  #turnIfHeld(): Promise<void> | undefined {
    if (performance.now() - this.#turned <= HOLD_MS) return undefined;
    return new Promise((resolve) =>
      setImmediate(() => {
        this.#turned = performance.now();
        resolve();
      })
    );
  }
}
