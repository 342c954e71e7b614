import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "./_harness.ts";
import { ORACLE_ENV, tempDir, utmpdumpReverse } from "./_util.ts";
import { collect } from "./_collect.ts";
import { UtmpFile, type UtmpRecordObject, watch, type WatchEvent } from "../mod.ts";
import { encodeRecord, LAYOUTS } from "../src/layouts/mod.ts";

/** utmpdump text of one record. */
function line(type: number, pid: number, id: string, user: string, tty: string, host: string, sec: number): string {
  const time = new Date((1700000000 + sec) * 1000).toISOString().replace(/\.\d+Z$/, ",000000+00:00");
  return `[${type}] [${String(pid).padStart(5, "0")}] [${id.padEnd(4)}] [${user.padEnd(8)}] [${tty.padEnd(12)}] [${
    host.padEnd(20)
  }] [0.0.0.0        ] [${time}]`;
}

const BATCHES = {
  a: [line(2, 0, "~~", "reboot", "~", "6.1.0", 0), line(7, 701, "ts/0", "alice", "pts/0", "192.0.2.1", 10)],
  b: [line(7, 702, "ts/1", "bob", "pts/1", "192.0.2.2", 20), line(8, 701, "ts/0", "", "pts/0", "", 30)],
  c: [
    line(2, 0, "~~", "reboot", "~", "6.1.0", 100),
    line(7, 801, "1", "carol", "tty1", "", 110),
    line(7, 802, "ts/0", "dave", "pts/0", "198.51.100.7", 120),
    line(8, 802, "ts/0", "", "pts/0", "", 130),
    line(7, 803, "ts/2", "erin", "pts/2", "198.51.100.8", 140),
  ],
  d: [line(8, 801, "1", "", "tty1", "", 150), line(1, 0, "~~", "shutdown", "~", "6.1.0", 160)],
  e: [line(2, 0, "~~", "reboot", "~", "6.2.0", 200), line(7, 901, "ts/0", "frank", "pts/0", "203.0.113.1", 210)],
  f: [line(8, 901, "ts/0", "", "pts/0", "", 220)],
} as const;

/** A writer in another process: runs a shell command in `dir` with the batches as files. */
function writer(dir: string, script: string): void {
  for (const [name, lines] of Object.entries(BATCHES)) writeFileSync(join(dir, `${name}.txt`), lines.join("\n") + "\n");
  const env = { ...ORACLE_ENV, S: "run/systemd/sessions" };
  execFileSync("sh", ["-c", script], { cwd: dir, env, stdio: ["ignore", "ignore", "pipe"] });
}

/** What a batch decodes to by itself, as records at `firstIndex` of the watched file. */
async function expectedRecords(
  dir: string,
  batch: keyof typeof BATCHES,
  firstIndex: number,
): Promise<UtmpRecordObject[]> {
  const path = utmpdumpReverse(BATCHES[batch].join("\n") + "\n", join(dir, `${batch}.bin`));
  return (await collect(path)).records.map((r, i) => ({ ...r, index: firstIndex + i, offset: (firstIndex + i) * 384 }));
}

/**
 * Takes the next `n` events, failing (not hanging) if they do not come within 20 s; `pending` is a `next()`
 * already asked for (to start the watch before `ready`), taken first.
 */
