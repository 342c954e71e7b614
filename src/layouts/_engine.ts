/**
 * The one decode engine. A {@link Layout} is a data table of explicit byte
 * offsets (checked against `offsetof` in the C headers cited by each layout
 * file); {@link compileLayout} turns it into a {@link Codec}: one small reader
 * function per field. Records read their fields through the codec on demand.
 *
 * This module does no I/O and imports nothing from `ffi/` or the runtime
 * module, so it runs with no permissions at all.
 *
 * @module
 */

import type { UtTypeName } from "../types.ts";

/** Byte order of a layout's integers. `"pdp"` is the PDP-11 order of 32-bit longs (V7). */
export type Endian = "le" | "be" | "pdp";

/** Integer encodings a field may use. */
export type IntType = "u8" | "i16" | "u16" | "i32" | "u32" | "i64" | "u64";

/** An integer field: its byte offset in the record and its C type. */
export interface IntField {
  /** Byte offset from the start of the record. */
  readonly offset: number;
  /** Width and signedness. */
  readonly type: IntType;
}

/** A fixed-width `char[size]` field, cut at the first NUL or the width. */
export interface CharField {
  /** Byte offset from the start of the record. */
  readonly offset: number;
  /** Always `"char"`. */
  readonly type: "char";
  /** Width of the array in bytes. */
  readonly size: number;
}

/**
 * An address field.
 * - `"in6"`: glibc's `int32_t ut_addr_v6[4]`: 16 raw network-order bytes; IPv4
 *   when only the first word is set.
 * - `"in4"`: one 4-byte IPv4 address stored in network order (HP-UX, libc5).
 * - `"sockaddr"`: a `struct sockaddr_storage` (NetBSD): `ss_len`, family 2
 *   (IPv4 at +4) or 24 (IPv6 at +8).
 */
export interface AddrField {
  /** Byte offset from the start of the record. */
  readonly offset: number;
  /** How the address is stored. */
  readonly type: "in6" | "in4" | "sockaddr";
  /** Width of the field in bytes. */
  readonly size: number;
}

/**
 * The fields of a layout, by contract name. A field a format does not have
 * is left out and reads as its neutral value (0, "" or 0.0.0.0).
 */
export interface LayoutFields {
  /** Record type; absent in formats without one (BSD, V7), see {@link Layout.deriveType}. */
  readonly ut_type?: IntField;
  /** Process id. */
  readonly ut_pid?: IntField;
  /** Terminal line, without "/dev/". */
  readonly ut_line?: CharField;
  /** inittab id or terminal suffix. */
  readonly ut_id?: CharField;
  /** User name. */
  readonly ut_user?: CharField;
  /** Remote host, X display or kernel release. */
  readonly ut_host?: CharField;
  /** `ut_exit.e_termination`. */
  readonly e_termination?: IntField;
  /** `ut_exit.e_exit`. */
  readonly e_exit?: IntField;
  /** Session id. */
  readonly ut_session?: IntField;
  /** Seconds since the epoch. */
  readonly tv_sec?: IntField;
  /** Microseconds within the second. */
  readonly tv_usec?: IntField;
  /** Microseconds since the epoch in one integer (FreeBSD `fu_tv`), instead of tv_sec/tv_usec. */
  readonly tv_us?: IntField;
  /** Remote address. */
  readonly ut_addr?: AddrField;
}

/** What kind of file a layout describes. */
export type LayoutKind = "utmp" | "lastlog";

/** How a layout's records follow each other in a file. */
export type Framing =
  /** Records of exactly `size` bytes, one after the other. */
  | "fixed"
  /** A big-endian uint16 length, then that many bytes of the record with its trailing zero bytes cut (FreeBSD utx.log). */
  | "u16be";

/**
 * One on-disk (or in-memory) record format, described as data.
 *
 * @example Reading the table
 * ```ts
 * import { LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const linux = LAYOUTS.linux;
 * assert.equal(linux.size, 384);
 * assert.equal(linux.fields.ut_user?.offset, 44);
 * ```
 */
