/**
 * What the C tools' output is made of, reproduced byte for byte: `printf`
 * string fields over byte strings (see ../_internal/bytes.ts: widths and precisions
 * count bytes as C does), the tools' time formats and the locale checks.
 * How each tool escapes text is in ../_internal/escape/.
 *
 * @module
 */

import process from "node:process";
import { p2 } from "../_internal/bytes.ts";
import { breakDown, type Tm } from "../_internal/strptime.ts";
import { isPermissionDenial } from "../_internal/runtime.ts";
import { LOCALE_DIR, type Locales, setlocaleAll, systemLocales } from "./_locale.ts";

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

/**
 * {@link offsetAt} by day and by hour since the epoch: a day whose offset is
 * the same at its first and last second (most days, and every day of a zone
 * that never changes) is kept whole; a day with a change, by hour.
 */
const days = new Map<number, Offset>();
const hours = new Map<number, Offset>();

/** Forgets the zone's offsets {@link localtime} remembers: for a run after TZ may have changed. */
export function forgetZone(): void {
  days.clear();
  hours.clear();
  lastSpan = lastSpanEnd = NaN;
}

/**
 * {@link offsetAt}, asked of a `Date` once per day or hour: a `Date` in
 * local time costs far more than the arithmetic of {@link breakDown}, and
 * `last` prints two times a line. The same offset at both ends of a day
 * (UTC) is taken to hold all through it: no zone of the tz database changes
 * its offset twice within one UTC day (checked with `zdump -v` for every
 * zone, 1800 to 2100). A day with a change is asked by hour, and the hour of
 * the change at every time.
 */
function zoneOffset(t: number): Offset {
  // Times come in order: most are in the span asked for last.
  if (t >= lastSpan && t < lastSpanEnd) return lastOffset;
  const day = Math.floor(t / 86400);
  let offset = days.get(day);
  if (offset === undefined) {
    offset = offsetAt(day * 86400);
    if (offset.seconds === offsetAt(day * 86400 + 86399).seconds) {
      if (days.size === 4096) days.clear();
      days.set(day, offset);
    } else return hourOffset(t);
  }
  return remember(day * 86400, 86400, offset);
}

/** {@link zoneOffset} within a day whose offset changes. */
function hourOffset(t: number): Offset {
  const hour = Math.floor(t / 3600);
  let offset = hours.get(hour);
  if (offset === undefined) {
    offset = offsetAt(hour * 3600);
    if (offset.seconds !== offsetAt(hour * 3600 + 3599).seconds) return offsetAt(t);
    if (hours.size === 4096) hours.clear();
    hours.set(hour, offset);
  }
  return remember(hour * 3600, 3600, offset);
}

/** Makes `[start, start + length)` the span {@link zoneOffset} answers at once. */
function remember(start: number, length: number, offset: Offset): Offset {
  lastSpan = start;
  lastSpanEnd = start + length;
  lastOffset = offset;
  return offset;
}

/** The span (seconds since the epoch) {@link zoneOffset} answered last, the offset the same all through it. */
let lastSpan = NaN;
let lastSpanEnd = NaN;
let lastOffset: Offset = { seconds: 0, minutes: 0 };

/** "00:00" to "23:59", by minute of the day. */
const HOURS_MINUTES = Array.from({ length: 1440 }, (_, m) => `${p2(Math.floor(m / 60))}:${p2(m % 60)}`);

/** The formats {@link TimeText} makes. */
export type TimeTextFormat = "ctime" | "ctime-minutes" | "hhmm" | "iso" | "who-c" | "who" | "none";

/**
 * A time format of the C tools for many times in a row: the date part of the
 * text is made once per local day (times arrive in order, so most lines fall
 * on the day the line before did), the time of day each time from the
 * seconds. The same text as {@link ctime}, {@link isoLocal} and `%H:%M`.
 */
export class TimeText {
  readonly #format: TimeTextFormat;
  /** The local day (days since the epoch) and the zone's offset the date part below is for. */
  #day = NaN;
  #minutes = NaN;
  /** "Tue Feb  7 " (ctime) or "2023-02-07T" (iso). */
  #date = "";
  /** " 2023" (ctime) or "+01:00" (iso). */
  #tail = "";

  /** @param format Which format: ctime (`ctime-minutes`: only up to the minute), hh:mm, ISO 8601, or nothing. */
  constructor(format: TimeTextFormat) {
    this.#format = format;
  }

  /**
   * The text of a time.
   *
   * @param t Seconds since the epoch.
   * @returns The text.
   */
  of(t: number): string {
    const format = this.#format;
    if (format === "none") return "";
    if (!(Math.abs(t) <= DATE_LIMIT) || !Number.isInteger(t)) return this.#slowly(t);
    const inDay = this.#secondOfDay(t);
    const hm = HOURS_MINUTES[Math.floor(inDay / 60)]!;
    switch (format) {
      case "hhmm":
        return hm;
      case "ctime-minutes":
      case "who-c":
      case "who":
        return this.#date + hm;
      case "ctime":
        return `${this.#date}${hm}:${p2(inDay % 60)}${this.#tail}`;
      case "iso":
        return `${this.#date}${hm}:${p2(inDay % 60)}${this.#tail}`;
    }
  }

