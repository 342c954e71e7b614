/**
 * The record contract: one {@link UtmpRecord} shape for every layout and
 * backend.
 *
 * @module
 */

import { type Codec, codecOf, type Layout, rawChars, type TextField } from "./layouts/_engine.ts";
import type { UtTypeName } from "./types.ts";

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
  readonly offsets?: readonly number[];
  /** Record index (in the file) of the first record. */
  readonly firstIndex: number;
  /**
   * The reader has read other records into `bytes` (`reuseBuffers`): the
   * records' fields can no longer be read from them.
   */
  retired: boolean;
}

/** `struct exit_status`. */
export interface UtExit {
  /** Process termination status. */
  e_termination: number;
  /** Process exit status. */
  e_exit: number;
}

/** `struct timeval` with full microseconds. */
export interface UtTimeval {
  /** Seconds since 1970-01-01T00:00:00Z. */
  tv_sec: number;
  /** Microseconds, normally 0..999999. */
  tv_usec: number;
}

/** The raw bytes behind a record's fields: views, not copies. */
export interface UtRawBytes {
  /** The whole stored record. */
  record: Uint8Array;
  /** `ut_user` up to its first NUL. */
  ut_user: Uint8Array;
  /** The stored `ut_line` (no "/dev/") up to its first NUL. */
  ut_line: Uint8Array;
  /** `ut_id` up to its first NUL. */
  ut_id: Uint8Array;
  /** `ut_host` up to its first NUL. */
  ut_host: Uint8Array;
}

/** A record as a plain object: what {@link UtmpRecord.toJSON} returns. */
export interface UtmpRecordObject {
  /** Type name. */
  ut_type: UtTypeName;
  /** The stored type number (layout numbering; -1 for layouts without a type). */
  ut_type_raw: number;
  /** Process id. */
  ut_pid: number;
  /** Device path ("/dev/pts/0"), or the stored line when it is not a device. */
  ut_line: string;
  /** inittab id / terminal suffix. */
  ut_id: string;
  /** User name. */
  ut_user: string;
  /** Remote host, display or kernel release. */
  ut_host: string;
  /** Exit status of a DEAD_PROCESS. */
  ut_exit: UtExit;
  /** `ut_exit.e_exit`. */
  ut_exit_code: number;
  /** Session id. */
  ut_session: number;
  /** Time with microseconds. */
  ut_tv: UtTimeval;
  /** Time as a Date (milliseconds, microseconds truncated). */
  ut_time: Date;
  /** Address octets: 4 for IPv4, 16 for IPv6. */
  ut_addr: number[];
  /** Address as text ("10.0.0.5", "2001:db8::1"). */
  ut_addr_text: string;
  /** True for USER_PROCESS records. */
  ut_user_process: boolean;
  /** Where the record came from: a layout name ("linux", ...) or another source ("logind", "wtmpdb"). */
  layout: string;
  /** Byte offset of the record in its file (-1 for records not read from a record file). */
  offset: number;
  /** Position of the record in its source, from 0. */
  index: number;
}

/**
 * One login record, in the same shape for every layout, backend and source.
 * Fields keep their C names (`ut_user`, `ut_line`, `ut_time`, ...).
 *
 * Records read from files are lazy views over the bytes they were read from:
 * numbers are read and strings decoded when first asked for, so code that
 * only filters on `ut_type` never decodes a string. Such a record keeps its
 * read chunk (up to 256 KiB) alive; to keep many records of a large file, keep
 * `record.toJSON()` instead.
 */
export interface UtmpRecord extends Readonly<UtmpRecordObject> {
  /** Raw bytes of the record and its string fields, for records read from bytes. */
  readonly raw: UtRawBytes | undefined;
  /**
   * Every field as a plain object (JSON turns `ut_time` into ISO text).
   *
   * @returns A plain object that no longer refers to the read buffer.
   */
  toJSON(): UtmpRecordObject;
}

/**
 * Maps a stored `ut_line` to the contract's `ut_line`: "/dev/" + the line for
 * device lines; unchanged when empty, already absolute, a marker ("~" for
 * boot/shutdown/run level, "|", "{", "}" for clock changes), or not a device
 * name at all (an X display ":0", "ssh:notty", Solaris "system boot").
 *
 * @example Device and non-device lines
 * ```ts
 * import { devicePath } from "@utmp/utmp";
 * import assert from "node:assert/strict";
 *
 * assert.equal(devicePath("pts/0"), "/dev/pts/0");
 * assert.equal(devicePath("~"), "~");
 * assert.equal(devicePath(":0"), ":0");
 * ```
 *
 * @param line The stored line.
 * @returns The full device path, or the line unchanged.
 */
