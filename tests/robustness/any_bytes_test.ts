/**
 * Rule 1 of issue 9: any byte string decodes to records and warnings, or to
 * a `UtmpFormatError` with an offset — never another exception, never a
 * hang, memory bounded by the chunk size — for every layout and every entry
 * point: `UtmpFile` (given layout, strict, detection), the in-memory
 * decoder, the lastlog reader, and the command line on the same files.
 * Random records of every layout round-trip through a file.
 *
 * Property tests (fast-check) over random bytes and over real fixtures and
 * encoded records mutated; fixed seed here, more runs with `deno task fuzz`.
 */

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import {
  type LastlogEntry,
  LastlogFile,
  UtmpFile,
  type UtmpFileOptions,
  UtmpFormatError,
  type UtmpRecord,
  type UtmpWarning,
  UtType,
} from "../../mod.ts";
import { logindRecords } from "../../src/sources/mod.ts";
import { CHUNK_BYTES } from "../../src/layouts/decode.ts";
import type { Layout } from "../../src/layouts/schema.ts";
import {
  decodeRecords,
  detectLayout,
  encodeRecord,
  encodeRecords,
  LAYOUTS,
  type RecordInput,
} from "../../src/layouts/mod.ts";
import { devicePath } from "../../src/record.ts";
import { all, collect } from "../_collect.ts";
import { LIBC_LIVE } from "../ffi/_live.ts";
import { test } from "../_harness.ts";
import { ours } from "../cli/_run.ts";
import { run, tempDir } from "../_util.ts";
import { fc, hostileBytes, LASTLOG_LAYOUTS, oneLayout, params, recordInput, UTMP_LAYOUTS } from "./_fuzz.ts";

/** What one read of a file gave. */
interface Outcome {
  records: UtmpRecord[];
  warnings: UtmpWarning[];
  error: UtmpFormatError | undefined;
}

/**
 * Reads a file to its end with `UtmpFile`, checking every record and
 * warning against the contract as it goes; any error but a
 * `UtmpFormatError` fails.
 */
async function readChecked(path: string, size: number, options: UtmpFileOptions): Promise<Outcome> {
  const file = new UtmpFile(path, { backend: "file", ...options });
  const out: Outcome = { records: [], warnings: file.warnings, error: undefined };
  try {
    for await (const u of file) {
      checkRecord(u, size, file.layout!);
      out.records.push(u);
    }
  } catch (error) {
    if (!(error instanceof UtmpFormatError)) throw error;
    assert.ok(Number.isInteger(error.offset) && error.offset >= 0 && error.offset <= size, `offset ${error.offset}`);
    assert.ok(Number.isInteger(error.recordIndex) && error.recordIndex >= 0);
    assert.match(error.message, /^Cannot /);
    out.error = error;
  }
  for (const w of file.warnings) {
    assert.ok(Number.isInteger(w.offset) && w.offset >= 0 && w.offset <= size, `warning offset ${w.offset}`);
    assert.ok(Number.isInteger(w.recordIndex) && w.recordIndex >= 0);
    assert.ok(w.reason.length > 0);
  }
  return out;
}

/** Every type name a record may carry (layouts without a type derive theirs from line and user). */
const KNOWN_TYPES = new Set([...Object.keys(UtType), "SIGNATURE", "SHUTDOWN_TIME", "DOWN_TIME"]);

/** Every field of a record reads without an exception and lies within the file; its bytes came from one chunk. */
function checkRecord(u: UtmpRecord, fileSize: number, layout: Layout): void {
  const json = u.toJSON();
  JSON.stringify(json);
  assert.ok(KNOWN_TYPES.has(json.ut_type) || json.ut_type === "UNKNOWN", json.ut_type);
  for (const key of ["ut_user", "ut_line", "ut_id", "ut_host", "ut_addr_text"] as const) {
    assert.equal(typeof json[key], "string");
  }
  // Integers; a 64-bit field beyond 2^53 reads as the nearest double (and ut_time then as an invalid Date).
  for (const n of [json.ut_pid, json.ut_session, json.ut_tv.tv_sec, json.ut_tv.tv_usec, json.ut_exit_code]) {
    assert.ok(Number.isInteger(n), `${n} is an integer`);
  }
  assert.ok(json.ut_time instanceof Date);
  assert.ok(json.ut_addr.length === 4 || json.ut_addr.length === 16);
  const framed = layout.framing === "u16be";
  assert.ok(json.offset >= 0 && json.offset + (framed ? 3 : layout.size) <= fileSize, `offset ${json.offset}`);
  const raw = u.raw!;
  assert.equal(raw.record.length, layout.size);
  // The read buffer a record lives in is one chunk: memory stays bounded whatever the file holds.
  assert.ok(raw.record.buffer.byteLength <= CHUNK_BYTES + layout.size, `${raw.record.buffer.byteLength} bytes`);
}

