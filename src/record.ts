/**
 * The record contract: one {@link UtmpRecord} shape for every layout,
 * backend and source. Types, {@link devicePath}, and {@link RecordBase}, what
 * every record class shares. The record read from bytes is in
 * `layouts/decode.ts`; records of other sources in `sources/_plain.ts`.
 *
 * @module
 */

import type { UtTypeName } from "./types.ts";

/** `struct exit_status`. */
export interface UtExit {
  /** Process termination status. */
  e_termination: number;
  /** Process exit status. */
  e_exit: number;
}

/** `struct timeval` with full microseconds. */
export interface UtTimeval {
  /** Seconds since 1970-01-01T00:00:00Z. */
  tv_sec: number;
  /** Microseconds, normally 0..999999. */
  tv_usec: number;
}

/** The raw bytes behind a record's fields: views, not copies. */
export interface UtRawBytes {
  /** The whole stored record. */
  record: Uint8Array;
  /** `ut_user` up to its first NUL. */
  ut_user: Uint8Array;
  /** The stored `ut_line` (no "/dev/") up to its first NUL. */
  ut_line: Uint8Array;
  /** `ut_id` up to its first NUL. */
  ut_id: Uint8Array;
  /** `ut_host` up to its first NUL. */
  ut_host: Uint8Array;
}

/** A record as a plain object: what {@link UtmpRecord.toJSON} returns. */
export interface UtmpRecordObject {
  /** Type name. */
  ut_type: UtTypeName;
  /** The stored type number (layout numbering; -1 for layouts without a type). */
  ut_type_raw: number;
  /** Process id. */
  ut_pid: number;
  /** Device path ("/dev/pts/0"), or the stored line when it is not a device. */
  ut_line: string;
  /** inittab id / terminal suffix. */
  ut_id: string;
  /** User name. */
  ut_user: string;
  /** Remote host, display or kernel release. */
  ut_host: string;
  /** Exit status of a DEAD_PROCESS. */
  ut_exit: UtExit;
  /** `ut_exit.e_exit`. */
  ut_exit_code: number;
  /** Session id. */
  ut_session: number;
  /** Time with microseconds. */
  ut_tv: UtTimeval;
  /** Time as a Date (milliseconds, microseconds truncated). */
  ut_time: Date;
  /** Address octets: 4 for IPv4, 16 for IPv6. */
  ut_addr: number[];
  /** Address as text ("10.0.0.5", "2001:db8::1"). */
  ut_addr_text: string;
  /** True for USER_PROCESS records. */
  ut_user_process: boolean;
  /**
   * The PAM service that opened the session ("sshd", "login", "gdm-password"):
   * wtmpdb's `Service` column, logind's `SERVICE`; "" where the source keeps
   * none (utmp and wtmp records never hold one).
   */
  ut_service: string;
  /** Where the record came from: a layout name ("linux", ...) or another source ("logind", "wtmpdb"). */
  layout: string;
  /** Byte offset of the record in its file (-1 for records not read from a record file). */
  offset: number;
  /** Position of the record in its source, from 0. */
  index: number;
}

/**
 * One login record, in the same shape for every layout, backend and source.
 * Fields keep their C names (`ut_user`, `ut_line`, `ut_time`, ...).
 *
 * Records read from files are lazy views over the bytes they were read from:
 * numbers are read and strings decoded when first asked for, so code that
 * only filters on `ut_type` never decodes a string. Such a record keeps its
 * read chunk (up to 256 KiB) alive; to keep many records of a large file, keep
 * `record.toJSON()` instead.
 */
export interface UtmpRecord extends Readonly<UtmpRecordObject> {
  /** Raw bytes of the record and its string fields, for records read from bytes. */
  readonly raw: UtRawBytes | undefined;
  /**
   * Every field as a plain object (JSON turns `ut_time` into ISO text).
   *
   * @returns A plain object that no longer refers to the read buffer.
   */
  toJSON(): UtmpRecordObject;
}

/**
 * Maps a stored `ut_line` to the contract's `ut_line`: "/dev/" + the line for
 * device lines; unchanged when empty, already absolute, a marker ("~" for
 * boot/shutdown/run level, "|", "{", "}" for clock changes), or not a device
 * name at all (an X display ":0", "ssh:notty", Solaris "system boot").
 *
 * @example Device and non-device lines
 * ```ts
 * import { devicePath } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(devicePath("pts/0"), "/dev/pts/0");
 * assert.equal(devicePath("~"), "~");
 * assert.equal(devicePath(":0"), ":0");
 * ```
 *
 * @param line The stored line.
 * @returns The full device path, or the line unchanged.
 */
export function devicePath(line: string): string {
  if (line === "") return line;
  const c = line.charCodeAt(0);
  // "/" absolute, "~" boot/run level, "|" "{" "}" clock changes.
  if (c === 0x2f || c === 0x7e || c === 0x7c || c === 0x7b || c === 0x7d) return line;
  if (line.includes(":") || line.includes(" ")) return line;
  return "/dev/" + line;
}

/**
 * What every {@link UtmpRecord} class shares: `toJSON()` and how `console.log`
 * shows a record (its fields, not the class's internals).
 */
export abstract class RecordBase {
  /**
   * Every field as a plain object (JSON turns `ut_time` into ISO text).
   *
   * @returns A plain object that no longer refers to the read buffer.
   */
  toJSON(this: UtmpRecord): UtmpRecordObject {
    return {
      ut_type: this.ut_type,
      ut_type_raw: this.ut_type_raw,
      ut_pid: this.ut_pid,
      ut_line: this.ut_line,
      ut_id: this.ut_id,
      ut_user: this.ut_user,
      ut_host: this.ut_host,
      ut_exit: this.ut_exit,
      ut_exit_code: this.ut_exit_code,
      ut_session: this.ut_session,
      ut_tv: this.ut_tv,
      ut_time: this.ut_time,
      ut_addr: this.ut_addr,
      ut_addr_text: this.ut_addr_text,
      ut_user_process: this.ut_user_process,
      ut_service: this.ut_service,
      layout: this.layout,
      offset: this.offset,
      index: this.index,
    };
  }

  /** Shows the fields in `console.log` under Deno. */
  [Symbol.for("Deno.customInspect")](
    this: UtmpRecord,
    inspect: (v: unknown, o: unknown) => string,
    options: unknown,
  ): string {
    return `UtmpRecord ${inspect(this.toJSON(), options)}`;
  }

  /** Shows the fields in `console.log` under Node and Bun. */
  [Symbol.for("nodejs.util.inspect.custom")](
    this: UtmpRecord,
    _depth: number,
    options: unknown,
    inspect: (v: unknown, o: unknown) => string,
  ): string {
    return `UtmpRecord ${inspect(this.toJSON(), options)}`;
  }
}
