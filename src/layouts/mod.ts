/**
 * Every layout the reader knows, layout detection, and decoding of bytes
 * you already hold. Nothing here does I/O: it runs with no permissions.
 *
 * - registry.ts: {@link LAYOUTS} by name, {@link getLayout}, the name types;
 * - schema.ts: what a layout table is ({@link Layout});
 * - detect.ts, detect_lastlog.ts: which layout a file is in
 *   ({@link detectLayout}, {@link detectLastlogLayout}); resolve.ts: a
 *   reader's `layout` option ({@link resolveLayout});
 * - native.ts: the layouts of this machine's C library;
 * - decode.ts: records over bytes ({@link decodeRecords});
 * - encode.ts: records to bytes ({@link encodeRecords}).
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

export {
  ALL_LAYOUTS,
  getLayout,
  type LastlogLayoutName,
  type LayoutName,
  LAYOUTS,
  layoutsOf,
  type UtmpLayoutName,
} from "./registry.ts";
export {
  type AddrField,
  type CharField,
  defineLayout,
  type Endian,
  type Framing,
  type IntField,
  type IntType,
  type Layout,
  type LayoutFields,
  type LayoutKind,
} from "./schema.ts";
export { DETECT_BYTES, detectLayout } from "./detect.ts";
export { detectLastlogLayout } from "./detect_lastlog.ts";
export { DETECT_SAMPLE, type Detection, type DetectOptions, type Sample } from "./_plausible.ts";
export { contentRefusal, fileContent, refusalMessage } from "./_refusal.ts";
export type { FileContent, Refusal, Trial } from "../errors.ts";
export { detectionRegions, type Region, resolveLayout, type ResolveOptions } from "./resolve.ts";
export { nativeLastlogLayoutName, nativeLayoutName } from "./native.ts";
export { decodeRecord, decodeRecords } from "./decode.ts";
export { encodeRecord, encodeRecords, type RecordInput, typeNumber } from "./encode.ts";
export { formatAddress } from "./_addr.ts";
export { deriveType } from "./bsd.ts";
export { devicePath, type UtRawBytes } from "../record.ts";
