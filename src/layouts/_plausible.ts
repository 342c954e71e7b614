/**
 * The evidence layout detection weighs (see detect.ts for the rules in
 * full): each record of a sample judged blank, implausible, plausible or
 * weak under a layout ({@link judge}, {@link isSound}, {@link isText}), and
 * the counts a layout is ranked by ({@link Score}); what a detection
 * reports ({@link Detection}).
 *
 * @module
 */

import { LINUX_TYPES, type UtTypeName } from "../types.ts";
import { type Codec, codecOf, isZero } from "./_engine.ts";
import { scanFrames, unframe } from "./_framing.ts";
import { cstrEnd, readChars } from "./_text.ts";
import { type CharField, fieldWidth, isFramed, type Layout, type LayoutFields } from "./schema.ts";

/**
 * How many records from the start of a file detection looks at (see
 * `DETECT_BYTES` for the bytes to read).
 *
 * @example The sample
 * ```ts
 * import { DETECT_SAMPLE } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DETECT_SAMPLE, 64);
 * ```
 */
export const DETECT_SAMPLE = 64;

/** Latest plausible time: 2106-02-07, the end of an unsigned 32-bit time. */
const MAX_SEC = 2 ** 32;

/** 1980-01-01: a time before it is weak evidence (a machine without a clock), and a textless record needs a later one. */
const MIN_CLOCK_SEC = 315532800;

/** How far past the reader's clock a time may be and still count as dated (clock skew between machines). */
const FUTURE_SLACK_SEC = 366 * 86400;

/** The first 194 days of 1970: a time below 2^24, whose byte swap is a multiple of 256. */
const TINY_SEC = 2 ** 24;

/** Linux's `PID_MAX_LIMIT` (2^22 on 64-bit kernels): no glibc record holds a larger pid. */
const LINUX_PID_MAX = 2 ** 22;

/** Spreads of times differing by at least this factor tell two byte orders apart. */
const SPREAD_RATIO = 4;

/** The evidence for one layout. */
export interface Score {
  /** The layout. */
  readonly layout: Layout;
  /** Whole records in the sample. */
  readonly records: number;
  /** Of those, the ones with a non-zero byte that are not blank (see `blank`): the records judged. */
  readonly sampled: number;
  /**
   * Records with non-zero bytes but only an EMPTY type and no line: a real
   * file may hold one (a stale slot), but at a wrong stride or in a foreign
   * file such windows are common, so they weigh against the layout in
   * `support` without counting in `confidence`.
   */
  readonly blank: number;
  /** Of the records judged, the ones that look right. */
  readonly plausible: number;
  /** Of those, the ones whose time is before 1980 or more than a year ahead of the clock. */
  readonly weak: number;
  /** Of those, the ones that say something: a type other than EMPTY. */
  readonly strong: number;
  /** Plausible records with a time other than 0. */
  readonly timed: number;
  /** Of those, the ones whose time is in the first 194 days of 1970 (below 2^24). */
  readonly tiny: number;
  /** Latest minus earliest of those times (0 when fewer than two). */
  readonly spread: number;
  /** Plausible records whose line is printable text (lastlog slots; the same as `plausible` for login records). */
  readonly clean: number;
  /** Record 0 is the layout's signature record. */
  readonly magic: boolean;
  /** The file size is a whole number of records (for framed layouts: the lengths chain to the end). */
  readonly fits: boolean;
  /** `(plausible - weak / 2) / sampled` (0 when nothing was sampled): what the detection reports. */
  readonly confidence: number;
  /** `plausible / (sampled + blank)`: what detection ranks layouts by. */
  readonly support: number;
}

/** Counts of a sample as they are gathered. */
interface Tally {
  sampled: number;
  blank: number;
  plausible: number;
  weak: number;
  strong: number;
  timed: number;
  tiny: number;
  clean: number;
  min: number;
  max: number;
}

function tally(): Tally {
  return { sampled: 0, blank: 0, plausible: 0, weak: 0, strong: 0, timed: 0, tiny: 0, clean: 0, min: 0, max: 0 };
}

/** Counts one plausible record with time `sec` (0: none, neither dated nor weak). */
function countTime(t: Tally, sec: number, now: number): void {
  t.plausible++;
  if (sec <= 0) return;
  if (sec < MIN_CLOCK_SEC || sec > now + FUTURE_SLACK_SEC) t.weak++;
  if (sec < TINY_SEC) t.tiny++;
  t.min = t.timed === 0 ? sec : Math.min(t.min, sec);
  t.max = t.timed === 0 ? sec : Math.max(t.max, sec);
  t.timed++;
}

