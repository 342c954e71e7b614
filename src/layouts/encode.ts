/**
 * The encoder: writes records from field values using the same layout
 * tables the decoder reads. It makes test files for every layout (each
 * layout's round-trip test), and binary files from text (`utmp dump --reverse`).
 *
 * @module
 */

import { type IntField, isFramed, type Layout } from "./schema.ts";
import type { UtTypeName } from "../types.ts";
import { devicePath, type UtExit, type UtRawBytes, type UtTimeval } from "../record.ts";

/**
 * What to store in a record; fields left out are stored as zero bytes.
 * Strings are stored as UTF-8 (or given as bytes), cut to the field width.
 *
 * A record as the library gives it, `record.toJSON()` (or the record itself,
 * or that object through JSON), is an input too: its time is `ut_tv` (or
 * `ut_time`), its exit status `ut_exit`, its `ut_line` the device path
 * ("/dev/pts/0", stored as "pts/0"; the record itself gives the stored
 * bytes in `raw`), and its `ut_type_raw` is used only when
 * its `layout` is the one written (another layout numbers types its own
 * way, so `ut_type` is stored instead). The flat fields (`tv_sec`, `e_exit`,
 * ...) win over the record's when both are given.
 */
export interface RecordInput {
  /** Type name, stored as the layout's number for it (default "EMPTY"). */
  ut_type?: UtTypeName;
  /** Stored type number, overriding `ut_type` (to write impossible types); see `layout`. */
  ut_type_raw?: number;
  /** Process id. */
  ut_pid?: number;
  /**
   * The line: a string as the record gives it ("/dev/pts/0" or "pts/0" are
   * both stored as "pts/0"; ":0", "~" as they are), bytes exactly as stored.
   */
  ut_line?: string | Uint8Array;
  /** inittab id / terminal suffix. */
  ut_id?: string | Uint8Array;
  /** User name. */
  ut_user?: string | Uint8Array;
  /** Remote host. */
  ut_host?: string | Uint8Array;
  /** `ut_exit.e_termination`. */
  e_termination?: number;
  /** `ut_exit.e_exit`. */
  e_exit?: number;
  /** Exit status, as a record gives it (used where `e_termination` or `e_exit` are left out). */
  ut_exit?: Readonly<UtExit>;
  /** Session id. */
  ut_session?: number;
  /** Seconds since the epoch. */
  tv_sec?: number;
  /** Microseconds. */
  tv_usec?: number;
  /** The time with microseconds, as a record gives it (used where `tv_sec` is left out). */
  ut_tv?: Readonly<UtTimeval>;
  /**
   * The time as a `Date`, or its ISO text (`toJSON()` through JSON), used
   * where `tv_sec` and `ut_tv` are left out; `null` (an invalid time in JSON)
   * stores 0.
   */
  ut_time?: Date | string | null;
  /** 4 or 16 octets. */
  ut_addr?: readonly number[];
  /** The layout whose numbering `ut_type_raw` is in (a record's `layout`): when not the one written, `ut_type` is stored. */
  layout?: string;
  /**
   * The stored bytes of the string fields, as a record read from bytes
   * gives them (`record.raw`): when present they are written instead of the
   * strings, so a record written back is the one read (a line stored as
   * "/dev/ttyS0", invalid UTF-8). `toJSON()` has none.
   */
  raw?: Readonly<Partial<Pick<UtRawBytes, "ut_line" | "ut_id" | "ut_user" | "ut_host">>> | undefined;
}

/** `devicePath()` undone: "/dev/pts/0" -> "pts/0"; a line devicePath leaves alone stays as it is. */
function storedLine(line: string): string {
  if (!line.startsWith("/dev/")) return line;
  const rest = line.slice(5);
  return devicePath(rest) === line ? rest : line;
}

/** The seconds and microseconds an input gives: tv_sec/tv_usec, else ut_tv, else ut_time. */
function timeOf(input: RecordInput): [sec: number | undefined, usec: number | undefined] {
  if (input.tv_sec !== undefined || input.tv_usec !== undefined) return [input.tv_sec, input.tv_usec];
  if (input.ut_tv !== undefined) return [input.ut_tv.tv_sec, input.ut_tv.tv_usec];
  if (input.ut_time === undefined) return [undefined, undefined];
  const ms = input.ut_time === null ? NaN : new Date(input.ut_time).getTime();
  if (!Number.isFinite(ms)) return [0, 0];
  const sec = Math.floor(ms / 1000);
  return [sec, (ms - sec * 1000) * 1000];
}

