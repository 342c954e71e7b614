/**
 * The text format of util-linux `utmpdump`, one line per record, both ways:
 * {@link formatUtmpdumpLine} writes a line as `utmpdump FILE` does, and
 * {@link parseUtmpdump} reads text back as `utmpdump -r` does, for
 * {@link undumpUtmp} (or the layout encoder) to write the binary file.
 *
 * @module
 */

import type { UtmpRecord } from "./record.ts";
import { byteString, p2, storedString, stringBytes, StringSink, zeroPad } from "./_internal/bytes.ts";
import type { Layout } from "./layouts/schema.ts";
import { encodeRecord, type RecordInput } from "./layouts/encode.ts";
import { LINUX } from "./layouts/linux.ts";
import { gmtime, isSpace, strptime, timegm, zeroTm } from "./_internal/strptime.ts";

/**
 * A stored string field with each byte utmpdump does not print as it is
 * replaced by "?": C `isprint` in any locale utmpdump runs in (bytes
 * 0x20..0x7e), minus the brackets that delimit fields.
 */
function cleanse(record: UtmpRecord, field: "ut_user" | "ut_line" | "ut_id" | "ut_host"): string {
  const text = storedString(record, field);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x5b || c === 0x5d) return text.replace(NOT_SHOWN, "?");
  }
  return text;
}

const NOT_SHOWN = /[^\x20-\x5a\x5c\x5e-\x7e]/g;

/** "1970-01-01T" of recent days, by day since the epoch: dump prints a million times of a few thousand days. */
const DAYS = new Map<number, string>();

/**
 * {@link isoTimestamp} written in pieces: the date made once per day, the
 * rest from the seconds of the day.
 */
function writeTimestamp(out: UtmpdumpSink, tv_sec: number, tv_usec: number): boolean {
  if (!Number.isSafeInteger(tv_sec) || Math.abs(tv_sec) > 8.64e12) {
    const text = isoTimestamp(tv_sec, tv_usec);
    out.write(text);
    return text !== "";
  }
  const day = Math.floor(tv_sec / 86400);
  let date = DAYS.get(day);
  if (date === undefined) {
    const t = gmtime(day * 86400)!;
    date = `${String(t.year).padStart(4, " ")}-${p2(t.mon + 1)}-${p2(t.mday)}T`;
    if (DAYS.size >= 4096) DAYS.clear();
    DAYS.set(day, date);
  }
  const inDay = tv_sec - day * 86400;
  out.write(date);
  out.write(p2(Math.floor(inDay / 3600)));
  out.write(":");
  out.write(p2(Math.floor(inDay / 60) % 60));
  out.write(":");
  out.write(p2(inDay % 60));
  out.write(",");
  out.write(zeroPad(tv_usec, 6));
  out.write("+00:00");
  return true;
}

/**
 * The time as `utmpdump` prints it (util-linux `ISO_TIMESTAMP_COMMA_GT`):
 * always in UTC, `YYYY-MM-DDTHH:MM:SS,uuuuuu+00:00`, the year padded with
 * spaces to 4 (printf `%4ld`) and the stored microseconds printed with
 * `%06ld`, even when out of range.
 *
 * @example The epoch and a negative microsecond count
 * ```ts
 * import { isoTimestamp } from "@utmp/utmp/utmpdump";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isoTimestamp(0, 0), "1970-01-01T00:00:00,000000+00:00");
 * assert.equal(isoTimestamp(1377721840, -5), "2013-08-28T20:30:40,-00005+00:00");
 * ```
 *
 * @param tv_sec Seconds since the epoch.
 * @param tv_usec Stored microseconds.
 * @returns The text, or "" for a time whose year does not fit a C `int` (utmpdump prints no line for it).
 */
export function isoTimestamp(tv_sec: number, tv_usec: number): string {
  const t = gmtime(tv_sec);
  if (t === undefined) return "";
  return `${String(t.year).padStart(4, " ")}-${p2(t.mon + 1)}-${p2(t.mday)}T${p2(t.hour)}:${p2(t.min)}:${p2(t.sec)},${
    zeroPad(tv_usec, 6)
  }+00:00`;
}

