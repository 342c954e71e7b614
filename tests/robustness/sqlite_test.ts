/**
 * Rule of issue 17: a database (wtmpdb, lastlog2) is read with bounded time
 * and memory: only the expected table, as a real table (no view, no
 * virtual table, no generated column), read-only without creating a file
 * beside it, a side file that is not a regular file refused at once; every
 * row read whatever its ID holds (beyond 2^53, NULL, repeated), values out
 * of range reported as warnings, never a lost database; memory independent
 * of the number of rows, newest first (`last`) as well as oldest first.
 *
 * Each hostile database is a few KB (4–8 KB, 24 KB for FTS5's tables), made
 * by the `sqlite3` command. The
 * readers run in a child process, so a hang (node:sqlite is synchronous: no
 * timer fires) fails the test instead of stopping the run.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { UtmpWarning } from "../../mod.ts";
import { lastlog2Entries, wtmpdbRecords } from "../../src/sources/mod.ts";
import { wtmpdbBatches } from "../../src/sources/wtmpdb.ts";
import { TEXT_CAP } from "../../src/sources/_sqlite.ts";
import { test } from "../_harness.ts";
import { run, tempDir } from "../_util.ts";
import {
  HAS_SQLITE,
  LASTLOG2_SCHEMA,
  sqlite,
  writeHotJournal,
  writeWtmpdb,
  WTMPDB_SCHEMA,
  type WtmpdbRow,
} from "../sources/_build.ts";
import type { ProbeResult } from "./_probe.ts";
import type { ChildResult } from "./_sqlite_child.ts";
import { all } from "../_collect.ts";

const NO_SQLITE = { ignore: !HAS_SQLITE }; // Node 20 has no node:sqlite (see wtmpdb_test.ts for its error)

/**
 * The runtime's command line for a module of tests/robustness/ (the compiled
 * .js in Node and Bun), with V8's heap held to `heapMiB` where given (Deno,
 * Node; Bun's JavaScriptCore has no such limit): a reader that keeps what it
 * read runs out of it, one that does not is collected within it.
 */
function child(module: string, heapMiB?: number): string[] {
  const url = new URL(`./${module}.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`, import.meta.url);
  const script = fileURLToPath(url);
  // The young generation held too: V8 13 (Node 24) grows it to some 150 MB under a reader's garbage, which is no
  // memory kept, and would hide what the old generation keeps.
  const heap = heapMiB === undefined ? [] : [`--max-old-space-size=${heapMiB}`, "--max-semi-space-size=4"];
  if ("Deno" in globalThis) {
    const v8 = heap.length === 0 ? [] : [`--v8-flags=${heap.join(",")}`];
    return [process.execPath, "run", "-A", "--no-lock", ...v8, script];
  }
  return "Bun" in globalThis ? [process.execPath, script] : [process.execPath, ...heap, script];
}

/** Runs entry points on paths in a child process killed after a minute (a guard against hangs, not a bound). */
function probe(checks: [string, string][]): ProbeResult[] {
  const [cmd, ...args] = child("_probe");
  const env = { ...process.env as Record<string, string>, UTMP_PROBE: JSON.stringify(checks) };
  const ran = spawnSync(cmd!, args, { encoding: "utf8", env, timeout: 60_000, killSignal: "SIGKILL" });
  const results = ran.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as ProbeResult);
  assert.equal(results.length, checks.length, `the probe answered every check (none hung): ${ran.stderr}`);
  return results;
}

/** Every reader of a wtmpdb, and of a lastlog2. */
const WTMPDB_READERS = ["wtmpdbRecords()", "wtmpdbSessions()", "utmp last"];
const LASTLOG2_READERS = ["lastlog2Entries()"];

/** The error every reader must give for a hostile database: at once, naming the file, saying why. */
function assertRefused(r: ProbeResult, name: string, why: RegExp): void {
  const what = JSON.stringify(r);
  if (r.entry.startsWith("utmp ")) {
    const { code, err } = r.value as { code: number; err: string };
    assert.equal(code, 1, what);
    assert.ok(err.includes(`"${r.path}"`) && why.test(err), what);
    return;
  }
  assert.equal(r.outcome, "error", what);
  assert.equal(r.name, name, what);
  assert.ok(r.message!.includes(`"${r.path}"`) && why.test(r.message!), what);
}

/** SQL for n rows of a recursive CTE `c(i)`. */
const numbers = (n: number) =>
  `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${n}) SELECT i FROM c`;

