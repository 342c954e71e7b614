/**
 * `utmp who` / `utmp users` against the installed coreutils 9.1 `who` and
 * `users`, byte for byte, on generated utmp snapshots and wtmp histories
 * (made with the layout encoder and with `utmpdump -r`) and on the
 * MIT/Apache fixtures.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "../_harness.ts";
import { tempDir } from "../_util.ts";
import { decodeRecords, encodeRecords, LAYOUTS } from "../../src/layouts/mod.ts";
import { GuardedMachine } from "../../src/cli/_system.ts";
import { liveOnly } from "../../src/cli/who.ts";
import { utmpScenario, writeBoth, wtmpScenario } from "./_gen.ts";
import { NATIVE_FIXTURES, oracle, ours, same, withinTick } from "./_run.ts";

const NOW = Math.floor(Date.now() / 1000);

const WHO: string[][] = [
  [],
  ["-a"],
  ["-b"],
  ["-q"],
  ["-H"],
  ["-u"],
  ["-aH"],
  ["-d"],
  ["-l"],
  ["-p"],
  ["-r"],
  ["-t"],
  ["-T"],
  ["-w", "-u"],
  ["-s", "-u"],
  ["-b", "-r", "-H"],
  ["--all", "--short"],
  ["--boot", "--dead", "--mesg", "--heading"],
  ["--count", "-H"],
  ["--writable", "--login", "--process"],
];

async function compareFile(path: string): Promise<void> {
  for (const v of WHO) await same("who", [...v, path]);
  await same("users", [path]);
}

test("main() who and users print what coreutils prints, for generated utmp files", async () => {
  using tmp = tempDir();
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    // Half of them booted just now (idle times, live terminals), half long ago.
    const files = writeBoth(
      tmp.file,
      `utmp${seed}`,
      utmpScenario(seed, seed % 2 === 0 ? NOW - 7200 : 800000000 + seed * 9e6),
    );
    await compareFile(files.encoded);
    await compareFile(files.reversed);
  }
});

test("main() who and users print what coreutils prints, for wtmp files", async () => {
  using tmp = tempDir();
  for (const seed of [7, 8, 9]) {
    const files = writeBoth(
      tmp.file,
      `wtmp${seed}`,
      wtmpScenario(seed, { events: 120, start: 700000000 + seed * 1e7 }),
    );
    await compareFile(files.encoded);
    await compareFile(files.reversed);
  }
});

test("main() who and users print what coreutils prints, for the copied fixtures", async () => {
  for (const path of NATIVE_FIXTURES) await compareFile(path);
});

test("main() who reads a big-endian and a 64-bit file as coreutils reads the same records natively", async () => {
  using tmp = tempDir();
  const records = utmpScenario(11, 900000000);
  const native = tmp.file("utmp", encodeRecords(LAYOUTS.linux, records));
  for (const layout of ["linux-be", "linux64", "linux64-be"] as const) {
    const other = tmp.file(`utmp.${layout}`, encodeRecords(LAYOUTS[layout], records));
    for (const v of [["-a"], ["-q"], []]) {
      assert.equal((await ours(["who", ...v, other])).out, oracle("who", [...v, native]).out, `${layout} ${v}`);
    }
    assert.equal((await ours(["users", "--file", other])).out, oracle("users", [native]).out);
  }
});

test("main() who -m prints only the heading when standard input is no terminal, as coreutils does", async () => {
  using tmp = tempDir();
  const path = tmp.file("utmp", encodeRecords(LAYOUTS.linux, utmpScenario(12, 900000000)));
  await same("who", ["-mH", path]);
  await same("who", ["-m", path]);
}, { ignore: process.stdin.isTTY === true });

test("liveOnly() drops the user sessions whose process is gone, as coreutils does for the system's utmp", async () => {
  // A child that has exited and been reaped: its pid is free.
  const child = spawn(process.execPath, ["--version"], { stdio: "ignore" });
  await new Promise((resolve) => child.on("exit", resolve));
  const gone = child.pid!;
  const records = [...decodeRecords(
    encodeRecords(LAYOUTS.linux, [
      { ut_type: "USER_PROCESS", ut_pid: process.pid, ut_line: "pts/0", ut_user: "alive" },
      { ut_type: "USER_PROCESS", ut_pid: gone, ut_line: "pts/1", ut_user: "gone" },
      { ut_type: "USER_PROCESS", ut_pid: 0, ut_line: "pts/2", ut_user: "nopid" },
      { ut_type: "LOGIN_PROCESS", ut_pid: gone, ut_line: "tty1", ut_user: "LOGIN" },
    ]),
    LAYOUTS.linux,
  )];
  const system = new GuardedMachine(() => assert.fail("no check may be denied with -A"));
  await system.load();
  const kept = liveOnly(records, system);
  assert.deepEqual(kept.map((u) => u.ut_user), ["alive", "nopid", "LOGIN"]);
}, { ignore: !existsSync("/proc/self") });

test("main() who says plainly that the system keeps no utmp", async () => {
  const mine = await ours(["who"]);
  if (existsSync("/run/systemd/sessions")) {
    // Where logind keeps the sessions, those are shown, with a note.
    assert.equal(mine.code, 0);
    assert.equal(
      mine.err,
      "utmp who: this system's utmp is missing or empty; showing systemd-logind's sessions (\"/run/systemd/sessions\")\n",
    );
  } else {
    assert.equal(mine.code, 1);
    assert.equal(mine.out, "");
    assert.match(mine.err, /^utmp who: Cannot open "\/var\/run\/utmp": no such file \(ENOENT\)[^\n]*\n$/);
  }
}, { ignore: existsSync("/var/run/utmp") || process.platform !== "linux" });

test("main() who rejects a third operand and an unknown option with exit code 2", async () => {
  for (const args of [["a", "b", "c"], ["--bogus"], ["-Z"], ["--layout", "vax", "/dev/null"]]) {
    const mine = await ours(["who", ...args]);
    assert.equal(mine.code, 2, args.join(" "));
    assert.match(mine.err, /^utmp who: .+\nTry 'utmp who --help' for more information\.\n$/);
  }
  assert.equal((await ours(["users", "a", "b"])).code, 2);
});

test(
  "withinTick() takes each line of who -u from the oracle's run just before or just after a minute's turn, and nothing else",
  async () => {
    using tmp = tempDir();
    // A terminal whose last use the test sets: who stats "/dev/" + the line, and /dev/shm is a file system under /dev.
    const names = [`utmp-idle-${process.pid}-a`, `utmp-idle-${process.pid}-b`];
    const ttys = names.map((n) => join("/dev/shm", n));
    try {
      for (const tty of ttys) writeFileSync(tty, "");
      const file = tmp.file(
        "utmp",
        encodeRecords(
          LAYOUTS.linux,
          ["ann", "bob"].map((user, i) => ({
            ut_type: "USER_PROCESS" as const,
            ut_pid: 1,
            ut_line: `shm/${names[i]}`,
            ut_id: `sh${i}`,
            ut_user: user,
            tv_sec: NOW - 3600,
          })),
        ),
      );
      const usedAgo = (seconds: number[]): void => {
        const now = Math.floor(Date.now() / 1000);
        ttys.forEach((tty, i) => utimesSync(tty, now - seconds[i]!, now - seconds[i]!));
      };
      // The turn of a minute, made by moving the terminals' last use rather than by waiting for the clock.
      usedAgo([30, 150]);
      const before = oracle("who", ["-u", file]).out;
      usedAgo([90, 210]);
      const mine = (await ours(["who", "-u", file])).out;
      const after = oracle("who", ["-u", file]).out;
      assert.match(before, /^ann +shm\/.* \d\d:\d\d +\. +1$/m); // idle under a minute
      assert.match(after, /^ann +shm\/.* \d\d:\d\d 00:01 +1$/m);
      assert.equal(mine, after);
      // Line by line: ann's line from the run before the turn, bob's from the one after, is within the tick.
      const [annBefore, , end] = before.split("\n");
      const [, bobAfter] = after.split("\n");
      const mixed = [annBefore, bobAfter, end].join("\n");
      assert.notEqual(mixed, before);
      assert.notEqual(mixed, after);
      assert.equal(withinTick(mixed, before, after), true);
      // Any other difference is still one.
      assert.equal(withinTick(mine.replace("bob", "bot"), before, after), false);
      assert.equal(withinTick(mine + "extra\n", before, after), false);
      await same("who", ["-u", file]);
    } finally {
      for (const tty of ttys) rmSync(tty, { force: true });
    }
  },
  { ignore: !existsSync("/dev/shm") },
);

test("main() who DIR and users DIR read a directory as logind's sessions, and say so when it holds no session file", async () => {
  using tmp = tempDir();
  // A directory with no session file (`who /var/log`): coreutils prints nothing and exits 0; so do we, with a note.
  for (const tool of ["who", "users"]) {
    const theirs = oracle(tool, [tmp.dir]);
    assert.deepEqual({ code: theirs.code, out: theirs.out }, { code: 0, out: "" }, tool);
    assert.deepEqual(await ours([tool, tmp.dir]), {
      code: theirs.code,
      out: theirs.out,
      err:
        `utmp ${tool}: "${tmp.dir}" holds no systemd-logind session files (a directory is read as logind's session directory)\n`,
    });
  }
  assert.match(
    (await ours(["who", "--help"])).out,
    /^A FILE that is a directory is read as systemd-logind's session/m,
  );
  assert.match((await ours(["users", "--help"])).out, /directory is read as systemd-logind's\nsession directory/);
  // With a session file, its user's session, and no note.
  writeFileSync(
    join(tmp.dir, "7"),
    "USER=alice\nCLASS=user\nTYPE=tty\nTTY=pts/1\nREMOTE_HOST=192.0.2.7\nREALTIME=1700000000000000\nLEADER=1\n",
  );
  assert.deepEqual(await ours(["users", tmp.dir]), { code: 0, out: "alice\n", err: "" });
  const who = await ours(["who", tmp.dir]);
  assert.deepEqual({ code: who.code, err: who.err }, { code: 0, err: "" });
  assert.equal(who.out, "alice    pts/1        Nov 14 22:13 (192.0.2.7)\n"); // LC_ALL=C
});
