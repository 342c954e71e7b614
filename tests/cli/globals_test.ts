/**
 * The options every command takes, where people type them: `--root DIR`
 * before the command name, after it, as `--root=DIR`, among the command's
 * own options and operands; and `--json` with `--ndjson`. The oracles are
 * coreutils `who`/`users`, util-linux `last` and shadow `lastlog -R` on the
 * same files.
 *
 * @module
 */

import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "../_harness.ts";
import { FIXTURES, tempDir } from "../_util.ts";
import { encodeRecord, LAYOUTS } from "../../src/layouts/mod.ts";
import { oracle, ours } from "./_run.ts";

const WTMP = join(FIXTURES, "utmp-rs/with_host_32.utmp");

/** A system tree as a container sees the host's: /var/run -> /run, a utmp, a wtmp, a btmp. */
function hostTree(dir: string): { utmp: string; wtmp: string; btmp: string } {
  mkdirSync(join(dir, "run"), { recursive: true });
  mkdirSync(join(dir, "var/log"), { recursive: true });
  symlinkSync("/run", join(dir, "var/run")); // resolved inside the tree, as rootPath() does
  const utmp = join(dir, "run/utmp");
  const wtmp = join(dir, "var/log/wtmp");
  const btmp = join(dir, "var/log/btmp");
  for (const path of [utmp, wtmp, btmp]) copyFileSync(WTMP, path);
  return { utmp, wtmp, btmp };
}

/** Every place `--root DIR` goes: before the command, after it, with "=", after an operand-taking option. */
function placements(root: string, command: string, rest: string[]): string[][] {
  return [
    ["--root", root, command, ...rest],
    [`--root=${root}`, command, ...rest],
    [command, "--root", root, ...rest],
    [command, ...rest, `--root=${root}`],
    [command, ...rest, "--root", root],
  ];
}

test("main() takes --root DIR before or after the command name, and reads the files under DIR as the tools read them", async () => {
  using tmp = tempDir();
  const { utmp, wtmp, btmp } = hostTree(tmp.dir);
  // Under --root the pids are another system's, so nothing is left out: who FILE, which checks none.
  for (
    const [command, rest, tool, args] of [
      ["who", [], "who", [utmp]],
      ["who", ["-H"], "who", ["-H", utmp]],
      ["users", [], "users", [utmp]],
      ["last", ["-x"], "last", ["-x", "-f", wtmp]],
      ["lastb", [], "lastb", ["-f", btmp]],
    ] as const
  ) {
    const expected = oracle(tool, [...args]);
    assert.match(expected.out, /root/, `${tool} ${args.join(" ")} lists root`);
    for (const argv of placements(tmp.dir, command, [...rest])) {
      const ran = await ours(argv);
      // The tree has no /proc or /dev mounted: what cannot be checked there is said, and only that.
      assert.match(ran.err, /^(?:utmp \w+: cannot check [^\n]+; going on without\n)*$/, argv.join(" "));
      // util-linux names the file it read on its last line: the same file, by the path each was given.
      assert.equal(
        ran.out.replace(/^(\w+) begins/m, "FILE begins"),
        expected.out.replace(/^(\w+) begins/m, "FILE begins"),
        argv.join(" "),
      );
      assert.equal(ran.code, expected.code);
    }
  }
});

test("main() takes --root only whole after the command name: who's --r stays --runlevel, --roo is unknown as coreutils says", async () => {
  const runlevel = oracle("who", ["--r", WTMP]);
  assert.match(runlevel.out, /run-level/);
  assert.equal((await ours(["who", "--r", WTMP])).out, runlevel.out);
  const unknown = oracle("who", ["--roo", "/x", WTMP]);
  const mine = await ours(["who", "--roo", "/x", WTMP]);
  assert.equal(mine.code, 2);
  assert.equal(unknown.code, 1); // coreutils' usage errors exit 1; ours 2, as documented
  assert.equal(mine.err.split("\n")[0], unknown.err.split("\n")[0]!.replace(/^\S*who:/, "utmp who:"));
});

