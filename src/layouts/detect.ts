/**
 * Detection: which utmp layout a file is in, from its content and its size
 * ({@link detectLayout}). The rules below hold for every detection; the
 * evidence is gathered in _plausible.ts, lastlogs are chosen in
 * detect_lastlog.ts, refusals worded in _refusal.ts, and a reader's
 * `layout` option resolved in resolve.ts.
 *
 * Detection weighs what no outsider chooses: a record's type, its times,
 * pids and padding, and the size of the file. The user name and the host are
 * what a failed SSH login or a reverse DNS answer writes: they never decide a
 * layout (a control byte in them refuses nothing, and their text makes no
 * record plausible), so a run of hostile names leaves every other record
 * readable.
 *
 * Each non-zero record in the sample is judged:
 * - blank: an EMPTY type and no line. A real file may hold such a stale slot,
 *   but misaligned or foreign bytes often read so; blank records count
 *   against a layout in `support` but not in `confidence`.
 * - implausible: a type the layout does not define (for glibc-style 16-bit
 *   types, also non-zero padding after it); microseconds outside [0, 10^6);
 *   seconds outside [0, 2^32) (from 1 for layouts without a type); a negative
 *   pid, or one above Linux's `PID_MAX_LIMIT` (2^22) in a glibc layout; a
 *   control character in the line or the id (FreeBSD's opaque id excepted);
 *   a field its type does not store that is not zero (FreeBSD); for layouts
 *   without a type, a line that is not zero-padded printable UTF-8, or a user
 *   or host with bytes after its NUL (what `strncpy` into a zeroed struct
 *   never leaves; what they say is not looked at); or fields that are not
 *   what its type stores: EMPTY, USER_PROCESS and LOGIN_PROCESS need a line
 *   (or an id), INIT_PROCESS an id or a line and a pid, DEAD_PROCESS a line,
 *   an id or a pid, a clock record (BOOT_TIME, RUN_LVL, OLD_TIME, NEW_TIME,
 *   SHUTDOWN_TIME, DOWN_TIME) a line such as "~", or, where its layout writes
 *   it without text (macOS, FreeBSD), a time from 1980 on; ACCOUNTING nothing.
 * - plausible otherwise; *weak* when its time is before 1980 (a machine
 *   without a battery clock counts from 1970 after each boot) or more than a
 *   year after the reader's clock. Weak records lower `confidence`, not
 *   `support`.
 *
 * Between the two byte orders of one record size, the times decide what the
 * types and pids leave open: the reading with the larger share of dated
 * (not weak) records, then the one whose times lie closer together (a
 * byte-swapped time lands anywhere in 136 years). The share says nothing
 * when the weak reading's times all fall in the first 194 days of 1970: the
 * other reading's are then multiples of 256, as round test values are, and
 * as the byte swap of such a time is.
 *
 * @module
 */

import { LAYOUTS, layoutsOf } from "./registry.ts";
import { isFramed } from "./schema.ts";
import { quotePath } from "../_internal/escape/terminal.ts";
import {
  clock,
  compareTimes,
  DETECT_SAMPLE,
  type Detection,
  type DetectOptions,
  MIN_SUPPORT,
  type Score,
  scoreLayout,
  weakness,
} from "./_plausible.ts";
import { contentRefusal, fail, fileContent, names, refuse } from "./_refusal.ts";
import { lastlogKind, zeroLastlog } from "./detect_lastlog.ts";

/**
 * How many bytes from the start of a file {@link detectLayout} looks at:
 * {@link DETECT_SAMPLE} records of the largest layout. Read this much (or
 * the whole file, when smaller) to detect a file's layout.
 *
 * @example Enough bytes for detection
 * ```ts
 * import { DETECT_BYTES, DETECT_SAMPLE } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DETECT_BYTES, DETECT_SAMPLE * 648); // AIX's 648-byte records are the largest
 * ```
 */
export const DETECT_BYTES: number = DETECT_SAMPLE * Math.max(...Object.values(LAYOUTS).map((l) => l.size));

