/**
 * The decoder's fast paths against plain decoding: string fields read four
 * bytes at a time through the table of recent strings, IPv4 text through its
 * own table, and the line's device path from a memo. The oracle for strings
 * is the WHATWG TextDecoder over the bytes up to the first NUL (what the
 * contract says a field is); for addresses, the octets joined with dots.
 */

import assert from "node:assert/strict";
import { devicePath } from "../../src/record.ts";
import type { CharField } from "../../src/layouts/schema.ts";
import { codecOf } from "../../src/layouts/_engine.ts";
import { decodeRecord, encodeRecord, formatAddress, type Layout, LAYOUTS } from "../../src/layouts/mod.ts";
import fc from "fast-check";
import { test } from "../_harness.ts";

const utf8 = new TextDecoder();

/** What a `char[N]` field holds by the contract: UTF-8 up to the first NUL or the width. */
function expected(bytes: Uint8Array, start: number, width: number): string {
  const field = bytes.subarray(start, start + width);
  const nul = field.indexOf(0);
  return utf8.decode(nul === -1 ? field : field.subarray(0, nul));
}

/** The same field as a byte string: one char per byte up to the first NUL. */
function storedBytes(bytes: Uint8Array, start: number, width: number): string {
  const field = [...bytes.subarray(start, start + width)];
  const nul = field.indexOf(0);
  return String.fromCharCode(...(nul === -1 ? field : field.slice(0, nul)));
}

const STRING_FIELDS = ["ut_user", "ut_line", "ut_id", "ut_host"] as const;

/** Every string field of `bytes` read as a record of `layout`, against the oracle. */
function checkStrings(layout: Layout, bytes: Uint8Array): void {
  const u = decodeRecord(bytes, layout);
  const codec = codecOf(layout);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const name of STRING_FIELDS) {
    const field: CharField | undefined = layout.fields[name];
    if (field === undefined) continue;
    const want = expected(bytes, field.offset, field.size);
    assert.equal(codec.text[name](bytes, view, 0), want, `${layout.name} ${name}`);
    assert.equal(codec.byteText[name](bytes, view, 0), storedBytes(bytes, field.offset, field.size));
    assert.equal(name === "ut_line" ? u.ut_line : u[name], name === "ut_line" ? devicePath(want) : want);
  }
}

/** A record of `layout` whose string fields hold the given bytes (cut to the width, no NUL added). */
function withStrings(layout: Layout, value: Uint8Array): Uint8Array {
  return encodeRecord(layout, {
    ut_type: "USER_PROCESS",
    ut_user: value,
    ut_line: value,
    ut_id: value,
    ut_host: value,
  });
}

const enc = new TextEncoder();

test("codecOf() string readers match TextDecoder (text) and the bytes (byteText) up to the first NUL for any bytes, in every utmp layout", () => {
  const layouts = Object.values(LAYOUTS).filter((l) => l.kind === "utmp");
  // Bytes that hit every branch: ASCII, NUL early and late, bytes >= 0x80 before and after the NUL.
  const byte = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
    { weight: 2, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 0x1f }) },
  );
  fc.assert(
    fc.property(
      fc.constantFrom(...layouts),
      fc.array(byte, { maxLength: 300 }).map((a) => Uint8Array.from(a)),
      (layout, value) => checkStrings(layout, withStrings(layout, value)),
    ),
    { seed: 20240611, numRuns: 2000 },
  );
});

test("codecOf() string readers read strings of every length up to exactly the field width", () => {
  for (const layout of [LAYOUTS.linux, LAYOUTS["linux64-be"], LAYOUTS.aix, LAYOUTS.solaris, LAYOUTS.freebsd]) {
    for (let length = 0; length <= 260; length++) {
      checkStrings(
        layout,
        withStrings(layout, enc.encode("abcdefghijklmnopqrstuvwxyz0123456789".repeat(8).slice(0, length))),
      );
    }
  }
});

test("codecOf() string readers never return a remembered string for different bytes", () => {
  // Far more distinct strings than the table has slots, read in several orders, so slots are shared
  // and replaced; neighbours differ in their last byte only, in the byte after a NUL, or in length.
  const values: Uint8Array[] = [];
  for (let i = 0; i < 6000; i++) {
    const s = `u${i.toString(36)}`;
    values.push(enc.encode(s), enc.encode(s + "x"), enc.encode(s.slice(0, -1) + "~"));
    values.push(Uint8Array.from([...enc.encode(s), 0, 0x41 + (i % 26)])); // garbage after the NUL
  }
  values.push(enc.encode("jürgen"), Uint8Array.from([0x66, 0xe9, 0x6c]), enc.encode("a".repeat(32)));
  const layout = LAYOUTS.linux;
  const records = values.map((v) => withStrings(layout, v));
  for (const order of [1, -1, 7919]) {
    for (let k = 0; k < records.length; k++) {
      const i = order === 1 ? k : order === -1 ? records.length - 1 - k : (k * order) % records.length;
      checkStrings(layout, records[i]!);
    }
  }
});

