/**
 * How well a layout fits the first bytes of a file: the evidence
 * `detectLayout` weighs. No I/O.
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

import {
  type CharField,
  type Codec,
  codecOf,
  cstrEnd,
  fieldWidth,
  isZero,
  type Layout,
  type LayoutFields,
  readChars,
} from "./_engine.ts";
import { scanFrames, unframe } from "./_framing.ts";
import type { UtTypeName } from "../types.ts";

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