test(
  "wtmpdbRecords(), wtmpdbSessions(), lastlog2Entries() and main() last refuse a view, a virtual table and generated columns at once",
  () => {
    using t = tempDir();
    const cols = "ID, Type, User, Login, Logout, TTY, RemoteHost";
    const dbs: [string, string, RegExp][] = [
      // A view that never ends (the reader hung forever).
      [
        "recursive-view.db",
        `CREATE VIEW wtmp(${cols}) AS WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c) ` +
        "SELECT i, 3, 'u', i, NULL, 'pts/0', NULL FROM c;",
        /"wtmp" is a view, not a table/,
      ],
      // 2000 rows of 50 MB strings (/var/tmp filled at 180 MB/s).
      [
        "printf-view.db",
        `CREATE VIEW wtmp(${cols}) AS SELECT i, 3, printf('%.*c', 50000000, 'x'), i, NULL, 'pts/0', NULL FROM (${
          numbers(2000)
        });`,
        /"wtmp" is a view, not a table/,
      ],
      // A generated column of 500 MB per row (V8 aborted out of memory).
      [
        "generated.db",
        "CREATE TABLE wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT GENERATED ALWAYS AS " +
        "(printf('%.*c', 500000000, 'B')) VIRTUAL, Login INTEGER, Logout INTEGER, TTY TEXT, RemoteHost TEXT);" +
        `INSERT INTO wtmp(Type, Login, TTY) SELECT 3, i, 'pts/0' FROM (${numbers(30)});`,
        /column "User" of "wtmp" is generated or hidden/,
      ],
      [
        "stored.db",
        "CREATE TABLE wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT, Login INTEGER, Logout INTEGER, " +
        "TTY TEXT, RemoteHost TEXT, Big TEXT GENERATED ALWAYS AS (printf('%.*c', 1000, User)) STORED);",
        /column "Big" of "wtmp" is generated or hidden/,
      ],
      ["virtual.db", `CREATE VIRTUAL TABLE wtmp USING fts5(${cols});`, /"wtmp" is a virtual table/],
      [
        "without-rowid.db",
        "CREATE TABLE wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT, Login INTEGER, Logout INTEGER, " +
        "TTY TEXT, RemoteHost TEXT) WITHOUT ROWID;",
        /has no rowid/,
      ],
    ];
    const checks: [string, string][] = [];
    const reasons = new Map<string, RegExp>();
    for (const [name, sql, why] of dbs) {
      const path = t.file(name);
      sqlite(path, sql);
      assert.ok(statSync(path).size <= 32768, `${name} is small`);
      reasons.set(path, why);
      for (const entry of WTMPDB_READERS) checks.push([entry, path]);
    }
    const lastlog2 = t.file("lastlog2-view.db");
    sqlite(
      lastlog2,
      "CREATE VIEW Lastlog2(Name, Time, TTY, RemoteHost, Service) AS WITH RECURSIVE c(i) AS " +
        "(SELECT 1 UNION ALL SELECT i + 1 FROM c) SELECT 'u' || i, i, 'pts/0', NULL, NULL FROM c;",
    );
    reasons.set(lastlog2, /"Lastlog2" is a view, not a table/);
    for (const entry of LASTLOG2_READERS) checks.push([entry, lastlog2]);
    for (const r of probe(checks)) assertRefused(r, "UtmpFormatError", reasons.get(r.path)!);
  },
  NO_SQLITE,
);

test(
  "wtmpdbRecords() and main() last refuse a side file that is no regular file (a FIFO journal hung them) at once",
  () => {
    using t = tempDir();
    const checks: [string, string][] = [];
    for (
      const [suffix, make] of [
        ["-journal", "fifo"],
        ["-wal", "fifo"],
        ["-shm", "fifo"],
        ["-journal", "link"],
        ["-wal", "dir"],
      ] as const
    ) {
      const path = t.file(`${suffix.slice(1)}-${make}.db`);
      writeWtmpdb(path, ROWS);
      if (make === "fifo") assert.equal(spawnSync("mkfifo", [path + suffix]).status, 0);
      if (make === "link") symlinkSync("/dev/zero", path + suffix);
      if (make === "dir") mkdirSync(path + suffix);
      for (const entry of [...WTMPDB_READERS, "history()"]) checks.push([entry, path]);
    }
    for (const r of probe(checks)) {
      assertRefused(r, "UtmpFileError", /SQLite side file ".+-(journal|wal|shm)" is .+ \(EFTYPE\)/);
      if (!r.entry.startsWith("utmp ")) assert.equal(r.code, "EFTYPE");
    }
  },
  NO_SQLITE,
);

