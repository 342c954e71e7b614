/**
 * Reading address fields: octets and text, with tables of recent addresses,
 * and {@link formatAddress}, which writes them as glibc's `inet_ntop` does.
 *
 * @module
 */

import type { AddrField } from "./schema.ts";
import { latin1, PROBE_READS, SKIP_READS, type TextReader } from "./_text.ts";

/** Reads an address field's octets at a record's offset: 4 for IPv4, 16 for IPv6, [0, 0, 0, 0] when unset. */
export type AddrReader = (bytes: Uint8Array, view: DataView, record: number) => number[];

/**
 * Compiles the readers of an address field: its octets and its text, for
 * the field's encoding (no per-record look at the table).
 *
 * - `"in4"`: 4 octets at the offset.
 * - `"in6"`: 16 octets, IPv4 when the last three words are zero.
 * - `"sockaddr"`: family 2 (IPv4 at +4) or 24 (IPv6 at +8); another is unset.
 */
export function addrReaders(field: AddrField | undefined): { addr: AddrReader; addrText: TextReader } {
  if (field === undefined) return { addr: () => [0, 0, 0, 0], addrText: () => "0.0.0.0" };
  const o = field.offset;
  switch (field.type) {
    case "in4":
      return { addr: (b, _v, r) => quad(b, r + o), addrText: (b, _v, r) => dotted(b, r + o) };
    case "in6": {
      const v4 = (v: DataView, r: number): boolean =>
        (v.getInt32(r + o + 4) | v.getInt32(r + o + 8) | v.getInt32(r + o + 12)) === 0;
      return {
        addr: (b, v, r) => v4(v, r) ? quad(b, r + o) : sixteen(b, r + o),
        addrText: (b, v, r) => v4(v, r) ? dotted(b, r + o) : ipv6(b, v, r + o),
      };
    }
    case "sockaddr":
      return {
        addr: (b, _v, r) => {
          const family = b[r + o + 1];
          return family === 2 ? quad(b, r + o + 4) : family === 24 ? sixteen(b, r + o + 8) : [0, 0, 0, 0];
        },
        addrText: (b, v, r) => {
          const family = b[r + o + 1];
          return family === 2 ? dotted(b, r + o + 4) : family === 24 ? ipv6(b, v, r + o + 8) : "0.0.0.0";
        },
      };
  }
}

const quad = (b: Uint8Array, at: number): number[] => [b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!];

function sixteen(b: Uint8Array, at: number): number[] {
  const octets: number[] = [];
  for (let i = at; i < at + 16; i++) octets.push(b[i]!);
  return octets;
}

/*
 * Recent addresses as text, direct-mapped by their bytes like the string
 * table: an IPv4 address by its 32-bit value, an IPv6 one by its four words
 * (compared before a slot is used).
 */
const dottedText: string[] = new Array<string>(1024).fill("");
const dottedKeys = new Float64Array(1024).fill(-1);
const ipv6Text: string[] = new Array<string>(1024).fill("");
const ipv6Keys = new Int32Array(1024 * 4);

/** Lookups of each table since its hit count was last looked at, how many it served, and lookups left to skip. */
let dottedReads = 0, dottedHits = 0, dottedSkip = 0;
let ipv6Reads = 0, ipv6Hits = 0, ipv6Skip = 0;
/** Lookups a table's hit count is taken over, and the lookups a table that served under a quarter skips. */
const PROBE = PROBE_READS, SKIP = SKIP_READS;

/** IPv4 octets at `at` as dotted text. */
function dotted(b: Uint8Array, at: number): string {
  if (dottedSkip > 0) {
    dottedSkip--;
    return dottedChars(b, at);
  }
  if (++dottedReads === PROBE) {
    // Keeping each new address in the table only makes it live long: skip it a while when it serves few.
    if (dottedHits < PROBE / 4) dottedSkip = SKIP;
    dottedReads = dottedHits = 0;
  }
  const key = ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  const slot = (key ^ (key >>> 10) ^ (key >>> 20)) & 1023;
  if (dottedKeys[slot] === key) {
    dottedHits++;
    return dottedText[slot]!;
  }
  dottedKeys[slot] = key;
  return dottedText[slot] = dottedChars(b, at);
}