/**
 * The record fields that do not depend on where the record was read from,
 * `ut_time` as its milliseconds (Node's deepEqual finds two invalid Dates
 * unequal).
 */
function fields(u: UtmpRecord): unknown {
  const { index: _i, ut_time, ...rest } = u.toJSON();
  return { ...rest, ut_time: ut_time.getTime() };
}

for (const layout of UTMP_LAYOUTS) {
  test(`UtmpFile() with layout "${layout.name}" reads any bytes as records and warnings, or throws UtmpFormatError`, async () => {
    using tmp = tempDir();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(hostileBytes(layout), async (bytes) => {
        const path = tmp.file(`f${n++}`, bytes);
        const name = layout.name as "linux";
        const lenient = await readChecked(path, bytes.length, { layout: name, keepInvalid: true });
        assert.equal(lenient.error, undefined, "a lenient read with a given layout never throws");
        // The chunked file reader and the in-memory decoder agree record for record.
        assert.deepEqual(lenient.records.map(fields), [...decodeRecords(bytes, layout)].map(fields));
        const skipping = await readChecked(path, bytes.length, { layout: name });
        assert.deepEqual(
          skipping.records.map((u) => u.offset),
          lenient.records.filter((u) => u.ut_type !== "UNKNOWN").map((u) => u.offset),
        );
        // Strict: the same records up to the first problem, then a UtmpFormatError at its offset.
        const strict = await readChecked(path, bytes.length, { layout: name, strict: true });
        const first = skipping.warnings[0];
        assert.equal(strict.error?.offset, first?.offset);
        assert.deepEqual(
          strict.records.map((u) => u.offset),
          skipping.records.filter((u) => first === undefined || u.offset < first.offset).map((u) => u.offset),
        );
        // Detection: a layout, or a UtmpFormatError that asks for one.
        const auto = await readChecked(path, bytes.length, { layout: "auto" });
        if (auto.error !== undefined) assert.equal(auto.error.offset, 0);
        try {
          detectLayout(bytes, bytes.length);
        } catch (error) {
          if (!(error instanceof UtmpFormatError)) throw error;
        }
      }),
      params(40),
    );
  });
}

test("UtmpFile backend ffi reads any bytes as backend file reads them: the same records and warnings", async () => {
  using tmp = tempDir();
  let n = 0;
  await fc.assert(
    fc.asyncProperty(hostileBytes(LAYOUTS.linux), fc.boolean(), async (bytes, keepInvalid) => {
      const path = tmp.file(`f${n++}`, bytes);
      // glibc's getutxent() through the real binding, against the decoder.
      const viaC = await collect(path, { backend: "ffi", keepInvalid });
      const decoded = await collect(path, { backend: "file", layout: "linux", keepInvalid });
      assert.deepEqual(JSON.parse(JSON.stringify(viaC)), JSON.parse(JSON.stringify(decoded)));
    }),
    params(40),
  );
}, { ignore: !LIBC_LIVE || process.arch !== "x64" });