export interface Layout {
  /** Name accepted by the `layout` option. */
  readonly name: string;
  /** utmp-style records or lastlog slots. */
  readonly kind: LayoutKind;
  /** Record size in bytes. */
  readonly size: number;
  /** Byte order of integer fields. */
  readonly endian: Endian;
  /** How records are framed in a file; `"fixed"` when absent. */
  readonly framing?: Framing;
  /** One line saying which systems write it. */
  readonly description: string;
  /** Where the offsets come from (header, commit, verification). */
  readonly source: string;
  /** Field table. */
  readonly fields: LayoutFields;
  /** Stored type number → contract name. Numbers not listed are impossible types. */
  readonly types: Readonly<Record<number, UtTypeName>>;
  /**
   * For formats without `ut_type`: derive it as FORMATS.md and python-utmp do
   * ("~" line → BOOT_TIME, empty user → DEAD_PROCESS, else USER_PROCESS).
   */
  readonly deriveType?: (line: string, user: string) => UtTypeName;
  /** Default file paths on the system that writes this layout. */
  readonly paths?: readonly string[];
  /**
   * The `ut_user` of the SIGNATURE record that the system's C library writes
   * first into a new file ("utmpx-1.00" on macOS, "utmpx-2.00" on NetBSD):
   * detection takes it as a magic number.
   */
  readonly signature?: string;
  /**
   * `false` for layouts that `layout: "auto"` never chooses because their
   * records cannot be told apart from a sibling's (the 36-byte BSD and System V
   * records, V7): when one of them fits a file as well as the best other
   * layout, detection fails and asks for the `layout` option.
   */
  readonly autodetect?: boolean;
  /** `ut_id` holds opaque bytes, not text (FreeBSD console logins), so detection does not require it to be printable. */
  readonly opaqueId?: boolean;
  /**
   * The fields each record type stores, when the writer zeroes the others
   * (FreeBSD `utx_to_futx`): detection requires the others to be zero.
   */
  readonly storedFields?: Readonly<Partial<Record<UtTypeName, readonly (keyof LayoutFields)[]>>>;
}

/**
 * Width of a field in bytes.
 *
 * @param field A field of a layout.
 * @returns Its size.
 */
export function fieldWidth(field: IntField | CharField | AddrField): number {
  if ("size" in field) return field.size;
  return INT_WIDTH[field.type];
}

const INT_WIDTH: Readonly<Record<IntType, number>> = { u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, i64: 8, u64: 8 };

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

/** Reads an integer field at a record's offset. */
export type IntReader = (view: DataView, record: number) => number;

/** Reads a `char[N]` field at a record's offset (see {@link readChars}); `view` is a DataView over exactly `bytes`. */
export type TextReader = (bytes: Uint8Array, view: DataView, record: number) => string;

/** Reads an address field's octets at a record's offset: 4 for IPv4, 16 for IPv6, [0, 0, 0, 0] when unset. */
export type AddrReader = (bytes: Uint8Array, view: DataView, record: number) => number[];

/** A {@link Layout} compiled into reader functions; built once per layout. */
export interface Codec {
  /** The layout this codec reads. */
  readonly layout: Layout;
  /** Stored type number (layout numbering), or -1 when the layout has no type field. */
  readonly typeCode: IntReader;
  /** Type name of the record, or `undefined` for a number the layout does not define. */
  readonly typeName: (bytes: Uint8Array, view: DataView, record: number) => UtTypeName | undefined;
  /** ut_pid. */
  readonly pid: IntReader;
  /** e_termination. */
  readonly termination: IntReader;
  /** e_exit. */
  readonly exit: IntReader;
  /** ut_session. */
  readonly session: IntReader;
  /** Whole seconds since the epoch. */
  readonly sec: IntReader;
  /** Microseconds within the second. */
  readonly usec: IntReader;
  /** The string fields, decoded as {@link readChars} does (`ut_line` as stored, without "/dev/"). */
  readonly text: Readonly<Record<TextField, TextReader>>;
  /**
   * The string fields as byte strings: one char per stored byte up to the
   * NUL, as the C tools compare and print them ({@link byteChars}).
   */
  readonly byteText: Readonly<Record<TextField, TextReader>>;
  /** ut_addr's octets. */
  readonly addr: AddrReader;
  /** ut_addr as text, as `inet_ntop` writes it ({@link formatAddress}); "0.0.0.0" when unset. */
  readonly addrText: TextReader;
}

