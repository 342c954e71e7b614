/**
 * Detection: which layout a file is in, from its content and its size, and
 * the one place a reader's `layout` option is resolved ({@link resolveLayout}:
 * given, or detected). No I/O: the reader reads the regions
 * {@link detectionRegions} names and hands them over.
 *
 * Each non-zero record in the sample is judged:
 * - blank: an EMPTY type and neither line nor user. A real file may hold such
 *   a stale slot, but misaligned or foreign bytes often read so; blank
 *   records count against a layout in `support` but not in `confidence`.
 * - plausible: a type the layout defines (for glibc-style 16-bit types, zero
 *   padding after it); microseconds below one million and seconds in
 *   [0, 2^32); line, user and id without control characters (FreeBSD's
 *   opaque id excepted); fields the type does not store all zero, for a
 *   writer that zeroes them (FreeBSD); and a line or a user, or else a clock
 *   record (boot, shutdown, time change, run level) with a time after 1980.
 *   Layouts without a type field have nothing else to fail on, so their
 *   records must also look written by `strncpy` into a zeroed struct: valid
 *   UTF-8, zero bytes after the text (host included), a time after 1970.
 * - implausible: anything else.
 *
 * @module
 */

import { UtmpFormatError } from "../errors.ts";
import type { UtTypeName } from "../types.ts";
import { type Codec, codecOf, isZero } from "./_engine.ts";
import { scanFrames, unframe } from "./_framing.ts";
import { cstrEnd, readChars } from "./_text.ts";
import { getLayout, LAYOUTS, layoutsOf } from "./registry.ts";
import { type CharField, fieldWidth, type Layout, type LayoutFields, type LayoutKind } from "./schema.ts";

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

/** The evidence for one layout. */
export interface Score {
  /** The layout. */
  readonly layout: Layout;
  /** Whole records in the sample. */
  readonly records: number;
  /** Of those, the ones with a non-zero byte that are not blank (see `blank`): the records judged. */
  readonly sampled: number;
  /**
   * Records with non-zero bytes but only an EMPTY type and no line or user:
   * a real file may hold one (a stale slot), but at a wrong stride or in a
   * foreign file such windows are common, so they weigh against the layout
   * in `support` without counting in `confidence`.
   */
  readonly blank: number;
  /** Of those, the ones that look right. */
  readonly plausible: number;
  /** Of those, the ones that say something: a type other than EMPTY. */
  readonly strong: number;
  /** Record 0 is the layout's signature record. */
  readonly magic: boolean;
  /** The file size is a whole number of records (for framed layouts: the lengths chain to the end). */
  readonly fits: boolean;
  /** `plausible / sampled` (0 when nothing was sampled): what the detection reports. */
  readonly confidence: number;
  /** `plausible / (sampled + blank)`: what detection ranks layouts by. */
  readonly support: number;
}

/**
 * Scores a layout against the first bytes of a file.
 *
 * @param layout The layout.
 * @param head The first bytes of the file.
 * @param fileSize The size of the whole file.
 * @returns The evidence.
 */
export function scoreLayout(layout: Layout, head: Uint8Array, fileSize: number): Score {
  const size = layout.size;
  let bytes = head;
  let records = Math.min(DETECT_SAMPLE, Math.floor(head.length / size));
  let fits = fileSize % size === 0;
  let broken = 0;
  if ((layout.framing ?? "fixed") === "u16be") {
    const scan = scanFrames(head, size, DETECT_SAMPLE);
    bytes = unframe(head, scan.frames, size);
    records = scan.frames.length;
    broken = scan.skipped.length;
    // The lengths must chain to the end of the file, unless the sample stopped first.
    fits = broken === 0 && (records === DETECT_SAMPLE || head.length < fileSize || scan.end === fileSize);
  }
  const codec = codecOf(layout);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let sampled = broken;
  let blank = 0;
  let plausible = 0;
  let strong = 0;
  for (let i = 0; i < records; i++) {
    const at = i * size;
    if (isZero(bytes, at, size)) continue;
    const name = codec.typeName(bytes, view, at);
    const verdict = judge(codec, bytes, view, at, name);
    if (verdict === "blank") {
      blank++;
      continue;
    }
    sampled++;
    if (verdict === "implausible") continue;
    plausible++;
    if (name !== "EMPTY") strong++;
  }
  const magic = layout.signature !== undefined && records > 0 &&
    codec.typeName(bytes, view, 0) === "SIGNATURE" && readChars(bytes, 0, layout.fields.ut_user) === layout.signature;
  const confidence = sampled === 0 ? 0 : plausible / sampled;
  const support = sampled + blank === 0 ? 0 : plausible / (sampled + blank);
  return { layout, records, sampled, blank, plausible, strong, magic, fits, confidence, support };
}