async function take(
  events: AsyncIterator<WatchEvent>,
  n: number,
  pending?: Promise<IteratorResult<WatchEvent>>,
): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`only ${out.length} of ${n} events came`)), 20_000);
  });
  try {
    while (out.length < n) {
      const r = await Promise.race([pending ?? events.next(), timeout]);
      pending = undefined;
      if (r.done) throw new Error(`the watch ended after ${out.length} of ${n} events`);
      out.push(r.value);
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}

// Imported when a test runs, from outside the tests' `using` blocks: tsc (the npm build) leaves a `.ts` specifier
// of an import() inside one unrewritten.
const cli = () => import("../src/cli/main.ts");

test("watch() sees every record appended, after truncation and across rotation, exactly once", async () => {
  using t = tempDir();
  const events = watch(t.file("wtmp", new Uint8Array(0)), { interval: 250 });
  try {
    // The records already there are passed over; what is written once the watch is ready is seen.
    writer(t.dir, "utmpdump -r < f.txt >> wtmp");
    const first = events.next();
    await events.ready;
    writer(t.dir, "utmpdump -r < a.txt >> wtmp");
    const a = [(await first).value as WatchEvent, ...await take(events, 1)];
    assert.deepEqual(a.map((e) => e.type), ["boot", "login"]);
    assert.deepEqual(a.map((e) => e.record.toJSON()), await expectedRecords(t.dir, "a", 1));

    writer(t.dir, "utmpdump -r < b.txt >> wtmp");
    const b = await take(events, 2);
    assert.deepEqual(b.map((e) => e.type), ["login", "logout"]);
    assert.deepEqual(b.map((e) => e.record.toJSON()), await expectedRecords(t.dir, "b", 3));

    // Truncated and written again past the old end before the watcher looks: read from the start, once.
    writer(t.dir, ": > wtmp && utmpdump -r < c.txt >> wtmp");
    const c = await take(events, 5);
    assert.deepEqual(c.map((e) => e.type), ["boot", "login", "login", "logout", "login"]);
    assert.deepEqual(c.map((e) => e.record.toJSON()), await expectedRecords(t.dir, "c", 0));

    // Rotated right after a write: the old file's last records first, then the new file from its start.
    writer(t.dir, "utmpdump -r < d.txt >> wtmp && mv wtmp wtmp.1 && utmpdump -r < e.txt > wtmp");
    const de = await take(events, 4);
    assert.deepEqual(de.map((e) => e.type), ["logout", "shutdown", "boot", "login"]);
    assert.deepEqual(de.slice(0, 2).map((e) => e.record.toJSON()), await expectedRecords(t.dir, "d", 5));
    assert.deepEqual(de.slice(2).map((e) => e.record.toJSON()), await expectedRecords(t.dir, "e", 0));

    // Rotated away with no new file yet: waits for it.
    writer(t.dir, "mv wtmp wtmp.2");
    const f = events.next();
    writer(t.dir, "utmpdump -r < f.txt > wtmp");
    assert.deepEqual([(await f).value!.record.toJSON()], await expectedRecords(t.dir, "f", 0));
    assert.equal((await f).value!.type, "logout");
  } finally {
    await events.return(undefined);
  }
});

test("watch() follows a file rotated while still empty to the new file (a quiet btmp at logrotate)", async () => {
  using t = tempDir();
  const stop = new AbortController();
  const events = watch(t.file("btmp", new Uint8Array(0)), { interval: 250, signal: stop.signal });
  try {
    const first = events.next();
    await events.ready;
    // The watched file never held a record, so its layout was never known: the rename must be noticed all the same.
    writer(t.dir, "mv btmp btmp.1 && : > btmp && utmpdump -r < a.txt >> btmp");
    const a = await take(events, 2, first);
    assert.deepEqual(a.map((e) => e.type), ["boot", "login"]);
    assert.deepEqual(a.map((e) => e.record.toJSON()), await expectedRecords(t.dir, "a", 0));
  } finally {
    stop.abort(); // ends a watch that missed the rotation (return() would wait for its next event)
    await events.return(undefined);
  }
});

test("watch() reads a record written in two parts once it is whole", async () => {
  using t = tempDir();
  const full = utmpdumpReverse(BATCHES.a.join("\n") + "\n", t.file("a.bin"));
  // The file holds one record and half of the next when the watch starts from the start.
  writer(t.dir, `head -c 576 ${full} > wtmp`);
  const events = watch(join(t.dir, "wtmp"), { from: "start", layout: "linux", interval: 250 });
  try {
    const [boot] = await take(events, 1);
    assert.equal(boot!.type, "boot");
    const next = events.next();
    writer(t.dir, `tail -c +577 ${full} >> wtmp`);
    const login = (await next).value!;
    assert.deepEqual(login.record.toJSON(), (await expectedRecords(t.dir, "a", 0))[1]);
  } finally {
    await events.return(undefined);
  }
});

test("watch() compares a utmp slot by slot: an event per changed slot, with what the slot held before", async () => {
  using t = tempDir();
  const records = (name: string, lines: string[]) => utmpdumpReverse(lines.join("\n") + "\n", t.file(name));
  records("utmp", [line(2, 0, "~~", "reboot", "~", "6.1.0", 0), line(6, 700, "1", "LOGIN", "tty1", "", 5)]);
  records("login.bin", [line(7, 700, "1", "carol", "tty1", "", 60)]);
  records("logout.bin", [line(8, 700, "1", "", "tty1", "", 90)]);
  records("boot.bin", [line(2, 0, "~~", "reboot", "~", "6.1.0", 0)]);
  records("ssh.bin", [line(7, 900, "ts/0", "dave", "pts/0", "198.51.100.7", 120)]);
  // A slot rewritten in place, as glibc's pututxline() does it.
  const put = (file: string, slot: number) => `dd if=${file} of=utmp bs=384 seek=${slot} conv=notrunc status=none`;
  const events = watch(join(t.dir, "utmp"), { interval: 250 });
  try {
    const first = events.next();
    await events.ready;
    writer(t.dir, put("login.bin", 1));
    const login = (await first).value!;
    assert.equal(login.type, "login");
    assert.deepEqual([login.record.ut_user, login.record.ut_line, login.record.index], ["carol", "/dev/tty1", 1]);
    assert.deepEqual([login.previous?.ut_type, login.previous?.ut_user], ["LOGIN_PROCESS", "LOGIN"]);

    // Slot 0 written again with the same bytes, and a new slot 2: only slot 2 changed.
    writer(t.dir, `${put("boot.bin", 0)} && ${put("ssh.bin", 2)}`);
    const [ssh] = await take(events, 1);
    assert.deepEqual([ssh!.type, ssh!.record.ut_user, ssh!.record.index, ssh!.previous], [
      "login",
      "dave",
      2,
      undefined,
    ]);

    writer(t.dir, put("logout.bin", 1));
    const [logout] = await take(events, 1);
    assert.equal(logout!.type, "logout");
    assert.equal(logout!.record.ut_line, "/dev/tty1");
    assert.deepEqual(logout!.previous?.toJSON(), login.record.toJSON());
  } finally {
    await events.return(undefined);
  }
});

test("watch() without a path in slots mode follows the system's utmp (under root), not its wtmp", async () => {
  using t = tempDir();
  writer(t.dir, "mkdir -p var/run var/log");
  utmpdumpReverse(line(2, 0, "~~", "reboot", "~", "6.1.0", 0) + "\n", join(t.dir, "var/run/utmp"));
  utmpdumpReverse(line(2, 0, "~~", "reboot", "~", "6.1.0", 0) + "\n", join(t.dir, "var/log/wtmp"));
  utmpdumpReverse(line(7, 900, "ts/0", "dave", "pts/0", "198.51.100.7", 120) + "\n", join(t.dir, "ssh.bin"));
  // On failure the abort ends the watch, so the test fails instead of waiting on a pending next().
  const stop = new AbortController();
  const events = watch(undefined, { root: t.dir, mode: "slots", interval: 250, signal: stop.signal });
  try {
    const first = events.next();
    await events.ready;
    // Slot 1 of the utmp, written in place; the wtmp is left alone.
    writer(t.dir, "dd if=ssh.bin of=var/run/utmp bs=384 seek=1 conv=notrunc status=none");
    const [login] = await take(events, 1, first);
    assert.deepEqual([login!.type, login!.record.ut_user, login!.record.index, login!.previous], [
      "login",
      "dave",
      1,
      undefined,
    ]);
  } finally {
    stop.abort();
    await events.return(undefined);
  }
});

test("watch() ends without an error when its signal aborts while it waits", async () => {
  using t = tempDir();
  const stop = new AbortController();
  const events = watch(t.file("wtmp", new Uint8Array(0)), { signal: stop.signal, interval: 60_000 });
  const pending = events.next();
  stop.abort();
  assert.deepEqual(await pending, { done: true, value: undefined });
  // A file that never appears is waited for just the same, and abort ends that wait too.
  const later = new AbortController();
  const missing = watch(join(t.dir, "none", "wtmp"), { signal: later.signal, interval: 60_000 });
  const waiting = missing.next();
  later.abort();
  assert.deepEqual(await waiting, { done: true, value: undefined });
});

test("watch() refuses a lastlog layout, a framed layout and an unknown name at once, as UtmpFile refuses them", async () => {
  using t = tempDir();
  const lastlog = t.file("lastlog", encodeRecord(LAYOUTS["lastlog-linux"], { ut_line: "pts/0", tv_sec: 1700000000 }));
  const empty = t.file("wtmp", new Uint8Array(0));
  const cases: [string, string, RegExp][] = [
    [lastlog, "lastlog-linux", /^Cannot read ".*\/lastlog" with layout "lastlog-linux": it is a lastlog layout/],
    [empty, "lastlog-linux", /it is a lastlog layout \(last logins by uid\); use LastlogFile$/],
    [empty, "freebsd-log", /is not of fixed-size records, which alone can be followed/],
    [empty, "nope", /^Cannot find layout "nope"/],
  ];
  for (const [path, layout, message] of cases) {
    // Even before the file holds a record; the signal ends a watch that would wait instead.
    const events = watch(path, { from: "start", layout, interval: 50, signal: AbortSignal.timeout(2000) });
    await assert.rejects(() => events.next(), (e) => e instanceof RangeError && message.test(e.message), layout);
  }
  await assert.rejects(async () => {
    for await (const _ of new UtmpFile(lastlog, { layout: "lastlog-linux" })) break;
  }, /it is a lastlog layout \(last logins by uid\); use LastlogFile/);
});

test("main() watch --ndjson prints each event as the library's WatchEvent, one a line, and -n stops it", async () => {
  using t = tempDir();
  const { main } = await cli();
  const wtmp = t.file("wtmp", new Uint8Array(0));
  let text = "";
  const io = {
    out: (chunk: Uint8Array | string) =>
      void (text += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk)),
    err: (line: string) => void (text += line),
  };
  const running = main(["watch", "--from-start", "--ndjson", "-n", "2", wtmp], io);
  writer(t.dir, "utmpdump -r < a.txt >> wtmp && utmpdump -r < b.txt >> wtmp");
  assert.equal(await running, 0);
  const expected = await expectedRecords(t.dir, "a", 0);
  assert.deepEqual(
    text.trimEnd().split("\n").map((l) => JSON.parse(l)),
    [
      { type: "boot", record: JSON.parse(JSON.stringify(expected[0])) },
      { type: "login", record: JSON.parse(JSON.stringify(expected[1])) },
    ],
  );
});

