import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "../_harness.ts";
import { ORACLE_ENV, run, tempDir, utmpdumpReverse } from "../_util.ts";
import { all, collect } from "../_collect.ts";
import { history, type UtmpRecordObject, who } from "../../mod.ts";
import { wtmpdbRecords, wtmpdbSessions } from "../../src/sources/mod.ts";
import { asUtmpFile, HAS_SQLITE, sqlite, writeWtmpdb, type WtmpdbRow } from "./_build.ts";

const NO_SQLITE = { ignore: !HAS_SQLITE };

// The command line prints local times: the same zone and locale as the oracles (ORACLE_ENV).
process.env.TZ = "UTC";
process.env.LC_ALL = "C";

/** Seconds → µs from 2023-11-14T22:13:20Z. */
const T0 = 1700000000;
const us = (sec: number) => (T0 + sec) * 1e6;

/**
 * Two boots of a machine, as wtmpdb's PAM module and `wtmpdb boot` leave
 * them: the first boot ended by a shutdown with dave still logged in ("down"
 * for `last`), the second still running with erin logged in.
 * `sshTty` is what carol's ssh session without a pty left in TTY.
 */
function machineRows(sshTty: string): WtmpdbRow[] {
  return [
    { Type: 1, User: "reboot", Login: us(0), Logout: us(9000), TTY: "~", RemoteHost: "6.1.0-13-amd64", Service: null },
    { Type: 3, User: "alice", Login: us(60), Logout: us(3600), TTY: "tty1", RemoteHost: null, Service: "login" },
    {
      Type: 3,
      User: "bob",
      Login: us(120),
      Logout: us(7200),
      TTY: "pts/0",
      RemoteHost: "198.51.100.4",
      Service: "sshd",
    },
    {
      Type: 3,
      User: "carol",
      Login: us(200),
      Logout: us(300),
      TTY: sshTty,
      RemoteHost: "203.0.113.5",
      Service: "sshd",
    },
    { Type: 3, User: "dave", Login: us(4000), Logout: null, TTY: "pts/1", RemoteHost: "198.51.100.9", Service: "sshd" },
    { Type: 1, User: "reboot", Login: us(10000), Logout: null, TTY: "~", RemoteHost: "6.1.0-13-amd64", Service: null },
    {
      Type: 3,
      User: "alice",
      Login: us(10100),
      Logout: us(10100),
      TTY: "pts/0",
      RemoteHost: "2001:db8::1",
      Service: "sshd",
    },
    { Type: 3, User: "erin", Login: us(10200.5), Logout: null, TTY: "tty2", RemoteHost: null, Service: "login" },
  ];
}

/**
 * The wtmp that machine would have written, in utmpdump's text (the
 * records `wtmpdb import` turns into the rows above, with TTY "ssh:notty").
 */
const SAME_HISTORY_AS_WTMP = [
  "[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-13-amd64      ] [0.0.0.0        ] [2023-11-14T22:13:20,000000+00:00]",
  "[7] [00701] [1   ] [alice   ] [tty1        ] [                    ] [0.0.0.0        ] [2023-11-14T22:14:20,000000+00:00]",
  "[7] [00702] [ts/0] [bob     ] [pts/0       ] [198.51.100.4        ] [0.0.0.0        ] [2023-11-14T22:15:20,000000+00:00]",
  "[7] [00703] [    ] [carol   ] [ssh:notty   ] [203.0.113.5         ] [0.0.0.0        ] [2023-11-14T22:16:40,000000+00:00]",
  "[8] [00703] [    ] [        ] [ssh:notty   ] [                    ] [0.0.0.0        ] [2023-11-14T22:18:20,000000+00:00]",
  "[8] [00701] [1   ] [        ] [tty1        ] [                    ] [0.0.0.0        ] [2023-11-14T23:13:20,000000+00:00]",
  "[7] [00704] [ts/1] [dave    ] [pts/1       ] [198.51.100.9        ] [0.0.0.0        ] [2023-11-14T23:20:00,000000+00:00]",
  "[8] [00702] [ts/0] [        ] [pts/0       ] [                    ] [0.0.0.0        ] [2023-11-15T00:13:20,000000+00:00]",
  "[1] [00000] [~~  ] [shutdown] [~           ] [6.1.0-13-amd64      ] [0.0.0.0        ] [2023-11-15T00:43:20,000000+00:00]",
  "[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-13-amd64      ] [0.0.0.0        ] [2023-11-15T01:00:00,000000+00:00]",
  "[7] [00801] [ts/0] [alice   ] [pts/0       ] [2001:db8::1         ] [0.0.0.0        ] [2023-11-15T01:01:40,000000+00:00]",
  "[8] [00801] [ts/0] [        ] [pts/0       ] [                    ] [0.0.0.0        ] [2023-11-15T01:01:40,000000+00:00]",
  "[7] [00802] [2   ] [erin    ] [tty2        ] [                    ] [0.0.0.0        ] [2023-11-15T01:03:20,500000+00:00]",
].join("\n") + "\n";