/** Types whose records carry a time and no text (macOS and FreeBSD write them so). */
const TEXTLESS = new Set(["BOOT_TIME", "OLD_TIME", "NEW_TIME", "SHUTDOWN_TIME", "DOWN_TIME", "RUN_LVL"]);

/** 1980-01-01: a record without text, or a lastlog slot, must carry a real clock reading to count. */
const MIN_CLOCK_SEC = 315532800;

/**
 * What one non-zero record says about the layout: "blank" (an EMPTY slot with
 * no line and no user, which any bytes may be), "plausible" or "implausible".
 * `name` is its type name under the layout (undefined for an unknown type).
 */
function judge(
  codec: Codec,
  bytes: Uint8Array,
  view: DataView,
  at: number,
  name: UtTypeName | undefined,
): "blank" | "plausible" | "implausible" {
  const f = codec.layout.fields;
  const text = hasText(bytes, at, f.ut_line) || hasText(bytes, at, f.ut_user);
  if (name === "EMPTY" && !text) return "blank";
  if (!isPlausible(codec, bytes, view, at, name)) return "implausible";
  if (text) return "plausible";
  // Without a line or a user, only a clock record says something, and only with a real time;
  // or a record whose type stores no text, for a writer that zeroes what a type does not store.
  const stored = codec.layout.storedFields?.[name!];
  if (stored !== undefined && !stored.includes("ut_line") && !stored.includes("ut_user")) return "plausible";
  return TEXTLESS.has(name!) && codec.sec(view, at) >= MIN_CLOCK_SEC ? "plausible" : "implausible";
}

function isPlausible(
  codec: Codec,
  bytes: Uint8Array,
  view: DataView,
  at: number,
  name: UtTypeName | undefined,
): boolean {
  const layout = codec.layout;
  const f = layout.fields;
  const typed = f.ut_type !== undefined;
  if (typed) {
    if (name === undefined) return false;
    // The bytes between a 16-bit type and the next field are zero (glibc zeroes the struct).
    if (f.ut_type!.type === "i16" && f.ut_pid !== undefined && f.ut_pid.offset === f.ut_type!.offset + 4) {
      if (bytes[at + f.ut_type!.offset + 2] !== 0 || bytes[at + f.ut_type!.offset + 3] !== 0) return false;
    }
  }
  const usec = codec.usec(view, at);
  if (usec < 0 || usec >= 1_000_000) return false;
  const sec = codec.sec(view, at);
  if (sec < (typed ? 0 : 1) || sec >= MAX_SEC) return false;
  const texts = [f.ut_line, f.ut_user, layout.opaqueId ? undefined : f.ut_id, typed ? undefined : f.ut_host];
  for (const field of texts) {
    if (field !== undefined && !isText(bytes, at + field.offset, field.size, !typed)) return false;
  }
  const stored = layout.storedFields?.[name!];
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

/**
 * Whether a `char[width]` field holds text: no control characters before the
 * first NUL; when `strict`, also valid UTF-8 and only zero bytes after the NUL.
 * (Not strict for typed layouts: a glibc record with a mangled user name is
 * still a record, shown with U+FFFD.)
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
  for (let i = end; i < start + width; i++) if (bytes[i] !== 0) return false;
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
 * layout's stride from the start of the file. A used slot must hold a time
 * between 1980 and 2106, a zero-padded printable UTF-8 line and a printable
 * host.
 *
 * @param layout A lastlog layout.
 * @param samples Regions of the file.
 * @param fileSize The size of the whole file.
 * @returns The evidence (`magic` and `strong` are always false and 0).
 */
export function scoreLastlog(layout: Layout, samples: readonly Sample[], fileSize: number): Score {
  const size = layout.size;
  const codec = codecOf(layout);
  const f = layout.fields;
  let records = 0;
  let sampled = 0;
  let plausible = 0;
  for (const { offset, bytes } of samples) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let at = Math.ceil(offset / size) * size - offset; at + size <= bytes.length; at += size) {
      records++;
      if (isZero(bytes, at, size)) continue;
      sampled++;
      const sec = codec.sec(view, at);
      if (sec < MIN_CLOCK_SEC || sec >= MAX_SEC) continue;
      if (!isText(bytes, at + f.ut_line!.offset, f.ut_line!.size, true)) continue;
      // login(1) leaves stack bytes after the host of a local login (s4 Ubuntu 16 i386): no tail check there.
      if (!isText(bytes, at + f.ut_host!.offset, f.ut_host!.size, false)) continue;
      plausible++;
    }
  }
  const confidence = sampled === 0 ? 0 : plausible / sampled;
  return {
    layout,
    records,
    sampled,
    blank: 0,
    plausible,
    strong: 0,
    magic: false,
    fits: fileSize % size === 0,
    confidence,
    support: confidence,
  };
}

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