/**
 * Chooses the layout of a file from its first bytes and its size.
 *
 * 1. A magic record wins: the SIGNATURE record macOS ("utmpx-1.00") and
 *    NetBSD ("utmpx-2.00") write first.
 * 2. Then a layout whose record size divides the file size and under which
 *    at least half of the sampled records (up to {@link DETECT_SAMPLE},
 *    all-zero ones skipped) look right: a known type whose fields are what
 *    the type stores, zero padding, microseconds below one million, a time
 *    before 2106, a pid Linux could give, a printable line and id (the user
 *    and the host are not looked at); for layouts without a type also
 *    zero-padded text and a time after 1970. FreeBSD's records must leave the
 *    fields their type does not store zero, and utx.log's length prefixes
 *    must chain. (The rules in full are in this module's documentation.)
 * 3. Then the share of records that look right; whether the size divides;
 *    whether any record has a type other than EMPTY; the times (the share
 *    dated from 1980 to a year ahead, how close together they lie); the
 *    number of records that look right.
 *
 * When nothing tells (an empty file, all-zero records, less than one record),
 * `prefer` is chosen with confidence 0. A file that reads as a lastlog is
 * refused with an error that says so. Any other refusal is a
 * `UtmpFormatError` whose `refusal` names each layout tried with what it
 * gave and the layouts to try with the `layout` option.
 *
 * @example A little-endian 384-byte file
 * ```ts
 * import { detectLayout } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array(384);
 * const view = new DataView(bytes.buffer);
 * view.setInt16(0, 2, true); // BOOT_TIME
 * bytes.set(new TextEncoder().encode("~"), 8);
 * bytes.set(new TextEncoder().encode("reboot"), 44);
 * view.setUint32(340, 1700000000, true);
 * assert.equal(detectLayout(bytes, bytes.length).layout.name, "linux");
 * ```
 *
 * @example A 36-byte file is never guessed
 * ```ts
 * import { detectLayout, encodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
 * import { UtmpFormatError } from "@utmp/utmp";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeRecords(LAYOUTS.bsd, [{ ut_line: "ttyp0", ut_user: "alice", tv_sec: 500000000 }]);
 * assert.throws(() => detectLayout(bytes, bytes.length), (e) =>
 *   e instanceof UtmpFormatError && e.refusal?.suggested.includes("bsd") === true);
 * ```
 *
 * @param head The first bytes of the file (up to {@link DETECT_SAMPLE} records are used).
 * @param fileSize The size of the whole file.
 * @param options Candidates, preference, file name and the time to judge at.
 * @returns The layout, with confidence and reason.
 * @throws {UtmpFormatError} When no layout fits; when several fit equally; when a layout
 * that detection never chooses (`autodetect: false`, such as the 36-byte ones) fits as well.
 */