/** What a random record must read back as: the stored values, cut to the field widths. */
function expectedFields(layout: Layout, input: RecordInput): Record<string, unknown> {
  const f = layout.fields;
  const text = (name: "ut_user" | "ut_line" | "ut_id" | "ut_host") => {
    const field = f[name];
    const value = input[name];
    if (field === undefined || value === undefined) return new Uint8Array(0);
    const bytes = typeof value === "string" ? new TextEncoder().encode(value) : value;
    const cut = bytes.subarray(0, field.size);
    const nul = cut.indexOf(0);
    return nul === -1 ? cut : cut.subarray(0, nul);
  };
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  const line = decode(text("ut_line"));
  const user = decode(text("ut_user"));
  const addr = input.ut_addr ?? [0, 0, 0, 0];
  return {
    ut_type: layout.deriveType?.(line, user) ?? input.ut_type ?? "EMPTY",
    ut_pid: input.ut_pid ?? 0,
    ut_line: devicePath(line),
    ut_user: user,
    ut_id: decode(text("ut_id")),
    ut_host: decode(text("ut_host")),
    raw: [text("ut_user"), text("ut_line"), text("ut_id"), text("ut_host")].map((b) => [...b]),
    ut_exit: { e_termination: input.e_termination ?? 0, e_exit: input.e_exit ?? 0 },
    ut_session: input.ut_session ?? 0,
    ut_tv: { tv_sec: input.tv_sec ?? 0, tv_usec: input.tv_usec ?? 0 },
    ut_addr: addr.length === 16 && addr.slice(4).every((o) => o === 0) ? addr.slice(0, 4) : [...addr],
  };
}

function actualFields(u: UtmpRecord): Record<string, unknown> {
  const raw = u.raw!;
  return {
    ut_type: u.ut_type,
    ut_pid: u.ut_pid,
    ut_line: u.ut_line,
    ut_user: u.ut_user,
    ut_id: u.ut_id,
    ut_host: u.ut_host,
    raw: [raw.ut_user, raw.ut_line, raw.ut_id, raw.ut_host].map((b) => [...b]),
    ut_exit: u.ut_exit,
    ut_session: u.ut_session,
    ut_tv: u.ut_tv,
    ut_addr: u.ut_addr,
  };
}

for (const layout of UTMP_LAYOUTS) {
  test(`UtmpFile() with layout "${layout.name}" reads back random records encodeRecords() wrote, every field`, async () => {
    using tmp = tempDir();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(recordInput(layout), { minLength: 1, maxLength: 5 }), async (inputs) => {
        const bytes = encodeRecords(layout, inputs);
        const path = tmp.file(`f${n++}`, bytes);
        const file = new UtmpFile(path, { layout: layout.name as "linux", backend: "file", strict: true });
        const got: UtmpRecord[] = await all(file);
        const wanted = inputs.map((input) => expectedFields(layout, input));
        assert.deepEqual(got.map(actualFields), wanted);
        assert.deepEqual(got.map((u) => u.index), inputs.map((_, i) => i));
        assert.deepEqual(file.warnings, []);
      }),
      params(40),
    );
  });
}

test("LastlogFile reads any bytes, in every lastlog layout and by detection, as entries or a UtmpFormatError", async () => {
  using tmp = tempDir();
  let n = 0;
  const cases = oneLayout(LASTLOG_LAYOUTS, (layout) => fc.tuple(hostileBytes(layout), fc.nat()));
  await fc.assert(
    fc.asyncProperty(cases, async ([name, [bytes, uid]]) => {
      const layout = LAYOUTS[name];
      const path = tmp.file(`f${n++}`, bytes);
      for (const option of [layout.name, "auto"] as const) {
        const file = new LastlogFile(path, { layout: option as "lastlog-linux" });
        try {
          const used = Math.floor(bytes.length / (file.layout ?? layout).size);
          for await (const e of file) {
            assert.ok(Number.isInteger(e.uid) && e.uid >= 0, `uid ${e.uid}`);
            assert.ok(e.uid < Math.max(used, Math.floor(bytes.length / file.layout!.size)), `uid ${e.uid}`);
            assert.equal(typeof e.line, "string");
            assert.equal(typeof e.host, "string");
            assert.ok(e.time instanceof Date);
          }
          const one = await file.get(uid % Math.max(1, used + 2));
          if (one !== undefined) assert.ok((one.uid + 1) * file.layout!.size <= bytes.length);
        } catch (error) {
          if (!(error instanceof UtmpFormatError)) throw error;
          assert.equal(option, "auto", "only detection may refuse a file");
        }
      }
    }),
    params(60),
  );
});