/** The `char[N]` fields of the record contract. */
export type TextField = "ut_user" | "ut_line" | "ut_id" | "ut_host";

const ZERO: IntReader = () => 0;

function intReader(field: IntField | undefined, endian: Endian): IntReader {
  if (field === undefined) return ZERO;
  const o = field.offset;
  const le = endian !== "be";
  switch (field.type) {
    case "u8":
      return (v, r) => v.getUint8(r + o);
    case "i16":
      return (v, r) => v.getInt16(r + o, le);
    case "u16":
      return (v, r) => v.getUint16(r + o, le);
    case "i32":
      if (endian === "pdp") return (v, r) => pdpLong(v, r + o) | 0;
      return (v, r) => v.getInt32(r + o, le);
    case "u32":
      if (endian === "pdp") return (v, r) => pdpLong(v, r + o);
      return (v, r) => v.getUint32(r + o, le);
    case "i64":
    case "u64": {
      // hi * 2^32 + lo is exact up to 2^53 and avoids a BigInt per read.
      const hi = le ? o + 4 : o;
      const lo = le ? o : o + 4;
      if (field.type === "i64") {
        return (v, r) => v.getInt32(r + hi, le) * 4294967296 + v.getUint32(r + lo, le);
      }
      return (v, r) => v.getUint32(r + hi, le) * 4294967296 + v.getUint32(r + lo, le);
    }
  }
}

/** PDP-11 long: most significant 16-bit word first, each word little-endian. */
function pdpLong(v: DataView, at: number): number {
  return (v.getUint16(at, true) * 65536 + v.getUint16(at + 2, true));
}

/**
 * Compiles a layout table into reader functions.
 *
 * @param layout The layout to compile.
 * @returns Its codec.
 */
function compileLayout(layout: Layout): Codec {
  const f = layout.fields;
  const e = layout.endian;
  let sec = intReader(f.tv_sec, e);
  let usec = intReader(f.tv_usec, e);
  if (f.tv_us !== undefined) {
    const us = intReader(f.tv_us, e);
    sec = (v, r) => Math.floor(us(v, r) / 1e6);
    usec = (v, r) => {
      const t = us(v, r);
      return t - Math.floor(t / 1e6) * 1e6;
    };
  }
  const typeCode = f.ut_type === undefined ? () => -1 : intReader(f.ut_type, e);
  const { types, deriveType } = layout;
  const typeName: Codec["typeName"] = deriveType === undefined
    ? (_b, v, r) => types[typeCode(v, r)]
    : (b, _v, r) => deriveType(readChars(b, r, f.ut_line), readChars(b, r, f.ut_user));
  return {
    layout,
    typeCode,
    typeName,
    pid: intReader(f.ut_pid, e),
    termination: intReader(f.e_termination, e),
    exit: intReader(f.e_exit, e),
    session: intReader(f.ut_session, e),
    sec,
    usec,
    text: textReaders(f, readChars),
    byteText: textReaders(f, byteChars),
    ...addrReaders(f.ut_addr),
  };
}

const codecs = new WeakMap<Layout, Codec>();

/**
 * The codec of a layout, compiled on first use.
 *
 * @param layout A layout table.
 * @returns Its codec.
 */
export function codecOf(layout: Layout): Codec {
  let codec = codecs.get(layout);
  if (codec === undefined) {
    codec = compileLayout(layout);
    codecs.set(layout, codec);
  }
  return codec;
}

const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/**
 * Whether `bytes[at, at + size)` are all zero (an unused slot, an unset field).
 *
 * @param bytes Bytes.
 * @param at First byte.
 * @param size How many.
 * @returns True when every byte is 0.
 */