/** How {@link detectLayout} chose a layout. */
export interface Detection {
  /** The chosen layout. */
  layout: Layout;
  /** 0..1: share of the sampled records that look right under this layout (1 = all). */
  confidence: number;
  /** Why, in words. */
  reason: string;
}

/** Options of {@link detectLayout}. */
export interface DetectOptions {
  /** Layouts to consider, in order of preference (default: every utmp layout in {@link LAYOUTS}). */
  candidates?: readonly Layout[];
  /** Layout to choose when the content cannot tell (an empty file, all-zero records). */
  prefer?: string | undefined;
  /** File name for error messages. */
  path?: string;
}

/** Below this share of plausible records (`Score.support`), no layout is believed without a magic record. */
const MIN_SUPPORT = 0.5;

/**
 * Chooses the layout of a file from its first bytes and its size.
 *
 * 1. A magic record wins: the SIGNATURE record macOS ("utmpx-1.00") and
 *    NetBSD ("utmpx-2.00") write first.
 * 2. Then the share of the sampled records (up to {@link DETECT_SAMPLE}, all-zero
 *    ones skipped) that look right under the layout: a known type, zero
 *    padding, microseconds below one million, a time before 2106, printable
 *    text (and, for layouts without a type, zero-padded text and a time after
 *    1970). FreeBSD's records must leave the fields their type does not store
 *    zero, and utx.log's length prefixes must chain. (The rules in full are in
 *    this module's documentation.)
 * 3. Then whether the record size divides the file size; then whether any
 *    record has a type other than EMPTY; then how many records look right.
 *
 * When nothing tells (an empty file, all-zero records, less than one record),
 * `prefer` is chosen with confidence 0. A file that reads as a lastlog is
 * refused with an error that says so.
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
 * assert.throws(() => detectLayout(bytes, bytes.length), UtmpFormatError);
 * ```
 *
 * @param head The first bytes of the file (up to {@link DETECT_SAMPLE} records are used).
 * @param fileSize The size of the whole file.
 * @param options Candidates, preference and file name.
 * @returns The layout, with confidence and reason.
 * @throws {UtmpFormatError} When no layout fits; when several fit equally; when a layout
 * that detection never chooses (`autodetect: false`, such as the 36-byte ones) fits as well.
 */
