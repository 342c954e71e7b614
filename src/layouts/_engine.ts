/**
 * The one decode engine: {@link compileLayout} turns a layout table
 * (schema.ts) into a {@link Codec}, one small reader function per field,
 * compiled once per layout. Records read their fields through the codec on
 * demand (decode.ts); strings and addresses are read by `_text.ts` and
 * `_addr.ts`.
 *
 * This module does no I/O and imports nothing from `ffi/` or the runtime
 * module, so it runs with no permissions at all.
 *
 * @module
 */

import type { UtTypeName } from "../types.ts";
import type { Endian, IntField, Layout } from "./schema.ts";
import { type AddrReader, addrReaders } from "./_addr.ts";
import { byteChars, readChars, type TextField, type TextReader, textReaders } from "./_text.ts";

export type { AddrReader, TextField, TextReader };

/** Reads an integer field at a record's offset. */
export type IntReader = (view: DataView, record: number) => number;

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