/** IPv6 octets at `at` as {@link formatAddress} writes them. */
function ipv6(b: Uint8Array, v: DataView, at: number): string {
  if (ipv6Skip > 0) {
    ipv6Skip--;
    return ipv6Chars(b, v, at);
  }
  if (++ipv6Reads === PROBE) {
    if (ipv6Hits < PROBE / 4) ipv6Skip = SKIP;
    ipv6Reads = ipv6Hits = 0;
  }
  const w0 = v.getInt32(at), w1 = v.getInt32(at + 4), w2 = v.getInt32(at + 8), w3 = v.getInt32(at + 12);
  const mixed = Math.imul(Math.imul(Math.imul(w0 ^ 0x9e3779b9, 0x01000193) ^ w1, 0x01000193) ^ w2, 0x01000193) ^ w3;
  const slot = Math.imul(mixed, 0x01000193) >>> 22;
  const k = slot * 4;
  if (
    ipv6Text[slot] !== "" && ipv6Keys[k] === w0 && ipv6Keys[k + 1] === w1 && ipv6Keys[k + 2] === w2 &&
    ipv6Keys[k + 3] === w3
  ) {
    ipv6Hits++;
    return ipv6Text[slot]!;
  }
  ipv6Keys[k] = w0, ipv6Keys[k + 1] = w1, ipv6Keys[k + 2] = w2, ipv6Keys[k + 3] = w3;
  return ipv6Text[slot] = ipv6Chars(b, v, at);
}

/*
 * Address text is written as char codes into one buffer and made a string
 * once, with no strings in between.
 */
const chars = new Uint8Array(48);
/** "0123456789abcdef" as char codes. */
const DIGITS = Uint8Array.from("0123456789abcdef", (c) => c.charCodeAt(0));

/** Writes `x` (0..255) in decimal at `n`; returns the end. */
function putDecimal(n: number, x: number): number {
  if (x >= 100) chars[n++] = 48 + ((x / 100) | 0);
  if (x >= 10) chars[n++] = 48 + (((x / 10) | 0) % 10);
  chars[n++] = 48 + (x % 10);
  return n;
}

/** Writes `w` (0..0xffff) in hex without leading zeros at `n`; returns the end. */
function putHex(n: number, w: number): number {
  if (w >= 0x1000) chars[n++] = DIGITS[w >> 12]!;
  if (w >= 0x100) chars[n++] = DIGITS[(w >> 8) & 15]!;
  if (w >= 0x10) chars[n++] = DIGITS[(w >> 4) & 15]!;
  chars[n++] = DIGITS[w & 15]!;
  return n;
}

/** Writes the dotted quad at `b[at]` at `n`; returns the end. */
function putQuad(n: number, b: Uint8Array, at: number): number {
  n = putDecimal(n, b[at]!);
  chars[n++] = 46;
  n = putDecimal(n, b[at + 1]!);
  chars[n++] = 46;
  n = putDecimal(n, b[at + 2]!);
  chars[n++] = 46;
  return putDecimal(n, b[at + 3]!);
}

/** IPv4 octets at `at` as dotted text, made from the bytes. */
function dottedChars(b: Uint8Array, at: number): string {
  return latin1(chars, 0, putQuad(0, b, at));
}

/** The 16 octets at `at` as text, as {@link formatAddress} writes them, made from the bytes. */
function ipv6Chars(b: Uint8Array, v: DataView, at: number): string {
  // Longest run of zero groups (first one wins on ties), as inet_ntop6.
  let bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (v.getUint16(at + 2 * i) === 0) {
      if (curBase === -1) curBase = i, curLen = 1;
      else curLen++;
      if (curLen > bestLen) bestBase = curBase, bestLen = curLen;
    } else curBase = -1;
  }
  if (bestLen < 2) bestBase = -1;
  let n = 0;
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) chars[n++] = 58;
      continue;
    }
    if (i !== 0) chars[n++] = 58;
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && v.getUint16(at + 10) === 0xffff))) {
      return latin1(chars, 0, putQuad(n, b, at + 12));
    }
    n = putHex(n, v.getUint16(at + 2 * i));
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) chars[n++] = 58;
  return latin1(chars, 0, n);
}

/**
 * Formats address octets as text, exactly as glibc's `inet_ntop` does:
 * dotted quad for 4 octets; for 16, RFC 5952 compression of the longest run
 * of two or more zero groups, and the embedded IPv4 forms `::a.b.c.d` and
 * `::ffff:a.b.c.d`.
 *
 * @example IPv4 and IPv6
 * ```ts
 * import { formatAddress } from "@utmp/utmp/layouts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatAddress([10, 0, 0, 5]), "10.0.0.5");
 * assert.equal(
 *   formatAddress([0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0x42, 0x83, 0x29]),
 *   "2001:db8::ff00:42:8329",
 * );
 * ```
 *
 * @param octets 4 or 16 numbers 0..255.
 * @returns The address text.
 */
export function formatAddress(octets: readonly number[]): string {
  if (octets.length !== 16) return octets.join(".");
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(octets[i]! * 256 + octets[i + 1]!);
  // Longest run of zero words (first one wins on ties), as inet_ntop6.
  let bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) curBase = i, curLen = 1;
      else curLen++;
      if (curLen > bestLen) bestBase = curBase, bestLen = curLen;
    } else curBase = -1;
  }
  if (bestLen < 2) bestBase = -1;
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ":";
      continue;
    }
    if (i !== 0) out += ":";
    if (
      i === 6 && bestBase === 0 &&
      (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))
    ) {
      out += octets.slice(12, 16).join(".");
      break;
    }
    out += words[i]!.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ":";
  return out;
}