function finish(layout: Layout, records: number, t: Tally, magic: boolean, fits: boolean): Score {
  const { sampled, blank, plausible, weak, strong, timed, tiny, clean } = t;
  return {
    layout,
    records,
    sampled,
    blank,
    plausible,
    weak,
    strong,
    timed,
    tiny,
    spread: timed < 2 ? 0 : t.max - t.min,
    clean,
    magic,
    fits,
    confidence: sampled === 0 ? 0 : (plausible - weak / 2) / sampled,
    support: sampled + blank === 0 ? 0 : plausible / (sampled + blank),
  };
}

/** The reader's clock, in seconds since the epoch. */
export function clock(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Scores a layout against the first bytes of a file.
 *
 * @param layout The layout.
 * @param head The first bytes of the file.
 * @param fileSize The size of the whole file.
 * @param now The time the file is judged at, in seconds since the epoch (default: the clock).
 * @returns The evidence.
 */
export function scoreLayout(layout: Layout, head: Uint8Array, fileSize: number, now: number = clock()): Score {
  const size = layout.size;
  let bytes = head;
  let records = Math.min(DETECT_SAMPLE, Math.floor(head.length / size));
  let fits = fileSize % size === 0;
  let broken = 0;
  if (isFramed(layout)) {
    const scan = scanFrames(head, size, DETECT_SAMPLE);
    bytes = unframe(head, scan.frames, size);
    records = scan.frames.length;
    broken = scan.skipped.length;
    // The lengths must chain to the end of the file, unless the sample stopped first.
    fits = broken === 0 && (records === DETECT_SAMPLE || head.length < fileSize || scan.end === fileSize);
  }
  const codec = codecOf(layout);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const t = tally();
  t.sampled = broken;
  for (let i = 0; i < records; i++) {
    const at = i * size;
    if (isZero(bytes, at, size)) continue;
    const name = codec.typeName(bytes, view, at);
    const verdict = judge(codec, bytes, view, at, name);
    if (verdict === "blank") {
      t.blank++;
      continue;
    }
    t.sampled++;
    if (verdict === "implausible") continue;
    // An empty slot's or a signature record's time is not a clock reading.
    countTime(t, name === "EMPTY" || name === "SIGNATURE" ? 0 : codec.sec(view, at), now);
    t.clean++;
    if (name !== "EMPTY") t.strong++;
  }
  const magic = layout.signature !== undefined && records > 0 &&
    codec.typeName(bytes, view, 0) === "SIGNATURE" && readChars(bytes, 0, layout.fields.ut_user) === layout.signature;
  return finish(layout, records, t, magic, fits);
}

/** Clock records: a time, and in most layouts a line such as "~" (macOS and FreeBSD write some with no text). */
const CLOCK_TYPES = new Set(["BOOT_TIME", "OLD_TIME", "NEW_TIME", "SHUTDOWN_TIME", "DOWN_TIME", "RUN_LVL"]);

/**
 * What one non-zero record says about the layout: "blank" (an EMPTY slot with
 * no line, which any bytes may be), "plausible" or "implausible" (the rules
 * are in this module's documentation). `name` is its type name under the
 * layout (undefined for an unknown type).
 */
function judge(
  codec: Codec,
  bytes: Uint8Array,
  view: DataView,
  at: number,
  name: UtTypeName | undefined,
): "blank" | "plausible" | "implausible" {
  const layout = codec.layout;
  const f = layout.fields;
  const line = hasText(bytes, at, f.ut_line);
  if (name === "EMPTY" && !line) return "blank";
  if (name === undefined || !isSound(codec, bytes, view, at, name)) return "implausible";
  const id = f.ut_id !== undefined &&
    (layout.opaqueId ? !isZero(bytes, at + f.ut_id.offset, f.ut_id.size) : hasText(bytes, at, f.ut_id));
  const pid = f.ut_pid === undefined ? 1 : codec.pid(view, at);
  const stored = layout.storedFields?.[name];
  let shaped: boolean;
  switch (name) {
    case "EMPTY":
      shaped = true; // a stale slot: its line is left
      break;
    case "USER_PROCESS":
    case "LOGIN_PROCESS":
      shaped = line || id;
      break;
    case "INIT_PROCESS":
      shaped = line || (id && pid > 0); // sysvinit: an inittab id and a pid; NetBSD: "~" with no pid
      break;
    case "DEAD_PROCESS":
      shaped = line || id || pid > 0;
      break;
    case "ACCOUNTING":
      shaped = true;
      break;
    case "SIGNATURE":
      shaped = layout.signature !== undefined && readChars(bytes, at, f.ut_user) === layout.signature;
      break;
    default:
      // A clock record with a line ("~"); without one only where the writer zeroes the text of its type, or with a real time.
      shaped = CLOCK_TYPES.has(name) &&
        (line || (stored !== undefined && !stored.includes("ut_line")) || codec.sec(view, at) >= MIN_CLOCK_SEC);
  }
  return shaped ? "plausible" : "implausible";
}

/** The checks every plausible record passes, whatever its type (see the module documentation). */
function isSound(codec: Codec, bytes: Uint8Array, view: DataView, at: number, name: UtTypeName): boolean {
  const layout = codec.layout;
  const f = layout.fields;
  const typed = f.ut_type !== undefined;
  // The bytes between a 16-bit type and the next field are zero (glibc zeroes the struct).
  if (typed && f.ut_type!.type === "i16" && f.ut_pid !== undefined && f.ut_pid.offset === f.ut_type!.offset + 4) {
    if (bytes[at + f.ut_type!.offset + 2] !== 0 || bytes[at + f.ut_type!.offset + 3] !== 0) return false;
  }
  const usec = codec.usec(view, at);
  if (usec < 0 || usec >= 1_000_000) return false;
  const sec = codec.sec(view, at);
  if (sec < (typed ? 0 : 1) || sec >= MAX_SEC) return false;
  if (f.ut_pid !== undefined) {
    const pid = codec.pid(view, at);
    if (pid < 0 || (layout.types === LINUX_TYPES && pid > LINUX_PID_MAX)) return false;
  }
  for (const field of [f.ut_line, layout.opaqueId ? undefined : f.ut_id]) {
    if (field !== undefined && !isText(bytes, at + field.offset, field.size, !typed)) return false;
  }
  // Without a type, the user and the host must be NUL-padded as strncpy leaves them; what they say is not looked at.
  if (!typed) {
    for (const field of [f.ut_user, f.ut_host]) {
      if (field !== undefined && !isPadded(bytes, at + field.offset, field.size)) return false;
    }
  }
  const stored = layout.storedFields?.[name];
  if (stored === undefined) return true;
  for (const [key, field] of Object.entries(f)) {
    if (key === "ut_type" || stored.includes(key as keyof LayoutFields)) continue;
    if (!isZero(bytes, at + field.offset, fieldWidth(field))) return false;
  }
  return true;
}

function hasText(bytes: Uint8Array, at: number, field: CharField | undefined): boolean {
  return field !== undefined && bytes[at + field.offset] !== 0;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Whether the bytes of a `char[width]` field after its first NUL are all zero. */
function isPadded(bytes: Uint8Array, start: number, width: number): boolean {
  for (let i = cstrEnd(bytes, start, width) + 1; i < start + width; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * Whether a `char[width]` field holds text: no control characters before the
 * first NUL; when `strict`, also valid UTF-8 and only zero bytes after the NUL.
 * (Not strict for typed layouts: a glibc record with a mangled line is still
 * a record, shown with U+FFFD.)
 */
function isText(bytes: Uint8Array, start: number, width: number, strict: boolean): boolean {
  const end = cstrEnd(bytes, start, width);
  let ascii = true;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b < 0x20 || b === 0x7f) return false;
    if (b >= 0x80) ascii = false;
  }
  if (!strict) return true;
  if (!isPadded(bytes, start, width)) return false;
  if (ascii) return true;
  try {
    strictUtf8.decode(bytes.subarray(start, end));
    return true;
  } catch {
    return false;
  }
}

/** A region of a file: detection of sparse files reads a few of them, not the whole file. */
export interface Sample {
  /** File offset of `bytes[0]`. */
  readonly offset: number;
  /** The bytes. */
  readonly bytes: Uint8Array;
}

/**
 * Scores a lastlog layout: every slot wholly inside a sample, at the
 * layout's stride from the start of the file. A used slot is plausible when
 * its time is from 1970 (weak before 1980) to a year ahead of the clock, and
 * below 2^32 - 1 (-1, no time, to a signed reader), and its line is
 * zero-padded after its NUL; it is `clean` when the line is also printable
 * UTF-8. The host is not looked at: login(1) leaves stack bytes after the
 * host of a local login (s4 Ubuntu 16 i386), and a remote one is what a
 * reverse DNS answer says.
 *
 * @param layout A lastlog layout.
 * @param samples Regions of the file.
 * @param fileSize The size of the whole file.
 * @param now The time the file is judged at, in seconds since the epoch (default: the clock).
 * @returns The evidence (`magic` and `strong` are always false and 0, `blank` 0).
 */
export function scoreLastlog(
  layout: Layout,
  samples: readonly Sample[],
  fileSize: number,
  now: number = clock(),
): Score {
  const size = layout.size;
  const codec = codecOf(layout);
  const line = layout.fields.ut_line!;
  let records = 0;
  const t = tally();
  for (const { offset, bytes } of samples) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let at = Math.ceil(offset / size) * size - offset; at + size <= bytes.length; at += size) {
      records++;
      if (isZero(bytes, at, size)) continue;
      t.sampled++;
      const sec = codec.sec(view, at);
      // Nobody logged in in the future: a slot read in the wrong byte order or at the wrong stride often did.
      if (sec < 1 || sec >= MAX_SEC - 1 || sec > now + FUTURE_SLACK_SEC) continue;
      // login(1) and sshd always write the line; nothing but its NUL padding is judged.
      if (bytes[at + line.offset] === 0 || !isPadded(bytes, at + line.offset, line.size)) continue;
      countTime(t, sec, now);
      if (isText(bytes, at + line.offset, line.size, true)) t.clean++;
    }
  }
  return finish(layout, records, t, false, fileSize % size === 0);
}

