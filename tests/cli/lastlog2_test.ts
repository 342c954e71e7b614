/**
 * `utmp lastlog` over lastlog2 databases against util-linux 2.41's
 * `lastlog2` in the Debian 13 root, byte for byte, each run with a password
 * file of the test's own (bound over the root's in a mount namespace of its
 * own): over databases `lastlog2 --import` made from generated lastlog
 * files, and over rows written with `sqlite3` (services, users the password
 * file lacks, the epoch, 2100), with its reading options `-a -b -s -t -u`;
 * plain `utmp lastlog` on a system that keeps only lastlog2; a hostile
 * database escaped. `-b` and `-t` count days from now: the times are chosen
 * years away from every bound, so the day the tests run does not matter.
 *
 * @module
 */

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { test } from "../_harness.ts";
import { encodeRecord, LAYOUTS } from "../../src/layouts/mod.ts";
import { random } from "./_gen.ts";
import { ours } from "./_run.ts";
import { inDebian13With, type OracleDir, oracleDir, sqlite3 } from "./_debian13.ts";
import { HAS_SQLITE, LASTLOG2_SCHEMA } from "../sources/_build.ts";

process.env.TZ = "UTC";
process.env.LC_ALL = "C";

const NO_SQLITE = { ignore: !HAS_SQLITE };

/** The password file of the generated systems (getpwent order, as lastlog2 -i walks it). */
const PASSWD = [
  "root:x:0:0:root:/root:/bin/sh",
  "daemon:x:1:1::/usr/sbin:/usr/sbin/nologin",
  "alice:x:1000:1000::/home/alice:/bin/sh",
  "bob:x:1001:1001::/home/bob:/bin/sh",
  "carol:x:1002:1002::/home/carol:/bin/sh",
  "a-rather-long-user-name:x:1003:1003::/home/x:/bin/sh",
  "jürgen:x:1004:1004::/home/j:/bin/sh",
  "svc:x:999:999::/:/usr/sbin/nologin",
  "nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin",
].join("\n") + "\n";

/** Option sets of lastlog2's reading: the users to ask for with -u come from the password file. */
const VARIANTS: string[][] = [
  [],
  ["-s"],
  ["-a"],
  ["-a", "-s"],
  ["--active", "--service"],
  ["-b", "1"],
  ["-t", "1"],
  ["-t", "1", "-s"],
  ["-b", "20000", "-s"],
  ["--before=1", "-a"],
  ["-u", "alice"],
  ["-u", "alice", "-s"],
  ["-u", "nobody"],
  ["-u", "nobody", "-a"],
  ["-u", "jürgen", "-s"],
  ["-u", "ghost"],
];

/** A system tree with the password file (and maybe the database) where lastlog2 looks. */
function system(dir: OracleDir, name: string): string {
  const root = join(dir.host, name);
  mkdirSync(join(root, "etc"), { recursive: true });
  mkdirSync(join(root, "var/lib/lastlog"), { recursive: true });
  writeFileSync(join(root, "etc/passwd"), PASSWD);
  return root;
}

/**
 * Compares `utmp lastlog --root ROOT -d DB ARGS` with `lastlog2 -d DB ARGS`
 * run with ROOT's password file: standard output and whether it failed.
 */
async function compare(dir: OracleDir, root: string, db: string, args: string[]): Promise<void> {
  const inside = dir.inside + db.slice(dir.host.length);
  const theirs = inDebian13With([[join(root, "etc/passwd"), "/etc/passwd"]], ["lastlog2", "-d", inside, ...args]);
  const mine = await ours(["lastlog", "--root", root, "-d", db, ...args]);
  assert.equal(mine.out, theirs.out, `utmp lastlog -d DB ${args.join(" ")}`);
  assert.equal(mine.code === 0, theirs.code === 0, `exit ${mine.code} / ${theirs.code}: ${mine.err} / ${theirs.err}`);
  if (theirs.code !== 0) assert.equal(mine.err.replace(/^utmp lastlog: /, "lastlog2: "), theirs.err);
  // Nothing was left for the comparison to pass on: lastlog2 listed users (but where -u names no one).
  if (args.length === 0) assert.match(theirs.out, /^Username +Port +From +Latest \n(.+\n){3,}$/, theirs.out);
}