test("LastlogFile reads back random slots of every lastlog layout at random uids", async () => {
  using tmp = tempDir();
  let n = 0;
  const cases = oneLayout(
    LASTLOG_LAYOUTS,
    (layout) =>
      fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 300 }), recordInput(layout)), {
        minLength: 1,
        maxLength: 6,
        selector: ([uid]) => uid,
      }),
  );
  await fc.assert(
    fc.asyncProperty(cases, async ([name, slots]) => {
      const layout = LAYOUTS[name];
      const top = Math.max(...slots.map(([uid]) => uid));
      const bytes = new Uint8Array((top + 1) * layout.size);
      for (const [uid, input] of slots) encodeRecord(layout, input, bytes, uid * layout.size);
      const path = tmp.file(`f${n++}`, bytes);
      const want = slots
        .map(([uid, input]) => ({ uid, bytes: bytes.subarray(uid * layout.size, (uid + 1) * layout.size), input }))
        .filter((s) => s.bytes.some((b) => b !== 0))
        .sort((a, b) => a.uid - b.uid)
        .map(({ uid, input }) => {
          const e = expectedFields(layout, input);
          const line = new TextDecoder().decode(Uint8Array.from((e.raw as number[][])[1]!));
          return { uid, time: new Date((input.tv_sec ?? 0) * 1000).getTime(), line, host: e.ut_host };
        });
      const file = new LastlogFile(path, { layout: layout.name as "lastlog-linux" });
      const got = await all(file);
      // Times as milliseconds: NaN beyond the range of Date (Node's deepEqual finds two invalid Dates unequal).
      const plain = (e: LastlogEntry | undefined) => e && { ...e, time: e.time.getTime() };
      assert.deepEqual(got.map(plain), want);
      for (const w of want) assert.deepEqual(plain(await file.get(w.uid)), w);
    }),
    params(60),
  );
});

/** Commands of the command line that read a record file, with the file's path last. */
const COMMANDS: string[][] = [
  ["dump"],
  ["dump", "--json"],
  ["who", "-a"],
  ["who", "--ndjson"],
  ["users"],
  ["last", "-x", "-f"],
  ["last", "--json", "-F", "-f"],
  ["lastb", "-f"],
];

/**
 * A run of the command line on a hostile file: output, or one line of error
 * and exit 1; never a stack trace, nor JavaScript's "undefined" or "NaN" in
 * place of a value.
 */
function checkRun(argv: string[], ran: { code: number; out: string; err: string }): void {
  const context = `${argv.join(" ")}: exit ${ran.code}, stderr ${JSON.stringify(ran.err)}`;
  assert.ok(ran.code === 0 || ran.code === 1, context);
  const slip = /\b(undefined|NaN|Invalid Date)\b/.exec(ran.out);
  assert.equal(
    slip,
    null,
    `${context}: ${JSON.stringify(ran.out.slice(Math.max(0, (slip?.index ?? 0) - 80), (slip?.index ?? 0) + 40))}`,
  );
  assert.doesNotMatch(ran.err, /\n\s+at /, context);
  for (const line of ran.err.split("\n").filter((l) => l !== "")) {
    assert.match(line, new RegExp(`^utmp ${argv[0]}: `), context);
  }
  if (ran.code === 1) {
    const last = ran.err.trimEnd().split("\n").at(-1)!;
    assert.match(last, /^utmp \w+: Cannot /, `a domain error, not a programming error: ${context}`);
  }
}

test("main() prints hostile files of every layout, or gives a one-line error and exit 1, for every reading command", async () => {
  using tmp = tempDir();
  let n = 0;
  const cases = oneLayout(
    UTMP_LAYOUTS,
    (layout) => fc.tuple(hostileBytes(layout), fc.constantFrom(...COMMANDS), fc.boolean()),
  );
  await fc.assert(
    fc.asyncProperty(cases, async ([name, [bytes, command, given]]) => {
      const path = tmp.file(`f${n++}`, bytes);
      const argv = [...command.slice(0, 1), ...(given ? ["--layout", name] : []), ...command.slice(1), path];
      checkRun(argv, await ours(argv));
    }),
    params(150),
  );
});

