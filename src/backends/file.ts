/**
 * The file backend: {@link RecordCursor}, the one reader of record files.
 * Every entry point that reads a login-record or lastlog file reads through
 * it — `UtmpFile` forward, `last` backward, `watch()` following a growing
 * file or comparing a utmp's slots, `LastlogFile` by uid — so the rules are
 * kept in one place:
 *
 * - the file is opened and checked once per pass (a regular file, opened
 *   without blocking; see `openLiveFile`; a gzip or zstd file decompressed
 *   under the cursor, see `_decompress.ts`), and its layout is resolved once
 *   (`resolveLayout`: given, or detected from the regions detection asks for);
 * - records are read whole, a chunk (256 KiB) at a time, by position, with
 *   `readSettled` (never a record torn by a concurrent writer; a FreeBSD
 *   utx.log, whose records are length-prefixed, with plain reads); synchronous
 *   positional reads from the page cache, asynchronous ones for a file on slow
 *   storage, and never holding the event loop for more than
 *   {@link HOLD_MS} at a time;
 * - a partial tail, a zero length (FreeBSD utx.log), a file that shrank or was
 *   replaced while being read are reported as problems, the same way for
 *   every reader; a chunk's own problems travel with it (`Chunk.problems`),
 *   so a strict reader stops right at them.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import { decompressed } from "./_decompress.ts";
import { type ByteSource, openLiveFile } from "./_byte_source.ts";
import { readSettled, shrankReason } from "./_settled.ts";
import { type Chunk, type ChunkProblem, makeChunk, recordsPerChunk } from "../layouts/decode.ts";
import { type Detection, detectionRegions, resolveLayout, type Sample } from "../layouts/detect.ts";
import { scanFrames, unframe } from "../layouts/_framing.ts";
import { sameBytes } from "../layouts/_engine.ts";
import { isFramed, type Layout, type LayoutKind } from "../layouts/schema.ts";
import { partialProblem, type ProblemSink, type RecordSource } from "./_source.ts";
import { quotePath } from "../_internal/escape/terminal.ts";

/** Options of {@link RecordCursor}. */
export interface CursorOptions {
  /** A layout name, or "auto" to detect it from the content. */
  layout: string;
  /** What kind of file: login records (default) or a lastlog. */
  kind?: LayoutKind;
  /** Layout to choose when the content cannot tell (the host's own). */
  prefer?: string | undefined;
  /** What to tell the user when the file is missing. */
  hint?: string | undefined;
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
  /** Open without following a symbolic link at the last component (a path resolved under a root). */
  noFollow?: boolean | undefined;
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

/** Buffers a cursor with `reuseBuffers` reads into in turn: the chunk being read and the one before. */
const RING = 2;

/**
 * Refuses a layout whose records cannot be followed one by one as a file
 * grows (FreeBSD's length-prefixed utx.log: a record's place depends on all
 * before it): the one check for `watch()`, whether the layout was given or
 * detected.
 *
 * @param layout The file's layout.
 * @param path The file, for the message.
 * @throws {RangeError} For a framed layout.
 */
export function assertFollowable(layout: Layout, path: string): void {
  if (!isFramed(layout)) return;
  throw new RangeError(
    `Cannot watch ${
      quotePath(path)
    }: its layout "${layout.name}" is not of fixed-size records, which alone can be followed`,
  );
}

/** Where backward reading is: the records (framed files: the chunks of `frames`) before `end` are still to be read. */
interface Backward {
  end: number;
  /** The file's size when the pass began: a smaller one since means it shrank (truncated, or copytruncated). */
  size: number;
  /** Framed files: the chunks a forward scan found, read back from the last. */
  frames?: FramedChunk[];
}

/** Where a chunk of a framed file is: its bytes `[position, end)`, its first record's index. */
interface FramedChunk {
  position: number;
  end: number;
  index: number;
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
  readonly #kind: LayoutKind;
  readonly #problem: ProblemSink;
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
  /** The last whole record read forward (a copy), to notice a followed file truncated and written again. */
  #last: Uint8Array | undefined;
  /** Framed files: the bytes the last read held past its records, and their file offset. */
  #rest: { offset: number; bytes: Uint8Array } | undefined;
  /** When the event loop last turned, for {@link HOLD_MS}. */
  #turned = performance.now();
  /** A record's worth of bytes to look past the known end with, without taking a buffer of the ring. */
  #probe: Uint8Array | undefined;
  readonly #ring: Uint8Array[] = [];
  readonly #ringChunks: (Chunk | undefined)[] = [];
  #turn = 0;
  /** The opening in flight, if any (see {@link #open}). */
  #opening: Promise<ByteSource> | undefined;