async function recordsOf(path: string): Promise<UtmpRecordObject[]> {
  return (await all(wtmpdbRecords(path))).map((u) => u.toJSON());
}

/** The contract's record with the fields wtmpdb has; the others neutral. */
function expected(
  index: number,
  ut_type: UtmpRecordObject["ut_type"],
  ut_type_raw: number,
  ut_user: string,
  ut_line: string,
  ut_id: string,
  ut_host: string,
  sec: number,
  ut_service = "",
  ut_addr: number[] = [0, 0, 0, 0],
  ut_addr_text = "0.0.0.0",
): UtmpRecordObject {
  const tv_sec = Math.floor(T0 + sec);
  const tv_usec = Math.round((T0 + sec - tv_sec) * 1e6);
  return {
    ut_type,
    ut_type_raw,
    ut_pid: 0,
    ut_line,
    ut_id,
    ut_user,
    ut_host,
    ut_exit: { e_termination: 0, e_exit: 0 },
    ut_exit_code: 0,
    ut_session: 0,
    ut_tv: { tv_sec, tv_usec },
    ut_time: new Date(tv_sec * 1000 + tv_usec / 1000),
    ut_addr,
    ut_addr_text,
    ut_user_process: ut_type === "USER_PROCESS",
    ut_service,
    layout: "wtmpdb",
    offset: -1,
    index,
  };
}

test(
  "wtmpdbRecords() maps each row to its login record and, once closed, its logout record, in time order",
  async () => {
    using t = tempDir();
    const db = t.file("wtmp.db");
    writeWtmpdb(db, machineRows("ssh"));
    assert.deepEqual(await recordsOf(db), [
      expected(0, "BOOT_TIME", 1, "reboot", "~", "~~", "6.1.0-13-amd64", 0),
      expected(1, "USER_PROCESS", 3, "alice", "/dev/tty1", "2", "", 60, "login"),
      expected(
        2,
        "USER_PROCESS",
        3,
        "bob",
        "/dev/pts/0",
        "3",
        "198.51.100.4",
        120,
        "sshd",
        [198, 51, 100, 4],
        "198.51.100.4",
      ),
      expected(
        3,
        "USER_PROCESS",
        3,
        "carol",
        "ssh",
        "4",
        "203.0.113.5",
        200,
        "sshd",
        [203, 0, 113, 5],
        "203.0.113.5",
      ),
      expected(4, "DEAD_PROCESS", 3, "", "ssh", "4", "", 300, "sshd"),
      expected(5, "DEAD_PROCESS", 3, "", "/dev/tty1", "2", "", 3600, "login"),
      expected(
        6,
        "USER_PROCESS",
        3,
        "dave",
        "/dev/pts/1",
        "5",
        "198.51.100.9",
        4000,
        "sshd",
        [198, 51, 100, 9],
        "198.51.100.9",
      ),
      expected(7, "DEAD_PROCESS", 3, "", "/dev/pts/0", "3", "", 7200, "sshd"),
      expected(8, "RUN_LVL", 1, "shutdown", "~", "~~", "6.1.0-13-amd64", 9000),
      expected(9, "BOOT_TIME", 1, "reboot", "~", "~~", "6.1.0-13-amd64", 10000),
      expected(10, "USER_PROCESS", 3, "alice", "/dev/pts/0", "7", "2001:db8::1", 10100, "sshd", [
        0x20,
        0x01,
        0x0d,
        0xb8,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        1,
      ], "2001:db8::1"),
      expected(11, "DEAD_PROCESS", 3, "", "/dev/pts/0", "7", "", 10100, "sshd"),
      expected(12, "USER_PROCESS", 3, "erin", "/dev/tty2", "8", "", 10200.5, "login"),
    ]);
  },
  NO_SQLITE,
);

