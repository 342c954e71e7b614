/**
 * Records as the C tools see them: "byte strings" (JS strings whose char
 * codes are bytes 0..255, so widths, precisions and comparisons count bytes
 * as C does), the stored bytes of a record's string fields, and printf's
 * zero-padded numbers.
 *
 * @module
 */

import { RecordView } from "../layouts/decode.ts";
import type { UtmpRecord, UtRawBytes } from "../record.ts";

const utf8 = new TextEncoder();

/**
 * Bytes as a byte string (one char per byte).
 *
 * @param bytes Bytes.
 * @returns The byte string.
 */
export function byteString(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  }
  return s;
}

/**
 * Text as the byte string of its UTF-8 encoding.
 *
 * @param text Text.
 * @returns The byte string.
 */
export function utf8String(text: string): string {
  return byteString(utf8.encode(text));
}

/**
 * A byte string back to bytes.
 *
 * @param s A byte string.
 * @returns The bytes.
 */
export function stringBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  // Runs of ASCII are their own UTF-8: a native pass each; the other chars (rare) one at a time.
  let at = 0;
  NOT_ASCII.lastIndex = 0;
  for (let m = NOT_ASCII.exec(s); m !== null; m = NOT_ASCII.exec(s)) {
    if (m.index > at) utf8.encodeInto(s.slice(at, m.index), out.subarray(at, m.index));
    out[m.index] = s.charCodeAt(m.index);
    at = m.index + 1;
  }
  if (at < s.length) utf8.encodeInto(at === 0 ? s : s.slice(at), out.subarray(at));
  return out;
}

const NOT_ASCII = /[\x80-\uffff]/g;

/**
 * The stored bytes of a record's string fields; for a record not read from
 * bytes (logind, wtmpdb), its text encoded as UTF-8 and the line without "/dev/".
 *
 * @param record A record.
 * @returns The bytes of each string field.
 */
export function rawFields(record: UtmpRecord): UtRawBytes {
  const raw = record.raw;
  if (raw !== undefined && raw.record.length > 0) return raw;
  const line = record.ut_line.startsWith("/dev/") ? record.ut_line.slice(5) : record.ut_line;
  return {
    record: new Uint8Array(0),
    ut_user: utf8.encode(record.ut_user),
    ut_line: utf8.encode(line),
    ut_id: utf8.encode(record.ut_id),
    ut_host: utf8.encode(record.ut_host),
  };
}

/**
 * A string field's stored bytes as a byte string (the line without "/dev/"):
 * `byteString(rawFields(record)[field])`, without making the views for a
 * record read from bytes.
 *
 * @param record A record.
 * @param field The field.
 * @returns The byte string.
 */
export function storedString(record: UtmpRecord, field: "ut_user" | "ut_line" | "ut_id" | "ut_host"): string {
  if (record instanceof RecordView) return record.storedText(field);
  return byteString(rawFields(record)[field]);
}

/**
 * A record's whole seconds (`ut_tv.tv_sec`), without making the `ut_tv` object
 * for a record read from bytes.
 *
 * @param record A record.
 * @returns Seconds since the epoch.
 */
export function storedSeconds(record: UtmpRecord): number {
  return record instanceof RecordView ? record.seconds : record.ut_tv.tv_sec;
}

/**
 * A sink for the formatters (a `UtmpdumpSink`: byte strings, as they are or
 * as printf `%-W.Ps` fields) that collects what is written into {@link text}.
 */
export class StringSink {
  /** What was written. */
  text = "";

  /** @param text A byte string. */
  write(text: string): void {
    this.text += text;
  }

  /**
   * @param text A byte string.
   * @param width Minimum width.
   * @param precision Maximum length (-1 for none).
   */
  pad(text: string, width: number, precision = -1): void {
    const nul = text.indexOf("\0");
    if (nul !== -1) text = text.slice(0, nul);
    if (precision >= 0 && text.length > precision) text = text.slice(0, precision);
    this.text += text.length >= width ? text : text + " ".repeat(width - text.length);
  }
}

/**
 * printf `%0Nd`: at least `width` characters, the sign included.
 *
 * @param n An integer.
 * @param width Minimum width.
 * @returns The digits.
 */
export function zeroPad(n: number, width: number): string {
  const digits = String(Math.abs(n)).padStart(n < 0 ? width - 1 : width, "0");
  return n < 0 ? "-" + digits : digits;
}

/**
 * printf `%02d`, from a table for 0..99 (every time column of every line prints a few).
 *
 * @param n An integer.
 * @returns The digits.
 */
export const p2 = (n: number): string => TWO_DIGITS[n] ?? zeroPad(n, 2);

const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => zeroPad(n, 2));

/**
 * Byte arrays one after another, in one new array (an array of them, not
 * arguments: there may be millions).
 *
 * @param parts The arrays.
 * @returns Their bytes, in order.
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
