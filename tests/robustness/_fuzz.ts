/**
 * fast-check settings and arbitraries shared by the robustness tests: hostile
 * bytes for every layout (random, and real fixtures or encoded records
 * mutated where a reader is most likely to trip: type numbers, times,
 * lengths, string fields, the file's length), and random records that
 * respect each layout's field widths and types.
 *
 * Runs are reproducible. The normal test run (CI) uses a fixed seed;
 * `deno task fuzz` (UTMP_FUZZ=1) makes 50 times as many runs from a random
 * seed, printed first. `UTMP_FUZZ_SEED` gives the seed (to replay a failure:
 * `UTMP_FUZZ_SEED=<seed> deno task fuzz`), `UTMP_FUZZ_RUNS` the multiple.
 *
 * @module
 */

import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fieldWidth, type IntField, type IntType, type Layout } from "../../src/layouts/schema.ts";
import { encodeRecords, type LayoutName, LAYOUTS, type RecordInput } from "../../src/layouts/mod.ts";
import type { UtTypeName } from "../../src/types.ts";
import { FIXTURES } from "../_util.ts";
import { concatBytes } from "../../src/_internal/bytes.ts";

export { fc };

/** The larger run of `deno task fuzz`. */
const FUZZING = process.env.UTMP_FUZZ === "1";

/** How many times the fixed-seed (CI) number of runs to make. */
export const SCALE: number = Math.max(1, Number(process.env.UTMP_FUZZ_RUNS ?? (FUZZING ? 50 : 1)) || 1);

/** The seed every property runs with. */
export const SEED: number = chooseSeed(process.env.UTMP_FUZZ_SEED ?? (FUZZING ? "random" : undefined));

function chooseSeed(given: string | undefined): number {
  if (given === undefined || given === "") return 20240611;
  const seed = given === "random" ? Math.floor(Math.random() * 2 ** 31) : Number(given);
  if (!Number.isInteger(seed)) throw new Error(`UTMP_FUZZ_SEED must be an integer or "random", not "${given}"`);
  process.stderr.write(`fuzz: UTMP_FUZZ_SEED=${seed} UTMP_FUZZ_RUNS=${SCALE}\n`);
  return seed;
}

/**
 * fast-check parameters: the seed, and `runs` times {@link SCALE} runs.
 * A failure reports the seed and the shrunk counterexample.
 */
export function params<T>(runs: number): fc.Parameters<T> {
  return { seed: SEED, numRuns: runs * SCALE, endOnFailure: SCALE > 1 };
}

/** Every utmp layout and every lastlog layout. */
export const UTMP_LAYOUTS: readonly Layout[] = Object.values(LAYOUTS).filter((l) => l.kind === "utmp");
export const LASTLOG_LAYOUTS: readonly Layout[] = Object.values(LAYOUTS).filter((l) => l.kind === "lastlog");

/** Real files of each layout, in tests/fixtures (layouts without one are seeded from encoded records). */
const SEEDS: Readonly<Record<string, readonly string[]>> = {
  linux: ["plaso/utmp", "plaso/wtmp.1", "plaso/utmp_corrupted", "utmp-rs/with_host_32.utmp", "s4/CentOS7/x86_64/btmp"],
  linux64: ["plaso/utmp_aarch64", "utmp-rs/basic64.utmp", "s4/Debian11/aarch64_ARM64/wtmp"],
  "linux64-be": ["plaso/utmp_s390"],
  macos: ["plaso/utmpx_mac"],
  freebsd: ["s4/FreeBSD13.1/x86_64/utx.active", "s4/FreeBSD14.0/x86_64/utx.lastlogin"],
  "freebsd-log": ["s4/FreeBSD13.1/x86_64/utx.log", "s4/FreeBSD14.0/x86_64/utx.log"],
  openbsd: ["s4/OpenBSD7.4/x86_64/utmp", "utmp-classic-openbsd/basic.utmp"],
  netbsd: ["s4/NetBSD9.3/x86_64/utmp", "s4/NetBSD9.3/x86_32/wtmp"],
  "netbsd-utmpx": ["s4/NetBSD9.3/x86_64/utmpx"],
  "netbsd-utmpx32": ["s4/NetBSD9.3/x86_32/wtmpx"],
  "lastlog-linux": ["s4/Ubuntu16/x86_32/lastlog"],
  "lastlog-linux64": ["s4/Debian11/aarch64_ARM64/lastlog"],
  "lastlog-openbsd": ["s4/OpenBSD7.4/x86_64/lastlog"],
  "lastlog-netbsd": ["s4/NetBSD9.3/x86_64/lastlog"],
};