  /**
   * @param path File path.
   * @param options Layout, kind, problem reporting and buffers.
   */
  constructor(path: string, options: CursorOptions) {
    this.path = path;
    this.#options = options;
    this.#kind = options.kind ?? "utmp";
    this.#problem = options.onProblem;
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
    const file = await this.#open();
    return this.#detection ?? await this.#resolve(file);
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
    if (remaining === 0 && this.#options.reuseBuffers && !file.slow) {
      // At the end as far as known: look for one more record before taking a buffer (and retiring its chunk).
      const probe = this.#probe ??= new Uint8Array(size);
      const n = file.readNow(probe, this.#position);
      if (n === 0) return this.#checkEnd(file, this.#position, this.#index)?.then(() => null) ?? null;
      this.#known = this.#position + n;
    }
    // What the file is believed to hold from here, and one record more to notice it grew.
    const want = Math.min(max, Math.ceil(Math.max(0, this.#known - this.#position) / size) * size + size);
    const { bytes, slot } = this.#buffer(want);
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
    const chunk = makeChunk(bytes.subarray(0, whole), layout, this.#position, this.#index);
    if (slot >= 0) this.#ringChunks[slot] = chunk;
    this.#position += whole;
    this.#index += whole / size;
    if (this.#options.follow) this.#last = bytes.slice(whole - size, whole);
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
    const chunk = this.#framedChunk(data, scan, layout);
    this.#position += scan.end;
    this.#index += scan.frames.length;
    if (scan.end < data.length) this.#rest = { offset: this.#position, bytes: data.subarray(scan.end) };
    return chunk;
  }

  /** The chunk of a framed scan at the current position, each zero-length run a problem before its next record. */
  #framedChunk(data: Uint8Array, scan: ReturnType<typeof scanFrames>, layout: Layout): Chunk {
    const position = this.#position;
    const offsets = scan.frames.map((f) => position + f.start);
    const problems: ChunkProblem[] = [];
    let before = 0;
    for (const skip of scan.skipped) {
      while (before < scan.frames.length && scan.frames[before]!.start < skip.start) before++;
      problems.push({
        before,
        problem: {
          kind: "zero-length",
          offset: position + skip.start,
          recordIndex: this.#index + before,
          reason: `zero record length: skipped ${skip.length} ${
            skip.length === 1 ? "byte" : "bytes"
          } to the next length`,
        },
      });
    }
    return makeChunk(unframe(data, scan.frames, layout.size), layout, position, this.#index, offsets, problems);
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
    const file = await this.#opened();
    const layout = this.#detection!.layout;
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
    const { bytes, slot } = this.#buffer(want);
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
    const chunk = makeChunk(bytes.subarray(0, n - n % size), layout, start * size, start);
    if (slot >= 0) this.#ringChunks[slot] = chunk;
    return chunk;
  }

  /**
   * Where each chunk of a framed file is, by a forward scan (memory: one
   * entry per chunk). The scan reports the file's problems, in file order
   * (zero lengths, a partial tail, a shrink), so the backward reads do not.
   */
  async #frameIndex(): Promise<FramedChunk[]> {
    const chunks: FramedChunk[] = [];
    this.#position = this.#index = 0;
    this.#rest = undefined;
    for (;;) {
      const position = this.#position, index = this.#index;
      const chunk = await this.next();
      if (chunk === null) break;
      for (const p of chunk.problems ?? []) this.#problem(p.problem);
      chunks.push({ position, end: this.#position, index });
    }
    return chunks;
  }

  /** A chunk of a framed file {@link #frameIndex} found, read again (its problems were reported then). */
  async #framedAt(file: ByteSource, layout: Layout, at: FramedChunk): Promise<Chunk> {
    const bytes = new Uint8Array(at.end - at.position);
    const n = file.slow ? await file.read(bytes, at.position) : file.readNow(bytes, at.position);
    const data = bytes.subarray(0, n);
    this.#position = at.position;
    this.#index = at.index;
    this.#rest = undefined;
    return this.#framedChunk(data, scanFrames(data, layout.size, recordsPerChunk(layout.size)), layout);
  }

  /**
   * A chunk that starts with the file's first record, or `null` when it
   * holds none: what `last` says the file begins with.
   */
  async first(): Promise<Chunk | null> {
    const file = await this.#opened();
    const layout = this.#detection!.layout;
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
    const file = await this.#opened();
    const layout = this.#detection!.layout;
    const size = layout.size;
    const offset = first * size;
    const want = Math.max(0, Math.min(count * size, file.size - offset));
    if (want < size) return null;
    const { bytes, slot } = this.#buffer(want - want % size);
    let n = readSettled(file, bytes, offset, size);
    if (typeof n !== "number") n = await n;
    if (n < size) return null;
    const chunk = makeChunk(bytes.subarray(0, n - n % size), layout, offset, first);
    if (slot >= 0) this.#ringChunks[slot] = chunk;
    return chunk;
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
    this.#position = offset - offset % size;
    this.#index = this.#position / size;
    this.#last = undefined;
    if (this.#position >= size) {
      const last = new Uint8Array(size);
      if (file.readNow(last, this.#position - size) === size) this.#last = last;
    }
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
    const size = layout.size;
    const last = this.#last;
    let cut = file.statNow().size < this.#position;
    if (!cut && last !== undefined && this.#position >= size) {
      const now = new Uint8Array(size);
      cut = file.readNow(now, this.#position - size) !== size || !sameBytes(now, 0, last, 0, size);
    }
    if (cut) {
      this.#position = this.#index = 0;
      this.#last = undefined;
      this.#known = 0;
    }
    return cut;
  }

  /** Whether the path now names another file than the open one (renamed over, or removed). */
  async replaced(): Promise<boolean> {
    return this.#file !== undefined && await this.#file.replaced();
  }

  rewind(): void {
    this.#rest = undefined;
    this.#position = 0;
    this.#index = 0;
    this.#identity = undefined;
    this.#back = undefined;
    this.#last = undefined;
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

  /** The open file with its layout resolved (opened and detected if needed). */
  async #opened(): Promise<ByteSource> {
    const file = await this.#open();
    if (this.#detection === undefined) await this.#resolve(file);
    return file;
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

  /** The open file: opened now if no pass holds it (one opening at a time, however many ask). */
  #open(): Promise<ByteSource> {
    if (this.#file !== undefined) return Promise.resolve(this.#file);
    return this.#opening ??= this.#openNow().finally(() => this.#opening = undefined);
  }

  async #openNow(): Promise<ByteSource> {
    const path = this.#options.locate === undefined ? this.path : await this.#options.locate();
    // A compressed file is read as its content: decompressed under the cursor, then read like any other.
    const file = await decompressed(await openLiveFile(path, this.#options.hint, this.#options.noFollow ?? false));
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
    this.#file = file;
    return file;
  }

  /** Resolves the layout from the open file (the one place a file's layout is chosen); keeps it once sure. */
  async #resolve(file: ByteSource): Promise<Detection> {
    const { layout, prefer, follow } = this.#options;
    let detection: Detection;
    try {
      const size = file.statNow().size;
      const samples: Sample[] = [];
      if (layout === "auto") {
        for (const region of detectionRegions(this.#kind, size)) {
          const bytes = new Uint8Array(region.length);
          const n = region.length === 0 ? 0 : await file.read(bytes, region.offset);
          samples.push({ offset: region.offset, bytes: bytes.subarray(0, n) });
        }
      }
      detection = resolveLayout(layout, this.#kind, samples, size, { path: this.path, prefer });
    } catch (error) {
      await this.release();
      throw error;
    }
    if (follow) {
      try {
        assertFollowable(detection.layout, this.path);
      } catch (error) {
        await this.release();
        throw error;
      }
    }
    // Following a file that holds nothing yet: its first records will tell.
    if (!follow || detection.confidence > 0) this.#detection = detection;
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

  /** A buffer for `length` bytes: a new one, or with `reuseBuffers` the next of the ring (retiring its chunk). */
  #buffer(length: number): { bytes: Uint8Array; slot: number } {
    if (!this.#options.reuseBuffers) return { bytes: new Uint8Array(length), slot: -1 };
    const slot = this.#turn++ % RING;
    const previous = this.#ringChunks[slot];
    if (previous !== undefined) previous.retired = true;
    this.#ringChunks[slot] = undefined;
    let buffer = this.#ring[slot];
    if (buffer === undefined || buffer.length < length) buffer = this.#ring[slot] = new Uint8Array(length);
    return { bytes: buffer.subarray(0, length), slot };
  }
}
