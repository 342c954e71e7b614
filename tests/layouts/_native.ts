/**
 * Reading the native tools' text beside the BSD fixtures (`last`, `lastlogin`,
 * `lastlog`): their lines print local times of the capture machine, so a
 * record's time is compared in that machine's zone, to the precision printed.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

/** A time as `last` prints it: "Fri Feb  2 15:59", "Sun Feb 25 2024 03:36:43", "Fri Feb  2 15:48:37 2024". */
export interface PrintedTime {
  weekday: string;
  month: string;
  day: number;
  hour: number;
  minute: number;
  second?: number;
  year?: number;
}

/** One line of `last`-like output: the columns before the time, the time, and what follows it. */
export interface PrintedRow {
  columns: string[];
  time: PrintedTime;
  rest: string;
}

const TIME =
  /(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d+)(?: (\d{4}))? (\d\d):(\d\d)(?::(\d\d))?(?: (\d{4}))?/;

/** Parses the rows of a native output file (lines without a time, such as "wtmp begins", are left out). */
export function printedRows(path: string): PrintedRow[] {
  const rows: PrintedRow[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = TIME.exec(line);
    if (m === null || / begins /.test(line)) continue;
    const year = m[4] ?? m[8];
    rows.push({
      columns: line.slice(0, m.index).trim().split(/ +/).filter((c) => c !== ""),
      time: {
        weekday: m[1]!,
        month: m[2]!,
        day: Number(m[3]),
        hour: Number(m[5]),
        minute: Number(m[6]),
        ...(m[7] === undefined ? {} : { second: Number(m[7]) }),
        ...(year === undefined ? {} : { year: Number(year) }),
      },
      rest: line.slice(m.index + m[0].length).trim(),
    });
  }
  return rows;
}

/**
 * `date` as the capture machine printed it, to the precision of `printed`
 * (the fields `printed` lacks are left out).
 *
 * @param date The record's time.
 * @param zone The capture machine's IANA zone.
 * @param printed What the tool printed.
 */
export function inZone(date: Date, zone: string, printed: PrintedTime): PrintedTime {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      weekday: "short",
      month: "short",
      day: "numeric",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    }).formatToParts(date).map((p) => [p.type, p.value]),
  );
  return {
    weekday: parts.weekday!,
    month: parts.month!,
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    ...(printed.second === undefined ? {} : { second: Number(parts.second) }),
    ...(printed.year === undefined ? {} : { year: Number(parts.year) }),
  };
}

/** A "HH:MM" or "HH:MM:SS" logout time in `rest` ("- 16:00  (00:01)"), if any. */
export function logoutTime(rest: string): { hour: number; minute: number; second?: number } | undefined {
  const m = /^- (\d\d):(\d\d)(?::(\d\d))?/.exec(rest);
  if (m === null) return undefined;
  return { hour: Number(m[1]), minute: Number(m[2]), ...(m[3] === undefined ? {} : { second: Number(m[3]) }) };
}

/** A record as the BSD `last` checks need it. */
export interface LastRecord {
  ut_type: string;
  ut_user: string;
  ut_line: string;
  ut_host: string;
  ut_addr_text: string;
  ut_time: Date;
}

/**
 * What a BSD `last` prints after a login: the time of the next record with
 * an empty user on the same line (the logout), "shutdown" or "crash" when a
 * "~" record comes first, or "still logged in".
 */
export function bsdEnding(records: readonly LastRecord[], i: number): Date | "shutdown" | "crash" | "still" {
  const line = records[i]!.ut_line;
  for (const u of records.slice(i + 1)) {
    if (u.ut_line === "~") return u.ut_user === "shutdown" ? "shutdown" : "crash";
    if (u.ut_line === line && u.ut_user === "") return u.ut_time;
  }
  return "still";
}

/** Options of {@link checkBsdLast}. */
export interface BsdLastOptions {
  /** The capture machine's zone. */
  zone: string;
  /** The columns `last` printed for a record. */
  columns: (u: LastRecord) => string[];
  /** Records `last` does not list even with a user (NetBSD's SIGNATURE). */
  hide?: (u: LastRecord) => boolean;
}

/**
 * Compares records with a BSD `last` listing: newest first, one row per
 * record with a user, its columns and login time to the precision printed,
 * and what ended the session.
 *
 * @returns The number of rows compared.
 */
export function checkBsdLast(records: readonly LastRecord[], textPath: string, options: BsdLastOptions): number {
  const shown = records.map((u, i) => [u, i] as const).filter(([u]) => u.ut_user !== "" && !options.hide?.(u))
    .reverse();
  const rows = printedRows(textPath);
  assert.equal(rows.length, shown.length, `${textPath}: rows`);
  rows.forEach((row, n) => {
    const [u, i] = shown[n]!;
    const where = `${textPath} row ${n}`;
    assert.deepEqual(row.columns, options.columns(u), where);
    assert.deepEqual(row.time, inZone(u.ut_time, options.zone, row.time), where);
    if (u.ut_line === "~") return;
    const end = bsdEnding(records, i);
    if (end === "still") assert.match(row.rest, /^still logged in/, where);
    else if (typeof end === "string") assert.match(row.rest, new RegExp(`^- ${end}`), where);
    else {
      const printed = logoutTime(row.rest);
      const t = inZone(end, options.zone, { ...row.time, ...(printed?.second === undefined ? {} : { second: 0 }) });
      assert.deepEqual(printed, {
        hour: t.hour,
        minute: t.minute,
        ...(t.second === undefined ? {} : { second: t.second }),
      }, where);
    }
  });
  return rows.length;
}
