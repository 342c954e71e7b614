import assert from "node:assert/strict";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "../_harness.ts";
import { run, tempDir } from "../_util.ts";
import { ours } from "../cli/_run.ts";
import { chooseSource, lastlog2Entries } from "../../src/sources/mod.ts";
import { where } from "./_build.ts";
import { LastlogFile, type LastLogin, lastlogs } from "../../mod.ts";
import { encodeRecord, LAYOUTS } from "../../src/layouts/mod.ts";
import { HAS_SQLITE, LASTLOG2_SCHEMA, sqlite, sqlValue } from "./_build.ts";
import { all } from "../_collect.ts";

const NO_SQLITE = { ignore: !HAS_SQLITE };

const PASSWD = [
  "root:x:0:0:root:/root:/bin/bash",
  "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
  "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash",
  "bob:x:1001:1001::/home/bob:/bin/sh",
  "",
].join("\n");

/** Rows as pam_lastlog2 writes them (`REPLACE INTO Lastlog2 VALUES(?,?,?,?,?)`): one per user, the latest login. */
const ROWS: [string, number | null, string | null, string | null, string | null][] = [
  ["bob", 1700000100, "tty1", null, "login"],
  ["alice", 1699000000, "pts/7", "192.0.2.1", "sshd"],
  ["alice", 1700000000, "pts/0", "198.51.100.4", "sshd"], // replaces the row above
  ["root", 1699990000, "/dev/pts/3", "2001:db8::5", "sshd"],
  ["ghost", 1690000000, "pts/1", "203.0.113.7", "sshd"], // a user since deleted from /etc/passwd
  ["daemon", null, null, null, null],
];

function writeLastlog2(path: string): void {
  sqlite(
    path,
    [LASTLOG2_SCHEMA, ...ROWS.map((r) => `REPLACE INTO Lastlog2 VALUES(${r.map(sqlValue).join(",")});`)].join("\n"),
  );
}

/** A system tree at `root` that keeps its last logins in lastlog2 alone: the password file and the database. */
function lastlog2Root(root: string): void {
  mkdirSync(join(root, "var/lib/lastlog"), { recursive: true });
  mkdirSync(join(root, "etc"));
  writeFileSync(join(root, "etc/passwd"), PASSWD);
  writeLastlog2(join(root, "var/lib/lastlog/lastlog2.db"));
}

const EXPECTED: LastLogin[] = [
  {
    uid: 1000,
    user: "alice",
    time: new Date("2023-11-14T22:13:20Z"),
    line: "pts/0",
    host: "198.51.100.4",
    service: "sshd",
  },
  { uid: 1001, user: "bob", time: new Date("2023-11-14T22:15:00Z"), line: "tty1", host: "", service: "login" },
  { uid: 1, user: "daemon", time: new Date(0), line: "", host: "", service: "" },
  {
    uid: -1,
    user: "ghost",
    time: new Date("2023-07-22T04:26:40Z"),
    line: "pts/1",
    host: "203.0.113.7",
    service: "sshd",
  },
  {
    uid: 0,
    user: "root",
    time: new Date("2023-11-14T19:26:40Z"),
    line: "pts/3",
    host: "2001:db8::5",
    service: "sshd",
  },
];

test(
  "lastlog2Entries() maps every column of every row, uids from the password file, in lastlog2's name order",
  async () => {
    using t = tempDir();
    const db = t.file("lastlog2.db");
    writeLastlog2(db);
    // What SQLite itself holds (the sqlite3 command as the reader): one row per name, REPLACE kept the latest.
    assert.equal(
      run("sqlite3", [db, "SELECT Name, Time FROM Lastlog2 WHERE Name = 'alice'"]).trim(),
      "alice|1700000000",
    );
    assert.deepEqual(await all(lastlog2Entries(db, { passwd: t.file("passwd", PASSWD) })), EXPECTED);
  },
  NO_SQLITE,
);

