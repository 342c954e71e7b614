/**
 * Rule 2 of issue 9: a path that is not a regular file (a directory,
 * /dev/zero, a FIFO, a socket), a symlink loop, a file the reader may not
 * read (btmp's 0600, read by another user) and a missing file get a clear
 * error at once — with `code` and the path — from every entry point of the
 * library and the command line, never a blocked open or an endless read;
 * and a file that grows, shrinks or is replaced while being read yields
 * only whole records and says what happened.
 *
 * The entry points run in a child process (tests/robustness/_probe.ts), so
 * a blocked open fails the test instead of hanging it.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { LastlogFile, UtmpFile, type UtmpRecord, type UtmpWarning, watch } from "../../mod.ts";
import { logindRecords } from "../../src/sources/mod.ts";
import { readBackward } from "../../src/last.ts";
import { FileHistory } from "../../src/sources/_history.ts";
import { shrankReason } from "../../src/backends/_settled.ts";
import { CHUNK_BYTES } from "../../src/layouts/decode.ts";
import { encodeRecord, encodeRecords, LAYOUTS, type RecordInput } from "../../src/layouts/mod.ts";
import { LIBC_LIVE } from "../ffi/_live.ts";
import { test } from "../_harness.ts";
import { readableCopy, tempDir } from "../_util.ts";
import { concat } from "./_fuzz.ts";
import { ENTRY_POINTS, type ProbeResult } from "./_probe.ts";
import { all } from "../_collect.ts";

const onLinux = { ignore: process.platform !== "linux" };
const asRoot = { ignore: process.platform !== "linux" || process.getuid?.() !== 0 };

/** Entry points that read a directory of logind session files. */
const LOGIND = new Set(["watch() mode logind", "logindRecords()"]);

/** Entry points for which a directory is what they read (logind's session directory). */
const READS_DIRS = new Set([...LOGIND, "sessions()", "utmp who", "utmp users"]);

/** Entry points that wait for a missing file to appear, by design (`watch`). */
const WAITS = new Set(["watch() mode log", "watch() mode slots", "watch() mode logind", "utmp watch"]);

/** Entry points to check: all, less the C library where it cannot be loaded here. */
const ENTRIES = Object.keys(ENTRY_POINTS).filter((e) => LIBC_LIVE || !e.includes("ffi"));

/** Runs entry points on paths in a child process (as another user when `user` is set). */
function probe(checks: [string, string][], options: { user?: string; home?: string } = {}): ProbeResult[] {
  const name = `_probe.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`;
  // Another user runs a copy it can read: the checkout may be in a directory only its owner enters.
  using copy = options.user === undefined ? undefined : readableCopy();
  return probeWith(
    copy === undefined
      ? fileURLToPath(new URL(`./${name}`, import.meta.url))
      : join(copy.root, "tests", "robustness", name),
    checks,
    options,
  );
}

function probeWith(
  script: string,
  checks: [string, string][],
  options: { user?: string; home?: string },
): ProbeResult[] {
  const runtime = "Deno" in globalThis
    ? [process.execPath, "run", "-A", "--no-lock", script]
    : [process.execPath, script];
  const command = options.user === undefined
    ? runtime
    : ["setpriv", `--reuid=${options.user}`, "--regid=nogroup", "--clear-groups", ...runtime];
  const env: Record<string, string> = { ...process.env as Record<string, string>, UTMP_PROBE: JSON.stringify(checks) };
  if (options.home !== undefined) Object.assign(env, { HOME: options.home, DENO_DIR: join(options.home, "deno") });
  const ran = spawnSync(command[0]!, command.slice(1), { encoding: "utf8", env, timeout: 600_000 });
  const results = ran.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as ProbeResult);
  assert.equal(results.length, checks.length, `the probe answered every check: ${ran.stderr}`);
  return results;
}