const utf8 = new TextEncoder();

/**
 * Formats a record as one line of `utmpdump` output (without the newline):
 * `[type] [pid] [id] [user] [line] [host] [addr] [time]`, with the stored
 * type number, non-printable bytes and brackets as "?", and the time in UTC.
 *
 * @example One line
 * ```ts
 * import { decodeRecord, LAYOUTS } from "@utmp/utmp/layouts";
 * import { formatUtmpdumpLine } from "@utmp/utmp/utmpdump";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array(384);
 * const view = new DataView(bytes.buffer);
 * view.setInt16(0, 7, true);
 * view.setInt32(4, 3003, true);
 * bytes.set(new TextEncoder().encode("pts/0"), 8);
 * bytes.set(new TextEncoder().encode("bob"), 44);
 * bytes.set(new TextEncoder().encode("10.0.0.5"), 76);
 * view.setUint32(340, 1700002000, true);
 * bytes.set([10, 0, 0, 5], 348);
 * assert.equal(
 *   formatUtmpdumpLine(decodeRecord(bytes, LAYOUTS.linux)),
 *   "[7] [03003] [    ] [bob     ] [pts/0       ] [10.0.0.5            ] [10.0.0.5       ] [2023-11-14T22:46:40,000000+00:00]",
 * );
 * ```
 *
 * @param record A record.
 * @returns The line, or "" for a record utmpdump prints no line for (a time whose year does not fit a C `int`).
 */
export function formatUtmpdumpLine(record: UtmpRecord): string {
  const out = new StringSink();
  return writeUtmpdumpLine(out, record) ? out.text : "";
}

/**
 * Where {@link writeUtmpdumpLine} writes: byte strings (one char per byte),
 * as a buffer of output bytes takes them.
 */
export interface UtmpdumpSink {
  /** Writes a byte string. */
  write(text: string): void;
  /** Writes a byte string cut at its first NUL and at `precision` (-1: none), padded with spaces to `width`. */
  pad(text: string, width: number, precision?: number): void;
}

/**
 * {@link formatUtmpdumpLine}, written to a sink in pieces (no string made
 * for the line): what `utmp dump` writes into its output buffer.
 *
 * @example Into a sink of one's own
 * ```ts
 * import { decodeRecord, encodeRecord, LAYOUTS } from "@utmp/utmp/layouts";
 * import { formatUtmpdumpLine, writeUtmpdumpLine } from "@utmp/utmp/utmpdump";
 * import assert from "node:assert/strict";
 *
 * const record = decodeRecord(
 *   encodeRecord(LAYOUTS.linux, { ut_type: "USER_PROCESS", ut_user: "bob", ut_line: "pts/0", tv_sec: 1700002000 }),
 *   LAYOUTS.linux,
 * );
 * let text = "";
 * const sink = {
 *   write: (t: string) => void (text += t),
 *   pad: (t: string, width: number, precision = -1) => {
 *     const cut = (precision < 0 ? t : t.slice(0, precision)).split("\0")[0]!;
 *     text += cut.padEnd(width, " ");
 *   },
 * };
 * assert.equal(writeUtmpdumpLine(sink, record), true);
 * assert.equal(text, formatUtmpdumpLine(record));
 * ```
 *
 * @param out Where to write.
 * @param record A record.
 * @returns False when utmpdump prints no line for it (then what was written is to be taken back).
 */
export function writeUtmpdumpLine(out: UtmpdumpSink, record: UtmpRecord): boolean {
  out.write("[");
  out.write(String(record.ut_type_raw));
  out.write("] [");
  out.write(zeroPad(record.ut_pid, 5));
  out.write("] [");
  out.pad(cleanse(record, "ut_id"), 4, 4);
  out.write("] [");
  out.pad(cleanse(record, "ut_user"), 8, 32);
  out.write("] [");
  out.pad(cleanse(record, "ut_line"), 12, 32);
  out.write("] [");
  out.pad(cleanse(record, "ut_host"), 20, 256);
  out.write("] [");
  out.pad(record.ut_addr_text, 15);
  out.write("] [");
  const { tv_sec, tv_usec } = record.ut_tv;
  if (!writeTimestamp(out, tv_sec, tv_usec)) return false;
  out.write("]");
  return true;
}