const encoder = new TextEncoder();

function writeInt(view: DataView, at: number, field: IntField, value: number, layout: Layout): void {
  const o = at + field.offset;
  const le = layout.endian !== "be";
  switch (field.type) {
    case "u8":
      return view.setUint8(o, value);
    case "i16":
      return view.setInt16(o, value, le);
    case "u16":
      return view.setUint16(o, value, le);
    case "i32":
    case "u32":
      if (layout.endian === "pdp") {
        const v = value >>> 0;
        view.setUint16(o, v >>> 16, true);
        view.setUint16(o + 2, v & 0xffff, true);
        return;
      }
      return field.type === "i32" ? view.setInt32(o, value, le) : view.setUint32(o, value >>> 0, le);
    case "i64":
      return view.setBigInt64(o, BigInt(value), le);
    case "u64":
      return view.setBigUint64(o, BigInt(value), le);
  }
}

/**
 * The stored number of a type name in a layout.
 *
 * @example Numbers differ between systems
 * ```ts
 * import { LAYOUTS, typeNumber } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(typeNumber(LAYOUTS.linux, "USER_PROCESS"), 7);
 * ```
 *
 * @param layout A layout.
 * @param name A type name.
 * @returns The first number the layout maps to that name.
 * @throws {RangeError} When the layout has no such type.
 */
export function typeNumber(layout: Layout, name: UtTypeName): number {
  for (const [n, v] of Object.entries(layout.types)) if (v === name) return Number(n);
  throw new RangeError(`Cannot store type "${name}": layout "${layout.name}" has no such type`);
}

/**
 * Encodes one record into `out` at `at` (or into a fresh buffer).
 *
 * @example Round trip
 * ```ts
 * import { decodeRecord, encodeRecord, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeRecord(LAYOUTS["linux64-be"], { ut_type: "USER_PROCESS", ut_user: "dave", tv_sec: 1e9 });
 * const u = decodeRecord(bytes, LAYOUTS["linux64-be"]);
 * assert.equal(u.ut_user, "dave");
 * assert.equal(u.ut_time.toISOString(), "2001-09-09T01:46:40.000Z");
 * ```
 *
 * @example A record read back, written to another layout
 * ```ts
 * import { decodeRecord, encodeRecord, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeRecord(LAYOUTS.linux, { ut_type: "USER_PROCESS", ut_line: "pts/0", tv_sec: 1e9, tv_usec: 7 });
 * const record = decodeRecord(bytes, LAYOUTS.linux).toJSON(); // ut_line "/dev/pts/0", ut_tv, ut_exit, ...
 * const copy = decodeRecord(encodeRecord(LAYOUTS["linux64-be"], record), LAYOUTS["linux64-be"]);
 * assert.deepEqual(copy.ut_tv, { tv_sec: 1e9, tv_usec: 7 });
 * assert.equal(copy.ut_line, "/dev/pts/0");
 * assert.deepEqual(copy.raw?.ut_line, new TextEncoder().encode("pts/0"));
 * ```
 *
 * @param layout The layout to write.
 * @param input Field values, or a record (`record.toJSON()`).
 * @param out Buffer to write into (zeroed where fields are left out).
 * @param at Offset of the record in `out`.
 * @returns The buffer.
 */
