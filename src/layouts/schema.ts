/**
 * The schema of a layout: a {@link Layout} is a data table of explicit byte
 * offsets (checked against `offsetof` in the C headers cited by each layout
 * file), read by the decode engine (`_engine.ts`). Types only. A table's type
 * keeps its name and kind (`Layout<"linux", "utmp">`), so that the registry
 * derives `LayoutName` from the tables themselves.
 *
 * @module
 */

import type { UtTypeName } from "../types.ts";

/** Byte order of a layout's integers. `"pdp"` is the PDP-11 order of 32-bit longs (V7). */
export type Endian = "le" | "be" | "pdp";

/** Integer encodings a field may use. */
export type IntType = "u8" | "i16" | "u16" | "i32" | "u32" | "i64" | "u64";

/** An integer field: its byte offset in the record and its C type. */
export interface IntField {
  /** Byte offset from the start of the record. */
  readonly offset: number;
  /** Width and signedness. */
  readonly type: IntType;
}

/** A fixed-width `char[size]` field, cut at the first NUL or the width. */
export interface CharField {
  /** Byte offset from the start of the record. */
  readonly offset: number;
  /** Always `"char"`. */
  readonly type: "char";
  /** Width of the array in bytes. */
  readonly size: number;
}

/**
 * An address field.
 * - `"in6"`: glibc's `int32_t ut_addr_v6[4]`: 16 raw network-order bytes; IPv4
 *   when only the first word is set.
 * - `"in4"`: one 4-byte IPv4 address stored in network order (HP-UX, libc5).
 * - `"sockaddr"`: a `struct sockaddr_storage` (NetBSD): `ss_len`, family 2
 *   (IPv4 at +4) or 24 (IPv6 at +8).
 */
export interface AddrField {
  /** Byte offset from the start of the record. */
  readonly offset: number;
  /** How the address is stored. */
  readonly type: "in6" | "in4" | "sockaddr";
  /** Width of the field in bytes. */
  readonly size: number;
}

/**
 * The fields of a layout, by contract name. A field a format does not have
 * is left out and reads as its neutral value (0, "" or 0.0.0.0).
 */
export interface LayoutFields {
  /** Record type; absent in formats without one (BSD, V7), see {@link Layout.deriveType}. */
  readonly ut_type?: IntField;
  /** Process id. */
  readonly ut_pid?: IntField;
  /** Terminal line, without "/dev/". */
  readonly ut_line?: CharField;
  /** inittab id or terminal suffix. */
  readonly ut_id?: CharField;
  /** User name. */
  readonly ut_user?: CharField;
  /** Remote host, X display or kernel release. */
  readonly ut_host?: CharField;
  /** `ut_exit.e_termination`. */
  readonly e_termination?: IntField;
  /** `ut_exit.e_exit`. */
  readonly e_exit?: IntField;
  /** Session id. */
  readonly ut_session?: IntField;
  /** Seconds since the epoch. */
  readonly tv_sec?: IntField;
  /** Microseconds within the second. */
  readonly tv_usec?: IntField;
  /** Microseconds since the epoch in one integer (FreeBSD `fu_tv`), instead of tv_sec/tv_usec. */
  readonly tv_us?: IntField;
  /** Remote address. */
  readonly ut_addr?: AddrField;
}

/** What kind of file a layout describes. */
export type LayoutKind = "utmp" | "lastlog";

/** How a layout's records follow each other in a file. */
export type Framing =
  /** Records of exactly `size` bytes, one after the other. */
  | "fixed"
  /** A big-endian uint16 length, then that many bytes of the record with its trailing zero bytes cut (FreeBSD utx.log). */
  | "u16be";

/**
 * One on-disk (or in-memory) record format, described as data.
 *
 * @example Reading the table
 * ```ts
 * import { LAYOUTS } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const linux = LAYOUTS.linux;
 * assert.equal(linux.size, 384);
 * assert.equal(linux.fields.ut_user?.offset, 44);
 * ```
 */
export interface Layout<N extends string = string, K extends LayoutKind = LayoutKind> {
  /** Name accepted by the `layout` option. */
  readonly name: N;
  /** utmp-style records or lastlog slots. */
  readonly kind: K;
  /** Record size in bytes. */
  readonly size: number;
  /** Byte order of integer fields. */
  readonly endian: Endian;
  /** How records are framed in a file; `"fixed"` when absent. */
  readonly framing?: Framing;
  /** One line saying which systems write it. */
  readonly description: string;
  /** Where the offsets come from (header, commit, verification). */
  readonly source: string;
  /** Field table. */
  readonly fields: LayoutFields;
  /** Stored type number → contract name. Numbers not listed are impossible types. */
  readonly types: Readonly<Record<number, UtTypeName>>;
  /**
   * For formats without `ut_type`: derive it as FORMATS.md and python-utmp do
   * ("~" line → BOOT_TIME, empty user → DEAD_PROCESS, else USER_PROCESS).
   */
  readonly deriveType?: (line: string, user: string) => UtTypeName;
  /** Default file paths on the system that writes this layout. */
  readonly paths?: readonly string[];
  /**
   * The `ut_user` of the SIGNATURE record that the system's C library writes
   * first into a new file ("utmpx-1.00" on macOS, "utmpx-2.00" on NetBSD):
   * detection takes it as a magic number.
   */
  readonly signature?: string;
  /**
   * `false` for layouts that `layout: "auto"` never chooses because their
   * records cannot be told apart from a sibling's (the 36-byte BSD and System V
   * records, V7): when one of them fits a file as well as the best other
   * layout, detection fails and asks for the `layout` option.
   */
  readonly autodetect?: boolean;
  /** `ut_id` holds opaque bytes, not text (FreeBSD console logins), so detection does not require it to be printable. */
  readonly opaqueId?: boolean;
  /**
   * The fields each record type stores, when the writer zeroes the others
   * (FreeBSD `utx_to_futx`): detection requires the others to be zero.
   */
  readonly storedFields?: Readonly<Partial<Record<UtTypeName, readonly (keyof LayoutFields)[]>>>;
}

/**
 * Width of a field in bytes.
 *
 * @param field A field of a layout.
 * @returns Its size.
 */
export function fieldWidth(field: IntField | CharField | AddrField): number {
  if ("size" in field) return field.size;
  return INT_WIDTH[field.type];
}

const INT_WIDTH: Readonly<Record<IntType, number>> = { u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, i64: 8, u64: 8 };

/**
 * Freezes a layout table; its parameter type checks the table where it is
 * written (each field's offset and C type).
 *
 * @example A table
 * ```ts
 * import { defineLayout, type Layout } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * const TINY: Layout<"tiny", "utmp"> = defineLayout({
 *   name: "tiny",
 *   kind: "utmp",
 *   size: 8,
 *   endian: "le",
 *   description: "an example",
 *   source: "this example",
 *   fields: { tv_sec: { offset: 0, type: "u32" }, ut_pid: { offset: 4, type: "i32" } },
 *   types: {},
 * });
 * assert.ok(Object.isFrozen(TINY));
 * ```
 *
 * @param layout The table.
 * @returns The same table, frozen.
 */
export function defineLayout<N extends string, K extends LayoutKind>(layout: Layout<N, K>): Layout<N, K> {
  return Object.freeze(layout);
}

/**
 * Whether a layout's records are length-prefixed in its files (FreeBSD
 * utx.log) rather than of a fixed size one after another.
 *
 * @param layout A layout.
 * @returns True for a framed layout.
 */
export function isFramed(layout: Layout): boolean {
  return (layout.framing ?? "fixed") !== "fixed";
}
