/**
 * Detection: which layout a file is in, from its content and its size, and
 * the one place a reader's `layout` option is resolved ({@link resolveLayout}:
 * given, or detected). No I/O: the reader reads the regions
 * {@link detectionRegions} names and hands them over.
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

import { type FileContent, type Refusal, type Trial, UtmpFormatError } from "../errors.ts";

export type { FileContent, Refusal, Trial };
import { LINUX_TYPES, type UtTypeName } from "../types.ts";
import { type Codec, codecOf, isZero } from "./_engine.ts";
import { scanFrames, unframe } from "./_framing.ts";
import { cstrEnd, readChars } from "./_text.ts";
import { getLayout, LAYOUTS, layoutsOf } from "./registry.ts";
import { type CharField, fieldWidth, isFramed, type Layout, type LayoutFields, type LayoutKind } from "./schema.ts";
import { quotePath } from "../_internal/escape/terminal.ts";

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
interface Score {
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
function clock(): number {
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
function scoreLayout(layout: Layout, head: Uint8Array, fileSize: number, now: number = clock()): Score {
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
function scoreLastlog(
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
const MIN_SUPPORT = 0.5;

/**
 * The "tried" part of a refusal: each layout with the share of its records
 * that read plausibly and whether its size divides the file, best first;
 * those with no plausible record named together.
 *
 * @param tried The trials.
 * @returns Text for a message.
 */
export function describeTrials(tried: readonly Trial[]): string {
  const size = (t: Trial) => (t.fits ? "size fits" : "size does not fit");
  const read = tried.filter((t) => t.plausible > 0).map((t) =>
    `"${t.layout}" ${t.plausible} of ${t.sampled} plausible (${Math.round(t.share * 100)}%), ${size(t)}`
  );
  const none = tried.filter((t) => t.plausible === 0 && t.records > 0).map((t) =>
    `"${t.layout}"${t.fits ? " (size fits)" : ""}`
  );
  const short = tried.filter((t) => t.records === 0).map((t) => `"${t.layout}"`);
  const parts = [...read];
  if (none.length > 0) parts.push(`no record plausible as ${list(none, "or")}`);
  if (short.length > 0) parts.push(`shorter than one record of ${list(short, "or")}`);
  return `Tried: ${parts.join("; ")}`;
}

/**
 * The advice of a refusal, in the library's words (`layout` option) or the
 * command line's (`--layout`); for a file whose first bytes say what it is
 * (`content`), what reads it instead.
 *
 * @param suggested Layouts to try, best first.
 * @param speaker Whose words.
 * @param content What the file is, when its first bytes said so.
 * @returns Text for a message.
 */
export function refusalAdvice(
  suggested: readonly string[],
  speaker: "library" | "cli",
  content?: FileContent,
): string {
  if (content !== undefined) return CONTENT[content].advice[speaker === "cli" ? 1 : 0];
  if (speaker === "cli") {
    return suggested.length === 0
      ? "pass --layout NAME if you know its layout"
      : `pass --layout NAME to read it as one (${list(suggested.map((n) => `--layout ${n}`), "or")})`;
  }
  return suggested.length === 0
    ? "pass the layout option if you know its layout"
    : `pass the layout option to read it as one (${list(suggested.map((n) => `layout: "${n}"`), "or")})`;
}

/**
 * A refusal's whole message in the library's or the command line's words:
 * the summary, the advice, then the layouts tried (none for a file whose
 * first bytes said what it is: the one sentence says it).
 *
 * @example The command line's words
 * ```ts
 * import { detectLayout, refusalMessage } from "@utmp/utmp/layouts";
 * import { UtmpFormatError } from "@utmp/utmp";
 * import assert from "node:assert/strict";
 *
 * const gzip = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3);
 * assert.throws(() => detectLayout(gzip, gzip.length, { path: "wtmp.1.gz" }), (e) =>
 *   e instanceof UtmpFormatError && e.refusal !== undefined && refusalMessage(e.refusal, "cli") ===
 *     'Cannot read "wtmp.1.gz" as login records: it is gzip-compressed (it begins with gzip\'s magic bytes 1f 8b); decompress it first: zcat FILE > COPY');
 * ```
 *
 * @param refusal The refusal.
 * @param speaker Whose words.
 * @returns The message.
 */