export function devicePath(line: string): string {
  if (line === "") return line;
  const c = line.charCodeAt(0);
  // "/" absolute, "~" boot/run level, "|" "{" "}" clock changes.
  if (c === 0x2f || c === 0x7e || c === 0x7c || c === 0x7b || c === 0x7d) return line;
  if (line.includes(":") || line.includes(" ")) return line;
  return "/dev/" + line;
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
 * What every {@link UtmpRecord} class shares: `toJSON()` and how `console.log`
 * shows a record (its fields, not the class's internals).
 */
export abstract class RecordBase {
  /**
   * Every field as a plain object (JSON turns `ut_time` into ISO text).
   *
   * @returns A plain object that no longer refers to the read buffer.
   */
  toJSON(this: UtmpRecord): UtmpRecordObject {
    return {
      ut_type: this.ut_type,
      ut_type_raw: this.ut_type_raw,
      ut_pid: this.ut_pid,
      ut_line: this.ut_line,
      ut_id: this.ut_id,
      ut_user: this.ut_user,
      ut_host: this.ut_host,
      ut_exit: this.ut_exit,
      ut_exit_code: this.ut_exit_code,
      ut_session: this.ut_session,
      ut_tv: this.ut_tv,
      ut_time: this.ut_time,
      ut_addr: this.ut_addr,
      ut_addr_text: this.ut_addr_text,
      ut_user_process: this.ut_user_process,
      layout: this.layout,
      offset: this.offset,
      index: this.index,
    };
  }

  /** Shows the fields in `console.log` under Deno. */
  [Symbol.for("Deno.customInspect")](
    this: UtmpRecord,
    inspect: (v: unknown, o: unknown) => string,
    options: unknown,
  ): string {
    return `UtmpRecord ${inspect(this.toJSON(), options)}`;
  }

  /** Shows the fields in `console.log` under Node and Bun. */
  [Symbol.for("nodejs.util.inspect.custom")](
    this: UtmpRecord,
    _depth: number,
    options: unknown,
    inspect: (v: unknown, o: unknown) => string,
  ): string {
    return `UtmpRecord ${inspect(this.toJSON(), options)}`;
  }
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
  readonly #chunk: Chunk;
  readonly #at: number;
  #name: UtTypeName | undefined;
  #user: string | undefined;
  #line: string | undefined;
  #host: string | undefined;

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

  /** Process id. */
  get ut_pid(): number {
    const { codec, view } = live(this.#chunk, this);
    return codec.pid(view, this.#at);
  }

  /** User name (cut at the first NUL or the field width; invalid UTF-8 becomes U+FFFD). */
  get ut_user(): string {
    const user = this.#user;
    const { bytes, view, codec } = live(this.#chunk, this);
    return user ?? (this.#user = codec.text.ut_user(bytes, view, this.#at));
  }

  /** Device path ("/dev/pts/0"), or the stored line when it is not a device (see {@link devicePath}). */
  get ut_line(): string {
    const line = this.#line;
    const { bytes, view, codec } = live(this.#chunk, this);
    return line ?? (this.#line = devicePath(codec.text.ut_line(bytes, view, this.#at)));
  }

  /** inittab id or terminal suffix. */
  get ut_id(): string {
    const { bytes, view, codec } = live(this.#chunk, this);
    return codec.text.ut_id(bytes, view, this.#at);
  }

  /** Remote host, X display, or kernel release on boot records. */
  get ut_host(): string {
    const host = this.#host;
    const { bytes, view, codec } = live(this.#chunk, this);
    return host ?? (this.#host = codec.text.ut_host(bytes, view, this.#at));
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

  /** Time as a Date: milliseconds, microseconds truncated. */
  get ut_time(): Date {
    const { codec, view } = live(this.#chunk, this);
    return new Date(codec.sec(view, this.#at) * 1000 + Math.trunc(codec.usec(view, this.#at) / 1000));
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
 * @returns The chunk.
 */
export function makeChunk(
  bytes: Uint8Array,
  layout: Layout,
  fileOffset: number,
  firstIndex: number,
  offsets?: readonly number[],
): Chunk {
  const chunk: Chunk = {
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    codec: codecOf(layout),
    fileOffset,
    firstIndex,
    retired: false,
  };
  return offsets === undefined ? chunk : { ...chunk, offsets };
}
