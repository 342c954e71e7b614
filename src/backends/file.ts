/**
 * The file backend: reads a login-record file in chunks of whole records,
 * by position, so memory stays flat whatever the file size.
 *
 * @module
 */

import { openRecordFile, readSettled, type RecordFile, shrankReason } from "./_record_file.ts";
import { CHUNK_BYTES, recordsPerChunk } from "../layouts/decode.ts";
import type { Layout } from "../layouts/schema.ts";
import { DETECT_BYTES, type Detection, detectLayout } from "../layouts/detect.ts";
import { getLayout } from "../layouts/registry.ts";
import { scanFrames, unframe } from "../layouts/_framing.ts";
import { type Chunk, makeChunk } from "../layouts/decode.ts";
import type { ProblemSink, RecordSource } from "./_source.ts";

/** Options of {@link FileSource}. */
export interface FileSourceOptions {
  /** A layout name, or "auto" to detect it from the content. */
  layout: string;
  /** Layout to choose when the content cannot tell (the host's own). */
  prefer: string | undefined;
  /** What to tell the user when the file is missing. */
  hint: string | undefined;
  /** Where to report a partial tail. */
  onProblem: ProblemSink;
  /** Read into the same few buffers (see `UtmpFileOptions.reuseBuffers`). */
  reuseBuffers?: boolean;
}

/** Reads records from a file. */
export class FileSource implements RecordSource {
  readonly backend = "file" as const;
  readonly #path: string;
  readonly #options: FileSourceOptions;
  #file: RecordFile | undefined;
  #detection: Detection | undefined;
  /** File offset of the next unread record. */
  #position = 0;
  /** Index of the next unread record. */
  #index = 0;
  /** Bytes the file is believed to hold (grows as reads find more). */
  #known = 0;
  /** Identity of the file the last pass read, to notice it replaced between passes. */
  #identity: string | undefined;
  /** The end of the open file was checked for a shrink or a replacement. */
  #endChecked = false;
  readonly #reader: ChunkReader;

  /**
   * @param path File path.
   * @param options Layout and problem reporting.
   */
  constructor(path: string, options: FileSourceOptions) {
    this.#path = path;
    this.#options = options;
    this.#reader = new ChunkReader(options.reuseBuffers ?? false);
  }

  get layout(): Layout | undefined {
    return this.#detection?.layout;
  }

  get detection(): Detection | undefined {
    return this.#detection;
  }

  async detect(): Promise<Detection> {
    await this.#open();
    return this.#detection!;
  }

  async next(): Promise<Chunk | null> {
    const file = await this.#open();
    const layout = this.#detection!.layout;
    if (layout.framing === "u16be") return this.#nextFramed(file, layout);
    const size = layout.size;
    const max = recordsPerChunk(size) * size;
    const want = this.#want(size, max);
    const { bytes, n, slot } = await this.#reader.read(file, this.#position, want, size);
    if (n < want) await this.#checkEnd(file, this.#position + n - n % size, this.#index + Math.floor(n / size));
    if (n === 0) return null;
    if (this.#position + n > this.#known) this.#known = n === want ? this.#position + n + max : this.#position + n;
    const whole = n - n % size;
    if (whole === 0) {
      // The position stays at the record's start: a later pass reads it once a writer has finished it.
      this.#options.onProblem({
        kind: "partial-record",
        offset: this.#position,
        recordIndex: this.#index,
        reason: `file ends ${n} bytes into a ${size}-byte record`,
      });
      return null;
    }
    const chunk = makeChunk(bytes.subarray(0, whole), layout, this.#position, this.#index);
    this.#reader.made(slot, chunk);
    this.#position += whole;
    this.#index += whole / size;
    // A full read: the file likely holds more, so read on while this chunk is decoded.
    if (n === want) this.#reader.readAhead(file, this.#position, this.#want(size, max), size);
    return chunk;
  }

  /** How many bytes to read next: a chunk, or what the file is believed to hold plus a record to see it grow. */
  #want(size: number, max: number): number {
    const remaining = Math.max(0, this.#known - this.#position);
    return Math.min(max, Math.ceil(remaining / size) * size + size);
  }

