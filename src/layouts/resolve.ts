/**
 * The one place a reader's `layout` option is resolved
 * ({@link resolveLayout}: given, or detected), and what of a file it needs
 * to see for that ({@link detectionRegions}). No I/O: the reader reads the
 * regions and hands them over.
 *
 * @module
 */

import { getLayout } from "./registry.ts";
import type { LayoutKind } from "./schema.ts";
import type { Detection, Sample } from "./_plausible.ts";
import { DETECT_BYTES, detectLayout } from "./detect.ts";
import { detectLastlogLayout } from "./detect_lastlog.ts";

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