export function detectLayout(head: Uint8Array, fileSize: number, options: DetectOptions = {}): Detection {
  const candidates = options.candidates ?? layoutsOf("utmp");
  const choosable = candidates.filter((l) => l.autodetect !== false);
  const preferred = choosable.find((l) => l.name === options.prefer) ?? choosable[0] ?? candidates[0]!;
  const where = options.path === undefined ? "the file" : `"${options.path}"`;
  const fail = (message: string) => new UtmpFormatError(message, { offset: 0, recordIndex: 0, layout: "auto" });
  const names = (scores: readonly Score[]) => scores.map((s) => `"${s.layout.name}"`).join(" and ");
  const fallback = (reason: string): Detection => ({ layout: preferred, confidence: 0, reason });

  if (fileSize === 0) return fallback("empty file");
  const scored = candidates.map((layout) => scoreLayout(layout, head, fileSize)).filter((s) => s.records > 0);
  scored.sort(compareScores);
  // Layouts detection never chooses, but which read the file well: their siblings may be what it is.
  const never = scored.filter((s) => s.layout.autodetect === false && s.strong > 0 && s.support >= MIN_SUPPORT);
  /** An error for a file that reads as a lastlog, which detection of login records would otherwise misread. */
  const lastlogLike = () => {
    const lastlog = layoutsOf("lastlog")
      .map((l) => scoreLastlog(l, [{ offset: 0, bytes: head }], fileSize))
      .find((s) => s.fits && s.plausible > 0 && s.support === 1);
    if (lastlog === undefined) return undefined;
    const name = lastlog.layout.name;
    return fail(`Cannot read ${where} as login records: it looks like a lastlog file ("${name}"); use LastlogFile`);
  };
  /** No choosable layout fits: name the unchoosable ones that do, or a lastlog layout that does, or give up. */
  const reject = () => {
    if (never.length > 0) {
      const which = names(never);
      return fail(
        `Cannot tell the layout of ${where}: it reads as ${which}, which look alike and are never chosen by detection; pass the layout option`,
      );
    }
    const lastlog = lastlogLike();
    if (lastlog !== undefined) return lastlog;
    const all = candidates.map((l) => `"${l.name}"`).join(", ");
    return fail(
      `Cannot recognise the layout of ${where}: no layout decodes its first records plausibly; pass the layout option (one of ${all})`,
    );
  };
  const best = scored.find((s) => s.layout.autodetect !== false);
  if (best === undefined || best.sampled === 0) {
    if (never.length > 0) throw reject();
    const lastlog = lastlogLike();
    if (lastlog !== undefined) throw lastlog;
    if (best === undefined) return fallback(`file of ${fileSize} bytes holds no whole record`);
    return fallback(`only empty records; chose the preferred layout "${preferred.name}"`);
  }
  if (best.plausible === 0 || (!best.magic && best.support < MIN_SUPPORT)) throw reject();
  // A stray tail is tolerated (a crash mid-write), but then one record is not enough to go on.
  if (!best.magic && !best.fits && best.plausible < 2) throw reject();
  const rivals = scored.filter((s) => s !== best && compareScores(s, best) <= 0 && s.plausible > 0);
  if (rivals.length > 0) {
    const choosableRivals = rivals.filter((s) => s.layout.autodetect !== false);
    const reason = choosableRivals.length === rivals.length ? "fit equally" : "fit as well";
    throw fail(`Cannot tell the layout of ${where}: ${names([best, ...rivals])} ${reason}; pass the layout option`);
  }
  // Only EMPTY records: nothing this layout alone would have written.
  if (!best.magic && best.strong === 0) throw reject();
  const pct = Math.round(best.confidence * 100);
  const size = best.layout.framing === "u16be"
    ? (best.fits ? "length prefixes chain to the end of the file" : "length prefixes do not chain")
    : best.fits
    ? `file size a multiple of ${best.layout.size}`
    : `${fileSize % best.layout.size} trailing bytes`;
  const magic = best.magic ? `signature record "${best.layout.signature}"; ` : "";
  return {
    layout: best.layout,
    confidence: best.confidence,
    reason: `${magic}${best.plausible} of ${best.sampled} sampled records plausible (${pct}%), ${size}`,
  };
}

