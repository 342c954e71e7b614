/**
 * The command line as a process whose standard output fails: every command,
 * in every runtime, ends at once on a failed write. A closed pipe ends it
 * quietly; a full disk (`/dev/full`), or a descriptor that takes no writes,
 * gets one line naming the error, as coreutils says it, and exit code 1.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "../_harness.ts";
import { FIXTURES, ORACLE_ENV, tempDir } from "../_util.ts";
import { cliProgram } from "./_run.ts";

const WTMP = join(FIXTURES, "utmp-rs/with_host_32.utmp");

/** Each command that prints something for WTMP; `watch --from-start` would then wait for more forever. */
const LINES: readonly { oracle?: string[]; ours: string[] }[] = [
  { oracle: ["who", "-a", WTMP], ours: ["who", "-a", WTMP] },
  { oracle: ["users", WTMP], ours: ["users", WTMP] },
  { oracle: ["last", "-f", WTMP], ours: ["last", "-f", WTMP] },
  { oracle: ["lastb", "-f", WTMP], ours: ["lastb", "-f", WTMP] },
  { oracle: ["utmpdump", WTMP], ours: ["dump", WTMP] },
  { ours: ["watch", "--from-start", WTMP] },
  { ours: ["watch", "--from-start", "--ndjson", WTMP] },
];

const isDeno = "Deno" in globalThis;

/** Runs a command with standard output on `fd`; at most 60 s (a hang is a failure, not a stuck suite). */
function runOn(argv: readonly string[], fd: number | "ignore"): { status: number | null; err: string } {
  const [program = "", ...args] = argv;
  const ran = spawnSync(program, args, { env: ORACLE_ENV, stdio: ["ignore", fd, "pipe"], timeout: 60_000 });
  return { status: ran.status, err: ran.stderr?.toString() ?? "" };
}

test("run() on a full disk (/dev/full): every command, watch too, says 'write error' in one line and exits 1 at once", () => {
  using tmp = tempDir();
  const full = openSync("/dev/full", "w");
  try {
    const program = cliProgram(tmp.dir);
    for (const line of LINES) {
      const mine = runOn([...program, ...line.ours], full);
      const what = line.ours.join(" ");
      assert.notEqual(mine.status, null, `utmp ${what} > /dev/full still ran after 60 s`);
      assert.equal(mine.err, `utmp ${line.ours[0]}: write error: No space left on device (ENOSPC)\n`, what);
      assert.equal(mine.status, 1, what);
      if (line.oracle === undefined) continue;
      // What coreutils and util-linux say, word for word ("who: write error: No space left on device"), and exit 1.
      const theirs = runOn(line.oracle, full);
      assert.equal(theirs.status, 1, line.oracle.join(" "));
      const said = theirs.err.split("\n").find((l) => l.includes("write error"));
      assert.equal(`utmp ${said!.replace(/^\S+: /, `${line.ours[0]}: `)} (ENOSPC)\n`, mine.err);
    }
  } finally {
    closeSync(full);
  }
});

test(
  "run() on a standard output that takes no writes (EBADF): coreutils' line and exit 1 in Node and Bun; Deno cannot tell, as util-linux does not",
  () => {
    using tmp = tempDir();
    // Opened for reading only: each write fails with EBADF, as a closed descriptor's does in C.
    const readOnly = openSync(WTMP, "r");
    try {
      const program = cliProgram(tmp.dir);
      const who = runOn([...program, "who", "-a", WTMP], readOnly);
      const coreutils = runOn(["who", "-a", WTMP], readOnly);
      assert.deepEqual({ ...coreutils, err: coreutils.err.replace(/^\S*\//, "") }, {
        status: 1,
        err: "who: write error: Bad file descriptor\n",
      });
      if (isDeno) {
        // Deno's standard output (Rust's) takes EBADF for success: the output is lost, as util-linux last loses it.
        assert.deepEqual(who, { status: 0, err: "" });
        assert.deepEqual(runOn(["last", "-f", WTMP], readOnly), { status: 0, err: "" });
      } else {
        assert.deepEqual(who, { status: 1, err: "utmp who: write error: Bad file descriptor (EBADF)\n" });
        const watch = runOn([...program, "watch", "--from-start", WTMP], readOnly);
        assert.deepEqual(watch, { status: 1, err: "utmp watch: write error: Bad file descriptor (EBADF)\n" });
      }
    } finally {
      closeSync(readOnly);
    }
  },
);

test("run() with standard output closed (>&-) writes to /dev/null, which the runtime opens there, and exits 0 as utmpdump does", () => {
  using tmp = tempDir();
  const quoted = cliProgram(tmp.dir).map((a) => `'${a}'`).join(" ");
  const sh = (command: string) => spawnSync("sh", ["-c", `${command} >&-`], { env: ORACLE_ENV, timeout: 60_000 });
  const theirs = sh(`utmpdump '${WTMP}'`);
  const mine = sh(`${quoted} dump '${WTMP}'`);
  assert.equal(theirs.status, 0, theirs.stderr.toString());
  assert.equal(mine.status, theirs.status);
  assert.equal(mine.stderr.toString(), "");
});

test("run() stops quietly, exit code 0, when the reader of its pipe goes away (| head), watch too", async () => {
  using tmp = tempDir();
  const [program = "", ...args] = cliProgram(tmp.dir);
  for (const command of [["dump", WTMP], ["watch", "--from-start", WTMP]]) {
    const child = spawn(program, [...args, ...command], { env: ORACLE_ENV, stdio: ["ignore", "pipe", "pipe"] });
    // The reading end closed before anything is written: the command's first write meets EPIPE.
    child.stdout.destroy();
    let err = "";
    child.stderr.on("data", (d) => err += d);
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearTimeout(timer);
    assert.deepEqual({ code, err }, { code: 0, err: "" }, command.join(" "));
  }
});

test("main(argv) from plain JavaScript without streams writes to the process's own, as util-linux last prints", () => {
  using tmp = tempDir();
  const ext = import.meta.url.endsWith(".ts") ? "ts" : "js";
  const url = new URL(`../../src/cli/main.${ext}`, import.meta.url).href;
  const script = join(tmp.dir, "caller.mjs");
  // What a JavaScript caller writes from the README: no second argument; then a call with a wrong one.
  writeFileSync(
    script,
    `import { main } from ${JSON.stringify(url)};
process.exitCode = await main(["last", "-n", "1", "-f", ${JSON.stringify(WTMP)}]);
try { await main(["who"], "stdout"); } catch (e) { process.stderr.write(e.name + ": " + e.message + "\\n"); }
try { await main("who"); } catch (e) { process.stderr.write(e.name + ": " + e.message + "\\n"); }
`,
  );
  const program = "Deno" in globalThis ? [process.execPath, "run", "-A", script] : [process.execPath, script];
  const ran = spawnSync(program[0]!, program.slice(1), { env: ORACLE_ENV, encoding: "utf8", timeout: 60_000 });
  const theirs = spawnSync("last", ["-n", "1", "-f", WTMP], { env: ORACLE_ENV, encoding: "utf8" });
  assert.equal(ran.stdout, theirs.stdout);
  assert.equal(ran.status, 0);
  assert.equal(
    ran.stderr,
    "TypeError: Cannot run the command line: main()'s second argument, where to write, needs out(chunk) and err(text) (leave it out for the process's standard streams)\n" +
      'TypeError: Cannot run the command line: main() takes the arguments as an array of strings (["who", "-a"]); got a string\n',
  );
});
