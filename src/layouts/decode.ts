/**
 * Records from bytes: a {@link Chunk} is a run of records as a reader read
 * them, a {@link RecordView} one record over it, decoded lazily through the
 * layout's codec; {@link decodeRecord} and {@link decodeRecords} decode bytes
 * you hold.
 *
 * @module
 */

import type { UtmpWarning } from "../errors.ts";
import { devicePath, RecordBase, type UtExit, type UtmpRecord, type UtRawBytes, type UtTimeval } from "../record.ts";
import type { UtTypeName } from "../types.ts";
import { type Codec, codecOf } from "./_engine.ts";
import { scanFrames, unframe } from "./_framing.ts";
import { rawChars, type TextField } from "./_text.ts";
import { getLayout } from "./registry.ts";
import { isFramed, type Layout } from "./schema.ts";

/**
 * Bytes of records handled at a time: one read of a file, one chunk of
 * records sharing a buffer, one batch of `batches()`. Big enough to amortise
 * a read, small enough that memory stays flat (V8 frees old buffers late, so
 * a few are alive at once) and that a record kept from a large file pins
 * little memory.
 */
export const CHUNK_BYTES = 256 * 1024;

/**
 * Whole records of `size` bytes in {@link CHUNK_BYTES}, at least one.
 *
 * @param size Record size in bytes.
 * @returns Records per chunk.
 */
export function recordsPerChunk(size: number): number {
  return Math.max(1, Math.floor(CHUNK_BYTES / size));
}

/** A problem inside a chunk (see `Chunk.problems`). */
export interface ChunkProblem {
  /** The position in the chunk of the record it comes before (the record count: after the last). */
  readonly before: number;
  /** The problem. */
  readonly problem: UtmpWarning;
}

/**
 * A run of whole records at stride `codec.layout.size`, as one backend read
 * them. Records are views into it, so a chunk lives as long as any of its
 * records.
 */
export interface Chunk {
  /** Record bytes. */
  readonly bytes: Uint8Array;
  /** A DataView over exactly `bytes`. */
  readonly view: DataView;
  /** How to read them. */
  readonly codec: Codec;
  /** File offset of `bytes[0]`, for records stored back to back. */
  readonly fileOffset: number;
  /** File offset of each record, when records were reframed (FreeBSD utx.log). */
  readonly offsets: readonly number[] | undefined;
  /** Record index (in the file) of the first record. */
  readonly firstIndex: number;
  /**
   * Problems the reader met inside this run, each before the record it
   * precedes (`before`: the record's position in the chunk, or the record
   * count for one after the last), in order: FreeBSD utx.log's zero lengths.
   */
  readonly problems: readonly ChunkProblem[] | undefined;
  /**
   * The reader has read other records into `bytes` (`reuseBuffers`): the
   * records' fields can no longer be read from them.
   */
  retired: boolean;
}

/** Device paths of recent lines ("pts/0" → "/dev/pts/0"): lines repeat all through a file, and so would the strings. */
const DEVICE_PATHS = new Map<string, string>();

/** {@link devicePath}, remembered for the lines a file repeats. */
function devicePathOf(line: string): string {
  let path = DEVICE_PATHS.get(line);
  if (path === undefined) {
    path = devicePath(line);
    if (DEVICE_PATHS.size >= 4096) DEVICE_PATHS.clear();
    DEVICE_PATHS.set(line, path);
  }
  return path;
}

/**
 * A record's chunk, while its bytes are still the record's (see
 * `UtmpFileOptions.reuseBuffers`).
 *
 * @throws {TypeError} When the reader has read newer records into them.
 */
function live(chunk: Chunk, record: UtmpRecord): Chunk {
  if (!chunk.retired) return chunk;
  throw new TypeError(
    `Cannot read record ${record.index} at byte offset ${record.offset}: its buffer holds newer records (reuseBuffers keeps a record readable while the loop is in its chunk or the next); keep record.toJSON() of records you hold on to`,
  );
}

