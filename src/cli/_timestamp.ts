/**
 * util-linux `parse_timestamp` (lib/timeutils.c, from systemd): the time
 * syntax of `last --since/--until/--present`, in the local zone.
 *
 * @module
 */

import { mktime, strptime, type TmFields } from "../_internal/strptime.ts";
import { localtime } from "./_text.ts";

/**
 * parse_sec's suffixes and their microseconds, tried in this order (the
 * first suffix the text starts with wins: a longer one comes before its
 * prefix, "min" and "ms" before "m"; "" alone means seconds).
 */
const UNITS: [string, number][] = [
  ["seconds", 1e6],
  ["second", 1e6],
  ["sec", 1e6],
  ["s", 1e6],
  ["minutes", 60e6],
  ["minute", 60e6],
  ["min", 60e6],
  ["months", 2629800e6],
  ["month", 2629800e6],
  ["msec", 1e3],
  ["ms", 1e3],
  ["m", 60e6],
  ["hours", 3600e6],
  ["hour", 3600e6],
  ["hr", 3600e6],
  ["h", 3600e6],
  ["days", 86400e6],
  ["day", 86400e6],
  ["d", 86400e6],
  ["weeks", 604800e6],
  ["week", 604800e6],
  ["w", 604800e6],
  ["years", 31557600e6],
  ["year", 31557600e6],
  ["y", 31557600e6],
  ["usec", 1],
  ["us", 1],
  ["", 1e6],
];

/** parse_sec: "5min 3s" as microseconds, or undefined. */
function parseSec(t: string): number | undefined {
  let total = 0;
  let something = false;
  let p = t;
  for (;;) {
    p = p.replace(/^[ \t\n\r]+/, "");
    if (p === "") return something ? total : undefined;
    const m = /^(\d+)(?:\.(\d+))?/.exec(p);
    if (m === null) return undefined;
    const rest = p.slice(m[0].length).replace(/^[ \t\n\r]+/, "");
    const unit = UNITS.find(([suffix]) => rest.startsWith(suffix));
    if (unit === undefined) return undefined;
    const fraction = m[2] === undefined ? 0 : Math.floor(Number(m[2]) * unit[1] / 10 ** m[2].length);
    total += Number(m[1]) * unit[1] + fraction;
    p = rest.slice(unit[0].length);
    something = true;
  }
}

/** parse_timestamp's weekday names, compared without case and followed by a space. */
const WEEKDAYS: [string, number][] = [
  ["Sunday", 0],
  ["Sun", 0],
  ["Monday", 1],
  ["Mon", 1],
  ["Tuesday", 2],
  ["Tue", 2],
  ["Wednesday", 3],
  ["Wed", 3],
  ["Thursday", 4],
  ["Thu", 4],
  ["Friday", 5],
  ["Fri", 5],
  ["Saturday", 6],
  ["Sat", 6],
];

/** Formats tried in turn, with the fields they leave at zero. */
const FORMATS: [string, ("sec" | "time")?][] = [
  ["%y-%m-%d %H:%M:%S"],
  ["%Y-%m-%d %H:%M:%S"],
  ["%Y-%m-%dT%H:%M:%S"],
  ["%y-%m-%d %H:%M", "sec"],
  ["%Y-%m-%d %H:%M", "sec"],
  ["%y-%m-%d", "time"],
  ["%Y-%m-%d", "time"],
  ["%H:%M:%S"],
  ["%H:%M", "sec"],
  ["%Y%m%d%H%M%S", "sec"],
];

/**
 * Parses a time as util-linux does: "2012-09-22 16:34:22", "2012-09-22T16:34:22",
 * "2012-09-22 16:34", "2012-09-22", "16:34:22", "16:34", "now", "today",
 * "yesterday", "tomorrow", "+5min", "-5days", "3h ago", an optional leading
 * weekday ("Sat 2012-09-22").
 *
 * @param text The argument.
 * @param now The current time in milliseconds.
 * @returns Seconds since the epoch, or undefined when the text does not parse.
 */
export function parseTimestamp(text: string, now = Date.now()): number | undefined {
  const nowSec = Math.floor(now / 1000);
  const base: TmFields = localtime(nowSec);
  let plus = 0;
  let minus = 0;
  let tm: TmFields | undefined = { ...base };
  let weekday = -1;
  let t = text;
  if (t === "now") { /* the current time */ }
  else if (t === "today" || t === "yesterday" || t === "tomorrow") {
    tm.mday += t === "yesterday" ? -1 : t === "tomorrow" ? 1 : 0;
    tm.hour = tm.min = tm.sec = 0;
  } else if (t.startsWith("+") || t.startsWith("-")) {
    const usec = parseSec(t.slice(1));
    if (usec === undefined) return undefined;
    if (t[0] === "+") plus = usec;
    else minus = usec;
  } else if (t.endsWith(" ago")) {
    const usec = parseSec(t.slice(0, -4));
    if (usec === undefined) return undefined;
    minus = usec;
  } else {
    for (const [name, nr] of WEEKDAYS) {
      if (t.slice(0, name.length).toLowerCase() === name.toLowerCase() && t[name.length] === " ") {
        weekday = nr;
        t = t.slice(name.length + 1);
        break;
      }
    }
    tm = undefined;
    for (const [format, zero] of FORMATS) {
      const candidate = { ...base };
      if (strptime(t, format, candidate) !== t.length) continue;
      if (zero === "sec" || zero === "time") candidate.sec = 0;
      if (zero === "time") candidate.hour = candidate.min = 0;
      tm = candidate;
      break;
    }
    if (tm === undefined) return undefined;
  }
  const x = mktime(tm);
  if (weekday >= 0 && localtime(x).wday !== weekday) return undefined;
  const usec = x * 1e6 + plus;
  return Math.floor((usec > minus ? usec - minus : 0) / 1e6);
}