test("watch() without wtmp follows logind's sessions under root: a login per new user session, a logout per session gone", async () => {
  using t = tempDir();
  // A host without wtmp: watch() picks logind's session directory.
  const session = (id: string, user: string, tty: string, cls = "user") =>
    `printf '# This is private data. Do not parse.\\nUID=1000\\nUSER=${user}\\nCLASS=${cls}\\nTTY=${tty}\\nLEADER=4${id}\\nREALTIME=170000000${id}000000\\n' > $S/.#${id} && mv $S/.#${id} $S/${id}`;
  writer(t.dir, `mkdir -p $S var/log && ${session("1", "alice", "tty1")}`);
  const events = watch(undefined, { root: t.dir, interval: 250 });
  try {
    const first = events.next();
    await events.ready;
    // A user manager session comes and is no login; bob's ssh session is.
    writer(t.dir, `${session("2", "alice", "", "manager")} && ${session("3", "bob", "pts/0")}`);
    const login = (await first).value!;
    assert.equal(login.type, "login");
    assert.deepEqual(
      [login.record.ut_user, login.record.ut_line, login.record.ut_id, login.record.ut_pid, login.record.layout],
      ["bob", "/dev/pts/0", "3", 43, "logind"],
    );
    assert.equal(login.record.ut_time.toISOString(), "2023-11-14T22:13:23.000Z");

    const before = Date.now();
    writer(t.dir, "rm $S/1");
    const [logout] = await take(events, 1);
    assert.equal(logout!.type, "logout");
    assert.deepEqual(
      [logout!.record.ut_type, logout!.record.ut_user, logout!.record.ut_line, logout!.record.ut_id],
      ["DEAD_PROCESS", "", "/dev/tty1", "1"],
    );
    assert.ok(logout!.record.ut_time.getTime() >= before - 1000);
    assert.equal(logout!.previous?.ut_user, "alice");
  } finally {
    await events.return(undefined);
  }
});

