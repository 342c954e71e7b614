/**
 * The command line as a whole: the registry, help and version, usage
 * errors, structured output, and the real process (task permissions,
 * standard output closed early).
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "../_harness.ts";
import { FIXTURES, ORACLE_ENV, tempDir, TESTS_DIR } from "../_util.ts";
import { main } from "../../src/cli/main.ts";
import { VERSION } from "../../src/cli/_version.ts";
import { lastSessions } from "../../src/last.ts";
import { UtmpFile } from "../../src/utmp_file.ts";
import { encodeRecord, LAYOUTS } from "../../src/layouts/mod.ts";
import { oracle, ours, utf8Of } from "./_run.ts";
import { all } from "../_collect.ts";

const COMMANDS = ["who", "users", "last", "lastb", "lastlog", "dump", "watch"];
const WTMP = join(FIXTURES, "utmp-rs/with_host_32.utmp");

test("main() lists every command, and --help of each shows its usage and the common options", async () => {
  const top = await ours(["--help"]);
  assert.equal(top.code, 0);
  for (const name of COMMANDS) {
    assert.match(top.out, new RegExp(`^  ${name} +\\S`, "m"));
    const help = await ours([name, "--help"]);
    assert.equal(help.code, 0, name);
    assert.match(help.out, new RegExp(`^Usage: utmp ${name} `));
    for (const common of ["--file", "--layout", "--json", "--ndjson", "--help", "--version", "--root"]) {
      // watch refuses --json (an array a watch never closes), so its help leaves it out.
      if (name === "watch" && common === "--json") assert.doesNotMatch(help.out, /--json\b/, "watch --help");
      else assert.match(help.out, new RegExp(`^ +(-\\w, )?${common}\\b`, "m"), `${name} --help lists ${common}`);
    }
    // Each option is listed once: a command's own (last's -f, --file; lastlog's -R, --root) replaces the common line.
    const listed = help.out.match(/^ +(-\w, )?--[\w-]+/gm)!.map((l) => l.replace(/^ +(-\w, )?/, ""));
    assert.deepEqual(listed, [...new Set(listed)], `${name} --help lists an option twice`);
    // `utmp help NAME` is `utmp NAME --help`.
    assert.deepEqual(await ours(["help", name]), help, `utmp help ${name}`);
  }
  assert.equal((await ours([])).code, 2);
});

test("main() lastb --help says it lists failed logins, and watch --help does not offer --json, which watch refuses", async () => {
  const lastb = await ours(["lastb", "--help"]);
  assert.match(lastb.out, /^Usage: utmp lastb .*\n\nShow a listing of failed login attempts\.\n/);
  assert.match((await ours(["last", "--help"])).out, /\n\nShow a listing of last logged in users\.\n/);
  const watch = await ours(["watch", "--json", "/nonexistent/wtmp"]);
  assert.equal(watch.code, 2);
  assert.match(watch.err, /^utmp watch: --json makes one array, which a watch never closes; use --ndjson\n/);
});

test("main() --version, -V and -v print the version of deno.json", async () => {
  const manifest = JSON.parse(readFileSync(join(TESTS_DIR, "..", "deno.json"), "utf8")) as { version: string };
  assert.equal(VERSION, manifest.version);
  for (const flag of ["--version", "-V", "-v"]) assert.equal((await ours([flag])).out, `utmp ${manifest.version}\n`);
  for (const name of COMMANDS) {
    assert.equal((await ours([name, "--version"])).out, `utmp ${name} ${manifest.version}\n`);
  }
});

test("main() rejects an unknown command or option with one line and exit code 2", async () => {
  for (const argv of [["wh"], ["help", "wh"]]) {
    const unknown = await ours(argv);
    assert.equal(unknown.code, 2);
    assert.equal(
      unknown.err,
      "utmp: unknown command 'wh'; commands: who, users, w, last, lastb, lastlog, dump, watch\n" +
        "Try 'utmp --help' for more information.\n",
    );
  }
  for (
    const [argv, message] of [
      [["--root"], "option '--root' requires an argument"],
      [["--root", "/host"], "missing command"],
      [["--frob", "who"], "unrecognized option '--frob'"],
      [["-Z"], "invalid option -- 'Z'"],
    ] as const
  ) {
    const ran = await ours([...argv]);
    assert.deepEqual(ran, {
      code: 2,
      out: "",
      err: `utmp: ${message}\nTry 'utmp --help' for more information.\n`,
    }, argv.join(" "));
  }
  const rootAfter = await ours(["who", WTMP, "--root"]);
  assert.deepEqual(rootAfter, {
    code: 2,
    out: "",
    err: "utmp who: option '--root' requires an argument\nTry 'utmp who --help' for more information.\n",
  });
  // --file FILE takes FILE's place: who FILE X is one operand too many, who --file FILE ARG1 ARG2 is "am i" on FILE.
  const extra = await ours(["who", "--file", WTMP, "x"]);
  assert.deepEqual(extra, {
    code: 2,
    out: "",
    err: "utmp who: extra operand 'x'\nTry 'utmp who --help' for more information.\n",
  });
  assert.deepEqual(await ours(["who", "--file", WTMP, "am", "i"]), await ours(["who", "-m", WTMP]));
  const option = await ours(["dump", "--frobnicate"]);
  assert.equal(option.code, 2);
  assert.equal(
    option.err,
    "utmp dump: unrecognized option '--frobnicate'\nTry 'utmp dump --help' for more information.\n",
  );
  const layout = await ours(["dump", "--layout", "vax", WTMP]);
  assert.equal(layout.code, 2);
  assert.match(layout.err, /^utmp dump: Cannot find layout "vax": expected one of "linux", /);
});

test("main() reports a file it cannot read on one line, without a stack trace, and exits 1", async () => {
  // (who and users read a directory as systemd-logind's session directory.)
  for (const name of ["dump", "last", "lastb"]) {
    const ran = await ours(name.startsWith("last") ? [name, "-f", TESTS_DIR] : [name, TESTS_DIR]);
    assert.equal(ran.code, 1, name);
    assert.equal(ran.out, "");
    assert.equal(
      ran.err,
      `utmp ${name}: Cannot read "${TESTS_DIR}": it is a directory (EISDIR); pass the path of a login-record file\n`,
    );
  }
});

test("main() --json prints one array and --ndjson one object per line, the same values", async () => {
  for (
    const argv of [["who", "-a", WTMP], ["users", WTMP], ["dump", WTMP], ["last", "-x", "-f", WTMP], [
      "lastb",
      "-f",
      WTMP,
    ]]
  ) {
    const json = JSON.parse(utf8Of((await ours([...argv, "--json"])).out));
    const lines = utf8Of((await ours([...argv, "--ndjson"])).out).split("\n");
    assert.equal(lines.pop(), "");
    assert.ok(Array.isArray(json));
    assert.deepEqual(lines.map((l) => JSON.parse(l)), json, argv.join(" "));
  }
});

test("main() who --json prints the records coreutils who -a shows, a user session's with its idle time", async () => {
  const json = JSON.parse(utf8Of((await ours(["who", "-a", "--json", WTMP])).out)) as Record<string, unknown>[];
  const records = await all(new UtmpFile(WTMP), (u) => JSON.parse(JSON.stringify(u)));
  // who -a shows every record but EMPTY ones and USER_PROCESS ones without a user.
  const shown = records.filter((u) => u.ut_type !== "EMPTY" && !(u.ut_type === "USER_PROCESS" && u.ut_user === ""));
  // -a includes -u: a user session also has "idle" (seconds since its terminal was used, or null).
  assert.deepEqual(json.map(({ idle: _, ...record }) => record), shown);
  for (const item of json) assert.equal("idle" in item, item.ut_type === "USER_PROCESS", JSON.stringify(item));
  assert.equal(json.length, oracle("who", ["-a", WTMP]).out.split("\n").length - 1);
});

test("main() last --json prints the sessions of lastSessions(), one per line util-linux last -x prints", async () => {
  const json = JSON.parse(utf8Of((await ours(["last", "-x", "--json", "-f", WTMP])).out));
  // The file's open sessions began before this machine booted: gone, as last's check finds.
  const sessions = await all(lastSessions(WTMP, { isAlive: () => false }), (s) => JSON.parse(JSON.stringify(s)));
  assert.deepEqual(json, sessions);
  const lines = oracle("last", ["-x", "-f", WTMP]).out.split("\n");
  assert.equal(json.length, lines.length - 3, "every line but the blank one and 'begins'");
});

const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
const MAIN = join(TESTS_DIR, "..", "src", "cli", "main.ts");

test("main.ts run as a program with the tasks' permissions prints what util-linux last prints", () => {
  const run = spawnSync(deno!.execPath(), [
    "run",
    "--allow-read",
    "--allow-env",
    "--allow-sys",
    MAIN,
    "last",
    "-f",
    WTMP,
  ], {
    env: ORACLE_ENV,
  });
  assert.equal(run.stderr.toString(), "");
  assert.equal(run.status, 0);
  assert.equal(run.stdout.toString("latin1"), oracle("last", ["-f", WTMP]).out);
}, { ignore: deno === undefined });

test("main.ts run as a program stops quietly when standard output is closed", () => {
  const sh = spawnSync("sh", ["-c", `"${deno!.execPath()}" run -A "${MAIN}" dump "${WTMP}" | head -c 10`], {
    env: ORACLE_ENV,
  });
  assert.equal(sh.stdout.toString(), "[1] [00000");
  assert.equal(sh.stderr.toString(), "");
}, { ignore: deno === undefined });

test(
  "main.ts run as a program: utmp watch exits 1 once its file is replaced by a FIFO, so a supervisor restarts it",
  async () => {
    using t = tempDir();
    const path = t.file("wtmp", new Uint8Array(0));
    const child = spawn(deno!.execPath(), ["run", "-A", MAIN, "watch", "--layout", "linux", "--", path], {
      env: ORACLE_ENV,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    let out = "";
    child.stderr.on("data", (d) => err += d);
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    // Once it is watching (a record appended shows as an event), the file becomes a FIFO.
    const shown = new Promise<void>((resolve) => {
      child.stdout.on("data", (d) => {
        out += d;
        if (out.includes("ann")) resolve();
      });
    });
    const appender = setInterval(() => {
      if (out === "") {
        appendFileSync(path, encodeRecord(LAYOUTS.linux, { ut_type: "USER_PROCESS", ut_user: "ann", tv_sec: 1e9 }));
      }
    }, 500);
    try {
      await Promise.race([shown, exited.then(() => assert.fail(`watch ended before its first event: ${err}`))]);
    } finally {
      clearInterval(appender);
    }
    rmSync(path);
    assert.equal(spawnSync("mkfifo", [path]).status, 0);
    const timer = setTimeout(() => child.kill("SIGKILL"), 15000);
    const code = await exited;
    clearTimeout(timer);
    assert.equal(code, 1, `still running 15 s after the swap (stderr: ${err})`);
    assert.match(err, /^utmp watch: Cannot read ".*": it is a FIFO, not a regular file \(EFTYPE\)/);
  },
  { ignore: deno === undefined },
);

test("main() watch says FILE does not exist yet, waits for it and prints its events; a FILE in no directory is refused", async () => {
  using tmp = tempDir();
  const typo = join(tmp.dir, "no-such-dir", "wtmp");
  assert.deepEqual(await ours(["watch", typo]), {
    code: 1,
    out: "",
    err: `utmp watch: Cannot watch "${typo}": no such directory "${
      join(tmp.dir, "no-such-dir")
    }" (ENOENT); check the path\n`,
  });
  const later = join(tmp.dir, "wtmp");
  let out = "";
  let err = "";
  const watching = main(["watch", "-n", "2", later], {
    out: (chunk) => void (out += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk)),
    err: (text) => void (err += text),
  });
  // The note comes before any event (within 30 s, on a loaded machine): the command is waiting, not stuck.
  for (let i = 0; i < 3000 && err === ""; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(err, `utmp watch: "${later}" does not exist yet; waiting for it to appear\n`);
  assert.equal(out, "");
  writeFileSync(later, readFileSync(WTMP));
  assert.equal(await watching, 0);
  // The first two records of the file, as watch --from-start prints them.
  assert.equal(out, (await ours(["watch", "--from-start", "-n", "2", WTMP])).out);
  assert.equal(out.split("\n").length, 3);
});

test("main() watch reads a FILE that was missing from its start, even when it appears before the first look", async () => {
  using tmp = tempDir();
  const later = join(tmp.dir, "wtmp");
  let out = "";
  let err = "";
  const watching = main(["watch", "-n", "2", later], {
    out: (chunk) => void (out += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk)),
    // The file is written the moment the note is said: before the watch has looked at anything.
    err: (text) => void (err += text, writeFileSync(later, readFileSync(WTMP))),
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`watch printed ${JSON.stringify(out)} in 60 s, not two events`)),
      60_000,
    );
  });
  try {
    assert.equal(await Promise.race([watching, late]), 0);
  } finally {
    clearTimeout(timer);
  }
  assert.equal(err, `utmp watch: "${later}" does not exist yet; waiting for it to appear\n`);
  assert.equal(out, (await ours(["watch", "--from-start", "-n", "2", WTMP])).out);
});