export function isZero(bytes: Uint8Array, at: number, size: number): boolean {
  for (let i = at; i < at + size; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * Whether `a[aAt, aAt + length)` holds the same bytes as `b[bAt, bAt + length)`.
 *
 * @param a Bytes.
 * @param aAt First byte in `a`.
 * @param b Other bytes.
 * @param bAt First byte in `b`.
 * @param length How many.
 * @returns True when they are the same.
 */
export function sameBytes(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[aAt + i] !== b[bAt + i]) return false;
  return true;
}

/**
 * End of a C string in `bytes[start, start + width)`: the index of the first
 * NUL, or `start + width` when the field is full.
 *
 * @param bytes Record bytes.
 * @param start First byte of the field.
 * @param width Field width.
 * @returns Index one past the last string byte.
 */
export function cstrEnd(bytes: Uint8Array, start: number, width: number): number {
  const end = start + width;
  for (let i = start; i < end; i++) if (bytes[i] === 0) return i;
  return end;
}

/**
 * Decodes `bytes[start, end)` as UTF-8, with U+FFFD for invalid bytes.
 * ASCII, the common case, skips the TextDecoder.
 *
 * @param bytes Record bytes.
 * @param start First byte.
 * @param end One past the last byte.
 * @returns The string.
 */
function decodeText(bytes: Uint8Array, start: number, end: number): string {
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) return utf8.decode(bytes.subarray(start, end));
  }
  return latin1(bytes, start, end);
}

/** One char per byte. */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 0) return "";
  return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}

/*
 * Recently read strings, by a hash of their bytes: user names, lines, ids and
 * hosts repeat all through a wtmp file, so most fields come out of this table
 * instead of becoming new strings. A slot holds a string, its length and its
 * bytes as little-endian 32-bit words; it is returned only after every word
 * is compared with the record's, so a hash collision costs a decode, never a
 * wrong string. Direct-mapped: a new string replaces the slot's old one.
 */
const SLOTS = 4096;
/** Words kept per slot: strings of up to 64 bytes are interned; longer ones are decoded every time. */
const SLOT_WORDS = 16;
const slotText: string[] = new Array<string>(SLOTS).fill("");
const slotLength = new Int32Array(SLOTS).fill(-1);
const slotWords = new Int32Array(SLOTS * SLOT_WORDS);
/** The words of the field being read. */
const scratch = new Int32Array(SLOT_WORDS);

/** Reads a `char[N]` field from bytes alone: {@link readChars} or {@link byteChars}. */
type CharsReader = (bytes: Uint8Array, record: number, field: CharField | undefined) => string;

function textReaders(fields: LayoutFields, decode: CharsReader): Record<TextField, TextReader> {
  return {
    ut_user: textReader(fields.ut_user, decode),
    ut_line: textReader(fields.ut_line, decode),
    ut_id: textReader(fields.ut_id, decode),
    ut_host: textReader(fields.ut_host, decode),
  };
}

/**
 * Compiles the reader of a `char[N]` field: `decode`, but through
 * {@link internedText} where ASCII reads the same whichever way it is
 * decoded. A field with a byte >= 0x80 (UTF-8, or garbage after the NUL), or
 * a width that is not a multiple of 4, is read by `decode`.
 */
function textReader(field: CharField | undefined, decode: CharsReader): TextReader {
  if (field === undefined) return () => "";
  const { offset, size } = field;
  if (size % 4 !== 0) return (bytes, _view, record) => decode(bytes, record, field);
  return (bytes, view, record) => internedText(bytes, view, record + offset, size) ?? decode(bytes, record, field);
}

/**
 * An ASCII `char[size]` field at `start`, four bytes at a time, from the
 * table of recent strings when it is there.
 *
 * @returns The string, or `undefined` when the field has a byte >= 0x80.
 */