/** A line of utmpdump text `utmpdump -r` skips ("parse error"), with its number. */
export interface UtmpdumpProblem {
  /** Line number, from 1 (a line longer than 1022 bytes counts as several, as `fgets` reads it). */
  line: number;
  /** What is wrong. */
  reason: string;
}

/** Options of {@link parseUtmpdump}. */
export interface ParseUtmpdumpOptions {
  /** Called for each line `utmpdump -r` skips with a "parse error" warning. */
  onProblem?: (problem: UtmpdumpProblem) => void;
}

/**
 * Parses `utmpdump` text as `utmpdump -r` (util-linux 2.38) does, yielding
 * one record per line for the encoder:
 *
 * - `[type] [pid] [id]` are read with `sscanf("[%hd] [%d] [%4c] ")` (the
 *   type wraps to 16 bits, the id is exactly the 4 bytes between the
 *   brackets, spaces included); a line where that fails is skipped and
 *   reported to `onProblem`.
 * - The other fields are found from byte 19 on, each between the next "["
 *   and "]"; user, line, host and address end at their first space. Text
 *   is kept as bytes, cut to the field width.
 * - The address is IPv4 when it has a ".", else IPv6 (`inet_pton`); one that
 *   does not parse stays 0.0.0.0.
 * - The time (its first 28 bytes) is read with `strptime("%Y-%m-%dT%H:%M:%S")`
 *   as UTC, the offset ignored as utmpdump ignores it (it always writes
 *   "+00:00"), or as `ctime` text ("Wed Aug 28 20:30:40 2013") from older
 *   utmpdump versions; the microseconds are the number after the ",".
 *
 * @example Text to records
 * ```ts
 * import { parseUtmpdump } from "@utmp/utmp/utmpdump";
 * import assert from "node:assert/strict";
 *
 * const text =
 *   "[7] [03003] [ts/0] [bob     ] [pts/0       ] [10.0.0.5            ] [10.0.0.5       ] [2023-11-14T22:46:40,000123+00:00]\n";
 * const [r] = [...parseUtmpdump(text)];
 * assert.equal(r?.ut_type_raw, 7);
 * assert.equal(r?.ut_pid, 3003);
 * assert.equal(new TextDecoder().decode(r?.ut_user as Uint8Array), "bob");
 * assert.deepEqual(r?.ut_addr, [10, 0, 0, 5]);
 * assert.equal(r?.tv_sec, 1700002000);
 * assert.equal(r?.tv_usec, 123);
 * ```
 *
 * @param text utmpdump text (bytes, or a string that is taken as UTF-8).
 * @param options Where to report skipped lines.
 * @returns Records to encode, in text order.
 * @throws {SyntaxError} For a line that lacks a bracketed field (where `utmpdump -r` gives up).
 */
export function parseUtmpdump(
  text: Uint8Array | string,
  options: ParseUtmpdumpOptions = {},
): Generator<UtmpdumpRecord> {
  return new UtmpdumpParser(options).parse(text);
}

/** A record parsed from utmpdump text: fields for the encoder, with the stored type number. */
export type UtmpdumpRecord = RecordInput & { ut_type_raw: number };

/**
 * {@link parseUtmpdump} over text that arrives in pieces: each call to
 * {@link UtmpdumpParser.parse} takes whole lines and goes on counting lines
 * where the last one stopped.
 *
 * @example Two pieces
 * ```ts
 * import { UtmpdumpParser } from "@utmp/utmp/utmpdump";
 * import assert from "node:assert/strict";
 *
 * const parser = new UtmpdumpParser({ onProblem: (p) => assert.equal(p.line, 2) });
 * const line = "[8] [00042] [ts/0] [        ] [pts/0       ] [                    ] [0.0.0.0        ] [2023-11-14T22:46:40,000000+00:00]\n";
 * assert.equal([...parser.parse(line)].length, 1);
 * assert.equal([...parser.parse("not a record\n")].length, 0);
 * assert.equal(parser.line, 2);
 * ```
 */