/** A lastlog file for the password file's users (some slots used), as shadow's login writes it. */
function lastlogFile(seed: number): Uint8Array {
  const r = random(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const layout = LAYOUTS["lastlog-linux"];
  const file = new Uint8Array(65535 * layout.size);
  for (const uid of [0, 1, 1000, 1001, 1002, 1003, 1004, 999, 65534]) {
    if (r() < 0.25) continue;
    encodeRecord(
      layout,
      {
        ut_line: ["tty1", "pts/0", "pts/12345678", ":0", ""][int(0, 4)]!,
        ut_host: ["", "192.168.1.100", "2001:db8::42", "h".repeat(60), "höst.example"][int(0, 4)]!,
        // Years from any -b/-t bound: 2017-2023, or 2100 (in the future).
        tv_sec: r() < 0.2 ? 4_102_444_800 + int(0, 1e6) : int(1_500_000_000, 1_700_000_000),
      },
      file,
      uid * layout.size,
    );
  }
  return file;
}

test(
  "main() lastlog -d lastlog2.db prints what util-linux 2.41's lastlog2 prints over databases its --import made",
  async () => {
    using dir = oracleDir();
    for (const seed of [1, 2, 3]) {
      const root = system(dir, `root${seed}`);
      dir.file(`lastlog${seed}`, lastlogFile(seed));
      const made = inDebian13With([[join(root, "etc/passwd"), "/etc/passwd"]], [
        "lastlog2",
        "-d",
        `${dir.inside}/l${seed}.db`,
        "-i",
        `${dir.inside}/lastlog${seed}`,
      ]);
      assert.equal(made.code, 0, `lastlog2 -i: ${made.err}`);
      for (const args of VARIANTS) await compare(dir, root, join(dir.host, `l${seed}.db`), args);
    }
  },
  NO_SQLITE,
);

/** Rows no importer writes: services, users the password file lacks, the epoch, 2100, NULLs, wide columns. */
const CRAFTED = [
  "('root', 1700000000, 'tty1', NULL, 'login')",
  "('alice', 1700000100, 'pts/0', '198.51.100.4', 'sshd')",
  "('zed', 0, NULL, NULL, NULL)",
  "('bob', 1700000200, 'pts/12345678', '2001:db8::1234:5678:9abc:def0:1234:5678', 'sshd')",
  "('jürgen', 1600000000, 'tty2', 'höst', NULL)",
  "('a-user-name-longer-than-16', 4102444800, '', '', 'cron')",
  "('carol', 1650000000, ':0', 'fe80::1234:5678:9abc:def0%enp0s31f6x', 'gdm-password-and-more-than-thirty')",
  "('Zed', 1690000000, 'pts/1', NULL, '')",
  "('', 1691000000, 'pts/2', 'nameless', 'sshd')",
];

test("main() lastlog -d prints what lastlog2 prints over rows sqlite3 wrote, option by option", async () => {
  using dir = oracleDir();
  const root = system(dir, "root");
  const db = join(dir.host, "c.db");
  sqlite3(db, `${LASTLOG2_SCHEMA}INSERT INTO Lastlog2 VALUES ${CRAFTED.join(", ")};`);
  for (const args of [...VARIANTS, ["-u", "carol", "-s"], ["-u", "daemon"], ["-s", "-b", "1"]]) {
    await compare(dir, root, db, args);
  }
}, NO_SQLITE);

test(
  "main() lastlog on a system that keeps only lastlog2 (--root, no lastlog) prints what its lastlog2 prints",
  async () => {
    using dir = oracleDir();
    const root = system(dir, "host");
    sqlite3(join(root, "var/lib/lastlog/lastlog2.db"), `${LASTLOG2_SCHEMA}INSERT INTO Lastlog2 VALUES ${CRAFTED};`);
    const binds: [string, string][] = [
      [join(root, "etc/passwd"), "/etc/passwd"],
      [join(root, "var/lib/lastlog"), "/var/lib/lastlog"],
    ];
    for (const args of [[], ["-s"], ["-u", "alice"], ["-a", "-s"]]) {
      const theirs = inDebian13With(binds, ["lastlog2", ...args]);
      assert.equal(theirs.code, 0, theirs.err);
      const mine = await ours(["--root", root, "lastlog", ...args]);
      assert.equal(mine.out, theirs.out, `utmp --root DIR lastlog ${args.join(" ")}`);
      assert.match(theirs.out, /^alice /m);
    }
  },
  NO_SQLITE,
);

test(
  "main() lastlog --json over lastlog2 gives the entries lastlog2 lists, and a hostile database is escaped",
  async () => {
    using dir = oracleDir();
    const root = system(dir, "root");
    const db = join(dir.host, "c.db");
    sqlite3(db, `${LASTLOG2_SCHEMA}INSERT INTO Lastlog2 VALUES ${CRAFTED};`);
    const theirs = inDebian13With([[join(root, "etc/passwd"), "/etc/passwd"]], [
      "lastlog2",
      "-d",
      `${dir.inside}/c.db`,
    ]);
    const json = JSON.parse(new TextDecoder().decode(
      Uint8Array.from((await ours(["lastlog", "--json", "--root", root, "-d", db])).out, (c) => c.charCodeAt(0)),
    )) as { user: string; uid: number; time: string | null; line: string; host: string; service: string }[];
    const lines = new TextDecoder().decode(Uint8Array.from(theirs.out, (c) => c.charCodeAt(0))).split("\n").slice(
      1,
      -1,
    );
    assert.equal(json.length, lines.length);
    json.forEach((e, i) => {
      const line = lines[i]!;
      assert.ok(line.startsWith(e.user + " "), `${JSON.stringify(e)} / ${line}`);
      assert.equal(e.time === null, line.endsWith("**Never logged in**"), line);
      if (e.host !== "") assert.ok(line.includes(` ${e.host} `), line);
      assert.equal(e.uid, { root: 0, alice: 1000, bob: 1001, carol: 1002, "jürgen": 1004 }[e.user] ?? -1);
    });

    // Hostile rows: what the terminal acts on, escaped (lastlog2 prints it raw).
    const hostile = join(dir.host, "h.db");
    sqlite3(
      hostile,
      `${LASTLOG2_SCHEMA}INSERT INTO Lastlog2 VALUES ('\x1b]0;pwned\x07', 1700000000, 'pts/0\r', '\x1b[2J', ` +
        `'ssh\u202ed'), ('eve\u0085', 1700000001, 'tty\x7f', '198.51.100.1\n', '\x9b31m');`,
    );
    const mine = await ours(["lastlog", "-s", "--root", root, "-d", hostile]);
    const text = new TextDecoder().decode(Uint8Array.from(mine.out, (c) => c.charCodeAt(0)));
    const unsafe = [...text].filter((c) => (c < " " && c !== "\n") || (c >= "\x7f" && c <= "\x9f") || c === "\u202e");
    assert.deepEqual(unsafe, []);
    assert.ok(text.includes("\\x1b]0;pwned\\x07 pts/0\\x0 "), text);
    const raw = inDebian13With([[join(root, "etc/passwd"), "/etc/passwd"]], [
      "lastlog2",
      "-s",
      "-d",
      `${dir.inside}/h.db`,
    ]);
    assert.ok(raw.out.includes("\x1b]0;pwned\x07"), raw.out);
  },
  NO_SQLITE,
);
