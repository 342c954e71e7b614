/**
 * Rule of issue 17: nothing printed as text for a terminal carries a C0 or
 * C1 control, DEL or a bidi/format character from a record, a session
 * file, a database or a path — except where byte-identical output to the
 * classic tool requires it (`who`, `users` over utmp files, `lastlog`,
 * `last`'s `fputs_careful`, `dump`'s "?"), and there exactly what the tool
 * passes. `--json` escapes them as `\uXXXX`.
 *
 * The hostile values are the ones an unauthenticated SSH client writes into
 * btmp (OpenSSH copies the user name it was sent), and the ones a mounted
 * root's logind session files or symbolic links hold.
 *
 * @module
 */

import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UtmpFile, UtmpFileError } from "../../mod.ts";
import { encodeRecords, LAYOUTS, type RecordInput } from "../../src/layouts/mod.ts";
import { terminalLine, terminalText } from "../../src/_internal/escape/terminal.ts";
import { safeJson } from "../../src/_internal/escape/json.ts";
import { test } from "../_harness.ts";
import { ORACLE_ENV, tempDir } from "../_util.ts";
import { fileURLToPath } from "node:url";
import { oracle, ours, same, spawnDeno, utf8Of } from "../cli/_run.ts";
import { HAS_SQLITE, LASTLOG2_SCHEMA, sqlite, sqlValue, writeSession } from "../sources/_build.ts";
import { all } from "../_collect.ts";

/** What a terminal acts on: controls, format characters (bidi), line and paragraph separators. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** Fails when a line of text (a byte string of UTF-8) holds anything a terminal acts on but its final newline. */
function assertSafeLines(out: string, what: string): void {
  // A byte that is not UTF-8 is shown as U+FFFD by a UTF-8 terminal, but a Latin-1 one takes 0x9b as CSI: none either.
  assert.doesNotThrow(() => new TextDecoder("utf-8", { fatal: true }).decode(bytes(out)), what);
  for (const line of utf8Of(out).split("\n").slice(0, -1)) {
    assert.ok(!UNSAFE.test(line), `${what}: ${JSON.stringify(line)}`);
  }
}

const bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** User names and hosts a client at the SSH login prompt can have written (each fits ut_user's 32 bytes). */
const HOSTILE_USERS: readonly string[] = [
  "\x1b]0;pwned\x07", // OSC 0: window title
  "\x1b]52;c;cm0gLXJmIH4K\x07", // OSC 52: clipboard := "rm -rf ~\n"
  "\x1b[2J\x1b[H", // clear the screen
  "x\rroot", // CR: overwrite the line
  "a\tb\bc\x7f", // TAB, BS, DEL
  "c1\u009b2J", // C1 CSI as UTF-8
  "\u202eevil\u2066", // bidi override, isolate
  "zero\u200bwidth\u2028",
];

/** A btmp: normal failed logins, then the hostile ones, one with a line feed in the host (a forged second line). */
function hostileBtmp(): Uint8Array {
  const records: RecordInput[] = [];
  for (let i = 0; i < 8; i++) {
    records.push({
      ut_type: "LOGIN_PROCESS",
      ut_pid: 100 + i,
      ut_line: "ssh:notty",
      ut_user: `user${i}`,
      tv_sec: 1700000000 + i,
      ut_host: "198.51.100.7",
    });
  }
  HOSTILE_USERS.forEach((user, i) =>
    records.push({
      ut_type: "LOGIN_PROCESS",
      ut_pid: 200 + i,
      ut_line: "ssh:notty",
      ut_user: user,
      ut_host: i === 0 ? "198.51.100.7\nlogin    root     tty1         2023-11-14T22:13:20+00:00" : "198.51.100.7",
      tv_sec: 1700000100 + i,
    })
  );
  // Bytes no UTF-8 decoder takes: F5 80 80 (a lead byte past U+10FFFF's) and a continuation byte alone.
  records.push({
    ut_type: "LOGIN_PROCESS",
    ut_pid: 299,
    ut_line: "ssh:notty",
    ut_user: Uint8Array.of(0x66, 0xf5, 0x80, 0x80, 0x9b, 0x32, 0x4a),
    ut_host: "198.51.100.7",
    tv_sec: 1700000199,
  });
  return encodeRecords(LAYOUTS.linux, records);
}

test("terminalText() escapes C0, DEL, C1, bidi and format characters and separators, and nothing else", () => {
  assert.equal(terminalText("\x1b]0;t\x07\r\n\t\x00\x7f"), "\\x1b]0;t\\x07\\x0d\\x0a\\x09\\x00\\x7f");
  assert.equal(terminalText("\u009b2J\u0085"), "\\u009b2J\\u0085");
  assert.equal(terminalText("\u202aa\u202e\u2066\u2069\u200f\u061c"), "\\u202aa\\u202e\\u2066\\u2069\\u200f\\u061c");
  assert.equal(
    terminalText("\u2028\u2029\u00ad\ufeff\u{e0001}\ud800"),
    "\\u2028\\u2029\\u00ad\\ufeff\\u{e0001}\\ud800",
  );
  // Printable text, the backslash and U+FFFD (what invalid UTF-8 decodes to) stay as they are.
  const plain = "alice pts/0 2001:db8::1 rüdiger 東京 \\x1b \ufffd 😀";
  assert.equal(terminalText(plain), plain);
  assert.equal(terminalLine("utmp who: \x1b[2J\n"), "utmp who: \\x1b[2J\n");
  for (let cp = 0; cp < 0x3000; cp++) {
    const c = String.fromCodePoint(cp);
    assert.equal(terminalText(c) !== c, UNSAFE.test(c), `U+${cp.toString(16)}`);
    assert.ok(!UNSAFE.test(terminalText(c)));
  }
});

test("safeJson() writes DEL, C1, bidi and format characters as \\u escapes: the same JSON value", () => {
  const value = { ut_user: "c1\u009b2J\u007f", ut_host: "\u009d0;T\u009c\u202eevil\u2028\u{e0001}", plain: "é東\\" };
  const json = safeJson(JSON.stringify(value));
  assert.equal(
    json,
    '{"ut_user":"c1\\u009b2J\\u007f","ut_host":"\\u009d0;T\\u009c\\u202eevil\\u2028\\udb40\\udc01","plain":"é東\\\\"}',
  );
  assert.ok(!UNSAFE.test(json));
  assert.deepEqual(JSON.parse(json), value);
});

test("main() watch shows the hostile users and hosts of a btmp escaped, one line per record", async () => {
  using t = tempDir();
  const btmp = t.file("btmp", hostileBtmp());
  const n = 8 + HOSTILE_USERS.length + 1;
  const ran = await ours(["watch", "--from-start", "--layout", "linux", "-n", String(n), btmp]);
  assert.equal(ran.code, 0, ran.err);
  assertSafeLines(ran.out, "watch");
  const lines = utf8Of(ran.out).split("\n").slice(0, -1);
  assert.equal(lines.length, n, "a line feed in a host forges no line");
  assert.equal(lines[0], "other    user0    ssh:notty    2023-11-14T22:13:20+00:00 (198.51.100.7)");
  assert.equal(
    lines[8],
    "other    \\x1b]0;pwned\\x07 ssh:notty    2023-11-14T22:15:00+00:00 " +
      "(198.51.100.7\\x0alogin    root     tty1         2023-11-14T22:13:20+00:00)",
  );
  assert.equal(lines[11], "other    x\\x0droot ssh:notty    2023-11-14T22:15:03+00:00 (198.51.100.7)");
  assert.equal(lines[14], "other    \\u202eevil\\u2066 ssh:notty    2023-11-14T22:15:06+00:00 (198.51.100.7)");
  // The same records as the library reads them, user by user: the text is the record's, escaped.
  const users: string[] = await all(new UtmpFile(btmp, { layout: "linux" }), (u) => terminalText(u.ut_user));
  assert.deepEqual(lines.map((l) => l.slice(9, l.indexOf(" ssh:notty")).trimEnd()), users);
});

test("main() watch --ndjson and dump --json escape C1 and bidi characters, and parse back to the records' values", async () => {
  using t = tempDir();
  const btmp = t.file("btmp", hostileBtmp());
  const records: Record<string, unknown>[] = await all(
    new UtmpFile(btmp, { layout: "linux" }),
    (u) => JSON.parse(JSON.stringify(u)),
  );
  const watched = await ours(["watch", "--from-start", "--ndjson", "--layout", "linux", "-n", "17", btmp]);
  const dumped = await ours(["dump", "--json", "--layout", "linux", btmp]);
  for (const ran of [watched, dumped]) {
    assert.equal(ran.code, 0, ran.err);
    assert.ok(!UNSAFE.test(utf8Of(ran.out).replaceAll("\n", "")));
    assert.match(ran.out, /"ut_user":"c1\\u009b2J"/);
    assert.match(ran.out, /"ut_user":"\\u202eevil\\u2066"/);
  }
  const fromWatch = utf8Of(watched.out).trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(fromWatch.map((e) => e.record), records);
  assert.deepEqual(JSON.parse(utf8Of(dumped.out)), records);
});

test("main() who, users, lastb and dump keep the classic tools' bytes over the hostile records of a utmp file", async () => {
  using t = tempDir();
  // The same hostile names as USER_PROCESS records (what who and users list), and the btmp for lastb and dump.
  const utmp = t.file(
    "utmp",
    encodeRecords(
      LAYOUTS.linux,
      HOSTILE_USERS.map((user, i) => ({
        ut_type: "USER_PROCESS",
        ut_pid: 300 + i,
        ut_line: `pts/${i}`,
        ut_id: `s${i}`,
        ut_user: user,
        ut_host: "\x1b]0;host\x07",
        tv_sec: 1700000200 + i,
      })),
    ),
  );
  const btmp = t.file("btmp", hostileBtmp());
  for (const args of [["--layout", "linux", utmp], ["-a", "--layout", "linux", utmp]]) {
    const theirs = oracle("who", args.filter((a) => a !== "--layout" && a !== "linux"));
    const mine = await ours(["who", ...args]);
    assert.equal(mine.out, theirs.out);
    assert.ok(mine.out.includes("\x1b]0;pwned\x07"), "coreutils who prints them raw, and so does utmp who");
  }
  // (--layout: layout detection, which another rule covers, is not what is tested here.)
  assert.equal((await ours(["users", "--layout", "linux", utmp])).out, oracle("users", [utmp]).out);
  await same("lastb", ["-f", btmp]);
  const dumped = await ours(["dump", "--layout", "linux", btmp]);
  assert.equal(dumped.out, oracle("utmpdump", [btmp]).out);
});

test("utmp lastb in a UTF-8 locale prints what util-linux lastb prints for bytes no UTF-8 decoder takes", () => {
  using t = tempDir();
  const btmp = t.file("btmp", hostileBtmp());
  const env = { ...ORACLE_ENV, LC_ALL: "C.UTF-8", LANG: "C.UTF-8" };
  const main = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
  const mine = spawnDeno("deno", ["run", "-A", main, "lastb", "-f", btmp], env);
  const theirs = spawnSync("lastb", ["-f", btmp], { env, encoding: "latin1" });
  assert.equal(mine.code, theirs.status, mine.err);
  // fputs_careful: "f" then F5 80 80 9B escaped byte by byte (F5 leads no UTF-8 character).
  assert.match(theirs.stdout, /^f\\365\\200\\200\\2332J /m);
  assert.equal(mine.out, theirs.stdout);
}, { ignore: !("Deno" in globalThis) });

test("main() who and users escape what logind's session files hold, printing what coreutils prints for the escaped text", async () => {
  using t = tempDir();
  const sessions = join(t.dir, "host/run/systemd/sessions");
  // REMOTE_HOST as session_save() writes it (cescape: \xNN, \a); USER as a forged file holds it (raw).
  writeSession(sessions, "3", {
    UID: "1000",
    USER: "al\x1b[8mice",
    CLASS: "user",
    TTY: "pts/3",
    REMOTE_HOST: "\\x1b]0;pwned\\a\\x1b[2J\\u202e",
    LEADER: "4242",
    REALTIME: "1700000000000000",
  });
  const host = terminalText("\x1b]0;pwned\x07\x1b[2J\u202e");
  assert.equal(host, "\\x1b]0;pwned\\x07\\x1b[2J\\u202e");
  // coreutils who over the same session written as utmp, with the escaped text: the reference line.
  const reference = t.file(
    "utmp",
    encodeRecords(LAYOUTS.linux, [{
      ut_type: "USER_PROCESS",
      ut_pid: 4242,
      ut_line: "pts/3",
      ut_id: "3",
      ut_user: terminalText("al\x1b[8mice"),
      ut_host: host,
      tv_sec: 1700000000,
    }]),
  );
  for (const flags of [[], ["-a"], ["-q"]]) {
    const mine = await ours(["--root", join(t.dir, "host"), "who", ...flags]);
    assert.equal(mine.code, 0, mine.err);
    assertSafeLines(mine.out, `who ${flags.join(" ")}`);
    assert.equal(mine.out, oracle("who", [...flags, reference]).out, `who ${flags.join(" ")}`);
  }
  const users = await ours(["--root", join(t.dir, "host"), "users"]);
  assert.equal(users.out, "al\\x1b[8mice\n");
});

test("main() escapes paths and operands in its messages; UtmpFileError keeps the path and quotes it escaped", async () => {
  using t = tempDir();
  // A mounted root whose btmp is a link to a name made of escapes (p07 of the review).
  mkdirSync(join(t.dir, "r/var/log"), { recursive: true });
  const target = "/\x1b]0;PWNED\x07\x1b[2J\x1b[31mfake error\x1b[0m";
  symlinkSync(target, join(t.dir, "r/var/log/btmp"));
  const ran = await ours(["--root", join(t.dir, "r"), "lastb"]);
  assert.equal(ran.code, 1);
  assert.match(ran.err, /^[^\n]+\n$/);
  assert.ok(!UNSAFE.test(ran.err.slice(0, -1)), JSON.stringify(ran.err));
  assert.equal(
    ran.err,
    `utmp lastb: Cannot find failed logins: no btmp at "${join(t.dir, "r")}/` +
      `\\x1b]0;PWNED\\x07\\x1b[2J\\x1b[31mfake error\\x1b[0m" and no systemd journal at "${
        join(t.dir, "r/var/log/journal")
      }" or "${join(t.dir, "r/run/log/journal")}"; name the file to read: 'utmp lastb -f FILE'\n`,
  );
  const usage = await ours(["who", "a", "b", "\x1b[2J\u202e"]);
  assert.equal(usage.code, 2);
  assert.equal(
    usage.err,
    "utmp who: extra operand '\\x1b[2J\\u202e'\nTry 'utmp who --help' for more information.\n",
  );
  const command = await ours(["\x1b]0;x\x07"]);
  assert.equal(command.code, 2);
  assert.ok(!UNSAFE.test(command.err.replaceAll("\n", "")));
  // The library: the path as given in `path`, escaped in the message.
  const path = join(t.dir, "no\x1b[2Jsuch");
  await assert.rejects(
    async () => {
      for await (const _ of new UtmpFile(path)) break;
    },
    (e) => e instanceof UtmpFileError && e.path === path && e.message.includes(`"${join(t.dir, "no")}\\x1b[2Jsuch"`),
  );
});

test("main() says why a file whose name is not UTF-8 cannot be opened, rather than only that it is missing", async () => {
  using t = tempDir();
  // The file exists under the raw bytes; the runtime hands the argument over as text, U+FFFD for the byte 0xff.
  execFileSync("sh", ["-c", `printf '' > "$1/bad$(printf '\\377')name"`, "sh", t.dir]);
  // (Checked by the shell: Deno's readdir gives U+FFFD even for names as bytes.)
  execFileSync("sh", ["-c", `test -f "$1/bad$(printf '\\377')name"`, "sh", t.dir]);
  assert.equal(readdirSync(t.dir).length, 1);
  const ran = await ours(["last", "-f", join(t.dir, "bad\ufffdname")]);
  assert.equal(ran.code, 1);
  assert.equal(
    ran.err,
    `utmp last: Cannot open "${join(t.dir, "bad\ufffdname")}": no such file (ENOENT); if the name holds bytes ` +
      "that are not UTF-8 (shown as \ufffd), it cannot be passed as text: link or rename it to a UTF-8 name\n",
  );
});

test(
  "main() lastlog over a lastlog2 database (--file, --root) escapes what a database holds in its TTY and RemoteHost",
  async () => {
    using t = tempDir();
    const root = t.file("root");
    mkdirSync(join(root, "var/lib/lastlog"), { recursive: true });
    mkdirSync(join(root, "etc"));
    const db = join(root, "var/lib/lastlog/lastlog2.db");
    const names = HOSTILE_USERS.map((_, i) => `user${i}`);
    sqlite(
      db,
      LASTLOG2_SCHEMA +
        HOSTILE_USERS.map((text, i) =>
          `INSERT INTO Lastlog2 VALUES(${sqlValue(names[i]!)}, ${1700000000 + i}, ${sqlValue(text.slice(0, 8))}, ` +
          `${sqlValue(`${text}\nforged   pts/9    203.0.113.9`)}, 'sshd');`
        ).join(""),
    );
    writeFileSync(
      join(root, "etc/passwd"),
      names.map((n, i) => `${n}:x:${1000 + i}:${1000 + i}::/home/${n}:/bin/sh\n`).join(""),
    );
    for (const argv of [["lastlog", "--file", db, "-R", root], ["--root", root, "lastlog"]]) {
      const ran = await ours(argv);
      assert.equal(ran.code, 0, ran.err);
      assertSafeLines(ran.out, argv.join(" "));
      const lines = utf8Of(ran.out).split("\n").slice(0, -1);
      assert.equal(lines.length, 1 + names.length, "a line per user, no forged one");
      assert.ok(lines[1]!.includes("\\x1b]0;pwned\\x07"), lines[1]);
    }
  },
  { ignore: !HAS_SQLITE },
);