test("RecordView.ut_addr_text() matches the octets for more IPv4 and IPv6 addresses than its tables hold", () => {
  const layout = LAYOUTS.linux;
  for (let i = 0; i < 5000; i++) {
    const addr = [10 + (i % 7), (i * 37) & 255, i >> 8, i & 255];
    const u = decodeRecord(encodeRecord(layout, { ut_type: "USER_PROCESS", ut_addr: addr }), layout);
    assert.deepEqual(u.ut_addr, addr);
    assert.equal(u.ut_addr_text, addr.join("."));
  }
  // IPv6 as soon as any byte after the first word is set.
  for (let at = 4; at < 16; at++) {
    const addr = Array.from({ length: 16 }, (_, i) => (i === at ? 1 : 0));
    const u = decodeRecord(encodeRecord(layout, { ut_type: "USER_PROCESS", ut_addr: addr }), layout);
    assert.deepEqual(u.ut_addr, addr);
    assert.equal(u.ut_addr_text, formatAddress(addr));
  }
  // For each of the four words, more IPv6 addresses differing in that word alone than the text table has slots,
  // so slots are shared by addresses equal in the three other words; read in two orders.
  const v6 = Array.from({ length: 4 * 1500 }, (_, i) => {
    const octets = [0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]; // the last octet stays 1: IPv6
    const word = 4 * Math.floor(i / 1500);
    octets[word + 1] = (i % 1500) >> 8;
    octets[word + 2] = i & 255;
    return octets;
  });
  const v6Records = v6.map((addr) => encodeRecord(layout, { ut_type: "USER_PROCESS", ut_addr: addr }));
  for (const order of [1, 7]) {
    for (let k = 0; k < v6.length; k++) {
      const i = (k * order) % v6.length;
      const u = decodeRecord(v6Records[i]!, layout);
      assert.deepEqual(u.ut_addr, v6[i]);
      assert.equal(u.ut_addr_text, formatAddress(v6[i]!));
    }
  }
  for (const layout of [LAYOUTS.hpux, LAYOUTS["netbsd-utmpx"]]) {
    const u = decodeRecord(encodeRecord(layout, { ut_type: "USER_PROCESS", ut_addr: [192, 0, 2, 1] }), layout);
    assert.equal(u.ut_addr_text, "192.0.2.1");
  }
});

test("string and address readers read the same through runs of distinct values and of repeats (tables skipped, then used)", () => {
  // A field whose table serves few reads skips it for a while and then looks again: alternate long runs of
  // distinct hosts and addresses with runs of a few repeating ones, so each reader goes through both states.
  const layout = LAYOUTS.linux;
  const record = new Uint8Array(layout.size);
  const view = new DataView(record.buffer);
  let n = 0;
  for (let run = 0; run < 6; run++) {
    const distinct = run % 2 === 0;
    for (let k = 0; k < 20000; k++, n++) {
      const i = distinct ? n : k % 5;
      const v6 = i % 3 === 0;
      const host = v6 ? `2001:db8:${(i >> 16).toString(16)}::${(i & 0xffff).toString(16)}` : `h${i}.example`;
      record.fill(0, 76, 364);
      record.set(enc.encode(host), 76);
      if (v6) {
        view.setUint32(348, 0x20010db8), view.setUint32(352, i >>> 16), view.setUint32(360, i & 0xffff || 1);
      } else view.setUint32(348, 0x0a000000 + i);
      const u = decodeRecord(record, layout);
      assert.equal(u.ut_host, host);
      assert.equal(u.ut_addr_text, formatAddress(u.ut_addr));
    }
  }
});

test("RecordView.ut_line() is devicePath() of the stored line, for thousands of lines", () => {
  const layout = LAYOUTS.linux;
  for (let i = 0; i < 3000; i++) {
    const line = i % 3 === 0 ? `pts/${i}` : i % 3 === 1 ? `:${i}` : `/x/${i}`;
    const u = decodeRecord(encodeRecord(layout, { ut_type: "USER_PROCESS", ut_line: line }), layout);
    assert.equal(u.ut_line, devicePath(line));
  }
});