function internedText(bytes: Uint8Array, view: DataView, start: number, size: number): string | undefined {
  let hash = 0x811c9dc5; // FNV-1a, a word at a time
  let length = size;
  /** How many words hold the string (the last one maybe in part). */
  let n = 0;
  for (let at = start; at < start + size; at += 4) {
    let word = view.getInt32(at, true);
    if ((word & 0x80808080) !== 0) return undefined;
    // All bytes are below 0x80, so the lowest high bit of (word - 0x01010101) marks the first NUL.
    const nul = (word - 0x01010101) & 0x80808080;
    if (nul !== 0) {
      const before = (31 - Math.clz32(nul & -nul)) >>> 3;
      length = at - start + before;
      if (before === 0) break;
      word &= (1 << (8 * before)) - 1; // the string's last bytes, without the NUL and what follows it
    }
    if (n < SLOT_WORDS) scratch[n] = word;
    n++;
    hash = Math.imul(hash ^ word, 0x01000193);
    if (nul !== 0) break;
  }
  if (length === 0) return "";
  if (length > SLOT_WORDS * 4) return latin1(bytes, start, start + length);
  const slot = (hash ^ (hash >>> 16) ^ length) & (SLOTS - 1);
  const base = slot * SLOT_WORDS;
  if (slotLength[slot] === length) {
    let k = 0;
    while (k < n && slotWords[base + k] === scratch[k]) k++;
    if (k === n) return slotText[slot]!;
  }
  const text = latin1(bytes, start, start + length);
  slotWords.set(scratch.subarray(0, n), base);
  slotLength[slot] = length;
  slotText[slot] = text;
  return text;
}

/**
 * Decodes a `char[N]` field: cut at the first NUL or the width, UTF-8 with
 * U+FFFD for invalid bytes.
 *
 * @param bytes Record bytes.
 * @param record Offset of the record.
 * @param field The field, or `undefined` for formats without it.
 * @returns The string ("" when absent).
 */
export function readChars(bytes: Uint8Array, record: number, field: CharField | undefined): string {
  if (field === undefined) return "";
  const start = record + field.offset;
  return decodeText(bytes, start, cstrEnd(bytes, start, field.size));
}

/**
 * A `char[N]` field as a byte string: one char per byte up to the first NUL
 * or the width, whatever the bytes (no UTF-8 decoding).
 *
 * @param bytes Record bytes.
 * @param record Offset of the record.
 * @param field The field, or `undefined` for formats without it.
 * @returns The byte string ("" when absent).
 */
function byteChars(bytes: Uint8Array, record: number, field: CharField | undefined): string {
  if (field === undefined) return "";
  const start = record + field.offset;
  return latin1(bytes, start, cstrEnd(bytes, start, field.size));
}

/**
 * The raw bytes of a `char[N]` field up to the first NUL (a view, not a copy).
 *
 * @param bytes Record bytes.
 * @param record Offset of the record.
 * @param field The field, or `undefined` for formats without it.
 * @returns The bytes (empty when absent).
 */
export function rawChars(bytes: Uint8Array, record: number, field: CharField | undefined): Uint8Array {
  if (field === undefined) return bytes.subarray(0, 0);
  const start = record + field.offset;
  return bytes.subarray(start, cstrEnd(bytes, start, field.size));
}

/**
 * Compiles the readers of an address field: its octets and its text, for
 * the field's encoding (no per-record look at the table).
 *
 * - `"in4"`: 4 octets at the offset.
 * - `"in6"`: 16 octets, IPv4 when the last three words are zero.
 * - `"sockaddr"`: family 2 (IPv4 at +4) or 24 (IPv6 at +8); another is unset.
 */
function addrReaders(field: AddrField | undefined): { addr: AddrReader; addrText: TextReader } {
  if (field === undefined) return { addr: () => [0, 0, 0, 0], addrText: () => "0.0.0.0" };
  const o = field.offset;
  switch (field.type) {
    case "in4":
      return { addr: (b, _v, r) => quad(b, r + o), addrText: (b, _v, r) => dotted(b, r + o) };
    case "in6": {
      const v4 = (v: DataView, r: number): boolean =>
        (v.getInt32(r + o + 4) | v.getInt32(r + o + 8) | v.getInt32(r + o + 12)) === 0;
      return {
        addr: (b, v, r) => v4(v, r) ? quad(b, r + o) : sixteen(b, r + o),
        addrText: (b, v, r) => v4(v, r) ? dotted(b, r + o) : ipv6(b, v, r + o),
      };
    }
    case "sockaddr":
      return {
        addr: (b, _v, r) => {
          const family = b[r + o + 1];
          return family === 2 ? quad(b, r + o + 4) : family === 24 ? sixteen(b, r + o + 8) : [0, 0, 0, 0];
        },
        addrText: (b, v, r) => {
          const family = b[r + o + 1];
          return family === 2 ? dotted(b, r + o + 4) : family === 24 ? ipv6(b, v, r + o + 8) : "0.0.0.0";
        },
      };
  }
}