test("watch() warns when the file was rotated twice between two looks (logrotate's FILE.1 is not the file it read)", async () => {
  using t = tempDir();
  const login = (user: string) =>
    encodeRecord(LAYOUTS.linux, { ut_type: "USER_PROCESS", ut_user: user, ut_line: "pts/0", tv_sec: 1700000000 });
  const path = t.file("wtmp", login("ann"));
  const stop = new AbortController();
  const events = watch(path, { from: "start", layout: "linux", interval: 60_000, signal: stop.signal });
  try {
    assert.deepEqual((await take(events, 1)).map((e) => e.record.ut_user), ["ann"]);
    // Once: wtmp -> wtmp.1, a new wtmp. The watch read ann's file to its end: nothing missed, no warning.
    renameSync(path, `${path}.1`);
    writeFileSync(path, login("bob"));
    assert.deepEqual((await take(events, 1)).map((e) => e.record.ut_user), ["bob"]);
    assert.equal(events.warnings.length, 0);
    // Twice before the watch looks again: carol's file was rotated away unseen.
    renameSync(`${path}.1`, `${path}.2`);
    renameSync(path, `${path}.1`);
    writeFileSync(path, login("carol"));
    renameSync(`${path}.1`, `${path}.2`);
    renameSync(path, `${path}.1`);
    writeFileSync(path, login("dave"));
    assert.deepEqual((await take(events, 1)).map((e) => e.record.ut_user), ["dave"]);
    assert.deepEqual(events.warnings.map((w) => [w.kind, w.reason]), [[
      "replaced",
      `"${path}" was rotated more than once since the last look: the records of "${path}.1" were not seen`,
    ]]);
  } finally {
    stop.abort();
    await events.return();
  }
});
