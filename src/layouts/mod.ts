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

import { codecOf, type Layout } from "./_engine.ts";
import { LINUX, LINUX64, LINUX64_BE, LINUX_BE } from "./linux.ts";
import { UtmpFormatError } from "../errors.ts";
import { makeChunk, RecordView, type UtmpRecord } from "../record.ts";

export type {
  AddrField,
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
} from "./_engine.ts";
export { formatAddress } from "./_engine.ts";
export { encodeRecord, encodeRecords, type RecordInput, typeNumber } from "./encode.ts";
export { LINUX, LINUX64, LINUX64_BE, LINUX_BE } from "./linux.ts";

/** A layout name accepted by the `layout` option. */
export type LayoutName = "linux" | "linux-be" | "linux64" | "linux64-be";

/**
 * Every layout by name. Each entry is a frozen data table with its size,
 * byte order, fields and the source its offsets were read from.
 *
 * @example List the layouts
 * ```ts
 * import { LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(LAYOUTS["linux64-be"].size, 400);
 * assert.equal(LAYOUTS["linux64-be"].endian, "be");
 * ```
 */
export const LAYOUTS: Readonly<Record<LayoutName, Layout>> = Object.freeze({
  linux: LINUX,
  "linux-be": LINUX_BE,
  linux64: LINUX64,
  "linux64-be": LINUX64_BE,
});

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
  const layout = (LAYOUTS as Record<string, Layout>)[name];
  if (layout === undefined) {
    throw new RangeError(
      `Cannot find layout "${name}": expected one of ${Object.keys(LAYOUTS).map((n) => `"${n}"`).join(", ")}`,
    );
  }
  return layout;
}

/**
 * The layout the local C library writes, from the operating system and CPU
 * architecture (as `process.platform`/`process.arch` or `Deno.build` name
 * them), or `undefined` when no layout is known for them.
 *
 * @example Linux architectures
 * ```ts
 * import { nativeLayoutName } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(nativeLayoutName("linux", "x86_64"), "linux");
 * assert.equal(nativeLayoutName("linux", "arm64"), "linux64");
 * assert.equal(nativeLayoutName("linux", "s390x"), "linux64-be");
 * ```
 *
 * @param os Operating system ("linux", "darwin", ...).
 * @param arch CPU architecture ("x86_64"/"x64", "aarch64"/"arm64", ...).
 * @returns The layout name, if known.
 */
export function nativeLayoutName(os: string, arch: string): LayoutName | undefined {
  if (os !== "linux") return undefined;
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
  /** Layouts to consider, in order of preference (default: all utmp layouts). */
  candidates?: readonly Layout[];
  /** Layout to choose when the content cannot tell (an empty file, all-zero records). */
  prefer?: string;
  /** File name for error messages. */
  path?: string;
}

/** How many records from the start of a file detection looks at. */
export const DETECT_SAMPLE = 64;

/**
 * Chooses the layout of a file from its first bytes and its size: the
 * layout under which the sampled records look right (known type, zero
 * padding, microseconds below one million, a time between 1970 and 2106,
 * printable text), then the one whose record size divides the file size,
 * then `prefer`.
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
 * @param head The first bytes of the file (up to {@link DETECT_SAMPLE} records are used).
 * @param fileSize The size of the whole file.
 * @param options Candidates, preference and file name.
 * @returns The layout, with confidence and reason.
 * @throws {UtmpFormatError} When no layout fits, or several fit and decode differently.
 */
export function detectLayout(head: Uint8Array, fileSize: number, options: DetectOptions = {}): Detection {
  const candidates = options.candidates ?? Object.values(LAYOUTS).filter((l) => l.kind === "utmp");
  const preferred = candidates.find((l) => l.name === options.prefer) ?? candidates[0]!;
  const where = options.path === undefined ? "the file" : `"${options.path}"`;
  if (fileSize < Math.min(...candidates.map((l) => l.size))) {
    return {
      layout: preferred,
      confidence: 0,
      reason: fileSize === 0 ? "empty file" : `file of ${fileSize} bytes holds no whole record`,
    };
  }
  const scored = candidates.map((layout) => ({ layout, ...scoreLayout(layout, head) }))
    .filter((s) => s.records > 0)
    .map((s) => ({
      ...s,
      confidence: s.sampled === 0 ? 0 : s.plausible / s.sampled,
      fits: fileSize % s.layout.size === 0,
    }));
  scored.sort((a, b) =>
    b.strong - a.strong || b.confidence - a.confidence || Number(b.fits) - Number(a.fits) ||
    Number(b.layout === preferred) - Number(a.layout === preferred)
  );
  const best = scored[0];
  if (best === undefined || (best.plausible === 0 && !best.empty)) {
    throw new UtmpFormatError(
      `Cannot recognise the layout of ${where}: no layout decodes its first records plausibly; pass the layout option (one of ${
        candidates.map((l) => `"${l.name}"`).join(", ")
      })`,
      { offset: 0, recordIndex: 0, layout: "auto" },
    );
  }
  const rivals = scored.filter((s) =>
    s !== best && s.strong === best.strong && s.confidence === best.confidence && s.fits === best.fits
  );
  if (!best.empty && rivals.length > 0) {
    throw new UtmpFormatError(
      `Cannot tell the layout of ${where}: ${
        [best, ...rivals].map((s) => `"${s.layout.name}"`).join(" and ")
      } fit equally; pass the layout option`,
      { offset: 0, recordIndex: 0, layout: "auto" },
    );
  }
  const pct = Math.round(best.confidence * 100);
  const reason = best.empty
    ? `only empty records; chose the preferred layout "${best.layout.name}"`
    : `${best.plausible} of ${best.sampled} sampled records plausible (${pct}%)${
      best.fits ? `, file size a multiple of ${best.layout.size}` : `, ${fileSize % best.layout.size} trailing bytes`
    }`;
  return { layout: best.layout, confidence: best.confidence, reason };
}