const quad = (b: Uint8Array, at: number): number[] => [b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!];

function sixteen(b: Uint8Array, at: number): number[] {
  const octets: number[] = [];
  for (let i = at; i < at + 16; i++) octets.push(b[i]!);
  return octets;
}

/** "0" to "255". */
const DECIMAL = Array.from({ length: 256 }, (_, i) => String(i));

/*
 * Recent addresses as text, direct-mapped by their bytes like the string
 * table: an IPv4 address by its 32-bit value, an IPv6 one by its four words
 * (compared before a slot is used).
 */
const dottedText: string[] = new Array<string>(1024).fill("");
const dottedKeys = new Float64Array(1024).fill(-1);
const ipv6Text: string[] = new Array<string>(1024).fill("");
const ipv6Keys = new Int32Array(1024 * 4);

/** IPv4 octets at `at` as dotted text. */
function dotted(b: Uint8Array, at: number): string {
  const key = ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  const slot = (key ^ (key >>> 10) ^ (key >>> 20)) & 1023;
  if (dottedKeys[slot] === key) return dottedText[slot]!;
  dottedKeys[slot] = key;
  return dottedText[slot] = `${DECIMAL[b[at]!]}.${DECIMAL[b[at + 1]!]}.${DECIMAL[b[at + 2]!]}.${DECIMAL[b[at + 3]!]}`;
}

/** IPv6 octets at `at` as {@link formatAddress} writes them. */
function ipv6(b: Uint8Array, v: DataView, at: number): string {
  const w0 = v.getInt32(at), w1 = v.getInt32(at + 4), w2 = v.getInt32(at + 8), w3 = v.getInt32(at + 12);
  const mixed = Math.imul(Math.imul(Math.imul(w0 ^ 0x9e3779b9, 0x01000193) ^ w1, 0x01000193) ^ w2, 0x01000193) ^ w3;
  const slot = Math.imul(mixed, 0x01000193) >>> 22;
  const k = slot * 4;
  if (
    ipv6Text[slot] !== "" && ipv6Keys[k] === w0 && ipv6Keys[k + 1] === w1 && ipv6Keys[k + 2] === w2 &&
    ipv6Keys[k + 3] === w3
  ) {
    return ipv6Text[slot]!;
  }
  ipv6Keys.set([w0, w1, w2, w3], k);
  return ipv6Text[slot] = formatAddress(sixteen(b, at));
}

/**
 * Formats address octets as text, exactly as glibc's `inet_ntop` does:
 * dotted quad for 4 octets; for 16, RFC 5952 compression of the longest run
 * of two or more zero groups, and the embedded IPv4 forms `::a.b.c.d` and
 * `::ffff:a.b.c.d`.
 *
 * @example IPv4 and IPv6
 * ```ts
 * import { formatAddress } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatAddress([10, 0, 0, 5]), "10.0.0.5");
 * assert.equal(
 *   formatAddress([0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0x42, 0x83, 0x29]),
 *   "2001:db8::ff00:42:8329",
 * );
 * ```
 *
 * @param octets 4 or 16 numbers 0..255.
 * @returns The address text.
 */
export function formatAddress(octets: readonly number[]): string {
  if (octets.length !== 16) return octets.join(".");
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(octets[i]! * 256 + octets[i + 1]!);
  // Longest run of zero words (first one wins on ties), as inet_ntop6.
  let bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) curBase = i, curLen = 1;
      else curLen++;
      if (curLen > bestLen) bestBase = curBase, bestLen = curLen;
    } else curBase = -1;
  }
  if (bestLen < 2) bestBase = -1;
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ":";
      continue;
    }
    if (i !== 0) out += ":";
    if (
      i === 6 && bestBase === 0 &&
      (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))
    ) {
      out += octets.slice(12, 16).join(".");
      break;
    }
    out += words[i]!.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ":";
  return out;
}
