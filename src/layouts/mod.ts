/**
 * Every layout the reader knows, layout detection, and decoding of bytes
 * you already hold. Nothing here does I/O: it runs with no permissions.
 *
 * @example Decode bytes from anywhere
 * ```ts
 * import { decodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array(2 * 384);
 * new DataView(bytes.buffer).setInt16(384, 2, true); // record 1: BOOT_TIME
 * const types = [...decodeRecords(bytes, LAYOUTS.linux)].map((u) => u.ut_type);
 * assert.deepEqual(types, ["EMPTY", "BOOT_TIME"]);
 * ```
 *
 * @module
 */

import { type Layout, recordsPerChunk } from "./_engine.ts";
import { DETECT_SAMPLE, type Score, scoreLastlog, scoreLayout } from "./_detect.ts";
import { scanFrames, unframe } from "./_framing.ts";
import { AIX } from "./aix.ts";
import { BSD, LASTLOG_BSD } from "./bsd.ts";
import { DOMAINIX } from "./domainix.ts";
import { FREEBSD, FREEBSD_LOG } from "./freebsd.ts";
import { HPUX } from "./hpux.ts";
import { LASTLOG_LINUX, LASTLOG_LINUX64, LINUX, LINUX64, LINUX64_BE, LINUX_BE, LINUX_M68K } from "./linux.ts";
import { MACOS, MACOS_BE } from "./macos.ts";
import { LASTLOG_NETBSD, NETBSD, NETBSD_UTMPX, NETBSD_UTMPX32 } from "./netbsd.ts";
import { LASTLOG_OPENBSD, OPENBSD } from "./openbsd.ts";
import { SOLARIS, SOLARIS_LE } from "./solaris.ts";
import { SVR4, SVR4_BE } from "./sysv.ts";
import { V7 } from "./v7.ts";
import { UtmpFormatError } from "../errors.ts";
import { makeChunk, RecordView, type UtmpRecord } from "../record.ts";

export type {
  AddrField,
  AddrReader,
  CharField,
  Codec,
  Endian,
  Framing,
  IntField,
  IntReader,
  IntType,
  Layout,
  LayoutFields,
  LayoutKind,
  TextField,
  TextReader,
} from "./_engine.ts";
export { formatAddress } from "./_engine.ts";
export { DETECT_SAMPLE } from "./_detect.ts";
export { encodeRecord, encodeRecords, type RecordInput, typeNumber } from "./encode.ts";
export { deriveType } from "./bsd.ts";

/** A utmp/utmpx/wtmp/btmp layout name, accepted by `UtmpFile`'s `layout` option. */
export type UtmpLayoutName =
  | "linux"
  | "linux-be"
  | "linux64"
  | "linux64-be"
  | "linux-m68k"
  | "macos"
  | "macos-be"
  | "freebsd"
  | "freebsd-log"
  | "openbsd"
  | "netbsd"
  | "netbsd-utmpx"
  | "netbsd-utmpx32"
  | "solaris"
  | "solaris-le"
  | "aix"
  | "hpux"
  | "bsd"
  | "svr4"
  | "svr4-be"
  | "v7"
  | "domainix";

/** A lastlog layout name, accepted by the lastlog reader's `layout` option. */
export type LastlogLayoutName =
  | "lastlog-linux"
  | "lastlog-linux64"
  | "lastlog-openbsd"
  | "lastlog-netbsd"
  | "lastlog-bsd";

/** Any layout name in {@link LAYOUTS}. */
export type LayoutName = UtmpLayoutName | LastlogLayoutName;

/**
 * Every layout by name: the utmp-style ones (`kind: "utmp"`), then the
 * lastlog ones (`kind: "lastlog"`). Each entry is a frozen data table with
 * its size, byte order, fields and the source its offsets were read from.
 *
 * @example List the layouts
 * ```ts
 * import { LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(LAYOUTS["linux64-be"].size, 400);
 * assert.equal(LAYOUTS["linux64-be"].endian, "be");
 * assert.equal(LAYOUTS.freebsd.size, 197);
 * assert.equal(LAYOUTS["lastlog-linux"].kind, "lastlog");
 * ```
 */