test(
  "main() lastlog reads lastlog2's database where the system keeps no lastlog file: its entries as lastlogs() gives them",
  async () => {
    using t = tempDir();
    lastlog2Root(t.dir);
    const json = await ours(["lastlog", "-R", t.dir, "--json"]);
    assert.equal(json.code, 0, json.err);
    // As lastlog2 lists them (compared with the real one in tests/cli/lastlog2_test.ts): the database's users
    // by name, "ghost" (in no password file) included, "daemon" (a row of time 0) never logged in.
    const printed = JSON.parse(json.out) as { uid: number; time: string | null }[];
    const library = JSON.parse(JSON.stringify(await all(lastlogs({ root: t.dir })))) as { time: string | null }[];
    // A time of 0 (never logged in) is null in the command's JSON.
    const never = new Date(0).toISOString();
    assert.deepEqual(printed, library.map((e) => ({ ...e, time: e.time === never ? null : e.time })));
    const text = await ours(["lastlog", "-R", t.dir]);
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /^Username +Port +From +Latest \n/);
    assert.match(text.out, /\nalice +pts\/0 +198\.51\.100\.4 +Tue Nov 14 22:13:20 \+0000 2023\n/);
    assert.match(text.out, /\ndaemon +\*\*Never logged in\*\*\n/);
  },
  NO_SQLITE,
);

test("lastlogs() reads the lastlog2 database and password file under root", async () => {
  using t = tempDir();
  lastlog2Root(t.dir);
  assert.deepEqual(await all(lastlogs({ root: t.dir })), EXPECTED);
}, NO_SQLITE);

/** A glibc lastlog with slots for uids 0, 1001 and 4242 (no password file entry). */
function writeLastlog(path: string): void {
  const layout = LAYOUTS["lastlog-linux"];
  const bytes = new Uint8Array(4243 * layout.size);
  const slots: [number, string, string, number][] = [
    [0, "tty1", "", 1690000000],
    [1001, "pts/2", "192.0.2.9", 1700000500],
    [4242, "pts/9", "198.51.100.1", 1700000900],
  ];
  for (const [uid, ut_line, ut_host, tv_sec] of slots) {
    bytes.set(encodeRecord(layout, { ut_line, ut_host, tv_sec }), uid * layout.size);
  }
  writeFileSync(path, bytes);
}

test("lastlogs() reads the lastlog file where there is no lastlog2: every used slot, named by getpwuid or ''", async () => {
  using t = tempDir();
  mkdirSync(join(t.dir, "var/log"), { recursive: true });
  mkdirSync(join(t.dir, "etc"));
  writeFileSync(join(t.dir, "etc/passwd"), PASSWD);
  const path = join(t.dir, "var/log/lastlog");
  writeLastlog(path);
  const entries = await all(lastlogs({ root: t.dir }));
  // The slots as the lastlog reader reads them, each with the password file's name for its uid.
  const slots = await all(new LastlogFile(path));
  assert.deepEqual(entries.map(({ user, service, ...slot }) => [user, service, slot]), [
    ["root", "", slots[0]],
    ["bob", "", slots[1]],
    ["", "", slots[2]],
  ]);
  assert.deepEqual(entries.map((e) => e.uid), [0, 1001, 4242]);
  // With no password file under root, the same slots without names.
  const bare = await all(lastlogs({ root: join(t.dir, "var"), path }));
  assert.deepEqual(bare.map((e) => `${e.uid}:${e.user}`), ["0:", "1001:", "4242:"]);
});

test("chooseSource() lastlog auto reads the lastlog file where it exists, and says where it looked when there is none", async () => {
  using t = tempDir();
  mkdirSync(join(t.dir, "var/log"), { recursive: true });
  const file = join(t.dir, "var/log/lastlog");
  const db = join(t.dir, "var/lib/lastlog/lastlog2.db");
  await assert.rejects(
    () => chooseSource("lastlog", { root: t.dir }),
    (e: Error & { code?: string }) =>
      e.name === "UtmpFileError" && e.code === "ENOENT" && e.message.includes(file) && e.message.includes(db),
  );
  writeLastlog(file);
  assert.deepEqual(where(await chooseSource("lastlog", { root: t.dir })), { source: "lastlog", path: file });
  await assert.rejects(() => chooseSource("lastlog", { source: "wtmp" as "lastlog" }), RangeError);
});