export class UtmpdumpParser {
  readonly #options: ParseUtmpdumpOptions;
  /** Lines read so far (as `fgets` counts them). */
  line = 0;

  /**
   * Starts at line 1.
   *
   * @param options Where to report skipped lines.
   */
  constructor(options: ParseUtmpdumpOptions = {}) {
    this.#options = options;
  }

  /**
   * Parses whole lines.
   *
   * @param text utmpdump text (bytes, or a string that is taken as UTF-8).
   * @returns Records to encode, in text order.
   * @throws {SyntaxError} For a line that lacks a bracketed field.
   */
  *parse(text: Uint8Array | string): Generator<UtmpdumpRecord> {
    const options = this.#options;
    const bytes = typeof text === "string" ? utf8.encode(text) : text;
    for (let at = 0; at < bytes.length;) {
      // fgets(buf, 1023, in): through the newline, at most 1022 bytes.
      let end = at;
      while (end < bytes.length && end - at < 1022 && bytes[end++] !== 0x0a);
      const chunk = bytes.subarray(at, end);
      at = end;
      const lineNo = ++this.line;
      const nul = chunk.indexOf(0);
      const line = byteString(nul === -1 ? chunk : chunk.subarray(0, nul));
      const head = scanHead(line);
      if (head === undefined) {
        options.onProblem?.({
          line: lineNo,
          reason: `expected "[type] [pid] [id] " at the start: ${JSON.stringify(line)}`,
        });
        continue;
      }
      let pos = 19;
      const token = (name: string, size: number, eatSpace: boolean): Uint8Array => {
        const open = pos > line.length ? -1 : line.indexOf("[", pos);
        const close = open === -1 ? -1 : line.indexOf("]", open + 1);
        if (close === -1) {
          throw new SyntaxError(`Cannot parse utmpdump line ${lineNo}: it has no bracketed ${name} field`);
        }
        pos = close + 1;
        let value = line.slice(open + 1, close);
        if (eatSpace && value.includes(" ")) value = value.slice(0, value.indexOf(" "));
        return stringBytes(value.slice(0, size));
      };
      const user = token("user", 32, true);
      const ttyLine = token("line", 32, true);
      const host = token("host", 256, true);
      const addr = byteString(token("address", 46, true));
      const time = byteString(token("time", 28, false));
      const record: UtmpdumpRecord = {
        ut_type_raw: head.type,
        ut_pid: head.pid,
        ut_id: stringBytes(head.id),
        ut_user: user,
        ut_line: ttyLine,
        ut_host: host,
        tv_sec: parseTime(time),
        tv_usec: parseUsec(time),
      };
      const octets = addr.includes(".") ? inetPton4(addr) : inetPton6(addr);
      if (octets !== undefined) record.ut_addr = octets;
      yield record;
    }
  }
}

/**
 * Writes the binary file that utmpdump text describes, as `utmpdump -r`
 * does (see {@link parseUtmpdump}).
 *
 * @example Round trip through the text
 * ```ts
 * import { formatUtmpdumpLine, undumpUtmp } from "@utmp/utmp/utmpdump";
 * import { decodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const text = "[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-9-amd64       ] [0.0.0.0        ] [2023-11-14T22:13:20,000000+00:00]\n";
 * const bytes = undumpUtmp(text);
 * assert.equal(bytes.length, 384);
 * const [u] = [...decodeRecords(bytes, LAYOUTS.linux)];
 * assert.equal(u?.ut_type, "BOOT_TIME");
 * assert.equal(formatUtmpdumpLine(u!) + "\n", text);
 * ```
 *
 * @param text utmpdump text.
 * @param layout The layout to write (default: glibc 384-byte little-endian, "linux").
 * @param options Where to report skipped lines.
 * @returns The file image.
 * @throws {SyntaxError} For a line that lacks a bracketed field.
 */