/** Sessions as wtmpdb writes them: one row each, in login order. */
const ROWS: WtmpdbRow[] = Array.from({ length: 40 }, (_, i) => ({
  Type: i % 10 === 0 ? 1 : 3,
  User: i % 10 === 0 ? "reboot" : `u${i}`,
  Login: (1700000000 + i * 60) * 1e6,
  Logout: i % 7 === 0 ? null : (1700000000 + i * 60 + 3000) * 1e6,
  TTY: i % 10 === 0 ? "~" : `pts/${i % 4}`,
  RemoteHost: i % 3 === 0 ? null : `192.0.2.${i}`,
  Service: "sshd",
}));

/**
 * What util-linux-style readers must see of a database: every row's login at
 * Login and, for a closed session or boot, its logout at Logout, ordered by
 * (time, rowid, login first), as the sqlite3 command sorts them.
 */
function expectedOrder(path: string): string[] {
  return run("sqlite3", [
    "-separator",
    " ",
    path,
    "SELECT t, ID, k FROM (SELECT Login AS t, rowid AS r, Type, 0 AS k FROM wtmp UNION ALL " +
    "SELECT Logout, rowid, Type, 1 FROM wtmp WHERE Logout IS NOT NULL AND Type IN (1, 3)) JOIN " +
    "(SELECT rowid AS r2, CASE WHEN Type = 1 THEN '' ELSE coalesce(ID, '') END AS ID FROM wtmp) ON r2 = r " +
    "ORDER BY t, r, k",
  ]).trim().split("\n");
}

/** Our records in the same form. */
async function ourOrder(path: string, warnings: UtmpWarning[] = []): Promise<string[]> {
  const records = await all(wtmpdbRecords(path, { onWarning: (w) => warnings.push(w) }));
  return records.map((u) =>
    `${u.ut_tv.tv_sec * 1e6 + u.ut_tv.tv_usec} ${u.ut_type === "BOOT_TIME" || u.ut_type === "RUN_LVL" ? "" : u.ut_id} ${
      u.ut_type === "DEAD_PROCESS" || u.ut_type === "RUN_LVL" ? 1 : 0
    }`
  );
}

