/**
 * The few pieces of the C library's time handling that `utmpdump`,
 * `utmpdump -r` and `last` depend on, with glibc's exact behaviour on odd
 * input: `strptime` (fields are stored as they are matched, so a failed
 * parse leaves the ones before the failure set), `timegm` on arbitrary
 * `struct tm` values (out-of-range fields roll over), `mktime` in the local
 * zone, and the calendar of `gmtime` and `localtime` ({@link breakDown}).
 *
 * @module
 */

/** The `struct tm` fields these functions use (year is the full year, not minus 1900). */
export interface TmFields {
  /** Full year (tm_year + 1900). */
  year: number;
  /** Month 0..11 (may be out of range: it rolls over). */
  mon: number;
  /** Day of the month (0 is the last day of the previous month). */
  mday: number;
  /** Hour. */
  hour: number;
  /** Minute. */
  min: number;
  /** Second. */
  sec: number;
  /** Day of the week, 0 = Sunday (set by %a, not used by timegm). */
  wday: number;
}

/** `memset(&tm, 0, sizeof tm)`: year 1900, month 0, day 0. */
export function zeroTm(): TmFields {
  return { year: 1900, mon: 0, mday: 0, hour: 0, min: 0, sec: 0, wday: 0 };
}

const DAY_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MONTH_NAMES = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];

/**
 * C `isspace` in the C locale.
 *
 * @param c A character (undefined past the end of a string).
 * @returns True for space, tab, newline, vertical tab, form feed and carriage return.
 */
export const isSpace = (c: string | undefined): boolean =>
  c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

/**
 * glibc `strptime(s, format, tm)` for the conversions %Y %y %m %d %H %M %S
 * %T %a %b in the C locale.
 *
 * @param s The input (a byte string).
 * @param format The format.
 * @param tm Fields to set as they are matched.
 * @returns Index in `s` after the match, or -1 when the input does not match (the fields set so far stay set).
 */
export function strptime(s: string, format: string, tm: TmFields): number {
  let i = 0;
  const number = (from: number, to: number, digits: number): number | undefined => {
    while (isSpace(s[i])) i++;
    if (!isDigit(s[i])) return undefined;
    let val = 0;
    let n = digits;
    do {
      val = val * 10 + (s.charCodeAt(i++) - 48);
    } while (--n > 0 && val * 10 <= to && isDigit(s[i]));
    return val < from || val > to ? undefined : val;
  };
  const name = (names: readonly string[]): number | undefined => {
    let best = -1;
    let end = i;
    const lower = s.slice(i).toLowerCase();
    names.forEach((full, index) => {
      for (const candidate of [full, full.slice(0, 3)]) {
        if (lower.startsWith(candidate) && i + candidate.length > end) {
          end = i + candidate.length;
          best = index;
        }
      }
    });
    if (best === -1) return undefined;
    i = end;
    return best;
  };
  for (let f = 0; f < format.length; f++) {
    const fc = format[f];
    if (isSpace(fc)) {
      while (isSpace(s[i])) i++;
      continue;
    }
    if (fc !== "%") {
      if (s[i] !== fc) return -1;
      i++;
      continue;
    }
    let v: number | undefined;
    switch (format[++f]) {
      case "Y":
        if ((v = number(0, 9999, 4)) === undefined) return -1;
        tm.year = v;
        break;
      case "y":
        if ((v = number(0, 99, 2)) === undefined) return -1;
        tm.year = v >= 69 ? 1900 + v : 2000 + v;
        break;
      case "m":
        if ((v = number(1, 12, 2)) === undefined) return -1;
        tm.mon = v - 1;
        break;
      case "d":
        if ((v = number(1, 31, 2)) === undefined) return -1;
        tm.mday = v;
        break;
      case "H":
        if ((v = number(0, 23, 2)) === undefined) return -1;
        tm.hour = v;
        break;
      case "M":
        if ((v = number(0, 59, 2)) === undefined) return -1;
        tm.min = v;
        break;
      case "S":
        if ((v = number(0, 61, 2)) === undefined) return -1;
        tm.sec = v;
        break;
      case "T": {
        const end = strptime(s.slice(i), "%H:%M:%S", tm);
        if (end === -1) return -1;
        i += end;
        break;
      }
      case "a":
        if ((v = name(DAY_NAMES)) === undefined) return -1;
        tm.wday = v;
        break;
      case "b":
        if ((v = name(MONTH_NAMES)) === undefined) return -1;
        tm.mon = v;
        break;
      default:
        throw new RangeError(`Cannot use strptime conversion "%${format[f]}": not supported`);
    }
  }
  return i;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (month 1..12), for any year. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * `timegm(&tm)`: seconds since the epoch of a UTC broken-down time, with
 * out-of-range fields rolled over as the C library does (day 0 is the last
 * day of the previous month).
 *
 * @param tm The fields.
 * @returns Seconds since the epoch.
 */
export function timegm(tm: TmFields): number {
  const year = tm.year + Math.floor(tm.mon / 12);
  const mon = ((tm.mon % 12) + 12) % 12;
  const days = daysFromCivil(year, mon + 1, 1) + tm.mday - 1;
  return days * 86400 + tm.hour * 3600 + tm.min * 60 + tm.sec;
}

/**
 * `mktime(&tm)` in the local zone (the TZ environment variable).
 *
 * @param tm The fields.
 * @returns Seconds since the epoch.
 */
export function mktime(tm: TmFields): number {
  const d = new Date(2000, 0, 1, 0, 0, 0);
  d.setFullYear(tm.year, tm.mon, tm.mday);
  d.setHours(tm.hour, tm.min, tm.sec, 0);
  return Math.floor(d.getTime() / 1000);
}

/** `struct tm` as `gmtime` and `localtime` fill it: the fields, with the zone's offset from UTC. */
export interface Tm extends TmFields {
  /** Offset from UTC in minutes (east positive). */
  gmtoff: number;
}

/**
 * The broken-down time of a moment already shifted into its zone, as glibc
 * computes it: the proleptic Gregorian calendar, for any whole number of
 * seconds (Howard Hinnant's civil_from_days). `gmtime` and `localtime`
 * differ only in the shift.
 *
 * @param local Seconds since the epoch plus the zone's offset in seconds.
 * @param gmtoff The zone's offset in minutes, to report.
 * @returns The fields.
 */
export function breakDown(local: number, gmtoff: number): Tm {
  const days = Math.floor(local / 86400);
  const secs = local - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const mon = mp < 10 ? mp + 2 : mp - 10;
  return {
    year: yoe + era * 400 + (mon <= 1 ? 1 : 0),
    mon,
    mday: doy - Math.floor((153 * mp + 2) / 5) + 1,
    hour: Math.floor(secs / 3600),
    min: Math.floor(secs / 60) % 60,
    sec: secs % 60,
    wday: (((days + 4) % 7) + 7) % 7,
    gmtoff,
  };
}

/**
 * `gmtime(t)` for any whole number of seconds, or `undefined` where glibc's
 * fails (a year that does not fit `int tm_year`).
 *
 * @param t Seconds since the epoch.
 * @returns The UTC fields.
 */
export function gmtime(t: number): Tm | undefined {
  const tm = breakDown(t, 0);
  return tm.year - 1900 > 2147483647 || tm.year - 1900 < -2147483648 ? undefined : tm;
}