export function refusalMessage(refusal: Refusal, speaker: "library" | "cli"): string {
  const advice = `${refusal.summary}; ${refusalAdvice(refusal.suggested, speaker, refusal.content)}`;
  return refusal.content !== undefined ? advice : `${advice}. ${describeTrials(refusal.tried)}`;
}

/** What each kind of content is, in words, and what reads it: [the library's words, the command line's]. */
const CONTENT: Readonly<Record<FileContent, { what: string; advice: readonly [string, string] }>> = {
  gzip: { what: "it is gzip-compressed (it begins with gzip's magic bytes 1f 8b)", advice: same("zcat") },
  xz: { what: "it is xz-compressed (it begins with xz's magic bytes fd 37 7a 58 5a 00)", advice: same("xzcat") },
  zstd: { what: "it is zstd-compressed (it begins with zstd's magic bytes 28 b5 2f fd)", advice: same("zstdcat") },
  bzip2: { what: 'it is bzip2-compressed (it begins with bzip2\'s magic "BZh")', advice: same("bzcat") },
  utmpdump: {
    what: 'it is utmpdump\'s text (its first line reads "[type] [pid] [id] [user] ..."), not binary records',
    advice: ["turn it into records with parseUtmpdump()", "turn it into records with 'utmp dump --reverse FILE'"],
  },
  text: {
    what: "it is text (no NUL byte; printable UTF-8 lines)",
    advice: ["pass the path of a login-record file", "pass the path of a login-record file"],
  },
  wtmpdb: {
    what: "it is a wtmpdb database (SQLite, with wtmpdb's table wtmp)",
    advice: ['read it with source "wtmpdb" (history(), lastSessions())', "read it with 'utmp last -f FILE'"],
  },
  lastlog2: {
    what: "it is a lastlog2 database (SQLite, with lastlog2's table Lastlog2)",
    advice: ['read it with source "lastlog2" (lastlogs())', "read it with 'utmp lastlog --file FILE'"],
  },
  sqlite: {
    what: "it is an SQLite database, neither a wtmpdb nor a lastlog2 one (it has neither's table)",
    advice: ["pass the path of a login-record file", "pass the path of a login-record file"],
  },
};

/** The advice for a compressed file: the same in both speakers' words. */
function same(tool: string): readonly [string, string] {
  const advice = `decompress it first: ${tool} FILE > COPY`;
  return [advice, advice];
}

/** The first 16 bytes of every SQLite database file. */
const SQLITE_MAGIC = "SQLite format 3\0";