/** The error an entry point must give: the code, the path named in the error and in its message. */
function expectError(r: ProbeResult, codes: readonly string[]): void {
  const what = `${r.entry} on "${r.path}": ${JSON.stringify(r)}`;
  if (r.entry.startsWith("utmp ")) {
    // The command line: one line on standard error naming the path, exit 1.
    const { code, err } = r.value as { code: number; err: string };
    assert.equal(r.outcome, "done", what);
    assert.equal(code, 1, what);
    assert.match(err, /^[^\n]+\n$/, what);
    assert.ok(err.includes(`"${r.path}"`) && codes.some((c) => err.includes(`(${c})`)), what);
    return;
  }
  assert.equal(r.outcome, "error", what);
  assert.equal(r.name, "UtmpFileError", what);
  assert.ok(codes.includes(r.code!), what);
  assert.equal(r.errorPath, r.path, what);
  assert.ok(r.message!.includes(`"${r.path}"`), what);
}

test(
  "UtmpFile(), LastlogFile(), readBackward(), watch(), the logind and SQLite sources, sessions() and main() fail at once on a directory, /dev/zero, a FIFO, a socket, a symlink loop and a missing file, naming the path and code",
  async () => {
    using tmp = tempDir();
    const server = createServer();
    try {
      const dir = tmp.file("dir");
      const zero = tmp.file("zero");
      const fifo = tmp.file("fifo");
      const socket = tmp.file("socket");
      const loop = tmp.file("loop");
      mkdirSync(dir);
      symlinkSync("/dev/zero", zero);
      assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
      await new Promise<void>((resolve) => server.listen(socket, resolve));
      symlinkSync(tmp.file("loop2"), loop);
      symlinkSync(loop, tmp.file("loop2"));
      /** Each kind of path, and the codes its error may carry. */
      const kinds: Record<string, [string, string[]]> = {
        directory: [dir, ["EISDIR"]],
        "/dev/zero": ["/dev/zero", ["EFTYPE"]],
        "link to /dev/zero": [zero, ["EFTYPE"]],
        FIFO: [fifo, ["EFTYPE"]],
        socket: [socket, ["EFTYPE"]],
        "symlink loop": [loop, ["ELOOP"]],
        missing: [tmp.file("missing"), ["ENOENT"]],
      };

      const checks: [string, string, string[]][] = [];
      for (const entry of ENTRIES) {
        for (const [kind, [path, codes]] of Object.entries(kinds)) {
          if (kind === "missing" && WAITS.has(entry)) continue; // watch() waits for the file to appear
          if (kind === "directory" && READS_DIRS.has(entry)) continue;
          const notDir = LOGIND.has(entry) && kind !== "symlink loop" && kind !== "missing";
          checks.push([entry, path, notDir ? ["ENOTDIR"] : codes]);
        }
      }
      const results = probe(checks.map(([entry, path]) => [entry, path]));
      const failed = results.flatMap((r, i) => {
        try {
          expectError(r, checks[i]![2]);
          return [];
        } catch (error) {
          return [(error as Error).message.split("\n")[0]];
        }
      });
      assert.deepEqual(failed, []);
      // Every entry point and every kind was tried.
      assert.equal(new Set(results.map((r) => r.entry)).size, ENTRIES.length);
      assert.ok(results.length >= ENTRIES.length * 6, `${results.length} checks`);
    } finally {
      server.close();
    }
  },
  onLinux,
);

test(
  "UtmpFile(), LastlogFile(), readBackward(), watch(), the SQLite sources, sessions() and main() fail with EACCES naming the path on a btmp (0600) read by another user",
  () => {
    using tmp = tempDir();
    chmodSync(tmp.dir, 0o755);
    const btmp = tmp.file(
      "btmp",
      encodeRecords(LAYOUTS.linux, [{ ut_type: "LOGIN_PROCESS", ut_line: "ssh:notty", ut_user: "root", tv_sec: 1 }]),
    );
    chmodSync(btmp, 0o600);
    const home = tmp.file("home");
    mkdirSync(home);
    chmodSync(home, 0o777);
    const entries = ENTRIES.filter((e) => !LOGIND.has(e));
    const results = probe(entries.map((e) => [e, btmp]), { user: "nobody", home });
    for (const r of results) expectError(r, ["EACCES"]);
    assert.equal(readFileSync(btmp).length, 384, "root still reads it");
  },
  asRoot,
);