  /**
   * FreeBSD utx.log: length-prefixed records, copied zero-filled into
   * fixed-size slots (their file offsets in `Chunk.offsets`); see
   * layouts/_framing.ts. A run of zero lengths ends the chunk before it; the
   * next call reports it, steps over it and returns no records, so a strict
   * reader stops right there.
   */
  async #nextFramed(file: RecordFile, layout: Layout): Promise<Chunk | null> {
    // What the file holds from here, and room for one more record to notice it grew: never what a length says.
    const want = Math.min(CHUNK_BYTES, Math.max(0, this.#known - this.#position) + 2 + layout.size);
    const bytes = new Uint8Array(want);
    const n = await file.read(bytes, this.#position);
    if (this.#position + n > this.#known) this.#known = this.#position + n;
    const data = bytes.subarray(0, n);
    // At most a chunk's worth of normalised records: 3-byte frames must not make 197-byte slots by the million.
    const scan = scanFrames(data, layout.size, recordsPerChunk(layout.size));
    if (n < bytes.length) await this.#checkEnd(file, this.#position + scan.end, this.#index + scan.frames.length);
    if (n === 0) return null;
    const skip = scan.skipped[0];
    const frames = skip === undefined ? scan.frames : scan.frames.filter((f) => f.start < skip.start);
    if (frames.length === 0 && skip === undefined) {
      // No whole record: the rest of the file is shorter than the record its length announces.
      this.#options.onProblem({
        kind: "partial-record",
        offset: this.#position,
        recordIndex: this.#index,
        reason: `file ends ${n} bytes into a length-prefixed record`,
      });
      return null;
    }
    if (frames.length === 0) {
      const reason = `zero record length: skipped ${skip!.length} bytes to the next length`;
      this.#options.onProblem({ kind: "zero-length", offset: this.#position, recordIndex: this.#index, reason });
    }
    const offsets = frames.map((f) => this.#position + f.start);
    const chunk = makeChunk(unframe(data, frames, layout.size), layout, this.#position, this.#index, offsets);
    this.#position += frames.length === 0 ? skip!.length : skip?.start ?? scan.end;
    this.#index += frames.length;
    return chunk;
  }

  rewind(): void {
    this.#position = 0;
    this.#index = 0;
    this.#identity = undefined;
  }

  async release(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    await this.#reader.settle();
    await file?.close();
  }

  /**
   * At the end of the data, once per opening: says so when the file shrank
   * below what was read or the size it had when opened, or the path now names
   * another file (rotated away: this pass read the old file to its end). The
   * warning is at the end of the whole records read.
   */
  async #checkEnd(file: RecordFile, offset: number, recordIndex: number): Promise<void> {
    if (this.#endChecked) return;
    this.#endChecked = true;
    const { size } = await file.stat();
    const was = Math.max(file.size, this.#position);
    const at = { offset, recordIndex };
    if (size < was) {
      this.#options.onProblem({ kind: "shrank", ...at, reason: shrankReason(was, size) });
    }
    if (await file.replaced()) {
      this.#options.onProblem({
        kind: "replaced",
        ...at,
        reason:
          `file was replaced while being read (renamed over or removed): read to the end of the file as it was opened`,
      });
    }
  }

  async #open(): Promise<RecordFile> {
    if (this.#file !== undefined) return this.#file;
    const file = await openRecordFile(this.#path, this.#options.hint);
    this.#endChecked = false;
    if (this.#identity !== undefined && this.#identity !== file.identity && this.#position > 0) {
      this.#options.onProblem({
        kind: "replaced",
        offset: this.#position,
        recordIndex: this.#index,
        reason:
          `file was replaced since the last pass: reading the new file from byte ${this.#position}; rewind() to read it from the start`,
      });
    }
    this.#identity = file.identity;
    try {
      this.#known = Math.max(this.#known, file.size);
      this.#detection ??= await this.#detectLayout(file);
    } catch (error) {
      await file.close();
      throw error;
    }
    this.#file = file;
    return file;
  }

  async #detectLayout(file: RecordFile): Promise<Detection> {
    const { layout, prefer } = this.#options;
    if (layout !== "auto") {
      const given = getLayout(layout);
      if (given.kind !== "utmp") {
        throw new RangeError(
          `Cannot read "${this.#path}" with layout "${layout}": it is a lastlog layout; use LastlogFile`,
        );
      }
      return { layout: given, confidence: 1, reason: "given by the layout option" };
    }
    const head = new Uint8Array(Math.min(file.size, DETECT_BYTES));
    const n = head.length === 0 ? 0 : await file.read(head, 0);
    return detectLayout(head.subarray(0, n), file.size, { path: this.#path, prefer });
  }
}

/** Buffers a {@link ChunkReader} cycles through: the chunk being read ahead, the one decoded, and the one before. */
const RING = 3;

/** A read started ahead of its turn. */
interface Ahead {
  position: number;
  want: number;
  bytes: Uint8Array;
  slot: number;
  read: Promise<number>;
}

/**
 * Reads chunks for a {@link FileSource} and for `readBackward`: the read of
 * the next chunk starts as soon as a chunk is handed out, so the file system
 * (on another thread) copies it while this one is decoded. Each chunk is read
 * into a new buffer, or with `reuse` into the next of {@link RING} buffers,
 * which retires the chunk read into that buffer before (its records then
 * refuse to be read).
 */
export class ChunkReader {
  readonly #reuse: boolean;
  readonly #ring: Uint8Array[] = [];
  readonly #chunks: (Chunk | undefined)[] = [];
  #turn = 0;
  #ahead: Ahead | undefined;

  constructor(reuse: boolean) {
    this.#reuse = reuse;
  }

  /** Starts reading `want` bytes at `position`, for a later {@link read} of the same. */
  readAhead(file: RecordFile, position: number, want: number, recordSize: number): void {
    const { bytes, slot } = this.#buffer(want);
    const read = readSettled(file, bytes, position, recordSize);
    read.catch(() => undefined); // seen by the read() that takes it
    this.#ahead = { position, want, bytes, slot, read };
  }

  /**
   * Reads `want` bytes at `position`: the read started ahead when it is that
   * one, else a new read.
   *
   * @returns The buffer, how many bytes it holds, and its slot in the ring (-1 for a new buffer).
   */
  async read(
    file: RecordFile,
    position: number,
    want: number,
    recordSize: number,
  ): Promise<{ bytes: Uint8Array; n: number; slot: number }> {
    const ahead = this.#ahead;
    this.#ahead = undefined;
    if (ahead !== undefined && ahead.position === position && ahead.want === want) {
      return { bytes: ahead.bytes, n: await ahead.read, slot: ahead.slot };
    }
    await ahead?.read.catch(() => undefined);
    const { bytes, slot } = this.#buffer(want);
    return { bytes, n: await readSettled(file, bytes, position, recordSize), slot };
  }

  /** Notes the chunk made over a slot's buffer, to retire it when the buffer is read into again. */
  made(slot: number, chunk: Chunk): void {
    if (slot >= 0) this.#chunks[slot] = chunk;
  }

  /** Waits for a read started ahead and drops it: before the file is closed. */
  async settle(): Promise<void> {
    const ahead = this.#ahead;
    this.#ahead = undefined;
    await ahead?.read.catch(() => undefined);
  }

  #buffer(length: number): { bytes: Uint8Array; slot: number } {
    if (!this.#reuse) return { bytes: new Uint8Array(length), slot: -1 };
    const slot = this.#turn++ % RING;
    const previous = this.#chunks[slot];
    if (previous !== undefined) previous.retired = true;
    this.#chunks[slot] = undefined;
    let buffer = this.#ring[slot];
    if (buffer === undefined || buffer.length < length) buffer = this.#ring[slot] = new Uint8Array(length);
    return { bytes: buffer.subarray(0, length), slot };
  }
}