test("main() last prints a 64-bit time beyond the range of Date as date(1) does", async () => {
  using tmp = tempDir();
  let n = 0;
  const beyond = fc.integer({ min: 8.64e12 + 1, max: Number.MAX_SAFE_INTEGER });
  await fc.assert(
    fc.asyncProperty(beyond, fc.boolean(), async (t, past) => {
      const sec = past ? -t : t;
      const path = tmp.file(
        `f${n++}`,
        encodeRecords(LAYOUTS["netbsd-utmpx"], [{
          ut_type: "USER_PROCESS",
          ut_user: "ann",
          ut_line: "pts/0",
          tv_sec: sec,
        }]),
      );
      const ran = await ours(["last", "--layout", "netbsd-utmpx", "-f", path]);
      const date = run("date", ["-u", "-d", `@${sec}`, "+%a %b %e %H:%M:%S %Y"]).trim();
      assert.equal(ran.code, 0);
      // The closing line shows the first record's time in full ("wtmp begins Mon Apr 19 23:59:59 -271821").
      assert.ok(ran.out.endsWith(` begins ${date}\n`), `${date} in ${ran.out}`);
    }),
    params(20),
  );
});

test("main() lastlog reads hostile lastlog files for every user of a password file, or fails in one line", async () => {
  using tmp = tempDir();
  // A root with a password file whose uids reach the ends of the range.
  const root = tmp.dir;
  mkdirSync(join(root, "etc"));
  writeFileSync(
    join(root, "etc", "passwd"),
    "root:x:0:0::/root:/bin/sh\nann:x:1000:1000::/home/ann:/bin/sh\nbig:x:4294967294:1::/:/bin/sh\n",
  );
  let n = 0;
  const cases = oneLayout(LASTLOG_LAYOUTS, (layout) => fc.tuple(hostileBytes(layout), fc.boolean(), fc.boolean()));
  await fc.assert(
    fc.asyncProperty(cases, async ([name, [bytes, given, json]]) => {
      const path = tmp.file(`f${n++}`, bytes);
      const argv = [
        "lastlog",
        "--root",
        root,
        "--file",
        path,
        ...(given ? ["--layout", name] : []),
        ...(json ? ["--json"] : []),
      ];
      checkRun(argv, await ours(argv));
    }),
    params(60),
  );
});

/** Lines of a logind session file: known keys with any values, and any text. */
const sessionLine = fc.oneof(
  fc.tuple(
    fc.constantFrom("USER", "UID", "CLASS", "TTY", "SEAT", "DISPLAY", "REMOTE_HOST", "LEADER", "REALTIME", "SERVICE"),
    fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom("user", "greeter", "1e400", "-1", "1.5", "9007199254740993", "\\x", "\\u12", "\\377"),
    ),
  ).map(([k, v]) => `${k}=${v}`),
  fc.string({ maxLength: 30 }),
);

test("logindRecords() reads session files of any content as records of the contract's types", async () => {
  using tmp = tempDir();
  let n = 0;
  const files = fc.array(
    fc.oneof(fc.array(sessionLine, { maxLength: 12 }).map((l) => l.join("\n")), fc.uint8Array({ maxLength: 200 })),
    { minLength: 1, maxLength: 4 },
  );
  await fc.assert(
    fc.asyncProperty(files, async (contents) => {
      const dir = tmp.file(`sessions${n++}`);
      mkdirSync(dir);
      contents.forEach((c, i) => writeFileSync(join(dir, String(i + 1)), c));
      let count = 0;
      for await (const u of logindRecords(dir)) {
        const j = u.toJSON();
        for (const key of ["ut_user", "ut_line", "ut_id", "ut_host"] as const) assert.equal(typeof j[key], "string");
        assert.ok(
          Number.isInteger(j.ut_pid) && Number.isInteger(j.ut_tv.tv_sec) && Number.isInteger(j.ut_tv.tv_usec),
        );
        count++;
      }
      // At most two records a session: its seat's and its tty's, as coreutils 9.7 makes them.
      assert.ok(count <= 2 * contents.length);
    }),
    params(60),
  );
});
