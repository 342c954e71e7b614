/**
 * What the C tools' output is made of, reproduced byte for byte: `printf`
 * string fields over byte strings (see ../_internal/bytes.ts: widths and precisions
 * count bytes as C does), the tools' time formats, the locale checks,
 * util-linux's `fputs_careful` escaping, and the command line's own escaping
 * of text for a terminal ({@link terminalText}: `watch`, logind sessions,
 * standard error).
 *
 * @module
 */

import process from "node:process";
import { p2 } from "../_internal/bytes.ts";
import { breakDown, type Tm } from "../_internal/strptime.ts";

export { terminalLine, terminalText } from "../_internal/escape.ts";

/**
 * printf `%-W.Ps`: the first `precision` bytes, padded with spaces to `width`.
 *
 * @param s A byte string (cut at its first NUL, as a C string).
 * @param width Minimum width.
 * @param precision Maximum length (-1 for none).
 * @returns The field.
 */
export function left(s: string, width: number, precision = -1): string {
  const nul = s.indexOf("\0");
  if (nul !== -1) s = s.slice(0, nul);
  if (precision >= 0 && s.length > precision) s = s.slice(0, precision);
  return s.length >= width ? s : s + spaces(width - s.length);
}

/** Runs of spaces up to 63, made once: every column of every line pads with them. */
const SPACES = Array.from({ length: 64 }, (_, n) => " ".repeat(n));

const spaces = (n: number): string => SPACES[n] ?? " ".repeat(n);

/**
 * printf `%W.Ps` (right-justified).
 *
 * @param s A byte string.
 * @param width Minimum width.
 * @returns The field.
 */
export function right(s: string, width: number): string {
  return s.length >= width ? s : " ".repeat(width - s.length) + s;
}

/** `%a` in the C locale, by `tm_wday`. */
export const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
/** `%b` in the C locale, by `tm_mon`. */
export const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * `localtime(t)`.
 *
 * @param t Seconds since the epoch.
 * @returns The broken-down local time.
 */
export function localtime(t: number): Tm {
  // A time beyond what a `Date` holds (a 64-bit time from a damaged or hostile file) takes the zone's offset at
  // the nearest time a `Date` holds.
  if (!(Math.abs(t) <= DATE_LIMIT)) return inZone(Math.trunc(t), offsetAt(Math.sign(t) * DATE_LIMIT));
  return inZone(Math.floor(t), zoneOffset(Math.floor(t)));
}

/** The fields of `t` in a zone at `offset`. */
const inZone = (t: number, offset: Offset): Tm => breakDown(t + offset.seconds, offset.minutes);

/** Seconds on either side of the epoch that a `Date` holds (±100 000 000 days). */
const DATE_LIMIT = 8.64e12;

/** A zone's offset from UTC, east positive. */
interface Offset {
  /** In seconds: local mean time was not whole minutes (Kathmandu's was 5:41:16). */
  seconds: number;
  /** In minutes, as `Date.getTimezoneOffset` gives it (whole minutes). */
  minutes: number;
}

/** The zone's offset at `t` (seconds since the epoch), as a `Date` in local time has it. */
function offsetAt(t: number): Offset {
  const d = new Date(t * 1000);
  const local = Date.UTC(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds());
  return { seconds: local / 1000 - Math.floor(t), minutes: -d.getTimezoneOffset() };
}

/** {@link offsetAt} by hour since the epoch, for the hours the zone keeps one offset all through. */
const offsets = new Map<number, Offset>();

/** Forgets the zone's offsets {@link localtime} remembers: for a run after TZ may have changed. */
export function forgetZone(): void {
  offsets.clear();
}

/**
 * {@link offsetAt}, asked of a `Date` once per hour (no zone changes its
 * offset twice within one): a `Date` in local time costs far more than the
 * arithmetic of {@link breakDown}, and `last` prints two times a line.
 */
function zoneOffset(t: number): Offset {
  const hour = Math.floor(t / 3600);
  let offset = offsets.get(hour);
  if (offset === undefined) {
    offset = offsetAt(hour * 3600);
    // An hour in which the offset changes is asked for each time.
    if (offset.seconds !== offsetAt(hour * 3600 + 3599).seconds) return offsetAt(t);
    if (offsets.size === 65536) offsets.clear();
    offsets.set(hour, offset);
  }
  return offset;
}

/**
 * `ctime(t)` without the newline: "Thu Jan  1 00:00:00 1970".
 *
 * @param t Seconds since the epoch.
 * @returns The text.
 */
