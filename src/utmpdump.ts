/**
 * The text format of util-linux `utmpdump`, one line per record.
 *
 * @module
 */

import type { UtmpRecord, UtRawBytes } from "./record.ts";

/** C `isprint` in any locale utmpdump runs in: bytes 0x20..0x7e; others print as "?". */
function cleanse(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : "?";
  return s;
}

/** printf `%-W.Ps`: cut to P characters, pad to W. */
function field(text: string, width: number, precision: number): string {
  return text.slice(0, precision).padEnd(width, " ");
}

/** printf `%0Nd` of a possibly negative number. */
function zeroPad(n: number, width: number): string {
  const digits = String(Math.abs(n)).padStart(n < 0 ? width - 1 : width, "0");
  return n < 0 ? "-" + digits : digits;
}

/**
 * The time as util-linux prints it (`ISO_TIMESTAMP_COMMA_GT`) in the local
 * time zone: `YYYY-MM-DDTHH:MM:SS,uuuuuu+HH:MM`, the microseconds printed
 * with `%06ld` from the stored value.
 *
 * @param tv_sec Seconds since the epoch.
 * @param tv_usec Stored microseconds.
 * @returns The text.
 */
export function isoTimestamp(tv_sec: number, tv_usec: number): string {
  const d = new Date(tv_sec * 1000);
  const p2 = (n: number) => String(n).padStart(2, "0");
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? "-" : "+";
  const abs = Math.abs(off);
  return `${String(d.getFullYear()).padStart(4, "0")}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${
    p2(d.getMinutes())
  }:${p2(d.getSeconds())},${zeroPad(tv_usec, 6)}${sign}${p2(Math.floor(abs / 60))}:${p2(abs % 60)}`;
}

const utf8 = new TextEncoder();

/** Raw fields of a record that was not read from bytes (logind, wtmpdb). */
function rawFromText(record: UtmpRecord): UtRawBytes {
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
 * Formats a record as one line of `utmpdump` output (without the newline):
 * `[type] [pid] [id] [user] [line] [host] [addr] [time]`, with the stored
 * type number, non-printable bytes as "?", and the time in the local zone.
 *
 * @example One line
 * ```ts
 * import { decodeRecord, LAYOUTS } from "@utmp/utmp/layouts";
 * import { formatUtmpdumpLine } from "@utmp/utmp";
 * import assert from "node:assert/strict";
 * import process from "node:process";
 *
 * process.env.TZ = "UTC";
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
 * @returns The line.
 */
export function formatUtmpdumpLine(record: UtmpRecord): string {
  const raw = record.raw ?? rawFromText(record);
  const { tv_sec, tv_usec } = record.ut_tv;
  return `[${record.ut_type_raw}] [${zeroPad(record.ut_pid, 5)}] [${field(cleanse(raw.ut_id), 4, 4)}] [${
    field(cleanse(raw.ut_user), 8, 32)
  }] [${field(cleanse(raw.ut_line), 12, 32)}] [${field(cleanse(raw.ut_host), 20, 256)}] [${
    record.ut_addr_text.padEnd(15, " ")
  }] [${isoTimestamp(tv_sec, tv_usec)}]`;
}