test(
  "logindRecords() and watch() skip session entries that are not regular files instead of blocking on them",
  async () => {
    using tmp = tempDir();
    const dir = tmp.file("sessions");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "3"),
      "UID=1000\nUSER=ann\nACTIVE=1\nSTATE=active\nTTY=pts/0\nREALTIME=1700000000000000\n",
    );
    assert.equal(spawnSync("mkfifo", [join(dir, "4")]).status, 0);
    symlinkSync("/dev/zero", join(dir, "5"));
    mkdirSync(join(dir, "6"));
    symlinkSync(join(dir, "7"), join(dir, "7"));
    const results = probe([["logindRecords()", dir], ["utmp who", join(dir, "4")]]);
    assert.deepEqual(results.map((r) => [r.outcome, r.value]), [
      ["done", 1],
      ["done", {
        code: 1,
        err: `utmp who: Cannot read "${join(dir, "4")}": it is a FIFO, not a regular file (EFTYPE); ` +
          "login records are read from regular files\n",
      }],
    ]);
    const users: string[] = await all(logindRecords(dir), (u) => u.ut_user);
    assert.deepEqual(users, ["ann"]);
    const stop = new AbortController();
    const events = watch(dir, { mode: "logind", from: "start", signal: stop.signal });
    for await (const e of events) {
      users.push(`${e.type} ${e.record.ut_user}`);
      stop.abort();
    }
    assert.deepEqual(users, ["ann", "login ann"]);
  },
  onLinux,
);

/** A wtmp of `n` distinct records (each names its own index), as bytes. */
function records(n: number, from = 0): Uint8Array {
  const inputs: RecordInput[] = Array.from({ length: n }, (_, i) => ({
    ut_type: "USER_PROCESS",
    ut_pid: from + i,
    ut_line: `pts/${(from + i) % 100}`,
    ut_user: `u${from + i}`,
    tv_sec: 1700000000 + from + i,
  }));
  return encodeRecords(LAYOUTS.linux, inputs);
}

/** Each record is whole: exactly one of those `records()` writes (its fields agree with its pid). */
function assertWhole(u: UtmpRecord): void {
  assert.equal(u.ut_user, `u${u.ut_pid}`);
  assert.equal(u.ut_tv.tv_sec, 1700000000 + u.ut_pid);
  assert.equal(u.ut_line, `/dev/pts/${u.ut_pid % 100}`);
}

/** Records per 1 MiB chunk of 384-byte records. */
const PER_CHUNK = Math.floor(CHUNK_BYTES / 384);