  /**
   * Writes the text of a time cut or padded to `width` (printf `%-W.Ws`),
   * in pieces: no string is made for it.
   *
   * @param out Where to write.
   * @param t Seconds since the epoch.
   * @param width The column's width.
   */
  writeTo(
    out: { write(text: string): void; pad(text: string, width: number, precision: number): void },
    t: number,
    width: number,
  ): void {
    const format = this.#format;
    if (format === "none" || !(Math.abs(t) <= DATE_LIMIT) || !Number.isInteger(t)) {
      out.pad(this.of(t), width, width);
      return;
    }
    const inDay = this.#secondOfDay(t);
    const hm = HOURS_MINUTES[Math.floor(inDay / 60)]!;
    if (format === "hhmm" && width === 5) return out.write(hm);
    if ((format === "ctime-minutes" || format === "who-c" || format === "who") && width === this.#date.length + 5) {
      out.write(this.#date);
      return out.write(hm);
    }
    if ((format === "ctime" || format === "iso") && width === this.#date.length + 8 + this.#tail.length) {
      out.write(this.#date);
      out.write(hm);
      out.write(":");
      out.write(p2(inDay % 60));
      return out.write(this.#tail);
    }
    out.pad(this.of(t), width, width);
  }

  /** The local second of the day of `t`, the date part made anew when `t` is on another local day. */
  #secondOfDay(t: number): number {
    const offset = zoneOffset(t);
    const local = t + offset.seconds;
    const day = Math.floor(local / 86400);
    if (day !== this.#day || offset.minutes !== this.#minutes) this.#newDay(day, offset.minutes);
    return local - day * 86400;
  }

  #newDay(day: number, minutes: number): void {
    const tm = breakDown(day * 86400, minutes);
    this.#day = day;
    this.#minutes = minutes;
    if (this.#format === "who-c") this.#date = `${MONTHS[tm.mon]} ${String(tm.mday).padStart(2, " ")} `;
    else if (this.#format === "who") this.#date = `${tm.year}-${p2(tm.mon + 1)}-${p2(tm.mday)} `;
    else if (this.#format === "iso") {
      const off = Math.abs(minutes);
      this.#date = `${String(tm.year).padStart(4, " ")}-${p2(tm.mon + 1)}-${p2(tm.mday)}T`;
      this.#tail = `${minutes < 0 ? "-" : "+"}${p2(Math.trunc(off / 60))}:${p2(off % 60)}`;
    } else {
      this.#date = `${DAYS[tm.wday]} ${MONTHS[tm.mon]} ${String(tm.mday).padStart(2, " ")} `;
      this.#tail = ` ${tm.year}`;
    }
  }

  /** A time a `Date` cannot hold, or not whole: as the one-off formatters write it. */
  #slowly(t: number): string {
    switch (this.#format) {
      case "hhmm": {
        const tm = localtime(t);
        return `${p2(tm.hour)}:${p2(tm.min)}`;
      }
      case "ctime-minutes":
        return ctime(t).slice(0, 16);
      case "iso":
        return isoLocal(t);
      case "who-c":
        return whoTime(t, true);
      case "who":
        return whoTime(t, false);
      default:
        return ctime(t);
    }
  }
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

/**
 * Reports a locale check the runtime does not allow: what, the Deno flag
 * that allows it, and what is done instead.
 */
export type LocaleDenied = (what: string, flag: string, instead: string) => void;

let decided: Locales | undefined;
let reportDenied: LocaleDenied | undefined;

/**
 * Forgets the locale decided so far (the environment may have changed since
 * the last run in this process), and says where to report a check the
 * runtime does not allow.
 *
 * @param onDenied Called once per kind of check not allowed (Deno without --allow-env or --allow-read).
 */
export function forgetLocale(onDenied?: LocaleDenied): void {
  decided = undefined;
  reportDenied = onDenied;
}

/** `setlocale(LC_ALL, "")` of this process's environment, decided once per run (see _locale.ts). */
function locales(): Locales {
  if (decided !== undefined) return decided;
  let envDenied = false;
  const env = (name: string): string | undefined => {
    try {
      return process.env[name];
    } catch (error) {
      if (!isPermissionDenial(error)) throw error;
      envDenied = true;
      return undefined; // as if unset: the C locale, unless LANG & co. are readable
    }
  };
  try {
    decided = setlocaleAll(systemLocales(env));
  } catch (error) {
    if (!isPermissionDenial(error)) throw error;
    // The locale files may not be read: take the environment's names as installed.
    decided = setlocaleAll({ env, archive: () => new Set(), exists: () => true, aliases: () => new Map() });
    const named = [...new Set(Object.values(decided.categories).map((c) => c.name))].join('", "');
    reportDenied?.(`the installed locales (${LOCALE_DIR})`, "--allow-read", `as if "${named}" were installed`);
  }
  if (envDenied) reportDenied?.("the locale (LC_ALL, LC_TIME, LANG, ...)", "--allow-env", "with what is readable");
  return decided;
}

/**
 * Whether LC_TIME is the C or POSIX locale (coreutils' `hard_locale`
 * test), as `setlocale(LC_ALL, "")` leaves it: also when the environment
 * names a locale that is not installed.
 *
 * @returns True for "C" and "POSIX" (and an unset environment, or a locale not installed).
 */
export function isCTimeLocale(): boolean {
  const locale = locales().categories.LC_TIME.name;
  return locale === "C" || locale === "POSIX";
}

/**
 * Whether LC_CTYPE is a UTF-8 locale (so printable UTF-8 passes
 * util-linux's `fputs_careful` unescaped), as `setlocale(LC_ALL, "")`
 * leaves it.
 *
 * @returns True for an installed locale whose codeset is UTF-8 ("C.UTF-8", "en_US.utf8").
 */
export function isUtf8Locale(): boolean {
  return locales().categories.LC_CTYPE.codeset === "utf8";
}