const seedCache = new Map<string, Uint8Array>();

/** The real files of a layout (empty when tests/fixtures has none). */
export function seedFiles(layout: Layout): Uint8Array[] {
  return (SEEDS[layout.name] ?? []).map((file) => {
    let bytes = seedCache.get(file);
    if (bytes === undefined) seedCache.set(file, bytes = new Uint8Array(readFileSync(join(FIXTURES, file))));
    return bytes;
  });
}

/** Inclusive bounds of the values an integer field holds (within what a JavaScript number holds exactly). */
function intRange(type: IntType): [number, number] {
  switch (type) {
    case "u8":
      return [0, 0xff];
    case "i16":
      return [-0x8000, 0x7fff];
    case "u16":
      return [0, 0xffff];
    case "i32":
      return [-0x80000000, 0x7fffffff];
    case "u32":
      return [0, 0xffffffff];
    case "i64":
      return [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
    case "u64":
      return [0, Number.MAX_SAFE_INTEGER];
  }
}

/** Any value of an integer field, its extremes more often. */
export function intValue(field: IntField): fc.Arbitrary<number> {
  const [min, max] = intRange(field.type);
  return fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max, 0, -1 >= min ? -1 : 1, 1));
}

/** Bytes for a `char[size]` field: text (UTF-8, perhaps cut inside a character), or any bytes. */
function chars(size: number): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    fc.string({ maxLength: size }).filter((s) => !s.includes("\0")),
    fc.string({ unit: "grapheme", maxLength: size }).filter((s) => !s.includes("\0")),
    fc.uint8Array({ maxLength: size }),
  );
}

/** The type names a layout stores (layouts without a type derive it from line and user). */
export function typeNames(layout: Layout): UtTypeName[] {
  return [...new Set(Object.values(layout.types))];
}

/**
 * A random record for a layout: every field it has, each within its width
 * and type; FreeBSD's µs time within what its u64 holds exactly.
 */
export function recordInput(layout: Layout): fc.Arbitrary<RecordInput> {
  const f = layout.fields;
  const parts: { [K in keyof RecordInput]: fc.Arbitrary<RecordInput[K]> } = {};
  const types = typeNames(layout);
  if (f.ut_type !== undefined && types.length > 0) parts.ut_type = fc.constantFrom(...types);
  if (f.ut_pid !== undefined) parts.ut_pid = intValue(f.ut_pid);
  if (f.e_termination !== undefined) parts.e_termination = intValue(f.e_termination);
  if (f.e_exit !== undefined) parts.e_exit = intValue(f.e_exit);
  if (f.ut_session !== undefined) parts.ut_session = intValue(f.ut_session);
  if (f.tv_us !== undefined) {
    parts.tv_sec = fc.integer({ min: 0, max: Math.floor(Number.MAX_SAFE_INTEGER / 1e6) - 1 });
    parts.tv_usec = fc.integer({ min: 0, max: 999999 });
  } else {
    if (f.tv_sec !== undefined) parts.tv_sec = intValue(f.tv_sec);
    if (f.tv_usec !== undefined) parts.tv_usec = fc.oneof(fc.integer({ min: 0, max: 999999 }), intValue(f.tv_usec));
  }
  for (const name of ["ut_line", "ut_id", "ut_user", "ut_host"] as const) {
    const field = f[name];
    if (field !== undefined) parts[name] = chars(field.size);
  }
  const addr = f.ut_addr;
  if (addr !== undefined) {
    const octets = (n: number) => fc.array(fc.integer({ min: 0, max: 255 }), { minLength: n, maxLength: n });
    parts.ut_addr = addr.type === "in4" ? octets(4) : fc.oneof(octets(4), octets(16));
  }
  return fc.record(parts, { requiredKeys: [] }) as fc.Arbitrary<RecordInput>;
}