export function encodeRecord(layout: Layout, input: RecordInput, out?: Uint8Array, at = 0): Uint8Array {
  if (out === undefined) checkArguments("encodeRecord", layout, input);
  const bytes = out ?? new Uint8Array(layout.size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const f = layout.fields;
  if (f.ut_type !== undefined) {
    const raw = input.layout === undefined || input.layout === layout.name ? input.ut_type_raw : undefined;
    const code = raw ?? typeNumber(layout, input.ut_type ?? "EMPTY");
    writeInt(view, at, f.ut_type, code, layout);
  }
  const [tvSec, tvUsec] = timeOf(input);
  const ints: [IntField | undefined, number | undefined][] = [
    [f.ut_pid, input.ut_pid],
    [f.e_termination, input.e_termination ?? input.ut_exit?.e_termination],
    [f.e_exit, input.e_exit ?? input.ut_exit?.e_exit],
    [f.ut_session, input.ut_session],
  ];
  if (f.tv_us !== undefined) ints.push([f.tv_us, (tvSec ?? 0) * 1e6 + (tvUsec ?? 0)]);
  else ints.push([f.tv_sec, tvSec], [f.tv_usec, tvUsec]);
  for (const [field, value] of ints) {
    if (field !== undefined && value !== undefined) writeInt(view, at, field, value, layout);
  }
  for (const name of ["ut_line", "ut_id", "ut_user", "ut_host"] as const) {
    const field = f[name];
    const value = input.raw?.[name] ?? input[name];
    if (field === undefined || value === undefined) continue;
    const data = typeof value !== "string" ? value : encoder.encode(name === "ut_line" ? storedLine(value) : value);
    bytes.set(data.subarray(0, field.size), at + field.offset);
  }
  const addr = f.ut_addr;
  if (addr !== undefined && input.ut_addr !== undefined) {
    const o = at + addr.offset;
    const octets = input.ut_addr;
    if (addr.type === "sockaddr") {
      const v6 = octets.length === 16;
      bytes[o] = v6 ? 28 : 16;
      bytes[o + 1] = v6 ? 24 : 2;
      bytes.set(octets, o + (v6 ? 8 : 4));
    } else bytes.set(octets.slice(0, addr.size), o);
  }
  return bytes;
}

/**
 * Encodes records into one file image: back to back, or for a framed layout
 * (`freebsd-log`) each behind its big-endian uint16 length with its trailing
 * zero bytes cut, as FreeBSD's `pututxline` writes utx.log.
 *
 * @example Two records
 * ```ts
 * import { decodeRecords, encodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const file = encodeRecords(LAYOUTS.linux, [{ ut_type: "BOOT_TIME" }, { ut_type: "RUN_LVL" }]);
 * assert.deepEqual([...decodeRecords(file, LAYOUTS.linux)].map((u) => u.ut_type), ["BOOT_TIME", "RUN_LVL"]);
 * ```
 *
 * @param layout The layout to write.
 * @param inputs Field values per record.
 * @returns The file image.
 */
export function encodeRecords(layout: Layout, inputs: readonly RecordInput[]): Uint8Array {
  checkArguments("encodeRecords", layout, inputs);
  const bytes = new Uint8Array(inputs.length * layout.size);
  inputs.forEach((input, i) => encodeRecord(layout, input, bytes, i * layout.size));
  if (!isFramed(layout)) return bytes;
  const out = new Uint8Array(inputs.length * (2 + layout.size));
  let at = 0;
  for (let i = 0; i < inputs.length; i++) {
    const record = bytes.subarray(i * layout.size, (i + 1) * layout.size);
    let length = record.length;
    while (length > 0 && record[length - 1] === 0) length--;
    out[at] = length >> 8;
    out[at + 1] = length & 0xff;
    out.set(record.subarray(0, length), at + 2);
    at += 2 + length;
  }
  return out.slice(0, at);
}

/**
 * For callers without types (plain JavaScript): the layout table first, then
 * the record (or, for {@link encodeRecords}, the array of records), each
 * refused in words that say what to pass, not a bare TypeError from deep
 * inside.
 *
 * @throws {TypeError} For a layout name, swapped arguments, or records that are not an array.
 */
function checkArguments(fn: "encodeRecord" | "encodeRecords", layout: unknown, records: unknown): void {
  const table = (l: unknown): l is Layout =>
    typeof l === "object" && l !== null && typeof (l as Layout).size === "number" &&
    typeof (l as Layout).fields === "object";
  const what = fn === "encodeRecords" ? "an array of records" : "a record";
  const usage = `${fn}(LAYOUTS.linux, ${fn === "encodeRecords" ? "[{ ut_type: ... }]" : "{ ut_type: ... }"})`;
  if (!table(layout)) {
    const got = typeof layout === "string"
      ? `the string ${JSON.stringify(layout)} (a name: getLayout(${JSON.stringify(layout)}) is its table)`
      : table(records) || typeof records === "string" || (fn === "encodeRecords" && Array.isArray(layout))
      ? `${describeValue(layout)} first and ${describeValue(records)} second (swapped?)`
      : describeValue(layout);
    throw new TypeError(`Cannot encode: ${fn}() takes a layout table, then ${what}, as ${usage}; got ${got}`);
  }
  const ok = fn === "encodeRecords" ? Array.isArray(records) : typeof records === "object" && records !== null;
  if (!ok) {
    throw new TypeError(
      `Cannot encode: ${fn}() takes ${what} after the layout, as ${usage}; got ${describeValue(records)}`,
    );
  }
}

/** A value's kind, for an error message: `the string "linux"`, `a number`, `undefined`. */
function describeValue(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object" && typeof (value as Layout).size === "number") return "a layout table";
  return `a${/^[aeiou]/.test(typeof value) ? "n" : ""} ${typeof value}`;
}