/**
 * Orders scores best first: magic, support, size fit, any typed record, then
 * the number of plausible records (two whole records beat one when a stray
 * tail leaves neither size fitting). Stable for ties.
 */
function compareScores(a: Score, b: Score): number {
  return Number(b.magic) - Number(a.magic) || b.support - a.support || Number(b.fits) - Number(a.fits) ||
    Number(b.strong > 0) - Number(a.strong > 0) || b.plausible - a.plausible;
}

/**
 * Chooses the layout of a lastlog file from a few regions of it (a lastlog is
 * a sparse array indexed by uid, so its used slots may be anywhere; the first
 * and last megabyte hold most of them): the layouts whose slot size divides
 * the file size, then the share of the used slots that look right (a time
 * between 1980 and 2106, zero-padded printable line and host). Linux's 292 and
 * 296 bytes both divide multiples of 21608, and 296 × 1001 is a multiple of
 * 28, so the slot contents decide.
 *
 * @example A 292-byte slot for uid 1
 * ```ts
 * import { detectLastlogLayout } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array(2 * 292);
 * new DataView(bytes.buffer).setUint32(292, 1700000000, true);
 * bytes.set(new TextEncoder().encode("pts/0"), 292 + 4);
 * bytes.set(new TextEncoder().encode("192.0.2.1"), 292 + 36);
 * assert.equal(detectLastlogLayout([{ offset: 0, bytes }], bytes.length).layout.name, "lastlog-linux");
 * ```
 *
 * @param samples Regions of the file, each with its file offset.
 * @param fileSize The size of the whole file.
 * @param options Preference (for an empty file) and file name.
 * @returns The layout, with confidence and reason.
 * @throws {UtmpFormatError} When no lastlog layout fits, or several fit equally.
 */
export function detectLastlogLayout(
  samples: readonly { offset: number; bytes: Uint8Array }[],
  fileSize: number,
  options: Omit<DetectOptions, "candidates"> = {},
): Detection {
  const candidates = layoutsOf("lastlog");
  const preferred = candidates.find((l) => l.name === options.prefer) ?? candidates[0]!;
  const where = options.path === undefined ? "the file" : `"${options.path}"`;
  const fail = (message: string) => new UtmpFormatError(message, { offset: 0, recordIndex: 0, layout: "auto" });
  if (fileSize === 0) return { layout: preferred, confidence: 0, reason: "empty file" };
  const scored = candidates.map((l) => scoreLastlog(l, samples, fileSize)).filter((s) => s.records > 0);
  const rank = (a: Score, b: Score) => Number(b.fits) - Number(a.fits) || b.support - a.support;
  scored.sort(rank);
  const best = scored[0];
  if (best === undefined || best.sampled === 0) {
    const fitting = scored.filter((s) => s.fits);
    if (fitting.length === 1) {
      return {
        layout: fitting[0]!.layout,
        confidence: 0,
        reason: `no used slot sampled; only ${fitting[0]!.layout.size} divides the file size`,
      };
    }
    if (fitting.some((s) => s.layout === preferred)) {
      return { layout: preferred, confidence: 0, reason: `no used slot sampled; chose the preferred layout` };
    }
    throw fail(
      `Cannot tell the lastlog layout of ${where}: no used slot in the sampled regions; pass the layout option`,
    );
  }
  if (best.plausible === 0 || best.support < MIN_SUPPORT) {
    throw fail(
      `Cannot recognise the lastlog layout of ${where}: no lastlog layout decodes its used slots plausibly; pass the layout option (one of ${
        candidates.map((l) => `"${l.name}"`).join(", ")
      })`,
    );
  }
  const rivals = scored.filter((s) => s !== best && rank(s, best) === 0 && s.plausible > 0);
  if (rivals.length > 0) {
    const names = [best, ...rivals].map((s) => `"${s.layout.name}"`).join(" and ");
    throw fail(`Cannot tell the lastlog layout of ${where}: ${names} fit equally; pass the layout option`);
  }
  const pct = Math.round(best.support * 100);
  return {
    layout: best.layout,
    confidence: best.support,
    reason: `${best.plausible} of ${best.sampled} sampled used slots plausible (${pct}%), ${
      best.fits ? `file size a multiple of ${best.layout.size}` : `${fileSize % best.layout.size} trailing bytes`
    }`,
  };
}