test(
  "every reader of a wtmpdb or lastlog2, under a root too, leaves the file a hot journal names as its super-journal",
  () => {
    using t = tempDir();
    // The victims sit outside every database's directory; as root, SQLite deleted any of them (a device too).
    const victims = t.file("victims");
    mkdirSync(victims);
    mkdirSync(t.file("dbs"));
    const fifo = join(victims, "fifo");
    assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
    // A 1.5 GB sparse super-journal: SQLite read it whole (1.6 GB and hours) before deleting it.
    const sparse = join(victims, "sparse");
    writeFileSync(sparse, "");
    truncateSync(sparse, 1.5e9);
    const checks: [string, string][] = [];
    const named = new Map<string, string>();
    const wtmpdb = (dir: string, victim: string) => {
      mkdirSync(dir, { recursive: true });
      writeWtmpdb(join(dir, "wtmp.db"), ROWS);
      writeHotJournal(join(dir, "wtmp.db"), victim);
    };
    const lastlog2 = (dir: string, victim: string) => {
      mkdirSync(dir, { recursive: true });
      const db = join(dir, "lastlog2.db");
      sqlite(
        db,
        `${LASTLOG2_SCHEMA} INSERT INTO Lastlog2 VALUES('alice', 1700000000, 'pts/1', '192.0.2.1', 'sshd');`,
      );
      writeHotJournal(db, victim);
    };
    let n = 0;
    let made = 0;
    const victim = () => {
      const path = join(victims, `victim-${made++}`);
      writeFileSync(path, "precious");
      return path;
    };
    const add = (entry: string, path: string, superJournal: string) => {
      checks.push([entry, path]);
      named.set(`${entry} ${path}`, superJournal);
    };
    for (const entry of [...WTMPDB_READERS, "history()", "sessions() source wtmpdb", "utmp who"]) {
      for (const superJournal of [victim(), fifo, sparse]) {
        const dir = join(t.dir, "dbs", String(n++));
        wtmpdb(dir, superJournal);
        add(entry, join(dir, "wtmp.db"), superJournal);
      }
    }
    for (const entry of [...LASTLOG2_READERS, "lastlogs()", "utmp lastlog"]) {
      const dir = join(t.dir, "dbs", String(n++));
      const superJournal = victim();
      lastlog2(dir, superJournal);
      add(entry, join(dir, "lastlog2.db"), superJournal);
    }
    // Roots that keep only wtmpdb and lastlog2 (the system's paths under them).
    for (const entry of ["history() root", "lastSessions() root", "utmp --root last"]) {
      const root = join(t.dir, "roots", String(n++));
      const superJournal = victim();
      wtmpdb(join(root, "var/lib/wtmpdb"), superJournal);
      add(entry, root, superJournal);
    }
    for (const entry of ["lastlogs() root", "utmp --root lastlog"]) {
      const root = join(t.dir, "roots", String(n++));
      const superJournal = victim();
      lastlog2(join(root, "var/lib/lastlog"), superJournal);
      mkdirSync(join(root, "etc"));
      writeFileSync(join(root, "etc/passwd"), "alice:x:1000:1000::/home/alice:/bin/sh\n");
      add(entry, root, superJournal);
    }
    for (const r of probe(checks)) {
      const what = JSON.stringify(r);
      assert.notEqual(r.outcome, "hung", what);
      // The journal is rolled back as a plain one (it holds no page: nothing changes), and the rows are read.
      if (r.entry.startsWith("utmp ")) assert.equal((r.value as { code: number }).code, 0, what);
      else assert.ok(r.outcome === "done" && Number(r.value) > 0, what);
      const superJournal = named.get(`${r.entry} ${r.path}`)!;
      if (superJournal.includes("victim-")) assert.equal(readFileSync(superJournal, "utf8"), "precious", what);
    }
    assert.ok(lstatSync(fifo).isFIFO() && statSync(sparse).size === 1.5e9, "the FIFO and the sparse file are there");
    assert.equal(readdirSync(victims).length, made + 2, "every victim is there");
  },
  NO_SQLITE,
);

test(
  "wtmpdbRecords() reads a WAL database consistently while writers log in, each in its own connection, as pam_wtmpdb does",
  async () => {
    using t = tempDir();
    const path = t.file("wtmp.db");
    writeWtmpdb(path, ROWS.slice(0, 1));
    sqlite(path, "PRAGMA journal_mode = WAL;");
    // Each login a process of its own: it opens the database, writes, and on closing checkpoints and removes the
    // log (a WAL database with no log, then a log without its index, then both: every state a reader can meet).
    const logins = 300;
    const writer = spawn("sh", [
      "-c",
      `i=0; while [ $i -lt ${logins} ]; do i=$((i+1)); sqlite3 "$0" "PRAGMA busy_timeout = 5000; ` +
      `INSERT INTO wtmp(Type, User, Login, TTY) VALUES (3, 'u' || $i, 1700000000000000 + $i, 'pts/0');" || exit 1; done`,
      path,
    ], { stdio: "ignore" });
    const done = new Promise<number | null>((resolve) => writer.on("exit", resolve));
    let exited = false;
    void done.then(() => exited = true);
    const seen: number[] = [];
    while (!exited) {
      const records = await all(wtmpdbRecords(path));
      // Every read is whole and in order: the boot, then the logins 1..k with no gap.
      const users = records.map((u) => u.ut_user);
      assert.equal(users[0], "reboot");
      assert.deepEqual(users.slice(1), Array.from({ length: users.length - 1 }, (_, i) => `u${i + 1}`));
      seen.push(users.length - 1);
    }
    assert.equal(await done, 0, "the writer logged everyone in");
    assert.ok(seen.length >= 3 && seen.some((k) => k > 0 && k < logins), `reads met the writer: ${seen}`);
    assert.ok(seen.every((k, i) => i === 0 || k >= seen[i - 1]!), "no read went back in time");
    assert.equal((await all(wtmpdbRecords(path))).length, logins + 1);
  },
  NO_SQLITE,
);