/** Reads a file, running `change` once the first record has arrived (the next chunk is then read from the changed file). */
async function readWhileChanging(
  path: string,
  change: () => void,
): Promise<{ pids: number[]; warnings: UtmpWarning[] }> {
  const file = new UtmpFile(path, { layout: "linux", backend: "file" });
  const pids: number[] = [];
  for await (const u of file) {
    assertWhole(u);
    pids.push(u.ut_pid);
    if (pids.length === 1) change();
  }
  return { pids, warnings: file.warnings };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

test("UtmpFile reads a file that grows while being read to its new end, and a record half-written there once it is whole", async () => {
  using tmp = tempDir();
  const n = PER_CHUNK + 10;
  const path = tmp.file("wtmp", records(n));
  const half = records(1, n + 5).subarray(0, 100);
  const { pids, warnings } = await readWhileChanging(path, () => appendFileSync(path, concat(records(5, n), half)));
  assert.deepEqual(pids, range(0, n + 5));
  assert.deepEqual(warnings, [{
    kind: "partial-record",
    offset: (n + 5) * 384,
    recordIndex: n + 5,
    reason: "file ends 100 bytes into a 384-byte record",
  }]);
  // The writer finishes the record: a later pass on the same UtmpFile reads it whole, at its own offset.
  appendFileSync(path, records(1, n + 5).subarray(100));
  const file = new UtmpFile(path, { layout: "linux", backend: "file" });
  for await (const _ of file) if (_.ut_pid === n + 4) break;
  const later: UtmpRecord[] = await all(file);
  assert.deepEqual(later.map((u) => [u.ut_pid, u.offset, u.index]), [[n + 5, (n + 5) * 384, n + 5]]);
  assertWhole(later[0]!);
});

test("UtmpFile says a file shrank while being read, and yields only the whole records it still holds", async () => {
  using tmp = tempDir();
  const n = 2 * PER_CHUNK + 10;
  const path = tmp.file("wtmp", records(n));
  const cut = (PER_CHUNK + 7) * 384 + 100; // into the second chunk, 100 bytes into a record
  const { pids, warnings } = await readWhileChanging(path, () => truncateSync(path, cut));
  assert.deepEqual(pids, range(0, PER_CHUNK + 7));
  assert.deepEqual(warnings.map((w) => [w.kind, w.offset, w.recordIndex, w.reason]), [
    ["shrank", (PER_CHUNK + 7) * 384, PER_CHUNK + 7, shrankReason(n * 384, cut)],
    ["partial-record", (PER_CHUNK + 7) * 384, PER_CHUNK + 7, "file ends 100 bytes into a 384-byte record"],
  ]);
});

test("UtmpFile reads a file replaced (rotated) while being read to the end of the file it opened, and says so", async () => {
  using tmp = tempDir();
  const n = PER_CHUNK + 10;
  const path = tmp.file("wtmp", records(n));
  const { pids, warnings } = await readWhileChanging(path, () => {
    renameSync(path, `${path}.1`);
    writeFileSync(path, records(3, 5000));
  });
  assert.deepEqual(pids, range(0, n));
  assert.deepEqual(warnings.map((w) => [w.kind, w.offset, w.reason]), [
    [
      "replaced",
      n * 384,
      "file was replaced while being read (renamed over or removed): read to the end of the file as it was opened",
    ],
  ]);
});

test("UtmpFile says when the file was replaced between two passes", async () => {
  using tmp = tempDir();
  const path = tmp.file("wtmp", records(4));
  const file = new UtmpFile(path, { layout: "linux", backend: "file" });
  for await (const u of file) if (u.ut_pid === 1) break;
  writeFileSync(`${path}.new`, records(6, 100));
  renameSync(`${path}.new`, path);
  const rest: number[] = await all(file, (u) => u.ut_pid);
  // The records the first pass had read stay; then the new file, from where the old one ended.
  assert.deepEqual(rest, [2, 3, 104, 105]);
  assert.deepEqual(file.warnings.map((w) => [w.kind, w.offset, w.reason]), [
    [
      "replaced",
      1536,
      "file was replaced since the last pass: reading the new file from byte 1536; rewind() to read it from the start",
    ],
  ]);
});

test("readBackward() stops where a file shrank while being read, says so, and never joins another file's records", async () => {
  using tmp = tempDir();
  const n = 2 * PER_CHUNK + 10;
  const path = tmp.file("wtmp", records(n));
  const warnings: UtmpWarning[] = [];
  const pids: number[] = [];
  for await (const batch of readBackward(path, { layout: "linux", onWarning: (w) => warnings.push(w) })) {
    for (const u of batch) assertWhole(u), pids.push(u.ut_pid);
    if (pids.length === PER_CHUNK) truncateSync(path, 5 * 384 + 10);
  }
  // What lies before the shrink may be another file's (copytruncate): the pass stops there, as last.c does.
  assert.deepEqual(pids, range(n - PER_CHUNK, n).reverse());
  assert.deepEqual(warnings.map((w) => [w.kind, w.offset, w.recordIndex, w.reason]), [[
    "shrank",
    (n - 2 * PER_CHUNK) * 384,
    n - 2 * PER_CHUNK,
    `${shrankReason(n * 384, 5 * 384 + 10)}; the records before byte ${(n - 2 * PER_CHUNK) * 384} are not read ` +
    "(the file may hold another's since: copytruncate)",
  ]]);
});

test("FileHistory over a wtmp copytruncated while it reads gives the old file's records and begins, never the new one's", async () => {
  using tmp = tempDir();
  // logrotate's copytruncate: the file copied away, cut to nothing, and the new logins written from its start.
  const n = 3 * PER_CHUNK;
  const old = encodeRecords(
    LAYOUTS.linux,
    Array.from({ length: n }, (_, i) => ({
      ut_type: "USER_PROCESS" as const,
      ut_pid: 1000 + i,
      ut_line: `pts/${i % 50}`,
      ut_user: "old",
      tv_sec: 1700000000 + i,
    })),
  );
  const fresh = encodeRecords(
    LAYOUTS.linux,
    Array.from({ length: 2 * PER_CHUNK }, (_, i) => ({
      ut_type: "USER_PROCESS" as const,
      ut_pid: 9000 + i,
      ut_line: `pts/${i % 50}`,
      ut_user: "new",
      tv_sec: 1800000000 + i,
    })),
  );
  const path = tmp.file("wtmp", old);
  const seen: string[] = [];
  const reader = new FileHistory(path, { layout: "linux", onWarning: (w) => seen.push(w.kind) });
  try {
    for await (const batch of reader.batches()) {
      const { bytes } = batch.chunk!;
      for (let at = 0; at < bytes.length; at += 384) {
        seen.push(String.fromCharCode(...bytes.subarray(at + 44, at + 47)));
      }
      if (seen.length === PER_CHUNK) {
        copyFileSync(path, path + ".1");
        truncateSync(path, 0);
        appendFileSync(path, fresh);
      }
    }
    assert.deepEqual([...new Set(seen)], ["old", "shrank"], "only the old file's records, then the warning");
    assert.equal(await reader.begins(), 1700000000, "the old file's first record, read before the pass");
  } finally {
    await reader.close();
  }
});

test("LastlogFile says a lastlog shrank while being scanned, and yields only the slots still there", async () => {
  using tmp = tempDir();
  const layout = LAYOUTS["lastlog-linux"];
  const per = Math.floor(CHUNK_BYTES / layout.size);
  const slots = 2 * per + 10;
  const bytes = new Uint8Array(slots * layout.size);
  for (let uid = 0; uid < slots; uid++) {
    encodeRecord(layout, { ut_line: `pts/${uid % 100}`, tv_sec: 1700000000 + uid }, bytes, uid * layout.size);
  }
  const path = tmp.file("lastlog", bytes);
  const file = new LastlogFile(path, { layout: "lastlog-linux" });
  const uids: number[] = [];
  for await (const e of file) {
    assert.equal(e.time.getTime(), (1700000000 + e.uid) * 1000);
    uids.push(e.uid);
    if (uids.length === 1) truncateSync(path, (per + 3) * layout.size + 7);
  }
  assert.deepEqual(uids, range(0, per + 3));
  assert.deepEqual(file.warnings.map((w) => [w.kind, w.offset, w.reason]), [
    [
      "shrank",
      (per + 3) * layout.size,
      shrankReason(slots * layout.size, (per + 3) * layout.size + 7) + ` (the slots from uid ${per + 3} on)`,
    ],
  ]);
});
