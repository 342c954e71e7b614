/**
 * Reading `char[N]` fields: C strings cut at the first NUL or the width,
 * UTF-8 with U+FFFD for invalid bytes (ASCII, the common case, without the
 * TextDecoder), byte strings, raw views, and the table of recent strings
 * most fields of a wtmp come out of.
 *
 * @module
 */

import type { CharField, LayoutFields } from "./schema.ts";

/** Reads a `char[N]` field at a record's offset (see {@link readChars}); `view` is a DataView over exactly `bytes`. */
export type TextReader = (bytes: Uint8Array, view: DataView, record: number) => string;

/** The `char[N]` fields of the record contract. */
export type TextField = "ut_user" | "ut_line" | "ut_id" | "ut_host";

const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

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

/**
 * Reused arrays of the char codes of short strings, one per length: `fromCharCode.apply` over a plain array
 * of the right length is two to three times faster in V8 than over a fresh `subarray`, and makes no garbage.
 */
const CODES: number[][] = [];
/** Strings up to this many bytes go through {@link CODES}. */
const CODES_MAX = 64;

/** One char per byte of `bytes[start, end)`. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= 0) return "";
  if (n > CODES_MAX) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  const codes = CODES[n] ??= new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) codes[i] = bytes[start + i]!;
  return String.fromCharCode.apply(null, codes);
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
export type CharsReader = (bytes: Uint8Array, record: number, field: CharField | undefined) => string;

export function textReaders(fields: LayoutFields, decode: CharsReader): Record<TextField, TextReader> {
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
  // Each field keeps its own hit rate: where the table serves few of its reads (distinct hosts), the field skips
  // it for a while, since keeping every new string in the table only makes it live long and costs collections.
  let reads = 0, hits = 0, skip = 0;
  return (bytes, view, record) => {
    if (skip > 0) {
      skip--;
      return asciiText(bytes, view, record + offset, size) ?? decode(bytes, record, field);
    }
    const text = internedText(bytes, view, record + offset, size) ?? decode(bytes, record, field);
    if (lastHit) hits++;
    if (++reads === PROBE_READS) {
      if (hits < PROBE_READS / 4) skip = SKIP_READS;
      reads = hits = 0;
    }
    return text;
  };
}

/** Reads of a field (or lookups of an address table, _addr.ts) over which its hit rate is counted. */
export const PROBE_READS = 512;
/** Reads a field (or an address table) with a low hit rate skips its table for, before it counts again. */
export const SKIP_READS = 16384;
/** Whether the last {@link internedText} came out of the table (or was empty: nothing to keep). */
let lastHit = false;

/**
 * An ASCII `char[size]` field at `start`, not through the table.
 *
 * @returns The string, or `undefined` when the field has a byte >= 0x80.
 */
function asciiText(bytes: Uint8Array, view: DataView, start: number, size: number): string | undefined {
  for (let at = start; at < start + size; at += 4) {
    const word = view.getInt32(at, true);
    if ((word & 0x80808080) !== 0) return undefined;
    const nul = (word - 0x01010101) & 0x80808080;
    if (nul !== 0) return latin1(bytes, start, at + ((31 - Math.clz32(nul & -nul)) >>> 3));
  }
  return latin1(bytes, start, start + size);
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
  lastHit = true;
  if (length === 0) return "";
  lastHit = false;
  if (length > SLOT_WORDS * 4) return latin1(bytes, start, start + length);
  const slot = (hash ^ (hash >>> 16) ^ length) & (SLOTS - 1);
  const base = slot * SLOT_WORDS;
  if (slotLength[slot] === length) {
    let k = 0;
    while (k < n && slotWords[base + k] === scratch[k]) k++;
    if (k === n) {
      lastHit = true;
      return slotText[slot]!;
    }
  }
  const text = latin1(bytes, start, start + length);
  for (let k = 0; k < n; k++) slotWords[base + k] = scratch[k]!;
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
export function byteChars(bytes: Uint8Array, record: number, field: CharField | undefined): string {
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
