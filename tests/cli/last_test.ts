/**
 * `utmp last` / `utmp lastb` against the installed util-linux `last` and
 * `lastb` (2.38.1), byte for byte, on generated files (made with the layout
 * encoder and with `utmpdump -r`) and on the MIT/Apache fixtures.
 *
 * @module
 */

import assert from "node:assert/strict";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "../_harness.ts";
import { FIXTURES, tempDir } from "../_util.ts";
import { encodeRecords, LAYOUTS, type RecordInput } from "../../src/layouts/mod.ts";
import { btmpScenario, encode, type GenRecord, writeBoth, wtmpScenario } from "./_gen.ts";
import { NATIVE_FIXTURES, oracle, ours, same } from "./_run.ts";

const NOW = Math.floor(Date.now() / 1000);

/** Option sets that need nothing from the file. */
const VARIANTS: string[][] = [
  [],
  ["-x"],
  ["-F"],
  ["-w"],
  ["-i"],
  ["-a"],
  ["-R"],
  ["-a", "-i", "-w"],
  ["-x", "-F", "-w", "-i"],
  ["--time-format", "iso"],
  ["--time-format", "full", "-x"],
  ["--time-format", "notime", "-x"],
  ["--time-format=short", "-R", "-x"],
  ["-n", "7"],
  ["-3", "-x"],
  ["-1", "-2"],
  ["--limit=12", "-w"],
  ["--fullt", "--sys"],
  ["--hostlast", "--ip", "--fulln"],
];

/** "YYYY-MM-DD HH:MM:SS" (UTC, as the tests run) for --since/--until/--present. */
function stamp(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 19).replace("T", " ");
}

/** Option sets built from the file: time windows, users and lines to show. */
function fileVariants(records: readonly GenRecord[]): string[][] {
  const times = records.map((r) => r.tv_sec).sort((a, b) => a - b);
  const at = (f: number): number => times[Math.floor(f * (times.length - 1))]!;
  const users = records.filter((r) => r.ut_type_raw === 7 && r.ut_user.length > 0);
  const text = (b: Uint8Array): string => new TextDecoder().decode(b);
  return [
    ["-s", stamp(at(0.5))],
    ["-t", stamp(at(0.5))],
    ["--since", stamp(at(0.2)), "--until", stamp(at(0.7)), "-x"],
    ["-p", stamp(at(0.4))],
    ["--present", stamp(at(0.8)), "-x", "-F"],
    ["-s", "1970-01-02", "-t", "2037-12-31 23:59"],
    ["root", "tty1"],
    [text(users[0]?.ut_user ?? new Uint8Array()), "-x"],
    ["pts/1", "1", "kerolasa"],
    ["ftp", "uucp", "-w"],
  ];
}

async function compareHistory(seeds: number[], start: (seed: number) => number, gap?: number): Promise<void> {
  using tmp = tempDir();
  for (const seed of seeds) {
    const records = wtmpScenario(seed, { events: 160, start: start(seed), ...(gap ? { gap } : {}) });
    const files = writeBoth(tmp.file, `wtmp${seed}`, records);
    for (const path of [files.encoded, files.reversed]) {
      for (const v of [...VARIANTS, ...fileVariants(records)]) await same("last", ["-f", path, ...v]);
    }
  }
}

test("main() last prints what util-linux last prints, for generated histories", async () => {
  await compareHistory([1, 2, 3, 4, 5, 6, 7, 8], (seed) => 400000000 + seed * 130000000);
});

test("main() last prints what util-linux last prints, for histories around now (still logged in, gone)", async () => {
  // Logins after this machine's boot are checked live (/proc/PID/loginuid, the tty's owner): root on tty1 stays.
  await compareHistory([11, 12, 13, 14], () => NOW - 7200, 600);
});

test("main() lastb prints what util-linux lastb prints, for generated btmp files", async () => {
  using tmp = tempDir();
  for (const seed of [21, 22, 23, 24]) {
    const records = btmpScenario(seed, 1100000000 + seed * 1000000, 120);
    const files = writeBoth(tmp.file, `btmp${seed}`, records);
    for (const path of [files.encoded, files.reversed]) {
      for (const v of [...VARIANTS, ...fileVariants(records)]) await same("lastb", ["-f", path, ...v]);
    }
  }
});

test("main() last reads several files as util-linux last does, the line limit counted over all", async () => {
  using tmp = tempDir();
  const a = tmp.file("wtmp.1", encode(wtmpScenario(31, { events: 80, start: 500000000 })));
  const b = tmp.file("wtmp", encode(wtmpScenario(32, { events: 80, start: 900000000 })));
  await same("last", ["-f", b, "-f", a]);
  await same("last", ["-f", b, "-f", a, "-n", "5"]);
  await same("last", ["--file", a, "--file=" + b, "-x", "root"]);
});

test("main() last reads empty and short files as util-linux last does", async () => {
  using tmp = tempDir();
  // No whole record: only the "begins" line, with the file's change time.
  await same("last", ["-f", tmp.file("empty", new Uint8Array(0))]);
  await same("last", ["-f", tmp.file("short", new Uint8Array(100))]);
  await same("lastb", ["-f", tmp.file("one", encode(btmpScenario(3, 1e9, 1)))]);
});

test("main() last prints the copied fixtures as util-linux last does", async () => {
  // last reads a file from its end: with a partial record at the end (wtmp.1, utmp_corrupted) every record is shifted.
  for (const path of NATIVE_FIXTURES.filter((p) => statSync(p).size % 384 === 0)) {
    for (const v of VARIANTS) await same("last", ["-f", path, ...v]);
  }
  for (const v of VARIANTS) await same("lastb", ["-f", join(FIXTURES, "utmp-rs/long_user_32.utmp"), ...v]);
});

