/**
 * Conformance over ../shared/fixtures (GPL and AGPL files included, read in
 * place, never copied): every Linux file must decode to exactly what its
 * `.utmpdump.txt` (util-linux 2.38.1 on x86_64) or `.utmpdump-derived.txt`
 * (the same, after conversion to x86_64 form) says, and the corrupt ones must
 * yield their good records and warnings.
 *
 * Run with `deno task conformance`.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { formatUtmpdumpLine } from "../src/utmpdump.ts";
import { UtmpFile, UtmpFormatError } from "../mod.ts";
import { collect } from "../tests/_collect.ts";
import { test } from "../tests/_harness.ts";
import { SHARED_FIXTURES } from "../tests/_util.ts";
import { CORRUPT, present, twins } from "./_corpus.ts";

process.env.TZ = "UTC";

/** Layout each file was written in, per MANIFEST.md (the 384-byte little-endian ones are the rest). */
const EXPECTED_LAYOUT: [RegExp, string][] = [
  [/\.BE$/, "linux-be"],
  [/utmp_s390$/, "linux64-be"],
  [/(utmp_aarch64|basic64\.utmp|aarch64_ARM64\/(utmp|wtmp))$/, "linux64"],
];

for (const { twin, binary, name } of twins) {
  // Corrupt on purpose: checked by the tests further down instead.
  if (CORRUPT.has(name)) continue;
  test(`UtmpFile decodes ${name} exactly as its utmpdump twin says`, async () => {
    const file = new UtmpFile(binary, { keepInvalid: true });
    const lines: string[] = [];
    for await (const u of file) lines.push(formatUtmpdumpLine(u) + "\n");
    assert.equal(lines.join(""), readFileSync(twin, "utf8"));
    const layout = EXPECTED_LAYOUT.find(([re]) => re.test(name))?.[1] ?? "linux";
    assert.equal(file.layout?.name, layout);
  });
}

test("conformance corpus is present and holds the Linux files MANIFEST.md lists", () => {
  assert.ok(present, `missing ${SHARED_FIXTURES}`);
  assert.ok(twins.length >= 44, `only ${twins.length} utmpdump twins`);
});

const shared = (p: string) => join(SHARED_FIXTURES, p);

test("UtmpFile yields plaso utmp_corrupted's good records and warns at 0x180, 0x300 and the tail", async () => {
  const { records, warnings } = await collect(shared("plaso/utmp_corrupted"));
  assert.deepEqual(records.map((r) => [r.offset, r.ut_user, r.ut_line, r.ut_host]), [
    [0, "alice", "/dev/tty1", ""],
    [1152, "bob", "/dev/pts/0", "10.0.0.5"],
  ]);
  assert.deepEqual(warnings.map((w) => w.offset), [0x180, 0x300, 1536]);
}, { ignore: !present });

test("UtmpFile yields plaso wtmp.1's four records and warns about the stray byte", async () => {
  const { records, warnings } = await collect(shared("plaso/wtmp.1"));
  assert.deepEqual(records.map((r) => r.ut_type), ["USER_PROCESS", "DEAD_PROCESS", "EMPTY", "EMPTY"]);
  assert.deepEqual(warnings, [
    { kind: "partial-record", offset: 1536, recordIndex: 4, reason: "file ends 1 byte into a 384-byte record" },
  ]);
}, { ignore: !present });

test("UtmpFile refuses to guess s4's all-0xFF record and warns about it with the layout given", async () => {
  const path = shared("s4/programs/utmp/host-entry1_all_0xFF.wtmp");
  await assert.rejects(() => collect(path), UtmpFormatError);
  const { records, warnings } = await collect(path, { layout: "linux" });
  assert.deepEqual(records, []);
  assert.equal(warnings.length, 1);
  // With keepInvalid it is shown like utmpdump shows it, except the time: glibc >= 2.40 reads 0xFFFFFFFF unsigned.
  const file = new UtmpFile(path, { layout: "linux", keepInvalid: true });
  const lines: string[] = [];
  for await (const u of file) lines.push(formatUtmpdumpLine(u));
  const twin = readFileSync(path + ".utmpdump.txt", "utf8").trim();
  assert.equal(lines[0]!.replace(/\[[^\]]*\]$/, ""), twin.replace(/\[[^\]]*\]$/, ""));
  assert.match(lines[0]!, /\[2106-02-07T06:28:15,-00001\+00:00\]$/);
}, { ignore: !present });

test("UtmpFile reads s4's one-byte and empty files as no records", async () => {
  const one = await collect(shared("s4/programs/utmp/one-byte.wtmp"));
  assert.deepEqual([one.records.length, one.warnings.length], [0, 1]);
  const empty = await collect(shared("s4/programs/utmp/empty.wtmp"));
  assert.deepEqual([empty.records.length, empty.warnings.length], [0, 0]);
}, { ignore: !present });

test("UtmpFile reads dissect.target's files with the values its tests assert", async () => {
  // dissect.target tests/plugins/os/unix/log/test_utmp.py at d4aaddcd (times to the second).
  const iso = (sec: number) => new Date(sec * 1000).toISOString();
  const wtmp = (await collect(shared("dissect-target/wtmp"))).records;
  assert.equal(wtmp.length, 70);
  const last = wtmp.at(-1)!;
  assert.deepEqual(
    [
      iso(last.ut_tv.tv_sec),
      last.ut_type,
      last.ut_user,
      last.ut_pid,
      last.ut_line,
      last.ut_id,
      last.ut_host,
      last.ut_addr_text,
    ],
    ["2021-11-12T10:12:54.000Z", "USER_PROCESS", "traut", 2176, ":0", "", ":0", "0.0.0.0"],
  );
  const btmp = (await collect(shared("dissect-target/btmp"))).records;
  assert.equal(btmp.length, 10);
  const b = btmp.at(-1)!;
  assert.deepEqual(
    [iso(b.ut_tv.tv_sec), b.ut_type, b.ut_user, b.ut_pid, b.ut_line, b.ut_host, b.ut_addr_text],
    ["2021-11-30T23:02:09.000Z", "LOGIN_PROCESS", "root", 1865007, "ssh:notty", "8.210.13.5", "8.210.13.5"],
  );
}, { ignore: !present });