test(
  "every wtmpdb and lastlog2 reader reads through columns that declare a collation SQLite does not know, as last did",
  () => {
    using t = tempDir();
    // The schema rewritten behind SQLite's back (writable_schema): a comparison on such a column fails to prepare.
    const unknown = (path: string) =>
      sqlite(
        path,
        "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = replace(sql, 'COLLATE NOCASE', 'COLLATE nosuch');",
      );
    const wtmpdb = t.file("wtmp.db");
    const plain = t.file("plain.db");
    for (const path of [wtmpdb, plain]) {
      sqlite(
        path,
        "CREATE TABLE wtmp(ID INTEGER PRIMARY KEY, Type INTEGER COLLATE NOCASE, User TEXT NOT NULL COLLATE NOCASE, " +
          "Login INTEGER COLLATE NOCASE, Logout INTEGER COLLATE NOCASE, TTY TEXT COLLATE NOCASE, " +
          "RemoteHost TEXT COLLATE NOCASE, Service TEXT);" +
          ROWS.map((r) =>
            `INSERT INTO wtmp(Type, User, Login, Logout, TTY, RemoteHost) VALUES (${r.Type}, '${r.User}', ${r.Login}, ` +
            `${r.Logout ?? "NULL"}, '${r.TTY}', ${r.RemoteHost === null ? "NULL" : `'${r.RemoteHost}'`});`
          ).join(""),
      );
    }
    unknown(wtmpdb);
    const lastlog2 = t.file("lastlog2.db");
    sqlite(
      lastlog2,
      "CREATE TABLE Lastlog2(Name TEXT PRIMARY KEY COLLATE NOCASE, Time INTEGER COLLATE NOCASE, " +
        "TTY TEXT COLLATE NOCASE, RemoteHost TEXT, Service TEXT);" +
        "INSERT INTO Lastlog2 VALUES ('bob', 1700000000, 'tty1', NULL, 'login'), ('al', 1700000100, 'pts/0', " +
        "'192.0.2.1', 'sshd');",
    );
    unknown(lastlog2);
    assert.throws(() => sqlite(wtmpdb, "SELECT count(*) FROM wtmp WHERE Type = 1;"), /no such collation/);
    const results = probe([
      ["wtmpdbSessions()", wtmpdb],
      ["wtmpdbSessions()", plain],
      ["utmp who", wtmpdb],
      ["utmp last", wtmpdb],
      ["lastlog2Entries()", lastlog2],
      ["utmp lastlog", lastlog2],
    ]);
    for (const r of results) {
      const what = JSON.stringify(r);
      if (r.entry.startsWith("utmp ")) assert.equal((r.value as { code: number }).code, 0, what);
      else assert.equal(r.outcome, "done", what);
    }
    // The open sessions since the last boot, the same as from the database without the collation.
    assert.equal(results[0]!.value, results[1]!.value);
    assert.equal(results[0]!.value, 2, "the last boot and the one session open since");
    assert.equal(results[4]!.value, 2);
  },
  NO_SQLITE,
);

test(
  "every database reader reads what it checked: a FIFO journal or a WAL database swapped in meanwhile neither hangs it nor makes a file",
  () => {
    using t = tempDir();
    const race = (dir: string, script: string, files: string[]) => {
      return spawn("perl", ["-MTime::HiRes=usleep,time", "-MPOSIX=mkfifo", "-e", script, dir, ...files], {
        stdio: "ignore",
      });
    };
    // A FIFO made and removed at DB-journal, over and over (SQLite's own open of it blocked the thread for good).
    const fifo = t.file("fifo");
    mkdirSync(fifo);
    // The database is written before the swapper starts (sqlite3 itself fails on a FIFO journal).
    writeWtmpdb(join(fifo, "x.db"), ROWS);
    const swapper = race(
      fifo,
      'chdir $ARGV[0]; my $end = time + 30; while (time < $end) { mkfifo("x.db-journal", 0644); ' +
        'usleep(int(rand(2000))); unlink "x.db-journal"; usleep(int(rand(2000))); }',
      [],
    );
    // A WAL database and a rollback one hard-linked over DB in turn (SQLite made -wal and -shm beside it).
    const swap = t.file("swap");
    mkdirSync(swap);
    writeWtmpdb(join(swap, "r.db"), ROWS);
    writeWtmpdb(join(swap, "w.db"), ROWS);
    sqlite(join(swap, "w.db"), "PRAGMA journal_mode = WAL;");
    writeWtmpdb(join(swap, "x.db"), ROWS);
    const linker = spawn("perl", [
      "-MTime::HiRes=usleep,time",
      "-e",
      'chdir $ARGV[0]; my $end = time + 30; while (time < $end) { link "r.db", "r.l"; rename "r.l", "x.db"; ' +
      'usleep(int(rand(2000))); link "w.db", "w.l"; rename "w.l", "x.db"; usleep(int(rand(2000))); }',
      swap,
    ], { stdio: "ignore" });
    try {
      const checks: [string, string][] = [];
      for (let i = 0; i < 15; i++) checks.push(["utmp last", join(fifo, "x.db")], ["utmp last", join(swap, "x.db")]);
      for (const r of probe(checks)) {
        const what = JSON.stringify(r);
        assert.notEqual(r.outcome, "hung", what);
        const { code, err } = r.value as { code: number; err: string };
        // Read, or refused at once for the FIFO it saw.
        assert.ok(code === 0 || /SQLite side file ".+-journal" is a FIFO/.test(err), what);
      }
    } finally {
      swapper.kill("SIGKILL");
      linker.kill("SIGKILL");
    }
    assert.deepEqual(readdirSync(swap).filter((f) => /-(wal|shm)$/.test(f)), [], "nothing made beside the database");
  },
  NO_SQLITE,
);