test("wtmpdbRecords() equals the wtmp that wtmpdb import reads into the same rows, field by field", async () => {
  using t = tempDir();
  const db = t.file("wtmp.db");
  writeWtmpdb(db, machineRows("ssh:notty"));
  const ours = await recordsOf(db);
  const wtmp = (await collect(utmpdumpReverse(SAME_HISTORY_AS_WTMP, t.file("wtmp")))).records;
  assert.equal(wtmp.length, 13);
  assert.equal(ours.length, wtmp.length);
  for (let i = 0; i < wtmp.length; i++) {
    const w = wtmp[i]!;
    // What wtmpdb does not keep (pid, tty-suffix id, utmp type numbers) and where each came from.
    const same = {
      ...w,
      ut_pid: 0,
      ut_id: ours[i]!.ut_id,
      ut_type_raw: ours[i]!.ut_type_raw,
      // wtmpdb keeps the service, and its RemoteHost literal is the address (wtmp's here are 0.0.0.0).
      ut_service: ours[i]!.ut_service,
      ut_addr: ours[i]!.ut_addr,
      ut_addr_text: ours[i]!.ut_addr_text,
      layout: "wtmpdb",
      offset: -1,
    };
    assert.deepEqual(ours[i], same, `record ${i}`);
  }
}, NO_SQLITE);

test("wtmpdbRecords() gives util-linux last the same sessions, shutdowns and reboots as the wtmp", async () => {
  using t = tempDir();
  const db = t.file("wtmp.db");
  writeWtmpdb(db, machineRows("ssh:notty"));
  const ours = t.file("from-wtmpdb", asUtmpFile(await recordsOf(db)));
  const reference = utmpdumpReverse(SAME_HISTORY_AS_WTMP, t.file("wtmp"));
  const last = (flags: string[], file: string) =>
    execFileSync("last", [...flags, "-f", file], { env: ORACLE_ENV, encoding: "utf8" })
      .replace(new RegExp(`${file.split("/").pop()} begins`), "begins");
  for (const flags of [[], ["-x", "-F"], ["-w", "-a"]]) {
    const want = last(flags, reference);
    assert.equal(last(flags, ours), want, `last ${flags.join(" ")}`);
    assert.match(want, /dave .* down /);
  }
}, NO_SQLITE);

test("wtmpdbSessions() yields the last boot and the sessions still open since it", async () => {
  using t = tempDir();
  const db = t.file("wtmp.db");
  writeWtmpdb(db, machineRows("ssh"));
  assert.deepEqual((await all(wtmpdbSessions(db))).map((u) => u.toJSON()), [
    expected(0, "BOOT_TIME", 1, "reboot", "~", "~~", "6.1.0-13-amd64", 10000),
    expected(1, "USER_PROCESS", 3, "erin", "/dev/tty2", "8", "", 10200.5, "login"),
  ]);
  const users = await all(who({ source: "wtmpdb", path: db }));
  assert.deepEqual(users.map((u) => `${u.ut_user} ${u.ut_line}`), ["erin /dev/tty2"]);
}, NO_SQLITE);

test("wtmpdbRecords() pages through thousands of rows in the time order SQLite sorts them in", async () => {
  using t = tempDir();
  const db = t.file("wtmp.db");
  // 2500 overlapping sessions (more than two pages), some ending at the same µs as others begin.
  const rows: WtmpdbRow[] = [];
  for (let i = 0; i < 2500; i++) {
    const login = us(i * 10);
    const logout = i % 7 === 0 ? null : login + ((i * 7919) % 50) * 1e6;
    rows.push({
      Type: 3,
      User: `u${i % 13}`,
      Login: login,
      Logout: logout,
      TTY: `pts/${i % 5}`,
      RemoteHost: null,
      Service: "sshd",
    });
  }
  writeWtmpdb(db, rows);
  const order = run("sqlite3", [
    "-separator",
    " ",
    db,
    "SELECT t, ID, k FROM (SELECT Login AS t, ID, 0 AS k FROM wtmp UNION ALL SELECT Logout, ID, 1 FROM wtmp WHERE Logout IS NOT NULL) ORDER BY t, ID, k",
  ]).trim().split("\n");
  const ours = (await recordsOf(db)).map((u) =>
    `${u.ut_tv.tv_sec * 1e6 + u.ut_tv.tv_usec} ${u.ut_id} ${u.ut_type === "DEAD_PROCESS" ? 1 : 0}`
  );
  assert.equal(ours.length, 2500 + 2500 - Math.ceil(2500 / 7));
  assert.deepEqual(ours, order);
}, NO_SQLITE);