test(
  "chooseSource() lastlog auto reads lastlog2 where the lastlog file was left behind, and a path by what it is",
  async () => {
    using t = tempDir();
    mkdirSync(join(t.dir, "var/log"), { recursive: true });
    const file = join(t.dir, "var/log/lastlog");
    const db = join(t.dir, "var/lib/lastlog/lastlog2.db");
    writeLastlog(file);
    mkdirSync(join(t.dir, "var/lib/lastlog"), { recursive: true });
    writeLastlog2(db);
    utimesSync(file, new Date("2024-01-01"), new Date("2024-01-01"));
    assert.deepEqual(where(await chooseSource("lastlog", { root: t.dir })), { source: "lastlog2", path: db });
    utimesSync(file, new Date(), new Date(Date.now() + 60_000));
    assert.deepEqual(where(await chooseSource("lastlog", { root: t.dir })), { source: "lastlog", path: file });
    // A path given is read by what it is.
    assert.deepEqual(where(await chooseSource("lastlog", { path: db })), { source: "lastlog2", path: db });
    assert.deepEqual(where(await chooseSource("lastlog", { path: file })), { source: "lastlog", path: file });
    assert.deepEqual(where(await chooseSource("lastlog", { root: t.dir, source: "lastlog2" })), {
      source: "lastlog2",
      path: db,
    });
  },
  NO_SQLITE,
);

test("lastlog2Entries() gives uid -1 to every user when the password file cannot be read", async () => {
  using t = tempDir();
  const db = t.file("lastlog2.db");
  writeLastlog2(db);
  const entries = await all(lastlog2Entries(db, { passwd: join(t.dir, "no-passwd") }));
  assert.deepEqual(entries.map((e) => e.uid), [-1, -1, -1, -1, -1]);
}, NO_SQLITE);

test("lastlog2Entries() throws UtmpFormatError for a database without the Lastlog2 table", async () => {
  using t = tempDir();
  const db = t.file("other.db");
  sqlite(db, "CREATE TABLE wtmp(ID INTEGER PRIMARY KEY);");
  await assert.rejects(
    () => all(lastlog2Entries(db)),
    (e: Error) => e.name === "UtmpFormatError" && e.message.includes("lastlog2") && e.message.includes(db),
  );
}, NO_SQLITE);

test(
  "lastlog2Entries() gives the lastlog reader's entries for the logins ll2_import_lastlog would import",
  async () => {
    using t = tempDir();
    // The same last logins in a glibc lastlog (slot = uid) and in lastlog2 (row = name), as
    // util-linux's ll2_import_lastlog() copies them: ll_time → Time, ll_line → TTY, ll_host → RemoteHost.
    const logins = [
      { uid: 0, user: "root", sec: 1699990000, line: "pts/3", host: "2001:db8::5" },
      { uid: 1000, user: "alice", sec: 1700000000, line: "pts/0", host: "198.51.100.4" },
      { uid: 1001, user: "bob", sec: 1700000100, line: "tty1", host: "" },
    ];
    const slots = new Uint8Array(1002 * LAYOUTS["lastlog-linux"].size);
    for (const l of logins) {
      encodeRecord(LAYOUTS["lastlog-linux"], { tv_sec: l.sec, ut_line: l.line, ut_host: l.host }, slots, l.uid * 292);
    }
    const lastlogPath = t.file("lastlog", slots);
    const db = t.file("lastlog2.db");
    sqlite(
      db,
      [
        LASTLOG2_SCHEMA,
        ...logins.map((l) => `REPLACE INTO Lastlog2 VALUES(${[l.user, l.sec, l.line, l.host, null].map(sqlValue)});`),
      ].join("\n"),
    );
    const fromLastlog = await all(new LastlogFile(lastlogPath, { layout: "lastlog-linux" }));
    const fromLastlog2 = await all(lastlog2Entries(db, { passwd: t.file("passwd", PASSWD) }));
    assert.equal(fromLastlog.length, 3);
    assert.deepEqual(
      fromLastlog2.map(({ uid, time, line, host }) => ({ uid, time, line, host })).sort((a, b) => a.uid - b.uid),
      fromLastlog.map(({ uid, time, line, host }) => ({ uid, time, line, host })),
    );
  },
  NO_SQLITE,
);