/** The files in a directory with their bytes: what a reader may not change. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f)).toString("base64")]),
  );
}

test(
  "wtmpdbRecords() reads a WAL database, with or without its -shm, and a hot journal, creating and changing no file",
  async () => {
    using t = tempDir();
    const { DatabaseSync } = await import("node:sqlite" as string) as {
      DatabaseSync: new (path: string) => { exec(sql: string): void; close(): void };
    };
    // A live WAL database: its log and index copied while the writer holds them (as a copy of /var/lib/wtmpdb is).
    const origin = t.file("origin");
    mkdirSync(origin);
    const live = join(origin, "wtmp.db");
    writeWtmpdb(live, ROWS.slice(0, 10));
    const writer = new DatabaseSync(live);
    writer.exec("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;");
    writer.exec(
      `INSERT INTO wtmp(Type, User, Login, Logout, TTY) VALUES ${
        ROWS.slice(10).map((r) => `(${r.Type}, '${r.User}', ${r.Login}, ${r.Logout ?? "NULL"}, '${r.TTY}')`).join(
          ", ",
        )
      }`,
    );
    const copies: Record<string, string[]> = { "wal-and-shm": ["", "-wal", "-shm"], "wal-only": ["", "-wal"] };
    for (const [name, files] of Object.entries(copies)) {
      mkdirSync(t.file(name));
      for (const f of files) copyFileSync(live + f, join(t.dir, name, "wtmp.db" + f));
    }
    // A hot journal: the writer died mid-transaction (cache spilled: the file holds half a transaction).
    const hot = t.file("hot");
    mkdirSync(hot);
    const rollback = join(origin, "rollback.db");
    writeWtmpdb(rollback, ROWS);
    const dying = new DatabaseSync(rollback);
    dying.exec("PRAGMA cache_size = 1; BEGIN; DELETE FROM wtmp WHERE ID > 5;");
    dying.exec(
      `INSERT INTO wtmp(Type, User, Login, TTY) SELECT 3, printf('%.*c', 900, 'z'), i, 'x' FROM (${numbers(300)})`,
    );
    copyFileSync(rollback, join(hot, "wtmp.db"));
    copyFileSync(rollback + "-journal", join(hot, "wtmp.db-journal"));
    dying.exec("ROLLBACK");
    dying.close();
    writer.close();
    // A WAL-mode database with no log at all (the last writer checkpointed and removed it).
    mkdirSync(t.file("no-log"));
    copyFileSync(live, join(t.dir, "no-log/wtmp.db"));

    for (const name of ["wal-and-shm", "wal-only", "hot", "no-log"]) {
      const dir = join(t.dir, name);
      const before = snapshot(dir);
      // The reference: the sqlite3 command over another copy (where it may write what it needs).
      const reference = t.file(`${name}-reference`);
      mkdirSync(reference);
      for (const f of readdirSync(dir)) copyFileSync(join(dir, f), join(reference, f));
      const expected = expectedOrder(join(reference, "wtmp.db"));
      assert.equal(expected.length, 40 + 34, name);
      assert.deepEqual(await ourOrder(join(dir, "wtmp.db")), expected, name);
      assert.deepEqual(snapshot(dir), before, `${name}: nothing created or changed beside the database`);
    }
  },
  NO_SQLITE,
);

test(
  "wtmpdbRecords() reads every row whatever its ID holds: beyond 2^53, NULL, repeated, text; and says so",
  async () => {
    using t = tempDir();
    // One row with an ID past 2^53 (the whole database was unreadable) and the logins after it.
    const big = t.file("big-id.db");
    writeWtmpdb(big, ROWS.slice(0, 5));
    sqlite(
      big,
      "INSERT INTO wtmp(ID, Type, User, Login, Logout, TTY) VALUES (9007199254740993, 3, 'big', 1700009000000000, NULL, 'pts/9');" +
        "INSERT INTO wtmp(Type, User, Login, Logout, TTY) VALUES (3, 'after', 1700009100000000, 1700009200000000, 'pts/8');",
    );
    const records = await all(wtmpdbRecords(big));
    assert.deepEqual(records.slice(-3).map((u) => [u.ut_user, u.ut_id]), [["big", "9007199254740993"], [
      "after",
      "9007199254740994",
    ], ["", "9007199254740994"]]);
    assert.deepEqual(await ourOrder(big), expectedOrder(big));

    // An ID column that is no primary key: NULL in 50 of 51 rows, repeated, text (rows were dropped silently).
    const loose = t.file("loose-id.db");
    const inserts = Array.from({ length: 2500 }, (_, i) => {
      const id = i < 50 ? "NULL" : i < 2400 ? String(i % 1000) : `'id-${i}'`;
      return `(${id}, 3, 'u${i}', ${(1700000000 + i) * 1e6}, ${(1700000000 + i + (i * 7919) % 50) * 1e6}, 'pts/${
        i % 5
      }')`;
    });
    sqlite(
      loose,
      "CREATE TABLE wtmp(ID INT, Type INTEGER, User TEXT, Login INTEGER, Logout INTEGER, TTY TEXT, RemoteHost TEXT);" +
        `INSERT INTO wtmp(ID, Type, User, Login, Logout, TTY) VALUES ${inserts.join(", ")};`,
    );
    const warnings: UtmpWarning[] = [];
    const ours = await ourOrder(loose, warnings);
    assert.equal(ours.length, 5000);
    assert.deepEqual(ours, expectedOrder(loose));
    // The NULL and text IDs are warned about, once per row, at the row's login record.
    assert.equal(warnings.length, 50 + 100);
    assert.ok(warnings.every((w) => w.kind === "bad-value" && w.offset === -1));
    assert.match(warnings[0]!.reason, /^wtmpdb row \d+: its ID is NULL, taken as ut_id ""$/);
    assert.ok(warnings.some((w) => /its ID is not an integer \("id-2400"\)/.test(w.reason)));
  },
  NO_SQLITE,
);

test(
  "wtmpdbRecords() and lastlog2Entries() cut long text and leave a value past 64 KiB unread, with a warning",
  async () => {
    using t = tempDir();
    const db = t.file("long.db");
    sqlite(
      db,
      WTMPDB_SCHEMA.replace(" STRICT", "") +
        "INSERT INTO wtmp(Type, User, Login, Logout, TTY, RemoteHost) VALUES " +
        "(3, 'alice', 1700000000000000, NULL, 'pts/0', printf('%.*c', 1000, 'h'))," +
        "(3, 'bob', 1700000060000000, NULL, 'pts/1', printf('%.*c', 200000, 'h'))," +
        "(3, 'carol', 'not a time', NULL, 'pts/2', 'ok');",
    );
    const warnings: UtmpWarning[] = [];
    const records = await all(wtmpdbRecords(db, { onWarning: (w) => warnings.push(w) }));
    assert.deepEqual(records.map((u) => [u.ut_user, u.ut_host.length]), [["carol", 2], ["alice", TEXT_CAP], [
      "bob",
      0,
    ]]);
    assert.deepEqual(warnings.map((w) => [w.recordIndex, w.reason]), [
      [0, "wtmpdb row 3: its Login is not a number, read as 0 µs"],
      [1, "wtmpdb row 1: a text longer than 256 characters is cut to them (one past 65536 bytes is left out)"],
      [2, "wtmpdb row 2: a text longer than 256 characters is cut to them (one past 65536 bytes is left out)"],
    ]);
    const lastlog2 = t.file("lastlog2.db");
    sqlite(
      lastlog2,
      LASTLOG2_SCHEMA +
        "INSERT INTO Lastlog2 VALUES ('alice', 1700000000, 'pts/0', printf('%.*c', 300000, 'h'), 'sshd'), " +
        "('bob', 'soon', 'pts/1', '192.0.2.1', 'sshd');",
    );
    const lastlogWarnings: UtmpWarning[] = [];
    const entries = await all(
      lastlog2Entries(lastlog2, { passwd: "/dev/null", onWarning: (w) => lastlogWarnings.push(w) }),
    );
    assert.deepEqual(entries.map((e) => [e.user, e.host, e.time.getTime()]), [["alice", "", 1700000000000], [
      "bob",
      "192.0.2.1",
      0,
    ]]);
    assert.deepEqual(lastlogWarnings.map((w) => w.recordIndex), [0, 1]);
  },
  NO_SQLITE,
);

test(
  "wtmpdbBatches() newest first gives exactly the records of wtmpdbRecords(), reversed, out-of-order rows included",
  async () => {
    using t = tempDir();
    const db = t.file("wtmp.db");
    // Logins out of row order, a logout before its login, ties in time, rows far in the future.
    writeWtmpdb(db, [
      ...ROWS,
      {
        Type: 3,
        User: "late",
        Login: 1700000100e6,
        Logout: 1700000050e6,
        TTY: "pts/5",
        RemoteHost: null,
        Service: null,
      },
      {
        Type: 3,
        User: "tie",
        Login: 1700000060e6,
        Logout: 1700000060e6,
        TTY: "pts/6",
        RemoteHost: null,
        Service: null,
      },
      {
        Type: 3,
        User: "far",
        Login: 1699990000e6,
        Logout: 4102444800e6,
        TTY: "pts/7",
        RemoteHost: null,
        Service: null,
      },
    ]);
    const forward = (await all(wtmpdbRecords(db))).map((u) => u.toJSON());
    const backward: unknown[] = [];
    for await (const batch of wtmpdbBatches(db, { newestFirst: true })) {
      for (const u of batch) {
        backward.push(u.toJSON());
      }
    }
    assert.equal(forward.length, 40 + 34 + 6);
    assert.deepEqual(backward, [...forward].reverse());
    assert.deepEqual(await ourOrder(db), expectedOrder(db));
  },
  NO_SQLITE,
);

/** The JavaScript heap the readers get: 300,000 rows took some 270 MB before. */
const HEAP_MIB = 64;