export const LAYOUTS: Readonly<Record<LayoutName, Layout>> = Object.freeze({
  linux: LINUX,
  "linux-be": LINUX_BE,
  linux64: LINUX64,
  "linux64-be": LINUX64_BE,
  "linux-m68k": LINUX_M68K,
  macos: MACOS,
  "macos-be": MACOS_BE,
  freebsd: FREEBSD,
  "freebsd-log": FREEBSD_LOG,
  openbsd: OPENBSD,
  netbsd: NETBSD,
  "netbsd-utmpx": NETBSD_UTMPX,
  "netbsd-utmpx32": NETBSD_UTMPX32,
  solaris: SOLARIS,
  "solaris-le": SOLARIS_LE,
  aix: AIX,
  hpux: HPUX,
  bsd: BSD,
  svr4: SVR4,
  "svr4-be": SVR4_BE,
  v7: V7,
  domainix: DOMAINIX,
  "lastlog-linux": LASTLOG_LINUX,
  "lastlog-linux64": LASTLOG_LINUX64,
  "lastlog-openbsd": LASTLOG_OPENBSD,
  "lastlog-netbsd": LASTLOG_NETBSD,
  "lastlog-bsd": LASTLOG_BSD,
});

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
 * Looks a layout up by name.
 *
 * @example By name
 * ```ts
 * import { getLayout } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(getLayout("linux").size, 384);
 * assert.throws(() => getLayout("vms"), RangeError);
 * ```
 *
 * @param name A layout name.
 * @returns The layout.
 * @throws {RangeError} When no layout has that name.
 */
export function getLayout(name: string): Layout {
  const layout = Object.hasOwn(LAYOUTS, name) ? (LAYOUTS as Record<string, Layout>)[name] : undefined;
  if (layout === undefined) {
    throw new RangeError(
      `Cannot find layout "${name}": expected one of ${Object.keys(LAYOUTS).map((n) => `"${n}"`).join(", ")}`,
    );
  }
  return layout;
}

/**
 * The layout the local C library writes its utmp (utmpx) in, from the
 * operating system and CPU architecture (as `process.platform`/`process.arch`
 * or `Deno.build` name them), or `undefined` when no layout is known for them.
 *
 * @example Linux architectures and other systems
 * ```ts
 * import { nativeLayoutName } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(nativeLayoutName("linux", "x86_64"), "linux");
 * assert.equal(nativeLayoutName("linux", "arm64"), "linux64");
 * assert.equal(nativeLayoutName("linux", "s390x"), "linux64-be");
 * assert.equal(nativeLayoutName("darwin", "arm64"), "macos");
 * assert.equal(nativeLayoutName("netbsd", "ia32"), "netbsd-utmpx32");
 * ```
 *
 * @param os Operating system ("linux", "darwin", "freebsd", ...).
 * @param arch CPU architecture ("x86_64"/"x64", "aarch64"/"arm64", ...).
 * @returns The layout name, if known.
 */
export function nativeLayoutName(os: string, arch: string): UtmpLayoutName | undefined {
  const ilp32 = ["ia32", "x86", "i386", "i686", "arm", "ppc", "mips", "mipsel"].includes(arch);
  switch (os) {
    case "linux":
      return linuxLayoutName(arch);
    case "darwin":
      return arch === "ppc" || arch === "ppc64" ? "macos-be" : "macos";
    case "freebsd":
      return "freebsd";
    case "openbsd":
      return "openbsd";
    case "netbsd":
      return ilp32 ? "netbsd-utmpx32" : "netbsd-utmpx";
    case "sunos":
    case "solaris":
    case "illumos":
      return arch.startsWith("sparc") ? "solaris" : "solaris-le";
    case "aix":
      return "aix";
  }
  return undefined;
}

function linuxLayoutName(arch: string): UtmpLayoutName | undefined {
  switch (arch) {
    case "x64":
    case "x86_64":
    case "ia32":
    case "x86":
    case "arm":
    case "riscv64":
    case "riscv32":
    case "ppc64le":
    case "mipsel":
    case "mips64el":
      return "linux";
    case "arm64":
    case "aarch64":
    case "loong64":
    case "loongarch64":
      return "linux64";
    case "s390x":
    case "s390":
      return "linux64-be";
    case "ppc":
    case "ppc64":
    case "mips":
    case "mips64":
    case "sparc":
    case "sparc64":
      return "linux-be";
    case "m68k":
      return "linux-m68k";
  }
  return undefined;
}

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
 *    `_detect.ts`.)
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
  const candidates = options.candidates ?? Object.values(LAYOUTS).filter((l) => l.kind === "utmp");
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
    const lastlog = Object.values(LAYOUTS).filter((l) => l.kind === "lastlog")
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
 * The lastlog layout the local C library writes, or `undefined` when the
 * system keeps no flat lastlog file in a known layout (macOS, FreeBSD, and
 * big-endian Linux).
 *
 * @example Linux and the BSDs
 * ```ts
 * import { nativeLastlogLayoutName } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(nativeLastlogLayoutName("linux", "x64"), "lastlog-linux");
 * assert.equal(nativeLastlogLayoutName("linux", "arm64"), "lastlog-linux64");
 * assert.equal(nativeLastlogLayoutName("openbsd", "x64"), "lastlog-openbsd");
 * assert.equal(nativeLastlogLayoutName("darwin", "arm64"), undefined);
 * ```
 *
 * @param os Operating system ("linux", "openbsd", ...).
 * @param arch CPU architecture ("x64", "arm64", ...).
 * @returns The lastlog layout name, if known.
 */
