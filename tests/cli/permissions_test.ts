/**
 * The command line as a Deno program with fewer permissions than it could
 * use: each one it lacks gives one line on standard error naming the flag,
 * never a stack trace; and the repository's tasks (`deno task who`, ...)
 * have what they need, so on a system with a utmp they print what coreutils
 * and util-linux print, with no note. Deno only (the flags are Deno's); the
 * live system is a private mount namespace with a tmpfs over /run and
 * /var/log, where the test puts a utmp and a wtmp.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "../_harness.ts";
import { FIXTURES, ORACLE_ENV, tempDir, TESTS_DIR } from "../_util.ts";
import { encodeRecords, LAYOUTS, type RecordInput } from "../../src/layouts/mod.ts";
import { type DenoRan, oracle, ours, spawnDeno } from "./_run.ts";

const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
const REPO = join(TESTS_DIR, "..");
const MAIN = join(REPO, "src", "cli", "main.ts");
const WTMP = join(FIXTURES, "utmp-rs/with_host_32.utmp");
const denoOnly = { ignore: deno === undefined };

/** Runs main.ts under Deno with exactly these permission flags. */
function withFlags(flags: string[], argv: string[]): DenoRan {
  return spawnDeno("deno", ["run", "--no-prompt", ...flags, MAIN, ...argv]);
}

/** Each line of standard error: the command's name, then a sentence naming the Deno flag; no stack trace. */
function assertFlagLines(err: string, command: string, flags: readonly string[], what: string): void {
  const lines = err.split("\n");
  assert.equal(lines.pop(), "", `${what}: ends with a newline`);
  assert.ok(lines.length > 0, `${what}: says what it lacks`);
  for (const line of lines) assert.match(line, new RegExp(`^utmp ${command}: .*\\(Deno needs --allow-\\w+\\)`), what);
  for (const flag of flags) assert.ok(err.includes(`(Deno needs ${flag})`), `${what}: names ${flag}\n${err}`);
  assert.doesNotMatch(err, /Uncaught|NotCapable|\n\s+at /, what);
}

test("main.ts without --allow-read says in one line which path it may not read, and exits 1", () => {
  for (const flags of [[], ["--allow-env"], ["--allow-env", "--allow-sys"]]) {
    for (const argv of [["who", WTMP], ["last", "-f", WTMP], ["dump", WTMP], ["lastlog", "--file", WTMP]]) {
      const ran = withFlags(flags, argv);
      const what = `${flags.join(" ")} utmp ${argv.join(" ")}`;
      assert.equal(ran.code, 1, what);
      assert.equal(ran.out, "", what);
      const path = argv[0] === "lastlog" ? "/etc/passwd" : WTMP; // lastlog reads the users first
      // Without --allow-env the locale check says so first (who reads it before the file); then the one error.
      assertFlagLines(ran.err, argv[0]!, ["--allow-read"], what);
      assert.ok(
        ran.err.endsWith(`utmp ${argv[0]}: Cannot read "${path}": not allowed (Deno needs --allow-read)\n`),
        `${what}: ${ran.err}`,
      );
      if (flags.includes("--allow-env")) assert.doesNotMatch(ran.err, /--allow-env/, what);
    }
  }
}, denoOnly);

test("main.ts without --allow-env prints what LC_ALL=C prints, with one line naming --allow-env", () => {
  // who's time column and last's escaping depend on the locale; users prints names only, and reads none.
  for (
    const argv of [["who", WTMP], ["who", "-H", WTMP], ["last", "-f", WTMP, "--time-format", "iso"], ["users", WTMP]]
  ) {
    const ran = withFlags(["--allow-read", "--allow-sys"], argv);
    const what = `--allow-read utmp ${argv.join(" ")}`;
    assert.equal(ran.code, 0, what);
    assert.equal(ran.out, oracle(argv[0]!, argv.slice(1)).out, what);
    if (argv[0] === "users") assert.equal(ran.err, "", what);
    else assertFlagLines(ran.err, argv[0]!, ["--allow-env"], what);
  }
  // An error while env is not readable is still one line (UTMP_DEBUG, which would add the stack, cannot be read).
  const missing = withFlags(["--allow-read"], ["who", "/nonexistent/utmp"]);
  assert.equal(missing.code, 1);
  assert.match(
    missing.err,
    /^(utmp who: cannot check [^\n]*\(Deno needs --allow-env\)[^\n]*\n)?utmp who: Cannot open "\/nonexistent\/utmp": [^\n]*\(ENOENT\)[^\n]*\n$/,
  );
}, denoOnly);