/** Whether `head` begins with `magic`. */
function begins(head: Uint8Array, magic: readonly number[]): boolean {
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

/**
 * What a file is by its first bytes, when that is something other than
 * login records in any layout: compressed (gzip, xz, zstd, bzip2, by their
 * magic bytes), an SQLite database (wtmpdb's or lastlog2's by the schema on
 * its first page), utmpdump's text, or other lines of text. A login record of
 * any layout holds NUL bytes (zero padding, a zero field); text holds none.
 *
 * @example A gzip file and utmpdump's text
 * ```ts
 * import { fileContent } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(fileContent(Uint8Array.of(0x1f, 0x8b, 8, 0)), "gzip");
 * const line = "[7] [01234] [ts/0] [alice   ] [pts/0       ] [192.0.2.7           ] [192.0.2.7      ] [2023-11-14T22:13:20,123456+00:00]\n";
 * assert.equal(fileContent(new TextEncoder().encode(line)), "utmpdump");
 * assert.equal(fileContent(new TextEncoder().encode("ssh 22/tcp\n")), "text");
 * assert.equal(fileContent(new Uint8Array(384)), undefined);
 * ```
 *
 * @param head The first bytes of the file (the more, the surer: {@link DETECT_BYTES}).
 * @returns What it is, or undefined when its first bytes do not say (login records, or anything else).
 */
export function fileContent(head: Uint8Array): FileContent | undefined {
  if (head.length === 0) return undefined;
  if (begins(head, [0x1f, 0x8b])) return "gzip";
  if (begins(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return "xz";
  if (begins(head, [0x28, 0xb5, 0x2f, 0xfd])) return "zstd";
  if (begins(head, [0x42, 0x5a, 0x68]) && head[3]! >= 0x31 && head[3]! <= 0x39) return "bzip2";
  if (begins(head, [...SQLITE_MAGIC].map((c) => c.charCodeAt(0)))) {
    // The schema (sqlite_master) is on the first page: each table's CREATE statement, as written.
    const schema = new TextDecoder("latin1").decode(head);
    if (/CREATE TABLE\s+["'`[]?wtmp\b/i.test(schema)) return "wtmpdb";
    if (/CREATE TABLE\s+["'`[]?Lastlog2\b/i.test(schema)) return "lastlog2";
    return "sqlite";
  }
  if (!isPlainText(head)) return undefined;
  return /^\s*\[-?\d+\] \[ *-?\d+\] \[/.test(new TextDecoder().decode(head.subarray(0, 256))) ? "utmpdump" : "text";
}

/**
 * Lines of text: at least one newline, no NUL byte, no control character but
 * white space (tab, newline, CR, form feed, vertical tab), and UTF-8. (A few
 * bytes with no line end, such as the one byte of a cut wtmp, are a partial
 * record, not text.)
 */
function isPlainText(head: Uint8Array): boolean {
  if (!head.includes(0x0a)) return false;
  let ascii = true;
  for (const b of head) {
    if (b < 0x20 && (b < 0x09 || b > 0x0d)) return false;
    if (b === 0x7f) return false;
    if (b >= 0x80) ascii = false;
  }
  if (ascii) return true;
  try {
    // The head may end in the middle of a character: a stream decode leaves that one out.
    new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * The refusal of a file whose first bytes say what it is ({@link fileContent}),
 * when that is not what a reader reads: one sentence naming it and what reads
 * it instead.
 *
 * @example A lastlog2 database where login records were expected
 * ```ts
 * import { contentRefusal } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   contentRefusal("lastlog2", "lastlog2.db", "login records").message,
 *   'Cannot read "lastlog2.db" as login records: it is a lastlog2 database (SQLite, with lastlog2\'s table Lastlog2); read it with source "lastlog2" (lastlogs())',
 * );
 * ```
 *
 * @param content What the file is.
 * @param path The file, for the message.
 * @param reading What it was to be read as.
 * @returns The error (a `UtmpFormatError` whose `refusal.content` is `content`), to throw.
 */
export function contentRefusal(
  content: FileContent,
  path: string | undefined,
  reading: "login records" | "a lastlog",
): UtmpFormatError {
  const where = path === undefined ? "the file" : quotePath(path);
  const refusal: Refusal = {
    summary: `Cannot read ${where} as ${reading}: ${CONTENT[content].what}`,
    suggested: [],
    tried: [],
    content,
  };
  return new UtmpFormatError(refusalMessage(refusal, "library"), {
    offset: 0,
    recordIndex: 0,
    layout: "auto",
    refusal,
  });
}

/** "a", "a or b", "a, b or c". */
function list(items: readonly string[], last: string): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} ${last} ${items.at(-1)}`;
}

/** A refusal: the summary, the library's advice and the tried list, with the structured form for a command line. */
function refuse(
  summary: string,
  scored: readonly Score[],
  short: readonly Layout[],
  suggested: readonly string[],
): UtmpFormatError {
  const tried: Trial[] = [
    ...scored.map((s) => ({
      layout: s.layout.name,
      records: s.records,
      sampled: s.sampled,
      plausible: s.plausible,
      share: s.support,
      fits: s.fits,
    })),
    ...short.map((l) => ({ layout: l.name, records: 0, sampled: 0, plausible: 0, share: 0, fits: false })),
  ];
  const refusal: Refusal = { summary, suggested, tried };
  return new UtmpFormatError(refusalMessage(refusal, "library"), {
    offset: 0,
    recordIndex: 0,
    layout: "auto",
    refusal,
  });
}

/** A plain detection error (no layout option would help: read it with another reader). */
function fail(message: string): UtmpFormatError {
  return new UtmpFormatError(message, { offset: 0, recordIndex: 0, layout: "auto" });
}

/** `"a" and "b"`. */
function names(scores: readonly Score[]): string {
  return list(scores.map((s) => `"${s.layout.name}"`), "and");
}

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

/** ", 3 of them dated before 1980 or ahead of the clock" when some records are weak. */
function weakness(s: Score): string {
  return s.weak === 0 ? "" : `, ${s.weak} of them dated before 1980 or ahead of the clock`;
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

/**
 * Orders two readings by their times: the larger share of dated records
 * first (not between the two byte orders of one size when the less dated
 * one's times all fall in the first 194 days of 1970: see the module
 * documentation), then the times closer together (by {@link SPREAD_RATIO}).
 */
function compareTimes(a: Score, b: Score): number {
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

/**
 * For a file detection of login records refuses: the lastlog layout its head
 * reads as (`"lastlog-linux"`), when every used slot of one whose size
 * divides the file looks right; undefined when none does.
 */
function lastlogKind(head: Uint8Array, fileSize: number, now: number): string | undefined {
  const sample = [{ offset: 0, bytes: head }];
  const fitting = layoutsOf("lastlog").map((l) => scoreLastlog(l, sample, fileSize, now))
    .filter((s) => s.fits && s.plausible > 0 && s.support === 1 && s.clean === s.plausible);
  if (fitting.length === 0) return undefined;
  try {
    return `"${detectLastlogLayout(sample, fileSize, { now }).layout.name}"`;
  } catch {
    return list(fitting.map((s) => `"${s.layout.name}"`), "or");
  }
}

/**
 * A file whose sampled head is all zero, whose size no layout of login
 * records divides but a lastlog slot size does: a lastlog whose low uids
 * never logged in (an aarch64 one whose first used slot is uid 1000, at
 * 296000). Undefined for any other file.
 */
function zeroLastlog(
  head: Uint8Array,
  fileSize: number,
  choosable: readonly Layout[],
  where: string,
): UtmpFormatError | undefined {
  if (!isZero(head, 0, head.length) || choosable.some((l) => fileSize % l.size === 0)) return undefined;
  const slots = layoutsOf("lastlog").filter((l) => fileSize % l.size === 0);
  if (slots.length === 0) return undefined;
  const sizes = [...new Set(slots.map((l) => l.size))].join(" or ");
  return fail(
    `Cannot read ${where} as login records: it looks like a lastlog file (${
      list(slots.map((l) => `"${l.name}"`), "or")
    }): its first ${head.length} bytes are zero, as a lastlog's unused slots are, and its size is a whole number of ${sizes}-byte lastlog slots but of no login record's size; use LastlogFile`,
  );
}

/**
 * Chooses the layout of a lastlog file from a few regions of it (a lastlog is
 * a sparse array indexed by uid, so its used slots may be anywhere; the first
 * and last megabyte hold most of them): the layouts whose slot size divides
 * the file size first, then the share of the used slots that look right (a
 * time from 1970 to 2106, a zero-padded line; the host is not looked at),
 * then between the two byte orders of one slot size the times (see
 * {@link detectLayout}), then the share of printable lines. Linux's 292 and
 * 296 bytes both divide multiples of 21608, and 296 × 1001 is a multiple of
 * 28, so the slot contents decide. Used slots whose times read plausibly in
 * both byte orders (one slot, mostly) go to `prefer` when it is one of them;
 * without it they are refused.
 *
 * @example A 292-byte slot for uid 1
 * ```ts
 * import { detectLastlogLayout } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array(2 * 292);
 * new DataView(bytes.buffer).setUint32(292, 1700000123, true); // big-endian, 2079: a year ahead of the clock
 * bytes.set(new TextEncoder().encode("pts/0"), 292 + 4);
 * bytes.set(new TextEncoder().encode("192.0.2.1"), 292 + 36);
 * assert.equal(detectLastlogLayout([{ offset: 0, bytes }], bytes.length).layout.name, "lastlog-linux");
 * ```
 *
 * @param samples Regions of the file, each with its file offset.
 * @param fileSize The size of the whole file.
 * @param options Preference (for an empty file, and for slots both byte orders read), file name and the time
 * to judge at.
 * @returns The layout, with confidence and reason.
 * @throws {UtmpFormatError} When no lastlog layout fits, or several fit equally and `prefer` is not one of them.
 */
export function detectLastlogLayout(
  samples: readonly { offset: number; bytes: Uint8Array }[],
  fileSize: number,
  options: Omit<DetectOptions, "candidates"> = {},
): Detection {
  const candidates = layoutsOf("lastlog");
  const now = options.now ?? clock();
  const given = candidates.find((l) => l.name === options.prefer);
  const preferred = given ?? candidates[0]!;
  const where = options.path === undefined ? "the file" : quotePath(options.path);
  if (fileSize === 0) return { layout: preferred, confidence: 0, reason: "empty file" };
  const first = samples.find((s) => s.offset === 0);
  const content = first === undefined ? undefined : fileContent(first.bytes);
  if (content !== undefined) throw contentRefusal(content, options.path, "a lastlog");
  const all = candidates.map((l) => scoreLastlog(l, samples, fileSize, now));
  const scored = all.filter((s) => s.records > 0).sort(rankLastlog);
  const short = all.filter((s) => s.records === 0).map((s) => s.layout);
  const best = scored[0];
  if (best === undefined || scored.every((s) => s.sampled === 0)) {
    const fitting = scored.filter((s) => s.fits);
    const sizes = new Set(fitting.map((s) => s.layout.size));
    if (sizes.size === 1) {
      // One slot size divides the file: which byte order cannot matter, every slot sampled is zero.
      const layout = fitting.find((s) => s.layout === preferred)?.layout ?? fitting[0]!.layout;
      return { layout, confidence: 0, reason: `no used slot sampled; only ${layout.size} divides the file size` };
    }
    if (fitting.some((s) => s.layout === preferred)) {
      return { layout: preferred, confidence: 0, reason: `no used slot sampled; chose the preferred layout` };
    }
    throw refuse(
      `Cannot tell the lastlog layout of ${where}: no used slot in the sampled regions`,
      scored,
      short,
      fitting.map((s) => s.layout.name),
    );
  }
  if (best.plausible === 0 || best.support < MIN_SUPPORT) {
    throw refuse(
      `Cannot recognise the lastlog layout of ${where}: no lastlog layout decodes its used slots plausibly`,
      scored,
      short,
      scored.filter((s) => s.plausible > 0 && s.support >= MIN_SUPPORT).slice(0, 3).map((s) => s.layout.name),
    );
  }
  // A lastlog is written slot by slot: a few slots that read well at a stride that does not divide the file are
  // more often text read as a time than a lastlog cut short.
  if (!best.fits) {
    throw refuse(
      `Cannot recognise the lastlog layout of ${where}: no lastlog layout whose slot size divides its ${fileSize} bytes decodes its used slots plausibly`,
      scored,
      short,
      [],
    );
  }
  const rivals = scored.filter((s) => s !== best && rankLastlog(s, best) === 0 && s.plausible > 0);
  const size = (s: Score) =>
    s.fits ? `file size a multiple of ${s.layout.size}` : `${fileSize % s.layout.size} trailing bytes`;
  const said = (s: Score, confidence: number) =>
    `${s.plausible} of ${s.sampled} sampled used slots plausible (${Math.round(confidence * 100)}%)${weakness(s)}, ${
      size(s)
    }`;
  if (rivals.length > 0) {
    const tied = [best, ...rivals];
    const chosen = tied.find((s) => s.layout === given);
    if (chosen === undefined) {
      throw refuse(
        `Cannot tell the lastlog layout of ${where}: ${names(tied)} fit equally`,
        scored,
        short,
        tied.map((s) => s.layout.name),
      );
    }
    const confidence = chosen.confidence / 2;
    return {
      layout: chosen.layout,
      confidence,
      reason: `${said(chosen, confidence)}; ${names(tied)} read it equally well, chose the preferred layout`,
    };
  }
  return { layout: best.layout, confidence: best.confidence, reason: said(best, best.confidence) };
}

/** Orders lastlog scores best first: size fit, support, the times ({@link compareTimes}), printable lines. */
function rankLastlog(a: Score, b: Score): number {
  const clean = (s: Score) => s.plausible === 0 ? 0 : s.clean / s.plausible;
  return Number(b.fits) - Number(a.fits) || b.support - a.support || compareTimes(a, b) || clean(b) - clean(a);
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