/** Reads a wtmpdb in a child (its heap held to {@link HEAP_MIB}): records, order, peak memory. */
function readInChild(path: string, newestFirst: boolean): ChildResult {
  const [cmd, ...args] = child("_sqlite_child", HEAP_MIB);
  const env = { ...process.env as Record<string, string>, UTMP_SQLITE_CHILD: JSON.stringify({ path, newestFirst }) };
  const ran = spawnSync(cmd!, args, { encoding: "utf8", env, timeout: 300_000, killSignal: "SIGKILL" });
  const line = ran.stdout.split("\n").find((l) => l.startsWith("{"));
  assert.ok(line !== undefined, `the child answered: ${ran.stderr}`);
  return JSON.parse(line) as ChildResult;
}

test(
  "wtmpdbBatches() reads 300,000 rows, every logout far in the future, within a 64 MiB heap and the memory 3,000 take",
  () => {
    using t = tempDir();
    const make = (name: string, n: number) => {
      const path = t.file(name);
      // Every session ends in 2100: a reader merging logouts in memory holds all of them (877 MB for 2M rows).
      sqlite(
        path,
        WTMPDB_SCHEMA +
          `INSERT INTO wtmp(Type, User, Login, Logout, TTY, RemoteHost, Service) SELECT 3, 'user' || (i % 50), ` +
          `1700000000000000 + i * 1000000, 4102444800000000 + i, 'pts/' || (i % 20), '192.0.2.' || (i % 250), 'sshd' ` +
          `FROM (${numbers(n)});`,
      );
      return path;
    };
    const small = make("small.db", 3_000);
    const large = make("large.db", 300_000);
    for (const newestFirst of [false, true]) {
      const a = readInChild(small, newestFirst);
      const b = readInChild(large, newestFirst);
      assert.deepEqual([a.count, b.count], [6_000, 600_000]);
      assert.ok(a.ordered && b.ordered, "in time order");
      // Before: ~270 MB more for 300,000 rows (1.27 GB for 2M). Now the same, give or take V8's heap.
      assert.ok(
        b.maxRss - a.maxRss < 80 * 1024,
        `${newestFirst ? "newest" : "oldest"} first: ${a.maxRss} KiB, then ${b.maxRss} KiB`,
      );
    }
  },
  NO_SQLITE,
);