export function ctime(t: number): string {
  const tm = localtime(t);
  return `${DAYS[tm.wday]} ${MONTHS[tm.mon]} ${String(tm.mday).padStart(2, " ")} ${p2(tm.hour)}:${p2(tm.min)}:${
    p2(tm.sec)
  } ${tm.year}`;
}

/**
 * util-linux `strtime_iso(ISO_TIMESTAMP_T)`: "2013-08-28T13:00:00+00:00" in the local zone.
 *
 * @param t Seconds since the epoch.
 * @returns The text.
 */
export function isoLocal(t: number): string {
  const tm = localtime(t);
  const off = Math.abs(tm.gmtoff);
  return `${String(tm.year).padStart(4, " ")}-${p2(tm.mon + 1)}-${p2(tm.mday)}T${p2(tm.hour)}:${p2(tm.min)}:${
    p2(tm.sec)
  }${tm.gmtoff < 0 ? "-" : "+"}${p2(Math.trunc(off / 60))}:${p2(off % 60)}`;
}

/**
 * coreutils `who`'s time column: `%b %e %H:%M` in the C/POSIX locale,
 * `%Y-%m-%d %H:%M` in any other (coreutils' `hard_locale` test).
 *
 * @param t Seconds since the epoch.
 * @param cLocale Whether LC_TIME is the C locale.
 * @returns The text.
 */
export function whoTime(t: number, cLocale: boolean): string {
  const tm = localtime(t);
  if (cLocale) return `${MONTHS[tm.mon]} ${String(tm.mday).padStart(2, " ")} ${p2(tm.hour)}:${p2(tm.min)}`;
  return `${tm.year}-${p2(tm.mon + 1)}-${p2(tm.mday)} ${p2(tm.hour)}:${p2(tm.min)}`;
}

/** The locale of a category as setlocale(LC_ALL, "") chooses it from the environment. */
function localeOf(category: "LC_TIME" | "LC_CTYPE"): string {
  const env = process.env;
  return env.LC_ALL || env[category] || env.LANG || "C";
}

/**
 * Whether LC_TIME is the C or POSIX locale.
 *
 * @returns True for "C" and "POSIX" (and an unset environment).
 */
export function isCTimeLocale(): boolean {
  const locale = localeOf("LC_TIME");
  return locale === "C" || locale === "POSIX";
}

/**
 * Whether LC_CTYPE names a UTF-8 locale (so printable UTF-8 passes
 * util-linux's `fputs_careful` unescaped).
 *
 * @returns True for "*.UTF-8" / "*.utf8" locales.
 */
export function isUtf8Locale(): boolean {
  return /\.utf-?8/i.test(localeOf("LC_CTYPE"));
}

/** A Unicode code point `iswprint` accepts (not a control, format, separator other than space, or unassigned). */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]$/u;

/**
 * util-linux `fputs_careful(s, stdout, '*')` as Debian's util-linux 2.38.1
 * builds it: printable ASCII, BEL, TAB, CR and LF as they are; another ASCII
 * control byte c as "*" followed by c ^ 0x40; other bytes as a
 * printable multibyte character when the locale is UTF-8, else as `\ooo`.
 *
 * @param s A byte string.
 * @param utf8Locale Whether the locale is UTF-8.
 * @returns The escaped byte string.
 */
export function careful(s: string, utf8Locale: boolean): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x07 || c === 0x09 || c === 0x0d || c === 0x0a) out += s[i];
    else if (c < 0x80) out += "*" + String.fromCharCode(c ^ 0x40);
    else {
      const n = utf8Locale ? utf8Length(s, i) : 0;
      if (n > 0) {
        out += s.slice(i, i + n);
        i += n - 1;
      } else out += "\\" + c.toString(8).padStart(3, " ");
    }
  }
  return out;
}

/** Length of a printable UTF-8 character at `i` of a byte string, or 0. */
function utf8Length(s: string, i: number): number {
  const c = s.charCodeAt(i);
  const n = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
  if (n === 0 || i + n > s.length) return 0;
  let cp = c & (0xff >> (n + 1));
  for (let k = 1; k < n; k++) {
    const b = s.charCodeAt(i + k);
    if ((b & 0xc0) !== 0x80) return 0;
    cp = cp * 64 + (b & 0x3f);
  }
  const min = n === 2 ? 0x80 : n === 3 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return 0;
  return PRINTABLE.test(String.fromCodePoint(cp)) ? n : 0;
}