test("main() last -d names loopback addresses as util-linux last does (from /etc/hosts)", async () => {
  using tmp = tempDir();
  const loopback: Partial<GenRecord>[] = [
    { ut_addr: [127, 0, 0, 1] },
    { ut_addr: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1] },
  ];
  const records = wtmpScenario(41, { events: 12, start: 1300000000 }).map((r, i) =>
    r.ut_type_raw === 7 ? { ...r, ...loopback[i % 2] } : r
  );
  const path = tmp.file("wtmp", encode(records));
  await same("last", ["-f", path, "-d"]);
  await same("last", ["-f", path, "-d", "-a", "-w"]);
});

test("main() last reads a 32-bit time past 2038 as unsigned, where util-linux 2.38 with glibc 2.36 goes back to 1901", async () => {
  using tmp = tempDir();
  const t = 2 ** 31 + 86400 * 400; // 2039-02-23T03:14:08Z
  const login: GenRecord = {
    ...wtmpScenario(51, { events: 1, start: 0 })[0]!,
    ut_type_raw: 7,
    ut_pid: 42,
    ut_line: new TextEncoder().encode("pts/4"),
    ut_user: new TextEncoder().encode("ann"),
    ut_host: new Uint8Array(0),
    tv_sec: t,
    tv_usec: 0,
  };
  const logout: GenRecord = { ...login, ut_type_raw: 8, ut_user: new Uint8Array(0), tv_sec: t + 3600 };
  const path = tmp.file("wtmp", encode([login, logout]));
  const mine = await ours(["last", "-f", path, "-F"]);
  assert.equal(
    mine.out,
    "ann      pts/4                         Wed Feb 23 03:14:08 2039 - Wed Feb 23 04:14:08 2039  (01:00)\n\n" +
      "wtmp begins Wed Feb 23 03:14:08 2039\n",
  );
  // The installed last reads the same seconds as signed: 2^32 seconds earlier.
  const theirs = oracle("last", ["-f", path, "-F"]).out;
  assert.equal(
    theirs,
    "ann      pts/4                         Sat Jan 17 20:45:52 1903 - Sat Jan 17 21:45:52 1903  (01:00)\n\n" +
      "wtmp begins Sat Jan 17 20:45:52 1903\n",
  );
});

test("main() last reads a utx.log with a partial tail as util-linux reads the same records from a wtmp, warning once", async () => {
  using tmp = tempDir();
  const records: RecordInput[] = [
    { ut_type: "BOOT_TIME", ut_line: "~", ut_user: "reboot", ut_host: "14.0", tv_sec: 1700000000 },
    { ut_type: "USER_PROCESS", ut_pid: 700, ut_line: "pts/0", ut_id: "0", ut_user: "ann", tv_sec: 1700000100 },
    { ut_type: "DEAD_PROCESS", ut_pid: 700, ut_line: "pts/0", ut_id: "0", tv_sec: 1700003700 },
    { ut_type: "USER_PROCESS", ut_pid: 701, ut_line: "pts/1", ut_id: "1", ut_user: "bob", tv_sec: 1700004000 },
  ];
  mkdirSync(join(tmp.dir, "utx"));
  mkdirSync(join(tmp.dir, "linux"));
  // One byte past the last frame: a length cut in half.
  const log = [...encodeRecords(LAYOUTS["freebsd-log"], records), 0];
  const utx = tmp.file("utx/wtmp", new Uint8Array(log));
  const wtmp = tmp.file("linux/wtmp", encodeRecords(LAYOUTS.linux, records));
  for (const v of [[], ["-n", "1"], ["-x"]]) {
    const theirs = oracle("last", ["-f", wtmp, ...v]);
    const mine = await ours(["last", "-f", utx, "--layout", "freebsd-log", ...v]);
    assert.equal(mine.out.replaceAll(utx, wtmp), theirs.out, v.join(" "));
    // The backward pass and the closing "begins" line read the file once: its problem is said once.
    assert.deepEqual(mine.err.split("\n").filter((l) => l !== ""), [
      `utmp last: "${utx}": file ends 1 byte into a length-prefixed record; it is left out`,
    ], v.join(" "));
  }
});

test("main() last reports a missing file on one line and exits 1", async () => {
  const mine = await ours(["last", "-f", "/nonexistent/wtmp"]);
  assert.equal(mine.code, 1);
  assert.equal(mine.out, "");
  assert.match(mine.err, /^utmp last: Cannot open "\/nonexistent\/wtmp": no such file \(ENOENT\)[^\n]*\n$/);
  assert.equal(oracle("last", ["-f", "/nonexistent/wtmp"]).code, 1);
});

test("main() last rejects bad options with exit code 2, as util-linux last rejects them", async () => {
  for (
    const args of [
      ["-F", "--time-format", "iso"],
      ["--time-format", "sometimes"],
      ["--time-format", "toString"],
      ["-s", "yesterday-ish"],
      ["-n", "many"],
      ["--full"],
      ["-Z"],
    ]
  ) {
    const mine = await ours(["last", ...args, "-f", "/dev/null"]);
    assert.equal(mine.code, 2, args.join(" "));
    assert.equal(mine.out, "");
    assert.match(mine.err, /^utmp last: .+\nTry 'utmp last --help' for more information\.\n$/);
    assert.notEqual(oracle("last", [...args, "-f", "/dev/null"]).code, 0, `util-linux last ${args.join(" ")}`);
  }
  assert.equal((await ours(["last", "-f"])).code, 2);
});