export function nativeLastlogLayoutName(os: string, arch: string): LastlogLayoutName | undefined {
  switch (os) {
    case "linux": {
      const utmp = linuxLayoutName(arch);
      return utmp === "linux" ? "lastlog-linux" : utmp === "linux64" ? "lastlog-linux64" : undefined;
    }
    case "openbsd":
      return "lastlog-openbsd";
    case "netbsd":
      return "lastlog-netbsd";
    case "sunos":
    case "solaris":
    case "illumos":
      return arch.startsWith("sparc") ? undefined : "lastlog-bsd";
  }
  return undefined;
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
  const candidates = Object.values(LAYOUTS).filter((l) => l.kind === "lastlog");
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

/**
 * What kind of problem a warning reports:
 * - "impossible-type": a record whose type number its layout does not define (not yielded, unless `keepInvalid`);
 * - "partial-record": the file ends part-way into a record (a later pass reads it once it is whole);
 * - "zero-length": a FreeBSD utx.log length of 0, stepped over;
 * - "shrank": the file got shorter while it was read;
 * - "replaced": the path now names another file (rotated) than the one read.
 */
export type ProblemKind = "impossible-type" | "partial-record" | "zero-length" | "shrank" | "replaced";

/** Why a record was not yielded, or what happened to the file: where, what kind, and the reason in words. */
export interface RecordProblem {
  /** What kind of problem, for code that handles some kinds. */
  kind: ProblemKind;
  /** Byte offset in the file. */
  offset: number;
  /** Record index in the file. */
  recordIndex: number;
  /** What is wrong, in words. */
  reason: string;
}

/**
 * Decodes one record from bytes you hold.
 *
 * @example One glibc record
 * ```ts
 * import { decodeRecord, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array(384);
 * bytes.set(new TextEncoder().encode("tty1"), 8);
 * assert.equal(decodeRecord(bytes, LAYOUTS.linux).ut_line, "/dev/tty1");
 * ```
 *
 * @param bytes Bytes holding the record (for `freebsd-log`: the 197-byte record without its length prefix;
 * {@link decodeRecords} reads the framing).
 * @param layout Its layout.
 * @param offset Where the record starts in `bytes` (default 0).
 * @returns The record (a view over `bytes`).
 * @throws {RangeError} When `bytes` is too short for a record at `offset`.
 */
export function decodeRecord(bytes: Uint8Array, layout: Layout, offset = 0): UtmpRecord {
  if (offset < 0 || offset + layout.size > bytes.length) {
    throw new RangeError(
      `Cannot decode a ${layout.size}-byte "${layout.name}" record at offset ${offset}: only ${bytes.length} bytes`,
    );
  }
  return new RecordView(makeChunk(bytes, layout, 0, 0), offset);
}

/**
 * Decodes every whole record in `bytes` (a trailing partial record is left
 * out). For a framed layout (`freebsd-log`) the records follow their length
 * prefixes, and each record's `offset` is that of its prefix.
 *
 * @example All records of a buffer
 * ```ts
 * import { decodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal([...decodeRecords(new Uint8Array(3 * 400 + 7), LAYOUTS.linux64)].length, 3);
 * ```
 *
 * @example A FreeBSD utx.log
 * ```ts
 * import { decodeRecords, encodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const log = encodeRecords(LAYOUTS["freebsd-log"], [
 *   { ut_type: "BOOT_TIME", tv_sec: 1700000000, tv_usec: 1 },
 *   { ut_type: "USER_PROCESS", ut_user: "root", ut_line: "pts/0", tv_sec: 1700000060 },
 * ]);
 * const records = [...decodeRecords(log, LAYOUTS["freebsd-log"])];
 * assert.deepEqual(records.map((u) => [u.offset, u.ut_type, u.ut_user]), [
 *   [0, "BOOT_TIME", ""],
 *   [11, "USER_PROCESS", "root"],
 * ]);
 * ```
 *
 * @param bytes Bytes holding records back to back.
 * @param layout Their layout.
 * @returns The records.
 */
export function* decodeRecords(bytes: Uint8Array, layout: Layout): Generator<UtmpRecord> {
  if ((layout.framing ?? "fixed") === "u16be") {
    // A chunk of records at a time: 3-byte frames must not make 197-byte slots by the million at once.
    const per = recordsPerChunk(layout.size);
    for (let at = 0, index = 0; at < bytes.length;) {
      const { frames, end } = scanFrames(bytes.subarray(at), layout.size, per);
      if (frames.length === 0) return;
      const offsets = frames.map((f) => at + f.start);
      const chunk = makeChunk(unframe(bytes.subarray(at), frames, layout.size), layout, 0, index, offsets);
      for (let i = 0; i < frames.length; i++) yield new RecordView(chunk, i * layout.size);
      at += end;
      index += frames.length;
    }
    return;
  }
  const chunk = makeChunk(bytes, layout, 0, 0);
  for (let at = 0; at + layout.size <= bytes.length; at += layout.size) yield new RecordView(chunk, at);
}