/**
 * A {@link UtmpRecord} read from record bytes: a lazy view over them.
 *
 * @example Fields of a record
 * ```ts
 * import { decodeRecord, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array(384);
 * const view = new DataView(bytes.buffer);
 * view.setInt16(0, 7, true); // USER_PROCESS
 * view.setInt32(4, 4242, true); // ut_pid
 * bytes.set(new TextEncoder().encode("pts/3"), 8); // ut_line
 * bytes.set(new TextEncoder().encode("alice"), 44); // ut_user
 * view.setUint32(340, 1700000000, true); // tv_sec
 * view.setInt32(344, 123456, true); // tv_usec
 * bytes.set([10, 0, 0, 5], 348); // ut_addr_v6
 *
 * const u = decodeRecord(bytes, LAYOUTS.linux);
 * assert.equal(u.ut_type, "USER_PROCESS");
 * assert.equal(u.ut_user_process, true);
 * assert.equal(u.ut_line, "/dev/pts/3");
 * assert.equal(u.ut_user, "alice");
 * assert.deepEqual(u.ut_tv, { tv_sec: 1700000000, tv_usec: 123456 });
 * assert.equal(u.ut_time.toISOString(), "2023-11-14T22:13:20.123Z");
 * assert.deepEqual(u.ut_addr, [10, 0, 0, 5]);
 * assert.equal(u.ut_addr_text, "10.0.0.5");
 * ```
 */
export class RecordView extends RecordBase implements UtmpRecord {
  #chunk: Chunk;
  #at: number;
  #name: UtTypeName | undefined;

  /**
   * Records are made by readers; use {@link decodeRecord} for bytes you hold.
   *
   * @param chunk The bytes the record lives in.
   * @param at Offset of the record in `chunk.bytes`.
   * @param name The type name, when the reader already knows it.
   */
  constructor(chunk: Chunk, at: number, name?: UtTypeName) {
    super();
    this.#chunk = chunk;
    this.#at = at;
    this.#name = name;
  }

  /**
   * Makes this view the view of another record: for a loop that reads each
   * record once and keeps none (the command line's formatters), one view
   * for a whole file instead of one per record. Never for a record handed
   * to a caller.
   *
   * @param chunk The bytes the record lives in.
   * @param at Offset of the record in `chunk.bytes`.
   * @param name The type name, when the reader already knows it.
   * @returns This view.
   */
  moveTo(chunk: Chunk, at: number, name?: UtTypeName): this {
    this.#chunk = chunk;
    this.#at = at;
    this.#name = name;
    return this;
  }

