/**
 * Rule of issue 17: with a root (`--root DIR`, `lastlog -R DIR`, the
 * library's `root` option), no file outside the root is opened, whatever
 * the links: they are followed inside it, at most 40 (the kernel's
 * `MAXSYMLINKS`), and refused past that; the same code (`rootPath`)
 * resolves every system path of every command. logind's session files are
 * never opened through a link, and never read whole past 64 KiB.
 *
 * @module
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { history, lastlogs, loggedIn, UtmpFileError, who } from "../../mod.ts";
import { logindRecords } from "../../src/sources/mod.ts";
import { rootPath, rootPathSync } from "../../src/sources/_root.ts";
import { Machine } from "../../src/sources/_proc.ts";
import { cunescape, logindSessions, readLogindSessions, SESSION_FILE_LIMIT } from "../../src/sources/logind.ts";
import { readRegularFile } from "../../src/backends/_whole.ts";
import { encodeRecord, encodeRecords, LAYOUTS } from "../../src/layouts/mod.ts";
import { test } from "../_harness.ts";
import { tempDir } from "../_util.ts";
import { oracle, ours } from "../cli/_run.ts";
import { writeSession } from "../sources/_build.ts";

const onLinux = { ignore: process.platform !== "linux" };
const canChroot = { ignore: process.platform !== "linux" || process.getuid?.() !== 0 };

/** What the kernel makes of a path: opened, or the error code. */
function kernelOpens(path: string): string {
  try {
    closeSync(openSync(path, "r"));
    return "opened";
  } catch (error) {
    return (error as { code: string }).code;
  }
}

/** What rootPath() makes of a path under `root`: resolved (then opened), or the error code. */
async function resolvedOpens(root: string, path: string): Promise<string> {
  try {
    return kernelOpens(await rootPath(root, path));
  } catch (error) {
    return error instanceof UtmpFileError ? error.code : String(error);
  }
}

const SESSION = { UID: "1000", CLASS: "user", REALTIME: "1700000000000000", LEADER: "77" };

test("rootPath() follows as many symbolic links as the kernel does, 40, and refuses the 41st with ELOOP", async () => {
  using t = tempDir();
  writeFileSync(t.file("end"), "x");
  for (const n of [39, 40, 41]) {
    // A chain of n relative links (the same inside a root as outside): c<n>-1 -> c<n>-2 -> ... -> end.
    for (let i = 1; i <= n; i++) symlinkSync(i === n ? "end" : `c${n}-${i + 1}`, t.file(`c${n}-${i}`));
    const expected = n <= 40 ? "opened" : "ELOOP";
    assert.equal(kernelOpens(t.file(`c${n}-1`)), expected, `the kernel, ${n} links`);
    assert.equal(await resolvedOpens(t.dir, `/c${n}-1`), expected, `rootPath(), ${n} links`);
    let sync: string;
    try {
      sync = kernelOpens(rootPathSync(t.dir, `/c${n}-1`));
    } catch (error) {
      sync = error instanceof UtmpFileError ? error.code : String(error);
    }
    assert.equal(sync, expected, `rootPathSync(), ${n} links`);
  }
}, onLinux);

test(
  "main() who under --root refuses a chain of 41 links ending outside the root, where the kernel would have left",
  async () => {
    using t = tempDir();
    const root = join(t.dir, "r");
    mkdirSync(join(root, "var/run"), { recursive: true });
    const outside = t.file(
      "outside-utmp",
      encodeRecords(LAYOUTS.linux, [{
        ut_type: "USER_PROCESS",
        ut_pid: 1,
        ut_line: "pts/0",
        ut_user: "host-user",
        tv_sec: 1700000000,
      }]),
    );
    // var/run/utmp -> /l1 -> ... -> /l40 -> the host's file: 41 links, the last one absolute.
    symlinkSync("/l1", join(root, "var/run/utmp"));
    for (let i = 1; i <= 40; i++) symlinkSync(i === 40 ? outside : `/l${i + 1}`, join(root, `l${i}`));
    const ran = await ours(["--root", root, "who", "-a"]);
    assert.equal(ran.code, 1);
    assert.ok(!ran.out.includes("host-user"), ran.out);
    assert.match(ran.err, /\(ELOOP\)/);
    await assert.rejects(
      () => rootPath(root, "/var/run/utmp"),
      (e) => e instanceof UtmpFileError && e.code === "ELOOP",
    );
  },
  onLinux,
);