test(
  "main.ts without --allow-all, --allow-sys, --allow-write or read access to the locales says each in one line",
  async () => {
    using tmp = tempDir();
    // /proc and /dev (who's idle column, last's "still logged in"): --allow-all; the uptime: --allow-sys.
    const who = withFlags(["--allow-read", "--allow-env"], ["who", "-u", WTMP]);
    const theirs = oracle("who", ["-u", WTMP]).out.split("\n");
    // The lines coreutils prints, but the idle column, which takes the terminal's access time.
    assert.deepEqual(who.out.split("\n").map((l) => l.slice(0, 35)), theirs.map((l) => l.slice(0, 35)));
    assertFlagLines(who.err, "who", ["--allow-all"], "who -u");
    const last = withFlags(["--allow-read", "--allow-env"], ["last", "-f", WTMP]);
    assert.equal(last.code, 0);
    assertFlagLines(last.err, "last", ["--allow-sys"], "last -f");
    const out = join(tmp.dir, "copy");
    const text = tmp.file("text", (await ours(["dump", WTMP])).out);
    const dump = withFlags(["--allow-read", "--allow-env"], ["dump", "-r", "-o", out, text]);
    assert.equal(dump.code, 1);
    assert.equal(dump.err, `utmp dump: Cannot write "${out}": not allowed (Deno needs --allow-write)\n`);
    // A locale name to check against the installed ones, which may not be read: taken as installed, and said.
    const locale = spawnDeno(
      "deno",
      ["run", "--no-prompt", "--allow-env", `--allow-read=${WTMP},${MAIN}`, MAIN, "who", WTMP],
      { ...ORACLE_ENV, LC_ALL: "", LANG: "C.UTF-8" },
    );
    assert.equal(locale.code, 0);
    assertFlagLines(locale.err, "who", ["--allow-read"], "who with the locales unreadable");
    assert.match(locale.err, /cannot check the installed locales/);
  },
  denoOnly,
);

/** A live system in a private mount namespace: a tmpfs over /run and /var/log holding `files`; runs `argv` there. */
function onHost(files: Record<string, Uint8Array>, argv: string[]): DenoRan {
  using tmp = tempDir();
  const copies = Object.entries(files).map(([path, bytes]) => {
    const source = tmp.file(path.replaceAll("/", "_"), bytes);
    return `cp "${source}" "${path}"`;
  });
  const script = [
    "set -e",
    "mount -t tmpfs none /run",
    "mount -t tmpfs none /var/log",
    ...copies,
    `cd "${REPO}"`,
    'exec "$@"',
  ].join("\n");
  return spawnDeno("unshare", ["-m", "sh", "-c", script, "sh", ...argv]);
}

/** A pid no process has. */
function deadPid(): number {
  for (let pid = 999_999;; pid--) {
    try {
      readFileSync(`/proc/${pid}/stat`);
    } catch {
      return pid;
    }
  }
}

const canUnshare = deno !== undefined && process.platform === "linux" &&
  spawnSync("unshare", ["-m", "true"]).status === 0;

test(
  "deno task who, users and last print what coreutils and util-linux print on a system with a utmp, with no note",
  () => {
    const sleeper = spawn("sleep", ["300"]);
    try {
      const boot = Math.floor(Date.now() / 1000 - Number(readFileSync("/proc/uptime", "latin1").split(" ")[0]));
      const live = sleeper.pid!;
      const records: RecordInput[] = [
        { ut_type: "BOOT_TIME", ut_line: "~", ut_user: "reboot", ut_host: "6.1.0", tv_sec: boot },
        { ut_type: "LOGIN_PROCESS", ut_pid: 2, ut_line: "tty1", ut_id: "tty1", ut_user: "LOGIN", tv_sec: boot + 5 },
        // Live: the sleeper's pid. Stale: a pid no process has, which coreutils leaves out.
        {
          ut_type: "USER_PROCESS",
          ut_pid: live,
          ut_line: "pts/77",
          ut_id: "ts/7",
          ut_user: "root",
          ut_host: "192.0.2.7",
          tv_sec: boot + 60,
        },
        {
          ut_type: "USER_PROCESS",
          ut_pid: deadPid(),
          ut_line: "pts/78",
          ut_id: "ts/8",
          ut_user: "bob",
          ut_host: "198.51.100.2",
          tv_sec: boot + 90,
        },
      ];
      const bytes = encodeRecords(LAYOUTS.linux, records);
      const files = { "/run/utmp": bytes, "/var/log/wtmp": bytes };
      for (const [task, tool] of [["who", ["who"]], ["users", ["users"]], ["last", ["last"]]] as const) {
        const theirs = onHost(files, [...tool]);
        assert.equal(theirs.code, 0, theirs.err);
        if (task !== "last") {
          assert.match(theirs.out, /root/, `${tool.join(" ")} lists the live session`);
          assert.doesNotMatch(theirs.out, /bob/, `${tool.join(" ")} leaves the stale one out`);
        }
        const mine = onHost(files, ["./node_modules/.bin/deno", "task", task]);
        assert.equal(mine.out, theirs.out, `deno task ${task}`);
        // deno task names the task it runs on standard error; nothing else may be there.
        assert.deepEqual(
          mine.err.split("\n").filter((l) => l !== "" && !l.startsWith("Task ")),
          [],
          `deno task ${task}`,
        );
        assert.equal(mine.code, 0);
      }
    } finally {
      sleeper.kill();
    }
  },
  { ignore: !canUnshare },
);