/** A region of a file to read for detection: where it starts and how long it is. */
export interface Region {
  /** File offset. */
  readonly offset: number;
  /** Bytes to read (the file may hold fewer). */
  readonly length: number;
}

/** How much of each end of a lastlog file detection reads. */
const LASTLOG_DETECT_BYTES = 1 << 20;

/**
 * The parts of a file {@link resolveLayout} needs to see to detect its
 * layout: the first {@link DETECT_BYTES} of a login-record file; the first
 * and the last megabyte of a lastlog (a sparse array by uid: its used slots
 * may be anywhere, most of them at either end).
 *
 * @example What to read of a 10 MB lastlog
 * ```ts
 * import { detectionRegions } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(detectionRegions("lastlog", 10_000_000), [
 *   { offset: 0, length: 1048576 },
 *   { offset: 8951424, length: 1048576 },
 * ]);
 * ```
 *
 * @param kind What kind of file.
 * @param fileSize Its size.
 * @returns The regions, in file order, not overlapping.
 */
export function detectionRegions(kind: LayoutKind, fileSize: number): Region[] {
  if (kind === "utmp") return [{ offset: 0, length: Math.min(fileSize, DETECT_BYTES) }];
  const head = Math.min(fileSize, LASTLOG_DETECT_BYTES);
  const tail = Math.max(head, fileSize - LASTLOG_DETECT_BYTES);
  return [{ offset: 0, length: head }, { offset: tail, length: fileSize - tail }];
}

/** Options of {@link resolveLayout}. */
export interface ResolveOptions {
  /** The layout to choose when the content cannot tell (the host's own). */
  prefer?: string | undefined;
  /** File name for error messages. */
  path?: string;
}

/**
 * Resolves a reader's `layout` option: the layout named (which must be of
 * `kind`), or for "auto" the layout detected from the file's regions
 * ({@link detectionRegions}). Every reader resolves its layout here, once.
 *
 * @example Given, then detected
 * ```ts
 * import { encodeRecord, LAYOUTS, resolveLayout } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeRecord(LAYOUTS.linux, { ut_type: "BOOT_TIME", ut_line: "~", ut_user: "reboot", tv_sec: 1700000000 });
 * const regions = [{ offset: 0, bytes }];
 * assert.equal(resolveLayout("linux64", "utmp", regions, bytes.length).reason, "given by the layout option");
 * assert.equal(resolveLayout("auto", "utmp", regions, bytes.length).layout.name, "linux");
 * assert.throws(() => resolveLayout("lastlog-linux", "utmp", regions, bytes.length), RangeError);
 * ```
 *
 * @param name A layout name, or "auto".
 * @param kind What kind of file it is read as.
 * @param samples The regions {@link detectionRegions} names, as read (unused for a given layout).
 * @param fileSize The size of the file.
 * @param options Preference and file name.
 * @returns The layout, with confidence and reason.
 * @throws {RangeError} For an unknown layout name, or one of the other kind.
 * @throws {UtmpFormatError} When "auto" finds no layout that fits.
 */
export function resolveLayout(
  name: string,
  kind: LayoutKind,
  samples: readonly Sample[],
  fileSize: number,
  options: ResolveOptions = {},
): Detection {
  if (name !== "auto") {
    return { layout: getLayout(name, kind, options.path), confidence: 1, reason: "given by the layout option" };
  }
  if (kind === "lastlog") return detectLastlogLayout(samples, fileSize, options);
  return detectLayout(samples[0]?.bytes ?? new Uint8Array(0), fileSize, options);
}