export function detectLayout(head: Uint8Array, fileSize: number, options: DetectOptions = {}): Detection {
  const candidates = options.candidates ?? layoutsOf("utmp");
  const now = options.now ?? clock();
  const choosable = candidates.filter((l) => l.autodetect !== false);
  const preferred = choosable.find((l) => l.name === options.prefer) ?? choosable[0] ?? candidates[0]!;
  const where = options.path === undefined ? "the file" : quotePath(options.path);
  const fallback = (reason: string): Detection => ({ layout: preferred, confidence: 0, reason });

  if (fileSize === 0) return fallback("empty file");
  const content = fileContent(head);
  if (content !== undefined) throw contentRefusal(content, options.path, "login records");
  const all = candidates.map((layout) => scoreLayout(layout, head, fileSize, now));
  const scored = all.filter((s) => s.records > 0).sort(compareScores);
  const short = all.filter((s) => s.records === 0).map((s) => s.layout);
  // Layouts detection never chooses, but which read the file well: their siblings may be what it is.
  const never = scored.filter((s) =>
    s.layout.autodetect === false && s.strong > 0 && s.fits && s.support >= MIN_SUPPORT
  );
  const suggest = (scores: readonly Score[]) => scores.filter((s) => supported(s) && s.strong > 0).slice(0, 3);
  /** An error for a file that reads as a lastlog, which detection of login records would otherwise misread. */
  const lastlogLike = () => {
    const kind = lastlogKind(head, fileSize, now);
    if (kind === undefined) return undefined;
    return fail(`Cannot read ${where} as login records: it looks like a lastlog file (${kind}); use LastlogFile`);
  };
  /** No choosable layout fits: name the unchoosable ones that do, or a lastlog layout that does, or give up. */
  const reject = (why?: string) => {
    if (never.length > 0) {
      return refuse(
        `Cannot tell the layout of ${where}: it reads as ${names(never)}, which detection never chooses (${
          never.length === 1 ? "its records look like" : "their records look like each other's and"
        } other layouts')`,
        scored,
        short,
        never.map((s) => s.layout.name),
      );
    }
    const lastlog = lastlogLike();
    if (lastlog !== undefined) return lastlog;
    // Records that read well only under layouts whose size does not divide the file: say so.
    const unfit = scored.some((s) => s.support >= MIN_SUPPORT && s.plausible > 0) &&
      !scored.some((s) => supported(s) && s.plausible > 0);
    const none = unfit
      ? `no layout decodes its first records plausibly with a record size that divides its ${fileSize} bytes`
      : "no layout decodes its first records plausibly";
    return refuse(
      `Cannot recognise the layout of ${where}: ${why ?? none}`,
      scored,
      short,
      suggest(scored).map((s) => s.layout.name),
    );
  };
  const best = scored.find((s) => s.layout.autodetect !== false);
  if (best === undefined || best.sampled === 0) {
    if (never.length > 0) throw reject();
    const lastlog = lastlogLike() ?? zeroLastlog(head, fileSize, choosable, where);
    if (lastlog !== undefined) throw lastlog;
    if (best === undefined) return fallback(`file of ${fileSize} bytes holds no whole record`);
    return fallback(`only empty records; chose the preferred layout "${preferred.name}"`);
  }
  if (best.plausible === 0 || (!best.magic && best.support < MIN_SUPPORT)) throw reject();
  // A stray tail is tolerated (a crash mid-write), but only in a reading no other layout shares, of two typed,
  // dated records at least: a size that does not fit is evidence against a layout.
  if (!best.magic && !best.fits) {
    const others = scored.filter((s) => s !== best && s.support >= MIN_SUPPORT && s.plausible >= 2);
    if (best.strong < 2 || best.plausible - best.weak < 2 || others.length > 0) throw reject();
  }
  const rivals = scored.filter((s) => s !== best && compareScores(s, best) <= 0 && s.plausible > 0);
  if (rivals.length > 0) {
    const choosableRivals = rivals.filter((s) => s.layout.autodetect !== false);
    const reason = choosableRivals.length === rivals.length ? "fit equally" : "fit as well";
    throw refuse(
      `Cannot tell the layout of ${where}: ${names([best, ...rivals])} ${reason}`,
      scored,
      short,
      [best, ...rivals].map((s) => s.layout.name),
    );
  }
  // Only EMPTY records: nothing this layout alone would have written.
  if (!best.magic && best.strong === 0) throw reject("its records hold nothing but empty slots under any layout");
  const pct = Math.round(best.confidence * 100);
  const size = isFramed(best.layout)
    ? (best.fits ? "length prefixes chain to the end of the file" : "length prefixes do not chain")
    : best.fits
    ? `file size a multiple of ${best.layout.size}`
    : `${fileSize % best.layout.size} trailing bytes`;
  const magic = best.magic ? `signature record "${best.layout.signature}"; ` : "";
  return {
    layout: best.layout,
    confidence: best.confidence,
    reason: `${magic}${best.plausible} of ${best.sampled} sampled records plausible (${pct}%)${
      weakness(best)
    }, ${size}`,
  };
}

/** A layout whose size divides the file and under which at least half of the records look right. */
function supported(s: Score): boolean {
  return s.fits && s.support >= MIN_SUPPORT;
}

/**
 * Orders scores best first: magic; a size that fits with half the records
 * plausible; support; size fit; any typed record; the times
 * ({@link compareTimes}); the number of plausible records (two whole records
 * beat one when a stray tail leaves neither size fitting). Stable for ties.
 */
function compareScores(a: Score, b: Score): number {
  return Number(b.magic) - Number(a.magic) || Number(supported(b)) - Number(supported(a)) ||
    b.support - a.support || Number(b.fits) - Number(a.fits) || Number(b.strong > 0) - Number(a.strong > 0) ||
    compareTimes(a, b) || b.plausible - a.plausible;
}