test(
  "readLogindSessions() and main() who under --root never open a session file through a link, nor one too large",
  async () => {
    using t = tempDir();
    const root = join(t.dir, "r");
    const dir = join(root, "run/systemd/sessions");
    writeSession(dir, "4", { ...SESSION, USER: "inside", TTY: "pts/4" });
    // What the review opened: a host file (as /etc/shadow), by an absolute link and by ../.. climbing out of the root.
    const secret = t.file("secret", "USER=outside-secret\nCLASS=user\nTTY=pts/7\nREMOTE_HOST=leaked\n");
    symlinkSync(secret, join(dir, "1"));
    symlinkSync("../../../../secret", join(dir, "2"));
    // /proc/self/pagemap behind a link (4 GB read before), and a sparse 1.5 GB file (3 GB allocated before).
    symlinkSync("/proc/self/pagemap", join(dir, "3"));
    writeFileSync(join(dir, "5"), "USER=sparse\nCLASS=user\nTTY=pts/5\n");
    truncateSync(join(dir, "5"), 1.5 * 2 ** 30);
    // One just under the limit is read.
    writeSession(dir, "6", { ...SESSION, USER: "big", TTY: "pts/6", DEVICES: "x".repeat(SESSION_FILE_LIMIT - 200) });
    const before = process.memoryUsage().rss;
    const started = Date.now();
    const sessions = await readLogindSessions(dir);
    assert.deepEqual(sessions.map((s) => `${s.id} ${s.values.USER}`), ["4 inside", "6 big"]);
    assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms`);
    assert.ok(process.memoryUsage().rss - before < 256 * 2 ** 20, "no file read whole");
    const who = await ours(["--root", root, "who"]);
    assert.equal(who.code, 0, who.err);
    assert.deepEqual(who.out.split("\n").filter((l) => l !== "").map((l) => l.split(" ")[0]).sort(), [
      "big",
      "inside",
    ]);
  },
  onLinux,
);

test(
  "readRegularFile() refuses a file past its limit (EFBIG) and a final link with noFollow (ELOOP), before reading",
  async () => {
    using t = tempDir();
    const sparse = t.file("sparse", "");
    truncateSync(sparse, 2 ** 32); // past what a Uint8Array holds in Node
    await assert.rejects(() => readRegularFile(sparse), (e) => e instanceof UtmpFileError && e.code === "EFBIG");
    await assert.rejects(
      () => readRegularFile(sparse, { maxBytes: 10 }),
      (e) => e instanceof UtmpFileError && e.code === "EFBIG" && e.path === sparse,
    );
    const small = t.file("small", "0123456789");
    assert.equal((await readRegularFile(small, { maxBytes: 10 })).length, 10);
    symlinkSync(small, t.file("link"));
    assert.equal((await readRegularFile(t.file("link"))).length, 10);
    await assert.rejects(
      () => readRegularFile(t.file("link"), { noFollow: true }),
      (e) => e instanceof UtmpFileError && e.code === "ELOOP",
    );
  },
  onLinux,
);

test("a root's /proc and /dev are looked at through links inside the root, never the host's", () => {
  using t = tempDir();
  // The tree's /proc is a link to /fakeproc: in the tree, its own directory; followed by the kernel from here,
  // the host's /fakeproc (absent). Its /dev links out with "..": inside the tree ".." stops at its top.
  const root = join(t.dir, "r");
  mkdirSync(join(root, "fakeproc/1"), { recursive: true });
  writeFileSync(join(root, "fakeproc/uptime"), "100.00 100.00\n");
  symlinkSync("/fakeproc", join(root, "proc"));
  symlinkSync("../../../../../../../../../../dev", join(root, "dev"));
  assert.equal(kernelOpens(join(root, "proc/uptime")), "ENOENT", "the kernel leaves the tree");
  assert.equal(kernelOpens(join(root, "dev/null")), "opened", "the kernel leaves the tree");
  const machine = new Machine(root);
  assert.equal(machine.path("/proc/uptime"), join(root, "fakeproc/uptime"));
  assert.equal(machine.hasProc, true);
  assert.equal(machine.pidAlive(1), true, "the tree's process 1");
  assert.equal(machine.pidAlive(process.pid), false, "this process is the host's, not the tree's");
  // dev -> ../../dev resolves to the tree's own "dev", the same link again, until the 41st: refused.
  assert.throws(() => machine.path("/dev/null"), (e) => e instanceof UtmpFileError && e.code === "ELOOP");
  // A FIFO where the password file or a process's file should be is passed over at once (an open would block).
  mkdirSync(join(root, "etc"));
  execFileSync("mkfifo", [join(root, "etc/passwd"), join(root, "fakeproc/1/stat")]);
  assert.equal(machine.uidOf("root"), undefined);
  assert.equal(machine.pidAlive(1), true);
  assert.equal(machine.processes()?.find((p) => p.pid === 1), undefined);
}, onLinux);

test(
  "a fake /proc under a root costs what the kernel's would: sparse 64 MiB stat, status, cmdline files are no process",
  () => {
    using t = tempDir();
    const root = join(t.dir, "r");
    mkdirSync(join(root, "proc"), { recursive: true });
    writeFileSync(join(root, "proc/uptime"), "100.00 100.00\n");
    writeFileSync(join(root, "proc/loadavg"), "0.00 0.00 0.00 1/1 1\n");
    const stat = (pid: number) => `${pid} (sh) S 1 ${pid} ${pid} 34816 ${pid} 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0`;
    // 200 processes whose files are 64 MiB each on paper (nothing on disk): read whole, they took 54 s for 50.
    for (let pid = 1000; pid < 1200; pid++) {
      mkdirSync(join(root, `proc/${pid}`));
      for (const name of ["stat", "status", "cmdline"]) {
        const path = join(root, `proc/${pid}/${name}`);
        writeFileSync(path, name === "stat" ? stat(pid) : name === "status" ? "Uid:\t0\t0\t0\t0\n" : "sleep\0");
        truncateSync(path, 64 << 20);
      }
    }
    // One process as the kernel writes it, with a command line of 300 KiB (procps keeps 128 KiB of it).
    mkdirSync(join(root, "proc/77"));
    writeFileSync(join(root, "proc/77/stat"), stat(77));
    writeFileSync(join(root, "proc/77/status"), "Name:\tsh\nUid:\t1000\t1000\t1000\t1000\n");
    writeFileSync(join(root, "proc/77/cmdline"), "x".repeat(300 * 1024) + "\0");
    const machine = new Machine(root);
    const started = performance.now();
    const processes = machine.processes()!;
    assert.deepEqual(processes.map((p) => p.pid), [77], "the sparse files are no process");
    assert.equal(machine.uids(1000), undefined);
    assert.deepEqual(machine.uids(77), { ruid: 1000, euid: 1000 });
    assert.equal(machine.cmdline(77).length, 128 * 1024 - 1);
    assert.equal(machine.cmdline(1000), "sleep", "a sparse cmdline: its first 128 KiB read, the rest left");
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 10_000, `bounded: ${elapsed} ms for 201 processes (reading the files whole took minutes)`);
  },
  onLinux,
);

test("cunescape() undoes megabytes of escapes in time and memory linear in them", () => {
  // 50 MB of escapes took 918 MB before (a number[] per byte): 6.4 MB of them here, checked against their text.
  const escaped = "\\n\\x41\\101\\u00e9".repeat(400_000);
  // Bun runs every test file in one process: what earlier tests left is collected first, where a program may ask.
  (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc(true);
  const before = process.memoryUsage().rss;
  const started = Date.now();
  const text = cunescape(escaped);
  assert.equal(text, "\nAAé".repeat(400_000));
  // Quadratic work on 6.4 MB would take hours; linear takes well under a second on a quiet machine.
  assert.ok(Date.now() - started < 30_000, `${Date.now() - started} ms`);
  assert.ok(process.memoryUsage().rss - before < 200 * 2 ** 20);
  assert.equal(cunescape("a\\qb\\x4\\"), "a\\qb\\x4\\", "unknown and cut escapes stay as written");
});

/** A system tree for lastlog whose etc and lastlog are links: absolute (to the root's own /conf) and relative. */
function lastlogRoot(root: string): void {
  mkdirSync(join(root, "conf"), { recursive: true });
  mkdirSync(join(root, "data"), { recursive: true });
  mkdirSync(join(root, "var/log"), { recursive: true });
  symlinkSync("/conf", join(root, "etc"));
  writeFileSync(join(root, "conf/passwd"), "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n");
  const layout = LAYOUTS["lastlog-linux"];
  const slots = new Uint8Array(1001 * layout.size);
  encodeRecord(layout, { ut_line: "pts/3", ut_host: "192.0.2.9", tv_sec: 1700000000 }, slots, 1000 * layout.size);
  writeFileSync(join(root, "data/lastlog"), slots);
  symlinkSync("../../data/lastlog", join(root, "var/log/lastlog"));
}

test("main() lastlog -R and --root resolve passwd and lastlog inside the root, as shadow's chroot does", async () => {
  using t = tempDir();
  const root = join(t.dir, "r");
  lastlogRoot(root);
  const theirs = oracle("lastlog", ["-R", root]);
  assert.match(theirs.out, /^alice +pts\/3 +192\.0\.2\.9/m);
  for (const argv of [["lastlog", "-R", root], ["--root", root, "lastlog"]]) {
    const mine = await ours(argv);
    assert.equal(mine.out, theirs.out, argv.join(" "));
    assert.equal(mine.code, theirs.code);
  }
  // etc as a link to a directory outside the root (holding a passwd): inside the root it leads nowhere.
  const escaping = join(t.dir, "e");
  mkdirSync(join(escaping, "var/log"), { recursive: true });
  writeFileSync(join(escaping, "var/log/lastlog"), "");
  mkdirSync(t.file("outside"));
  writeFileSync(t.file("outside/passwd"), "outsider:x:1000:1000::/:/bin/sh\n");
  symlinkSync(t.file("outside"), join(escaping, "etc"));
  const shadow = oracle("lastlog", ["-R", escaping]);
  const mine = await ours(["--root", escaping, "lastlog"]);
  assert.ok(!mine.out.includes("outsider"), mine.out);
  assert.equal(mine.out, shadow.out);
  assert.equal(mine.code, shadow.code);
}, canChroot);

test("main() dump under --root dumps the root's utmp, found through its own /var/run -> /run link", async () => {
  using t = tempDir();
  const root = join(t.dir, "r");
  mkdirSync(join(root, "run"), { recursive: true });
  mkdirSync(join(root, "var"), { recursive: true });
  symlinkSync("/run", join(root, "var/run"));
  const utmp = join(root, "run/utmp");
  writeFileSync(
    utmp,
    encodeRecords(LAYOUTS.linux, [
      { ut_type: "BOOT_TIME", ut_line: "~", ut_user: "reboot", tv_sec: 1700000000 },
      { ut_type: "USER_PROCESS", ut_pid: 9, ut_line: "pts/0", ut_user: "in-root", tv_sec: 1700000060 },
    ]),
  );
  const mine = await ours(["--root", root, "dump"]);
  assert.equal(mine.code, 0, mine.err);
  assert.equal(mine.out, oracle("utmpdump", [utmp]).out);
  assert.match(mine.out, /in-root/);
}, onLinux);

test(
  "logindSessions() under a root lists its /dev/pts once, however many sessions sshd left without a TTY",
  async () => {
    using t = tempDir();
    const root = join(t.dir, "r");
    const sessions = join(root, "run/systemd/sessions");
    for (let i = 1; i <= 200; i++) {
      writeSession(sessions, String(i), { UID: "1000", USER: `u${i}`, CLASS: "user", TYPE: "tty", SERVICE: "sshd" });
    }
    // 20,000 entries in the root's /dev/pts (empty files): each TTY-less session listed and statted them all again.
    mkdirSync(join(root, "dev/pts"), { recursive: true });
    for (let i = 0; i < 20_000; i++) writeFileSync(join(root, "dev/pts", String(i)), "");
    const started = performance.now();
    const lines: string[] = [];
    for await (const e of logindSessions(sessions, { root, noFollow: true })) {
      lines.push(
        ...e.records.map((u) => u.ut_line),
      );
    }
    const elapsed = performance.now() - started;
    assert.deepEqual(
      lines,
      Array(200).fill("sshd"),
      "no pty of theirs changed within 5 s of their start: SERVICE alone",
    );
    assert.ok(elapsed < 20_000, `bounded: ${elapsed} ms (53 s before)`);
  },
  onLinux,
);

test("a root or a session directory holding a NUL byte is EINVAL, as a file's path is, from every reader", async () => {
  const drain = async (items: AsyncIterable<unknown>) => {
    for await (const _ of items);
  };
  const calls: [string, () => Promise<unknown>][] = [
    ["who()", () => drain(who({ root: "/tmp/x\0y" }))],
    ["history()", () => drain(history({ root: "/tmp/x\0y" }))],
    ["lastlogs()", () => drain(lastlogs({ root: "/tmp/x\0y" }))],
    ["loggedIn()", () => loggedIn({ root: "/tmp/x\0y" })],
    ["logindRecords()", () => drain(logindRecords("/tmp/a\0b"))],
    ["readLogindSessions()", () => readLogindSessions("/tmp/a\0b")],
  ];
  for (const [name, call] of calls) {
    await assert.rejects(
      call(),
      (e) => e instanceof UtmpFileError && e.code === "EINVAL" && /NUL byte/.test(e.message),
      name,
    );
  }
});

test("main() w under a root reads each process's files once, however many sessions look among them", async () => {
  using t = tempDir();
  const root = join(t.dir, "r");
  mkdirSync(join(root, "proc"), { recursive: true });
  writeFileSync(join(root, "proc/uptime"), "100.00 100.00\n");
  writeFileSync(join(root, "proc/loadavg"), "0.00 0.00 0.00 1/1 1\n");
  const stat = (pid: number, ppid: number, tty: number) =>
    `${pid} (x) S ${ppid} ${pid} ${pid} ${tty} ${pid} 0 0 0 0 0 0 0 0 20 0 1 0 ${pid} 0 0\n`;
  mkdirSync(join(root, "proc/1"));
  writeFileSync(join(root, "proc/1/stat"), stat(1, 0, 0));
  // 8,000 processes: half children of the sessions' leader without a terminal (its children were searched once per
  // child), half of "no terminal" -1 (each session's search read their status and command line again).
  for (let pid = 2; pid <= 8000; pid++) {
    mkdirSync(join(root, `proc/${pid}`));
    writeFileSync(join(root, `proc/${pid}/stat`), pid <= 4000 ? stat(pid, 1, 0) : stat(pid, 9999999, -1));
    writeFileSync(join(root, `proc/${pid}/status`), "Name:\tx\nUid:\t1000\t1000\t1000\t1000\n");
  }
  const sessions = join(root, "run/systemd/sessions");
  for (let i = 1; i <= 40; i++) {
    writeSession(sessions, String(i), { UID: "1000", USER: "u", CLASS: "user", TYPE: "x11", LEADER: "1" });
  }
  const started = performance.now();
  const ran = await ours(["--root", root, "w", "-h"]);
  const elapsed = performance.now() - started;
  assert.equal(ran.code, 0, ran.err);
  assert.equal(ran.out.split("\n").filter((l) => l !== "").length, 40, ran.out);
  assert.ok(elapsed < 20_000, `bounded: ${elapsed} ms for 40 sessions over 8,000 processes (some 45 s before)`);
}, onLinux);