interface Score {
  /** Whole records in the sample. */
  records: number;
  /** Of those, the ones with a non-zero byte: all-zero records fit every layout and say nothing. */
  sampled: number;
  /** Of those, the ones that look right. */
  plausible: number;
  /** Of those, the ones that say something: a type other than EMPTY. */
  strong: number;
  /** No record in the sample has a non-zero byte. */
  empty: boolean;
}

function scoreLayout(layout: Layout, head: Uint8Array): Score {
  if ((layout.framing ?? "fixed") !== "fixed") return { records: 0, sampled: 0, plausible: 0, strong: 0, empty: true };
  const codec = codecOf(layout);
  const records = Math.min(DETECT_SAMPLE, Math.floor(head.length / layout.size));
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let sampled = 0;
  let plausible = 0;
  let strong = 0;
  for (let i = 0; i < records; i++) {
    const at = i * layout.size;
    if (isZero(head, at, layout.size)) continue;
    sampled++;
    if (!isPlausible(layout, codec, head, view, at)) continue;
    plausible++;
    if (codec.typeName(head, view, at) !== "EMPTY") strong++;
  }
  return { records, sampled, plausible, strong, empty: sampled === 0 };
}

function isZero(bytes: Uint8Array, at: number, size: number): boolean {
  for (let i = at; i < at + size; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** Latest plausible time: 2106-02-07, the end of an unsigned 32-bit time. */
const MAX_SEC = 2 ** 32;

function isPlausible(
  layout: Layout,
  codec: ReturnType<typeof codecOf>,
  bytes: Uint8Array,
  view: DataView,
  at: number,
): boolean {
  const f = layout.fields;
  if (f.ut_type !== undefined) {
    if (codec.typeName(bytes, view, at) === undefined) return false;
    // The bytes between a 16-bit type and the next field are zero (glibc zeroes the struct).
    if (f.ut_type.type === "i16" && f.ut_pid !== undefined && f.ut_pid.offset === f.ut_type.offset + 4) {
      if (bytes[at + f.ut_type.offset + 2] !== 0 || bytes[at + f.ut_type.offset + 3] !== 0) return false;
    }
  }
  const usec = codec.usec(view, at);
  if (usec < 0 || usec >= 1_000_000) return false;
  const sec = codec.sec(view, at);
  if (sec < 0 || sec >= MAX_SEC) return false;
  for (const field of [f.ut_line, f.ut_user, f.ut_id]) {
    if (field === undefined) continue;
    const start = at + field.offset;
    for (let i = start; i < start + field.size; i++) {
      const b = bytes[i]!;
      if (b === 0) break;
      if (b < 0x20 || b === 0x7f) return false;
    }
  }
  return true;
}

/** Why a record was not yielded: its offset, index and the reason. */
export interface RecordProblem {
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
 * @param bytes Bytes holding the record.
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
 * Decodes every whole record in `bytes` (a trailing partial record is left out).
 *
 * @example All records of a buffer
 * ```ts
 * import { decodeRecords, LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal([...decodeRecords(new Uint8Array(3 * 400 + 7), LAYOUTS.linux64)].length, 3);
 * ```
 *
 * @param bytes Bytes holding records back to back.
 * @param layout Their layout.
 * @returns The records.
 */
export function* decodeRecords(bytes: Uint8Array, layout: Layout): Generator<UtmpRecord> {
  const chunk = makeChunk(bytes, layout, 0, 0);
  for (let at = 0; at + layout.size <= bytes.length; at += layout.size) yield new RecordView(chunk, at);
}
