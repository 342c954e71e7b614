/**
 * {@link PlainRecord}: a {@link UtmpRecord} made of plain values, for
 * sources that are not record files (systemd-logind session files, wtmpdb
 * rows), and {@link whole} for the numbers those sources (and lastlog2) store.
 *
 * @module
 */

import { RecordBase, type UtExit, type UtmpRecord, type UtTimeval } from "../record.ts";
import type { UtTypeName } from "../types.ts";
import { formatAddress } from "../layouts/_addr.ts";
import { isIPv4, isIPv6 } from "node:net";

/** What a source knows about a record; the rest takes the contract's neutral values. */
export interface PlainFields {
  /** Type name. */
  ut_type: UtTypeName;
  /** The source's own type number, or -1 when it has none. */
  ut_type_raw: number;
  /** User name. */
  ut_user: string;
  /** Line as the contract has it (already through `devicePath`). */
  ut_line: string;
  /** Id. */
  ut_id: string;
  /** Remote host. */
  ut_host: string;
  /** Process id (0 when unknown). */
  ut_pid: number;
  /**
   * Address octets as a record file holds them: 4 for IPv4 (or an IPv6
   * address whose last 96 bits are zero), 16 for IPv6; none for no address.
   */
  ut_addr?: readonly number[];
  /** PAM service (wtmpdb's Service, logind's SERVICE); "" when none. */
  ut_service?: string;
  /** Microseconds since the epoch. */
  usec: number;
  /** The source's name: "logind", "wtmpdb". */
  layout: string;
  /** Position in the source, from 0. */
  index: number;
}

/** A record held as plain values: `raw` is undefined and `offset` is -1. */
export class PlainRecord extends RecordBase implements UtmpRecord {
  readonly ut_type: UtTypeName;
  readonly ut_type_raw: number;
  readonly ut_pid: number;
  readonly ut_line: string;
  readonly ut_id: string;
  readonly ut_user: string;
  readonly ut_host: string;
  readonly ut_session = 0;
  readonly ut_exit_code = 0;
  readonly ut_addr_text: string;
  readonly ut_service: string;
  readonly layout: string;
  readonly offset = -1;
  readonly index: number;
  readonly raw = undefined;
  readonly #usec: number;
  readonly #addr: readonly number[];

  /** @param fields The values. */
  constructor(fields: PlainFields) {
    super();
    this.ut_type = fields.ut_type;
    this.ut_type_raw = fields.ut_type_raw;
    this.ut_pid = fields.ut_pid;
    this.ut_line = fields.ut_line;
    this.ut_id = fields.ut_id;
    this.ut_user = fields.ut_user;
    this.ut_host = fields.ut_host;
    this.ut_service = fields.ut_service ?? "";
    this.layout = fields.layout;
    this.index = fields.index;
    this.#usec = fields.usec;
    this.#addr = fields.ut_addr ?? [0, 0, 0, 0];
    this.ut_addr_text = formatAddress(this.#addr);
  }

  /** True for USER_PROCESS records. */
  get ut_user_process(): boolean {
    return this.ut_type === "USER_PROCESS";
  }

  /** Always `{ e_termination: 0, e_exit: 0 }`: these sources keep no exit status. */
  get ut_exit(): UtExit {
    return { e_termination: 0, e_exit: 0 };
  }

  /** The address the source gave (logind: a REMOTE_HOST that is an IP address), else [0, 0, 0, 0]. */
  get ut_addr(): number[] {
    return [...this.#addr];
  }

  /** Time with full microseconds. */
  get ut_tv(): UtTimeval {
    const tv_sec = Math.floor(this.#usec / 1e6);
    return { tv_sec, tv_usec: this.#usec - tv_sec * 1e6 };
  }

  /** Time as a Date (microseconds truncated). */
  get ut_time(): Date {
    return new Date(Math.floor(this.#usec / 1000));
  }
}

/**
 * A number made whole the way SQLite turns a real into an integer (toward
 * zero, clamped to the range), here the range of integers a number holds
 * exactly: wtmpdb's and lastlog2's columns read through `CAST(... AS REAL)`,
 * logind's REALTIME text.
 *
 * @param value A number, or null.
 * @returns A whole number, or null.
 */
export function whole(value: number | null): number | null {
  if (value === null) return null;
  return Math.trunc(Math.min(Number.MAX_SAFE_INTEGER, Math.max(-Number.MAX_SAFE_INTEGER, value)));
}

/**
 * The octets of an IP address literal, as a record file holds the address
 * (`ut_addr_v6`, read as `ut_addr`): 4 for IPv4, 16 for IPv6, or 4 when the
 * last 96 bits of an IPv6 address are zero (glibc's IPv4 test). An IPv6
 * zone ("%eth0") is left out.
 *
 * @param text An address ("192.0.2.7", "2001:db8::1", "fe80::1%eth0"), or anything else.
 * @returns The octets, or undefined when the text is no IP address literal.
 */
export function addressOctets(text: string): number[] | undefined {
  if (isIPv4(text)) return text.split(".").map(Number);
  const bare = text.replace(/%[^%]+$/, "");
  if (!isIPv6(bare)) return undefined;
  let head = bare;
  let v4: number[] = [];
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (dotted !== null) {
    v4 = dotted[1]!.split(".").map(Number);
    head = bare.slice(0, dotted.index + 1) + "0:0";
  }
  const [left, right] = head.split("::") as [string, string | undefined];
  const groups = (part: string | undefined): number[] =>
    part === undefined || part === "" ? [] : part.split(":").map((g) => Number.parseInt(g, 16));
  const l = groups(left);
  const r = groups(right);
  const words = right === undefined ? l : [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
  const octets = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (v4.length === 4) octets.splice(12, 4, ...v4);
  return octets.slice(4).every((b) => b === 0) ? octets.slice(0, 4) : octets;
}