/** How {@link detectLayout} chose a layout. */
export interface Detection {
  /** The chosen layout. */
  layout: Layout;
  /**
   * 0..1: share of the sampled records that look right under this layout (1 = all), a weak one (a time before
   * 1980 or in the future) counting half; 0 when the content could not tell and the preferred layout was taken.
   */
  confidence: number;
  /** Why, in words. */
  reason: string;
}

/** Options of {@link detectLayout}. */
export interface DetectOptions {
  /** Layouts to consider, in order of preference (default: every utmp layout in {@link LAYOUTS}). */
  candidates?: readonly Layout[];
  /**
   * Layout to choose when the content cannot tell: an empty file, all-zero records, and for a lastlog one used
   * slot whose time reads plausibly in both byte orders.
   */
  prefer?: string | undefined;
  /** File name for error messages. */
  path?: string;
  /**
   * The time the file is judged at, in seconds since the epoch (default: the clock): times more than a year
   * after it are weak evidence. An analyst may give the time the file was taken.
   */
  now?: number;
}

/** Below this share of plausible records (`Score.support`), no layout is believed without a magic record. */
export const MIN_SUPPORT = 0.5;

/** ", 3 of them dated before 1980 or ahead of the clock" when some records are weak. */
export function weakness(s: Score): string {
  return s.weak === 0 ? "" : `, ${s.weak} of them dated before 1980 or ahead of the clock`;
}

/**
 * Orders two readings by their times: the larger share of dated records
 * first (not between the two byte orders of one size when the less dated
 * one's times all fall in the first 194 days of 1970: see the module
 * documentation), then the times closer together (by {@link SPREAD_RATIO}).
 */
export function compareTimes(a: Score, b: Score): number {
  const dated = (s: Score) => s.timed === 0 ? undefined : (s.timed - s.weak) / s.timed;
  const [da, db] = [dated(a), dated(b)];
  if (da !== undefined && db !== undefined && da !== db) {
    const lower = da < db ? a : b;
    const mirrored = a.layout.size === b.layout.size && a.layout.endian !== b.layout.endian;
    if (!(mirrored && lower.timed > 0 && lower.tiny === lower.timed)) return db - da;
  }
  if (a.timed >= 2 && b.timed >= 2) {
    if (a.spread * SPREAD_RATIO < b.spread) return -1;
    if (b.spread * SPREAD_RATIO < a.spread) return 1;
  }
  return 0;
}