test(
  "main() lastlog takes --root before the command, after it and as its own -R, as shadow's lastlog -R reads the tree",
  async () => {
    using tmp = tempDir();
    mkdirSync(join(tmp.dir, "etc"));
    mkdirSync(join(tmp.dir, "var/log"), { recursive: true });
    writeFileSync(join(tmp.dir, "etc/passwd"), "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n");
    const layout = LAYOUTS["lastlog-linux"];
    const lastlog = new Uint8Array(1001 * layout.size);
    encodeRecord(layout, { ut_line: "pts/3", ut_host: "192.0.2.7", tv_sec: 1700000000 }, lastlog, 1000 * layout.size);
    writeFileSync(join(tmp.dir, "var/log/lastlog"), lastlog);
    const expected = oracle("lastlog", ["-R", tmp.dir]);
    assert.match(expected.out, /^alice +pts\/3 +192\.0\.2\.7 /m);
    for (
      const argv of [
        ["--root", tmp.dir, "lastlog"],
        ["lastlog", "--root", tmp.dir],
        ["lastlog", `--root=${tmp.dir}`],
        ["lastlog", "-R", tmp.dir],
      ]
    ) {
      assert.deepEqual(await ours(argv), { code: 0, out: expected.out, err: "" }, argv.join(" "));
    }
  },
  { ignore: process.platform !== "linux" || process.getuid?.() !== 0 },
); // shadow's -R chroots: root only

test("main() refuses --json with --ndjson, in either order, for every command", async () => {
  for (const command of ["who", "users", "last", "lastb", "dump", "lastlog", "watch"]) {
    for (const flags of [["--json", "--ndjson"], ["--ndjson", "--json"]]) {
      const ran = await ours([command, ...flags, "--file", WTMP]);
      assert.deepEqual(ran, {
        code: 2,
        out: "",
        err:
          `utmp ${command}: options '--json' and '--ndjson' are mutually exclusive: one array, or one object a line\n` +
          `Try 'utmp ${command} --help' for more information.\n`,
      }, `${command} ${flags.join(" ")}`);
    }
  }
  // The same flag twice is one choice.
  assert.equal((await ours(["users", "--ndjson", "--ndjson", WTMP])).code, 0);
});

test("main() who and users under --root without its /proc keep every session, as w does, and say so once", async () => {
  using tmp = tempDir();
  const root = join(tmp.dir, "rootx");
  mkdirSync(join(root, "var/run"), { recursive: true });
  const utmp = join(root, "var/run/utmp");
  writeFileSync(
    utmp,
    new Uint8Array([
      ...encodeRecord(LAYOUTS.linux, {
        ut_type: "USER_PROCESS",
        ut_pid: process.pid,
        ut_line: "pts/0",
        ut_id: "ts/0",
        ut_user: "root",
        ut_host: "192.0.2.7",
        tv_sec: 1700000000,
      }),
      // A session whose process is long gone: who on that machine would leave it out.
      ...encodeRecord(LAYOUTS.linux, {
        ut_type: "USER_PROCESS",
        ut_pid: 999999,
        ut_line: "pts/1",
        ut_id: "ts/1",
        ut_user: "bob",
        tv_sec: 1700000100,
      }),
    ]),
  );
  const note = `cannot check which sessions are live: "${
    join(root, "proc")
  }" holds no proc file system (not mounted there); going on without\n`;
  // Both sessions, as coreutils prints the file itself (it checks no pid for a FILE).
  for (const tool of ["who", "users"]) {
    const theirs = oracle(tool, [utmp]);
    assert.deepEqual(await ours(["--root", root, tool]), { code: 0, out: theirs.out, err: `utmp ${tool}: ${note}` });
  }
  assert.match(oracle("who", [utmp]).out, /^root .*\nbob /);
  // w says the same of its /proc, in its words.
  assert.match(
    (await ours(["--root", root, "w"])).err,
    /no proc file system at ".*\/rootx\/proc" \(not mounted there\)/,
  );
});