export function undumpUtmp(
  text: Uint8Array | string,
  layout: Layout = LINUX,
  options: ParseUtmpdumpOptions = {},
): Uint8Array {
  const records = [...parseUtmpdump(text, options)];
  const bytes = new Uint8Array(records.length * layout.size);
  records.forEach((r, i) => encodeRecord(layout, r, bytes, i * layout.size));
  return bytes;
}

/** `sscanf(line, "[%hd] [%d] [%4c] ", ...) == 3`, or undefined. */
function scanHead(s: string): { type: number; pid: number; id: string } | undefined {
  let i = 0;
  const literal = (c: string): boolean => s[i] === c && (i++, true);
  const blanks = (): void => {
    while (isSpace(s[i])) i++;
  };
  const integer = (): bigint | undefined => {
    blanks();
    let j = i;
    if (s[j] === "+" || s[j] === "-") j++;
    const digits = j;
    while (j < s.length && s[j]! >= "0" && s[j]! <= "9") j++;
    if (j === digits) return undefined;
    const v = BigInt(s.slice(i, j));
    i = j;
    // scanf converts with strtol, which saturates at the long range.
    const max = 2n ** 63n - 1n;
    return v > max ? max : v < -max - 1n ? -max - 1n : v;
  };
  if (!literal("[")) return undefined;
  const type = integer();
  if (type === undefined || !literal("]")) return undefined;
  blanks();
  if (!literal("[")) return undefined;
  const pid = integer();
  if (pid === undefined || !literal("]")) return undefined;
  blanks();
  if (!literal("[") || i >= s.length) return undefined;
  return { type: Number(BigInt.asIntN(16, type)), pid: Number(BigInt.asIntN(32, pid)), id: s.slice(i, i + 4) };
}

/** utmpdump's `strtotime`: seconds since the epoch of the time text. */
function parseTime(s: string): number {
  if (s === "" || s[0] === " ") return 0;
  const tm = zeroTm();
  if (s[0]! >= "0" && s[0]! <= "9") strptime(s, "%Y-%m-%dT%H:%M:%S", tm);
  else strptime(s, "%a %b %d %T %Y", tm);
  return timegm(tm);
}

/** utmpdump's `strtousec`: the number after the ",", 0 when there is none or it overflows. */
function parseUsec(s: string): number {
  const comma = s.indexOf(",");
  if (comma === -1 || comma + 1 >= s.length) return 0;
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s.slice(comma + 1));
  if (m === null) return 0;
  const v = BigInt(m[1]!);
  return v > 2n ** 63n - 1n || v < -(2n ** 63n) ? 0 : Number(v);
}

/** glibc `inet_pton(AF_INET)`: exactly four decimal octets without leading zeros. */
function inetPton4(s: string): number[] | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const octets: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === "0") || Number(p) > 255) return undefined;
    octets.push(Number(p));
  }
  return octets;
}

/** glibc `inet_pton(AF_INET6)` for text without an embedded IPv4 part. */
function inetPton6(s: string): number[] | undefined {
  if (s === "" || (s[0] === ":" && s[1] !== ":")) return undefined;
  const words: number[] = [];
  let gap = -1;
  let i = s[0] === ":" ? 1 : 0;
  let digits = 0;
  let val = 0;
  for (; i < s.length; i++) {
    const c = s[i]!;
    const d = parseInt(c, 16);
    if (!Number.isNaN(d) && /[0-9a-fA-F]/.test(c)) {
      if (digits === 4) return undefined;
      val = val * 16 + d;
      digits++;
      continue;
    }
    if (c !== ":") return undefined;
    if (digits === 0) {
      if (gap !== -1) return undefined;
      gap = words.length;
      continue;
    }
    if (i + 1 === s.length || words.length === 8) return undefined;
    words.push(val);
    digits = 0;
    val = 0;
  }
  if (digits > 0) {
    if (words.length === 8) return undefined;
    words.push(val);
  }
  if (gap !== -1) {
    if (words.length === 8) return undefined;
    words.splice(gap, 0, ...new Array<number>(8 - words.length).fill(0));
  }
  if (words.length !== 8) return undefined;
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}