test("history() reads wtmpdb for source wtmpdb, and its errors name the file", async () => {
  using t = tempDir();
  const db = t.file("wtmp.db");
  writeWtmpdb(db, machineRows("ssh"));
  const records = await all(history({ source: "wtmpdb", path: db }));
  assert.deepEqual(records.map((u) => u.toJSON()), await recordsOf(db));
  const notDb = t.file("not.db", "this is not a database, just text that is long enough to have a header".repeat(20));
  await assert.rejects(
    () => all(wtmpdbRecords(notDb)),
    (e: Error) => e.name === "UtmpFormatError" && e.message.includes(notDb) && e.message.includes("wtmpdb"),
  );
  const noTable = t.file("empty.db");
  sqlite(noTable, "CREATE TABLE other(x);");
  await assert.rejects(
    () => all(wtmpdbRecords(noTable)),
    (e: Error) => e.name === "UtmpFormatError" && /no such table: wtmp/.test(e.message),
  );
  await assert.rejects(
    () => all(wtmpdbRecords(t.file("missing.db"))),
    (e: Error & { code?: string }) => e.name === "UtmpFileError" && e.code === "ENOENT",
  );
}, NO_SQLITE);

test("wtmpdbRecords() names the runtime it needs when there is no node:sqlite, and only when read", async () => {
  using t = tempDir();
  const db = t.file("wtmp.db");
  writeWtmpdb(db, machineRows("ssh"));
  await assert.rejects(
    () => all(wtmpdbRecords(db)),
    (e: Error & { code?: string }) =>
      e.name === "UtmpFileError" && e.code === "ENOSYS" && e.message.includes("Node >= 22.5") &&
      e.message.includes("Deno"),
  );
}, { ignore: HAS_SQLITE });

test(
  "main() last reads a wtmpdb under --root where there is no wtmp, as -f names it, and checks no boot time",
  async () => {
    using t = tempDir();
    const { main } = await import("../../src/cli/main.ts");
    mkdirSync(join(t.dir, "host/var/lib/wtmpdb"), { recursive: true });
    const path = join(t.dir, "host/var/lib/wtmpdb/wtmp.db");
    writeWtmpdb(path, machineRows("ssh:notty"));
    const run = async (argv: string[]) => {
      let text = "";
      let err = "";
      const code = await main(argv, {
        out: (chunk) => void (text += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk)),
        err: (line) => void (err += line),
      });
      return { code, text, err };
    };
    for (const flags of [[], ["-x"], ["-n", "3"]]) {
      const underRoot = await run(["--root", join(t.dir, "host"), "last", ...flags]);
      const named = await run(["last", "-f", path, ...flags]);
      assert.equal(underRoot.code, 0);
      // wtmpdb last names the database as given, "wtmpdb" when it read the default (Debian 13's last, compared
      // with the real one in tests/cli/wtmpdb_last_test.ts).
      assert.equal(underRoot.text, named.text.replace(`${path} begins`, "wtmpdb begins"), flags.join(" "));
      if (flags.length === 0) assert.match(named.text, /^dave .* crash/m);
      // wtmpdb decides from the boots in the database: no /proc of the root is asked.
      assert.equal(underRoot.err + named.err, "");
    }
  },
  NO_SQLITE,
);

test(
  "lastSessions() without a path reads the system's wtmpdb under root: its rows as sessions, not paired again",
  async () => {
    using t = tempDir();
    const { lastSessions } = await import("../../src/last.ts");
    const { wtmpdbLastSessions } = await import("../../src/sources/wtmpdb.ts");
    mkdirSync(join(t.dir, "host/var/lib/wtmpdb"), { recursive: true });
    const path = join(t.dir, "host/var/lib/wtmpdb/wtmp.db");
    writeWtmpdb(path, machineRows("ssh:notty"));
    const summary = (
      s: { kind: string; end: string; login: { ut_user: string; ut_line: string }; duration: number | null },
    ) => `${s.kind} ${s.login.ut_user} ${s.login.ut_line} ${s.end} ${s.duration}`;
    const fromRoot = (await all(lastSessions(undefined, { root: join(t.dir, "host") }))).map(summary);
    assert.deepEqual(fromRoot, (await all(wtmpdbLastSessions(path))).map(summary));
    assert.deepEqual(fromRoot, [
      "login erin /dev/tty2 still logged in null",
      "login alice /dev/pts/0 logout 0",
      "reboot reboot ~ still running null",
      "login dave /dev/pts/1 crash 6000",
      "login carol ssh:notty logout 100",
      "login bob /dev/pts/0 logout 7080",
      "login alice /dev/tty1 logout 3540",
      "reboot reboot ~ logout 9000",
      "shutdown shutdown ~ logout 1000",
    ]);
  },
  NO_SQLITE,
);