/** One change to a file's bytes. Positions are taken modulo the length, so they shrink well. */
type Mutation =
  | { op: "byte"; at: number; value: number }
  | { op: "field"; record: number; field: number; value: number }
  | { op: "fill"; at: number; length: number; value: number }
  | { op: "insert"; at: number; bytes: Uint8Array }
  | { op: "delete"; at: number; length: number }
  | { op: "truncate"; at: number }
  | { op: "repeat"; at: number; length: number; times: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("byte" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    op: fc.constant("field" as const),
    record: fc.nat(),
    field: fc.nat(),
    value: fc.oneof(fc.integer(), fc.constantFrom(0, -1, 0x7fffffff, -0x80000000, 0xffff, 0x7fff, 0x8000)),
  }),
  fc.record({
    op: fc.constant("fill" as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 700 }),
    value: fc.constantFrom(0, 0xff, 0x20, 0x80),
  }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 9 }) }),
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 9 }) }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    op: fc.constant("repeat" as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 700 }),
    times: fc.integer({ min: 2, max: 4 }),
  }),
);

/** Applies mutations; `field` writes a value over a field of a record (in the layout's byte order). */
export function mutate(bytes: Uint8Array, layout: Layout, mutations: readonly Mutation[]): Uint8Array {
  let b: Uint8Array = bytes.slice();
  const fields = Object.values(layout.fields);
  for (const m of mutations) {
    const n = b.length;
    switch (m.op) {
      case "byte":
        if (n > 0) b[m.at % n] = m.value;
        break;
      case "field": {
        const records = Math.floor(n / layout.size);
        if (records === 0 || fields.length === 0) break;
        const field = fields[m.field % fields.length]!;
        const at = (m.record % records) * layout.size + field.offset;
        const width = Math.min(fieldWidth(field), 8);
        for (let i = 0; i < width; i++) {
          const shift = layout.endian === "be" ? (width - 1 - i) * 8 : i * 8;
          b[at + i] = shift >= 32 ? (m.value < 0 ? 0xff : 0) : (m.value >>> shift) & 0xff;
        }
        break;
      }
      case "fill":
        if (n > 0) b.fill(m.value, m.at % n, (m.at % n) + m.length);
        break;
      case "insert": {
        const at = n === 0 ? 0 : m.at % (n + 1);
        b = concat(b.subarray(0, at), m.bytes, b.subarray(at));
        break;
      }
      case "delete":
        if (n > 0) b = concat(b.subarray(0, m.at % n), b.subarray((m.at % n) + m.length));
        break;
      case "truncate":
        b = b.slice(0, n === 0 ? 0 : m.at % (n + 1));
        break;
      case "repeat": {
        if (n === 0) break;
        const at = m.at % n;
        const part = b.slice(at, at + m.length);
        b = concat(b.subarray(0, at), ...Array.from({ length: m.times }, () => part), b.subarray(at + part.length));
        break;
      }
    }
  }
  return b;
}

/** Byte arrays joined. */
export const concat = (...parts: Uint8Array[]): Uint8Array => concatBytes(parts);

/**
 * Hostile content for a file of this layout: random bytes (a few records'
 * worth), and real fixtures or encoded random records, mutated.
 */
export function hostileBytes(layout: Layout): fc.Arbitrary<Uint8Array> {
  const seeds = seedFiles(layout);
  const encoded = fc.array(recordInput(layout), { minLength: 1, maxLength: 6 }).map((r) => encodeRecords(layout, r));
  const base = seeds.length > 0 ? fc.oneof(fc.constantFrom(...seeds), encoded) : encoded;
  return fc.oneof(
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4 * layout.size + 7 }) },
    {
      weight: 3,
      arbitrary: fc.tuple(base, fc.array(mutation, { minLength: 1, maxLength: 6 })).map(([b, m]) =>
        mutate(b, layout, m)
      ),
    },
  );
}

/**
 * The name of a layout of `layouts`, and a value made for that layout
 * (by name, so that counterexamples stay readable).
 */
export function oneLayout<T>(
  layouts: readonly Layout[],
  make: (layout: Layout) => fc.Arbitrary<T>,
): fc.Arbitrary<[LayoutName, T]> {
  return fc.constantFrom(...layouts.map((l) => l.name as LayoutName))
    .chain((name) => fc.tuple(fc.constant(name), make(LAYOUTS[name])));
}