  /** Type name ("USER_PROCESS", "BOOT_TIME", ...). */
  get ut_type(): UtTypeName {
    const { bytes, view, codec } = live(this.#chunk, this);
    return this.#name ??= codec.typeName(bytes, view, this.#at) ?? "UNKNOWN";
  }

  /** The stored type number in the layout's own numbering (-1 when the layout has none). */
  get ut_type_raw(): number {
    const { codec, view } = live(this.#chunk, this);
    return codec.typeCode(view, this.#at);
  }

  /** True for USER_PROCESS records. */
  get ut_user_process(): boolean {
    return this.ut_type === "USER_PROCESS";
  }

  /** Always "": record files keep no PAM service. */
  get ut_service(): string {
    return "";
  }

  /** Process id. */
  get ut_pid(): number {
    const { codec, view } = live(this.#chunk, this);
    return codec.pid(view, this.#at);
  }

  /** User name (cut at the first NUL or the field width; invalid UTF-8 becomes U+FFFD). */
  get ut_user(): string {
    const { bytes, view, codec } = live(this.#chunk, this);
    return codec.text.ut_user(bytes, view, this.#at);
  }

  /** Device path ("/dev/pts/0"), or the stored line when it is not a device (see {@link devicePath}). */
  get ut_line(): string {
    const { bytes, view, codec } = live(this.#chunk, this);
    return devicePathOf(codec.text.ut_line(bytes, view, this.#at));
  }

  /** inittab id or terminal suffix. */
  get ut_id(): string {
    const { bytes, view, codec } = live(this.#chunk, this);
    return codec.text.ut_id(bytes, view, this.#at);
  }

  /** Remote host, X display, or kernel release on boot records. */
  get ut_host(): string {
    const { bytes, view, codec } = live(this.#chunk, this);
    return codec.text.ut_host(bytes, view, this.#at);
  }

  /** Exit status of a DEAD_PROCESS. */
  get ut_exit(): UtExit {
    const { codec, view } = live(this.#chunk, this);
    return { e_termination: codec.termination(view, this.#at), e_exit: codec.exit(view, this.#at) };
  }

  /** `ut_exit.e_exit`, as pyutmp named it. */
  get ut_exit_code(): number {
    const { codec, view } = live(this.#chunk, this);
    return codec.exit(view, this.#at);
  }

  /** Session id. */
  get ut_session(): number {
    const { codec, view } = live(this.#chunk, this);
    return codec.session(view, this.#at);
  }

  /** Time with full microseconds. */
  get ut_tv(): UtTimeval {
    const { codec, view } = live(this.#chunk, this);
    return { tv_sec: codec.sec(view, this.#at), tv_usec: codec.usec(view, this.#at) };
  }

  /** `ut_tv.tv_sec`, without making `ut_tv`. */
  get seconds(): number {
    const { codec, view } = live(this.#chunk, this);
    return codec.sec(view, this.#at);
  }

  /** Time as a Date: milliseconds, microseconds truncated. */
  get ut_time(): Date {
    const { codec, view } = live(this.#chunk, this);
    const at = this.#at;
    return new Date(codec.sec(view, at) * 1000 + Math.trunc(codec.usec(view, at) / 1000));
  }

  /** Address octets: 4 for IPv4, 16 for IPv6, [0, 0, 0, 0] when unset. */
  get ut_addr(): number[] {
    const { bytes, view, codec } = live(this.#chunk, this);
    return codec.addr(bytes, view, this.#at);
  }

  /** Address as text, as `inet_ntop` writes it. */
  get ut_addr_text(): string {
    const { bytes, view, codec } = live(this.#chunk, this);
    return codec.addrText(bytes, view, this.#at);
  }

  /**
   * A string field's stored bytes as a byte string (one char per byte up to
   * the NUL; the line without "/dev/"): what `raw` holds, without making views.
   *
   * @param field The field.
   * @returns The byte string.
   */
  storedText(field: TextField): string {
    const { bytes, view, codec } = live(this.#chunk, this);
    const text = codec.byteText;
    // One call site per field (a keyed call here would be megamorphic).
    switch (field) {
      case "ut_user":
        return text.ut_user(bytes, view, this.#at);
      case "ut_line":
        return text.ut_line(bytes, view, this.#at);
      case "ut_id":
        return text.ut_id(bytes, view, this.#at);
      case "ut_host":
        return text.ut_host(bytes, view, this.#at);
    }
  }

  /** Raw bytes of the record and its string fields (views into the read buffer). */
  get raw(): UtRawBytes | undefined {
    const { bytes, codec } = live(this.#chunk, this);
    const f = codec.layout.fields;
    const at = this.#at;
    return {
      record: bytes.subarray(at, at + codec.layout.size),
      ut_user: rawChars(bytes, at, f.ut_user),
      ut_line: rawChars(bytes, at, f.ut_line),
      ut_id: rawChars(bytes, at, f.ut_id),
      ut_host: rawChars(bytes, at, f.ut_host),
    };
  }

  /** Name of the layout the record was decoded with. */
  get layout(): string {
    return this.#chunk.codec.layout.name;
  }

  /** Byte offset of the record in its file. */
  get offset(): number {
    const { offsets, fileOffset, codec } = this.#chunk;
    return offsets === undefined ? fileOffset + this.#at : offsets[this.#at / codec.layout.size]!;
  }

  /** Position of the record in its file, from 0. */
  get index(): number {
    return this.#chunk.firstIndex + this.#at / this.#chunk.codec.layout.size;
  }
}

/**
 * Wraps record bytes as a {@link Chunk} for {@link UtmpRecord}.
 *
 * @param bytes Records back to back.
 * @param layout Their layout.
 * @param fileOffset File offset of `bytes[0]`.
 * @param firstIndex Record index of the first record.
 * @param offsets File offset of each record, when they are not back to back in the file.
 * @param problems Problems met inside the run (see `Chunk.problems`).
 * @returns The chunk.
 */
export function makeChunk(
  bytes: Uint8Array,
  layout: Layout,
  fileOffset: number,
  firstIndex: number,
  offsets?: readonly number[],
  problems?: readonly ChunkProblem[],
): Chunk {
  const chunk: Chunk = {
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    codec: codecOf(layout),
    fileOffset,
    firstIndex,
    offsets,
    problems: problems !== undefined && problems.length > 0 ? problems : undefined,
    retired: false,
  };
  return chunk;
}

/**
 * The records of a chunk, the one walk over one: first to last, or last to
 * first (`reverse`: `last` reads a history newest first), each with its
 * type name ("UNKNOWN" for an impossible one). With `reuse`, that one view
 * is moved from record to record instead of a view made for each: for a
 * loop that keeps none (the command line's formatters).
 *
 * @param chunk The chunk.
 * @param options The direction, and the view to reuse.
 * @returns The records.
 */
export function* recordsOf(
  chunk: Chunk,
  options: { reverse?: boolean; reuse?: RecordView | undefined } = {},
): Generator<RecordView, void, undefined> {
  const { bytes, view, codec } = chunk;
  const size = codec.layout.size;
  const reuse = options.reuse;
  const record = (at: number): RecordView => {
    const name = codec.typeName(bytes, view, at) ?? "UNKNOWN";
    return reuse === undefined ? new RecordView(chunk, at, name) : reuse.moveTo(chunk, at, name);
  };
  if (options.reverse) { for (let at = bytes.length - size; at >= 0; at -= size) yield record(at); }
  else for (let at = 0; at + size <= bytes.length; at += size) yield record(at);
}

/**
 * A copy of a record that no longer keeps its read chunk (up to 256 KiB) alive.
 *
 * @param u A record.
 * @returns The record itself when it holds no chunk, else a view over a copy of its bytes.
 */
export function detach(u: UtmpRecord): UtmpRecord {
  const raw = u.raw;
  if (raw === undefined || raw.record.length === 0 || raw.record.buffer.byteLength === raw.record.length) return u;
  let layout: Layout;
  try {
    layout = getLayout(u.layout);
  } catch {
    return u;
  }
  return new RecordView(makeChunk(raw.record.slice(), layout, u.offset, u.index), 0, u.ut_type);
}

/**
 * Decodes one record from bytes you hold.
 *
 * @example One glibc record
 * ```ts
 * import { decodeRecord, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array(384);
 * bytes.set(new TextEncoder().encode("tty1"), 8);
 * assert.equal(decodeRecord(bytes, LAYOUTS.linux).ut_line, "/dev/tty1");
 * ```
 *
 * @param bytes Bytes holding the record (for `freebsd-log`: the 197-byte record without its length prefix;
 * {@link decodeRecords} reads the framing).
 * @param layout Its layout.
 * @param offset Where the record starts in `bytes` (default 0).
 * @returns The record (a view over `bytes`).
 * @throws {RangeError} When `bytes` is too short for a record at `offset`.
 */
export function decodeRecord(bytes: Uint8Array, layout: Layout, offset = 0): UtmpRecord {
  if (offset < 0 || offset + layout.size > bytes.length) {
    throw new RangeError(
      `Cannot decode a ${layout.size}-byte "${layout.name}" record at offset ${offset}: only ${bytes.length} bytes`,
    );
  }
  return new RecordView(makeChunk(bytes, layout, 0, 0), offset);
}

/**
 * Decodes every whole record in `bytes` (a trailing partial record is left
 * out). For a framed layout (`freebsd-log`) the records follow their length
 * prefixes, and each record's `offset` is that of its prefix.
 *
 * @example All records of a buffer
 * ```ts
 * import { decodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal([...decodeRecords(new Uint8Array(3 * 400 + 7), LAYOUTS.linux64)].length, 3);
 * ```
 *
 * @example A FreeBSD utx.log
 * ```ts
 * import { decodeRecords, encodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const log = encodeRecords(LAYOUTS["freebsd-log"], [
 *   { ut_type: "BOOT_TIME", tv_sec: 1700000000, tv_usec: 1 },
 *   { ut_type: "USER_PROCESS", ut_user: "root", ut_line: "pts/0", tv_sec: 1700000060 },
 * ]);
 * const records = [...decodeRecords(log, LAYOUTS["freebsd-log"])];
 * assert.deepEqual(records.map((u) => [u.offset, u.ut_type, u.ut_user]), [
 *   [0, "BOOT_TIME", ""],
 *   [11, "USER_PROCESS", "root"],
 * ]);
 * ```
 *
 * @param bytes Bytes holding records back to back.
 * @param layout Their layout.
 * @returns The records.
 */
export function* decodeRecords(bytes: Uint8Array, layout: Layout): Generator<UtmpRecord> {
  if (isFramed(layout)) {
    // A chunk of records at a time: 3-byte frames must not make 197-byte slots by the million at once.
    const per = recordsPerChunk(layout.size);
    for (let at = 0, index = 0; at < bytes.length;) {
      const { frames, end } = scanFrames(bytes.subarray(at), layout.size, per);
      if (frames.length === 0) return;
      const offsets = frames.map((f) => at + f.start);
      const chunk = makeChunk(unframe(bytes.subarray(at), frames, layout.size), layout, 0, index, offsets);
      for (let i = 0; i < frames.length; i++) yield new RecordView(chunk, i * layout.size);
      at += end;
      index += frames.length;
    }
    return;
  }
  const chunk = makeChunk(bytes, layout, 0, 0);
  for (let at = 0; at + layout.size <= bytes.length; at += layout.size) yield new RecordView(chunk, at);
}
